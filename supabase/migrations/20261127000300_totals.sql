-- Totals per station x theme month, kept in real tables in the same transaction as every insert,
-- edit and delete of an event or its participants (Realtime cannot stream views, and coordinators
-- read totals far more often than the events behind them).
--
-- Concurrency: each statement applies its deltas with one upsert per (station, theme month), in
-- ascending key order, before touching the per-volunteer rows of those keys. The totals row thus
-- acts as the lock for everything under its key. Locks are taken in one order everywhere (event
-- rows, then totals rows by key, then per-volunteer rows), so concurrent writers neither lose
-- updates nor deadlock. The push API takes all the locks of a
-- batch up front, in the same order (private.lock_for_push).
--
-- The maintenance functions are security definer: totals are derived data that no API role may
-- write directly, yet every write to events must keep them right.

create table public.station_month_totals (
  station_id uuid not null references public.stations (id) on delete cascade,
  theme_month_id uuid not null references public.theme_months (id) on delete cascade,
  events integer not null default 0,
  volunteers integer not null default 0,
  volunteer_hours numeric(12, 2) not null default 0,
  people_served bigint not null default 0,
  funds_fen bigint not null default 0,
  materials_fen bigint not null default 0,
  updated_at timestamptz not null default now(),
  primary key (station_id, theme_month_id)
);
comment on table public.station_month_totals is 'Live totals of non-deleted events per station and theme month; maintained by triggers.';
create index station_month_totals_theme_month_id_idx on public.station_month_totals (theme_month_id);

create table public.station_month_volunteers (
  station_id uuid not null,
  theme_month_id uuid not null,
  person_id uuid not null references public.people (id) on delete cascade,
  events integer not null,
  hours numeric(12, 2) not null,
  primary key (station_id, theme_month_id, person_id),
  foreign key (station_id, theme_month_id) references public.station_month_totals on delete cascade
);
comment on table public.station_month_volunteers is 'How many events and hours each volunteer gave per station and theme month; makes distinct-volunteer counts exact.';
create index station_month_volunteers_person_id_idx on public.station_month_volunteers (person_id);

alter table public.station_month_totals enable row level security;
alter table public.station_month_volunteers enable row level security;
revoke all on public.station_month_totals, public.station_month_volunteers from anon;
revoke insert, update, delete, truncate on public.station_month_totals, public.station_month_volunteers
  from authenticated;
create policy "coordinators read totals" on public.station_month_totals
  for select to authenticated using ((select private.is_coordinator()));
create policy "coordinators read volunteer tallies" on public.station_month_volunteers
  for select to authenticated using ((select private.is_coordinator()));

-- Adds signed event rows ({sign, station_id, theme_month_id, people_served, funds_fen,
-- materials_fen}) to the totals, one upsert per key in key order.
create function private.apply_event_deltas(rows jsonb) returns void
language sql security definer set search_path = ''
as $$
  insert into public.station_month_totals as t
    (station_id, theme_month_id, events, people_served, funds_fen, materials_fen)
  select station_id, theme_month_id, sum(sign), sum(sign * people_served), sum(sign * funds_fen),
    sum(sign * materials_fen)
  from jsonb_to_recordset(rows) as r (sign integer, station_id uuid, theme_month_id uuid,
    people_served bigint, funds_fen bigint, materials_fen bigint)
  group by station_id, theme_month_id
  order by station_id, theme_month_id
  on conflict (station_id, theme_month_id) do update
    set events = t.events + excluded.events, people_served = t.people_served + excluded.people_served,
      funds_fen = t.funds_fen + excluded.funds_fen, materials_fen = t.materials_fen + excluded.materials_fen,
      updated_at = now();
$$;

-- Adds signed participations ({sign, station_id, theme_month_id, person_id, hours}) to the
-- totals' hours, to each volunteer's tally, and recounts the distinct volunteers of those keys.
create function private.apply_participation_deltas(rows jsonb) returns void
language sql security definer set search_path = ''
as $$
  insert into public.station_month_totals as t (station_id, theme_month_id, volunteer_hours)
  select station_id, theme_month_id, sum(sign * hours)
  from jsonb_to_recordset(rows) as r (sign integer, station_id uuid, theme_month_id uuid, hours numeric)
  group by station_id, theme_month_id
  order by station_id, theme_month_id
  on conflict (station_id, theme_month_id) do update
    set volunteer_hours = t.volunteer_hours + excluded.volunteer_hours, updated_at = now();

  insert into public.station_month_volunteers as v (station_id, theme_month_id, person_id, events, hours)
  select station_id, theme_month_id, person_id, sum(sign), sum(sign * hours)
  from jsonb_to_recordset(rows) as r (sign integer, station_id uuid, theme_month_id uuid, person_id uuid, hours numeric)
  group by station_id, theme_month_id, person_id
  order by station_id, theme_month_id, person_id
  on conflict (station_id, theme_month_id, person_id) do update
    set events = v.events + excluded.events, hours = v.hours + excluded.hours;

  delete from public.station_month_volunteers v
  using (select distinct station_id, theme_month_id
         from jsonb_to_recordset(rows) as r (station_id uuid, theme_month_id uuid)) k
  where v.station_id = k.station_id and v.theme_month_id = k.theme_month_id and v.events = 0;

  update public.station_month_totals t
  set volunteers = (select count(*) from public.station_month_volunteers v
                    where v.station_id = t.station_id and v.theme_month_id = t.theme_month_id)
  from (select distinct station_id, theme_month_id
        from jsonb_to_recordset(rows) as r (station_id uuid, theme_month_id uuid)) k
  where t.station_id = k.station_id and t.theme_month_id = k.theme_month_id;
$$;

-- Events: their own figures count while not deleted; when an event moves to another station or
-- month, or is deleted, its participants' hours and tallies move (or go) with it.
create function private.maintain_totals_for_events() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  event_rows jsonb;
  participation_rows jsonb;
begin
  if tg_op = 'INSERT' then
    select jsonb_agg(jsonb_build_object('sign', 1) || to_jsonb(n)) into event_rows
    from new_rows n where n.deleted_at is null;
  else
    select jsonb_agg(x) into event_rows from (
      select jsonb_build_object('sign', 1) || to_jsonb(n) as x from new_rows n where n.deleted_at is null
      union all
      select jsonb_build_object('sign', -1) || to_jsonb(o) from old_rows o where o.deleted_at is null
    ) changed;

    with moved as (
      select o.id, o.station_id as old_station, o.theme_month_id as old_month, o.deleted_at is null as was_active,
        n.station_id as new_station, n.theme_month_id as new_month, n.deleted_at is null as is_active
      from old_rows o join new_rows n using (id)
      where (o.station_id, o.theme_month_id, o.deleted_at is null)
        is distinct from (n.station_id, n.theme_month_id, n.deleted_at is null)
    )
    select jsonb_agg(x) into participation_rows from (
      select jsonb_build_object('sign', -1, 'station_id', m.old_station, 'theme_month_id', m.old_month,
        'person_id', p.person_id, 'hours', p.hours) as x
      from moved m join public.event_participants p on p.event_id = m.id where m.was_active
      union all
      select jsonb_build_object('sign', 1, 'station_id', m.new_station, 'theme_month_id', m.new_month,
        'person_id', p.person_id, 'hours', p.hours)
      from moved m join public.event_participants p on p.event_id = m.id where m.is_active
    ) moves;
  end if;

  -- Event figures first: they lock the keys in order before any per-volunteer row is touched.
  if event_rows is not null then
    perform private.apply_event_deltas(event_rows);
  end if;
  if participation_rows is not null then
    perform private.apply_participation_deltas(participation_rows);
  end if;
  return null;
end
$$;

create trigger service_events_totals_insert after insert on public.service_events
  referencing new table as new_rows
  for each statement execute function private.maintain_totals_for_events();
create trigger service_events_totals_update after update on public.service_events
  referencing old table as old_rows new table as new_rows
  for each statement execute function private.maintain_totals_for_events();

-- Participants added, changed or removed on active events. Also gives those events a new
-- revision, so that pulls carry the new participant list.
create function private.maintain_totals_for_participants() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  changed jsonb := '[]'::jsonb;
  participation_rows jsonb;
begin
  if tg_op in ('INSERT', 'UPDATE') then
    select changed || coalesce(jsonb_agg(jsonb_build_object('sign', 1, 'event_id', n.event_id,
      'person_id', n.person_id, 'hours', n.hours)), '[]') into changed from new_rows n;
  end if;
  if tg_op in ('UPDATE', 'DELETE') then
    select changed || coalesce(jsonb_agg(jsonb_build_object('sign', -1, 'event_id', o.event_id,
      'person_id', o.person_id, 'hours', o.hours)), '[]') into changed from old_rows o;
  end if;

  -- Events first, then totals: the same lock order as an edit of the event itself. An event
  -- already written by this transaction has a revision no one can have pulled yet, so it needs
  -- no new one (the push API writes the event before its participants).
  update public.service_events set updated_at = now()
  where deleted_at is null and change_xid <> pg_current_xact_id()
    and id in (select c.event_id from jsonb_to_recordset(changed) as c (event_id uuid));

  select jsonb_agg(jsonb_build_object('sign', c.sign, 'station_id', e.station_id,
    'theme_month_id', e.theme_month_id, 'person_id', c.person_id, 'hours', c.hours)
    order by e.station_id, e.theme_month_id)
  into participation_rows
  from jsonb_to_recordset(changed) as c (sign integer, event_id uuid, person_id uuid, hours numeric)
  join public.service_events e on e.id = c.event_id
  where e.deleted_at is null;
  if participation_rows is not null then
    perform private.apply_participation_deltas(participation_rows);
  end if;
  return null;
end
$$;

create trigger event_participants_totals_insert after insert on public.event_participants
  referencing new table as new_rows
  for each statement execute function private.maintain_totals_for_participants();
create trigger event_participants_totals_update after update on public.event_participants
  referencing old table as old_rows new table as new_rows
  for each statement execute function private.maintain_totals_for_participants();
create trigger event_participants_totals_delete after delete on public.event_participants
  referencing old table as old_rows
  for each statement execute function private.maintain_totals_for_participants();

-- Program-wide totals over a range of theme months (all of them when both bounds are null):
-- sums of the station x month totals, and volunteers counted once however many keys they span.
create function public.program_totals(from_month date default null, to_month date default null)
returns table (
  teams bigint, volunteers bigint, stations bigint, events bigint, volunteer_hours numeric,
  people_served bigint, funds_fen bigint, materials_fen bigint
)
language sql stable security invoker set search_path = ''
as $$
  with months as (
    select id from public.theme_months
    where (from_month is null or month >= from_month) and (to_month is null or month <= to_month)
  )
  select
    (select count(*) from public.teams),
    (select count(distinct v.person_id) from public.station_month_volunteers v
      where v.theme_month_id in (select id from months)),
    (select count(*) from public.stations),
    coalesce(sum(t.events), 0)::bigint,
    coalesce(sum(t.volunteer_hours), 0),
    coalesce(sum(t.people_served), 0)::bigint,
    coalesce(sum(t.funds_fen), 0)::bigint,
    coalesce(sum(t.materials_fen), 0)::bigint
  from public.station_month_totals t
  where t.theme_month_id in (select id from months)
$$;
comment on function public.program_totals is 'Program-wide totals for the year-end report; exact distinct volunteers.';
revoke execute on function public.program_totals from anon, public;

-- The totals as a recomputation from the events: tests and the benchmark compare the maintained
-- totals with this, and an operator can use it to audit a live database.
create function private.recomputed_totals()
returns table (
  station_id uuid, theme_month_id uuid, events bigint, volunteers bigint, volunteer_hours numeric,
  people_served bigint, funds_fen bigint, materials_fen bigint
)
language sql stable security definer set search_path = ''
as $$
  with live as (select * from public.service_events where deleted_at is null),
  hours as (
    select e.station_id, e.theme_month_id, count(distinct p.person_id) as volunteers, sum(p.hours) as hours
    from live e join public.event_participants p on p.event_id = e.id
    group by 1, 2
  )
  select e.station_id, e.theme_month_id, count(*), coalesce(max(h.volunteers), 0), coalesce(max(h.hours), 0),
    sum(e.people_served), sum(e.funds_fen), sum(e.materials_fen)
  from live e left join hours h using (station_id, theme_month_id)
  group by 1, 2
$$;

-- Keys where the maintained totals differ from the recomputation (empty when all is well).
create function private.totals_drift()
returns table (station_id uuid, theme_month_id uuid, maintained jsonb, recomputed jsonb)
language sql stable security definer set search_path = ''
as $$
  with maintained as (
    select station_id, theme_month_id, events::bigint, volunteers::bigint, volunteer_hours,
      people_served, funds_fen, materials_fen
    from public.station_month_totals
    where events <> 0 or volunteers <> 0 or volunteer_hours <> 0 or people_served <> 0
      or funds_fen <> 0 or materials_fen <> 0
  ), recomputed as (select * from private.recomputed_totals())
  select coalesce(m.station_id, r.station_id), coalesce(m.theme_month_id, r.theme_month_id),
    to_jsonb(m) - 'station_id' - 'theme_month_id', to_jsonb(r) - 'station_id' - 'theme_month_id'
  from maintained m full join recomputed r using (station_id, theme_month_id)
  where (to_jsonb(m) - 'station_id' - 'theme_month_id') is distinct from (to_jsonb(r) - 'station_id' - 'theme_month_id')
$$;

-- Coordinators' dashboards follow the totals live through Supabase Realtime.
alter publication supabase_realtime add table public.station_month_totals;

-- Functions in private run only where granted above: some are security definer. (Default
-- privileges per schema cannot take away PUBLIC's execute right, so each migration revokes it.)
revoke execute on all functions in schema private from public;
