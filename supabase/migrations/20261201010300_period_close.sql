-- Close-out per station x theme month. A coordinator closes a period when every event in it is
-- confirmed (or with an override reason, recorded); closing stores a snapshot version: the
-- totals, the events with their revisions, a hash of both, who and when. A closed period is
-- locked: every insert, edit, delete or confirmation of an event at its key (before or after the
-- write: a move into or out of it too) is refused with the rule period_closed, through every
-- path (the push, direct writes of events and of participants, by every API role). A coordinator
-- reopens it with a reason; the next close makes the next version and keeps the earlier ones.
--
-- The lock is the key's totals row, as everywhere (see the totals migration): it holds the flag
-- `closed`, and every write to an event of the key upserts that row in the same transaction, in
-- the global lock order (event rows, then totals rows by key). The check is made on the row the
-- upsert returns, so after the lock is taken: a write either finishes before a close takes the
-- row (the snapshot then counts it) or waits for the close to commit and is refused. No write
-- lands in a closed period, and the snapshot equals the totals table. It costs the writes no
-- extra statement. close_period takes the totals row alone (it writes no event), so it can wait
-- for writers but never deadlock with them.
--
-- The snapshot's hash is SHA-256 of a canonical text (private.period_content): one line for the
-- key, one for the totals, one per event in id order with its revision. Closing again without
-- any change gives the same hash.

alter table public.station_month_totals add column closed boolean not null default false;
comment on column public.station_month_totals.closed is
  'The station x theme month is closed: its events may not change (see period_closures).';

create table public.period_closures (
  station_id uuid not null references public.stations (id),
  theme_month_id uuid not null references public.theme_months (id),
  version integer not null,
  closed_at timestamptz not null default now(),
  closed_by uuid references auth.users (id),
  override_reason text,
  -- The events not confirmed when it closed (only with an override reason).
  unconfirmed integer not null,
  -- The approved adjustment request that wrote this version (see the ledger-requests migration),
  -- and whether there is one.
  adjustment_request_id uuid,
  adjusted boolean not null generated always as (adjustment_request_id is not null) stored,
  totals jsonb not null,
  -- {event id: revision} of the events (not deleted) in it.
  events jsonb not null,
  -- {person id: hours} of the volunteers in it, so that year reports count people once.
  volunteers jsonb not null,
  content_hash bytea not null,
  reopened_at timestamptz,
  reopened_by uuid references auth.users (id),
  reopen_reason text,
  primary key (station_id, theme_month_id, version),
  constraint period_closures_override_reason_length check (char_length(override_reason) between 1 and 500),
  constraint period_closures_override_reason_characters check (override_reason !~ private.hidden_character_pattern(true)),
  constraint period_closures_reopen_reason_length check (char_length(reopen_reason) between 1 and 500),
  constraint period_closures_reopen_reason_characters check (reopen_reason !~ private.hidden_character_pattern(true))
);
comment on table public.period_closures is
  'Snapshot versions of closed station x theme months: totals, events with revisions, content hash, who, when; kept when reopened.';
create index period_closures_theme_month_id_idx on public.period_closures (theme_month_id);
create index period_closures_closed_by_idx on public.period_closures (closed_by);
create index period_closures_reopened_by_idx on public.period_closures (reopened_by);

alter table public.period_closures enable row level security;
revoke all on public.period_closures from anon;
revoke insert, update, delete, truncate on public.period_closures from authenticated, service_role;
create policy "coordinators read closures" on public.period_closures
  for select to authenticated using ((select private.is_coordinator()));

-- ---------------------------------------------------------------------------------------------
-- The lock, in the totals maintenance (as in the totals and confirmation migrations, plus the
-- check on the rows the upserts return).
create function private.refuse_closed_period() returns void
language plpgsql set search_path = ''
as $$
begin
  -- PostgREST answers a direct write without the constraint's name: the detail carries it.
  raise exception using errcode = '23514', constraint = 'period_closed',
    message = 'the station and theme month are closed; ask for an adjustment instead',
    detail = 'violates constraint "period_closed"';
end
$$;
grant execute on function private.refuse_closed_period() to authenticated, service_role;

create or replace function private.apply_event_deltas(rows jsonb) returns void
language plpgsql security definer set search_path = ''
as $$
declare
  closed_keys integer;
begin
  with upserted as (
    insert into public.station_month_totals as t
      (station_id, theme_month_id, events, confirmed, people_served, funds_fen, materials_fen)
    select station_id, theme_month_id, sum(sign), sum(case when confirmed_at is not null then sign else 0 end),
      sum(sign * people_served), sum(sign * funds_fen), sum(sign * materials_fen)
    from jsonb_to_recordset(rows) as r (sign integer, station_id uuid, theme_month_id uuid,
      people_served bigint, funds_fen bigint, materials_fen bigint, confirmed_at timestamptz)
    group by station_id, theme_month_id
    order by station_id, theme_month_id
    on conflict (station_id, theme_month_id) do update
      set events = t.events + excluded.events, confirmed = t.confirmed + excluded.confirmed,
        people_served = t.people_served + excluded.people_served,
        funds_fen = t.funds_fen + excluded.funds_fen, materials_fen = t.materials_fen + excluded.materials_fen,
        updated_at = now()
    returning t.closed
  )
  select count(*) filter (where closed) into closed_keys from upserted;
  if closed_keys > 0 then
    perform private.refuse_closed_period();
  end if;
end
$$;

create or replace function private.apply_participation_deltas(rows jsonb) returns void
language plpgsql security definer set search_path = ''
as $$
declare
  closed_keys integer;
begin
  with upserted as (
    insert into public.station_month_totals as t (station_id, theme_month_id, volunteer_hours)
    select station_id, theme_month_id, sum(sign * hours)
    from jsonb_to_recordset(rows) as r (sign integer, station_id uuid, theme_month_id uuid, hours numeric)
    group by station_id, theme_month_id
    order by station_id, theme_month_id
    on conflict (station_id, theme_month_id) do update
      set volunteer_hours = t.volunteer_hours + excluded.volunteer_hours, updated_at = now()
    returning t.closed
  )
  select count(*) filter (where closed) into closed_keys from upserted;
  if closed_keys > 0 then
    perform private.refuse_closed_period();
  end if;

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
end
$$;

-- Whether a period is closed now (for what writes nothing: a confirmation of a confirmed event).
create function private.period_is_closed(station uuid, theme_month uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select coalesce((select t.closed from public.station_month_totals t
                   where t.station_id = station and t.theme_month_id = theme_month), false)
$$;
grant execute on function private.period_is_closed(uuid, uuid) to authenticated, service_role;

-- A leader's confirmation (as in the confirmation migration): in a closed period it is refused,
-- even of an event already confirmed (the push has locked the key's totals row before).
create or replace function private.confirm_event_change(confirmed_event_id uuid, base_revision bigint) returns jsonb
language plpgsql security invoker set search_path = ''
as $$
declare
  current_row public.service_events;
begin
  select * into current_row from public.service_events e where e.id = confirmed_event_id;
  if current_row.id is null then
    return jsonb_build_object('status', 'conflict', 'reason', 'missing');
  elsif current_row.deleted_at is not null or base_revision is distinct from current_row.revision then
    return jsonb_build_object('status', 'conflict',
      'reason', case when current_row.deleted_at is not null then 'deleted' else 'changed' end,
      'server', private.event_json(current_row));
  elsif not (current_row.team_id in (select private.my_led_team_ids()) or private.is_admin()) then
    raise exception using errcode = '42501', constraint = 'service_events_confirm_policy',
      message = 'only a leader of the event''s team confirms it';
  elsif private.period_is_closed(current_row.station_id, current_row.theme_month_id) then
    perform private.refuse_closed_period();
  elsif current_row.confirmed_at is not null then
    return jsonb_build_object('status', 'applied', 'revision', current_row.revision);
  end if;
  return jsonb_build_object('status', 'applied', 'revision', private.stamp_confirmed(confirmed_event_id));
end
$$;

-- ---------------------------------------------------------------------------------------------
-- Snapshots.

-- The canonical text of a period's content, what its hash is taken of: lines joined by a line
-- feed, for the key, the totals and each event (not deleted) in id order with its revision:
--   period <station id> <theme month id>
--   totals events=<n> confirmed=<n> volunteers=<n> volunteer_hours=<n.nn> people_served=<n> funds_fen=<n> materials_fen=<n>
--   event <event id> <revision>
create function private.period_content(station uuid, theme_month uuid) returns text
language sql stable security definer set search_path = ''
as $$
  select pg_catalog.concat_ws(E'\n',
    pg_catalog.format('period %s %s', station, theme_month),
    (select pg_catalog.format('totals events=%s confirmed=%s volunteers=%s volunteer_hours=%s people_served=%s funds_fen=%s materials_fen=%s',
        coalesce(t.events, 0), coalesce(t.confirmed, 0), coalesce(t.volunteers, 0), coalesce(t.volunteer_hours, 0.00),
        coalesce(t.people_served, 0), coalesce(t.funds_fen, 0), coalesce(t.materials_fen, 0))
     from (select 1) one
     left join public.station_month_totals t on t.station_id = station and t.theme_month_id = theme_month),
    (select pg_catalog.string_agg(pg_catalog.format('event %s %s', e.id, e.revision), E'\n' order by e.id)
     from public.service_events e
     where e.station_id = station and e.theme_month_id = theme_month and e.deleted_at is null))
$$;
grant execute on function private.period_content(uuid, uuid) to authenticated, service_role;

-- Stores the next snapshot version of a period as it is now (written by an approved adjustment
-- when adjustment_request is given); the caller holds the key's totals row. Returns the new
-- version.
create function private.snapshot_period(station uuid, theme_month uuid, override_reason text, adjustment_request uuid)
returns public.period_closures
language sql security definer set search_path = ''
as $$
  insert into public.period_closures (station_id, theme_month_id, version, closed_by, override_reason,
    unconfirmed, adjustment_request_id, totals, events, volunteers, content_hash)
  select station, theme_month,
    coalesce((select max(c.version) from public.period_closures c
              where c.station_id = station and c.theme_month_id = theme_month), 0) + 1,
    (select auth.uid()), override_reason, t.events - t.confirmed, adjustment_request,
    pg_catalog.jsonb_build_object('events', t.events, 'confirmed', t.confirmed, 'volunteers', t.volunteers,
      'volunteer_hours', t.volunteer_hours, 'people_served', t.people_served, 'funds_fen', t.funds_fen,
      'materials_fen', t.materials_fen),
    coalesce((select pg_catalog.jsonb_object_agg(e.id, e.revision) from public.service_events e
              where e.station_id = station and e.theme_month_id = theme_month and e.deleted_at is null), '{}'),
    coalesce((select pg_catalog.jsonb_object_agg(v.person_id, v.hours) from public.station_month_volunteers v
              where v.station_id = station and v.theme_month_id = theme_month), '{}'),
    pg_catalog.sha256(pg_catalog.convert_to(private.period_content(station, theme_month), 'UTF8'))
  from public.station_month_totals t
  where t.station_id = station and t.theme_month_id = theme_month
  returning *
$$;
grant execute on function private.snapshot_period(uuid, uuid, text, uuid) to authenticated, service_role;

-- Typed reasons: trimmed; blank is none.
create function private.reason_text(reason text) returns text
language sql immutable set search_path = ''
as $$ select nullif(pg_catalog.btrim(reason, private.whitespace()), '') $$;
grant execute on function private.reason_text(text) to authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- The coordinators' actions. Security definer: closures and totals are written by no API role;
-- each function checks who asks first.

create function public.close_period(p_station_id uuid, p_theme_month_id uuid, p_override_reason text default null)
returns jsonb
language plpgsql volatile security definer set search_path = ''
as $$
declare
  reason text := private.reason_text(p_override_reason);
  totals public.station_month_totals;
begin
  if not private.is_coordinator() then
    raise exception using errcode = '42501', constraint = 'period_closures_coordinator_policy',
      message = 'only coordinators close a station and theme month';
  end if;
  -- The key's totals row is the lock (made when the period has no event yet).
  insert into public.station_month_totals (station_id, theme_month_id)
  values (p_station_id, p_theme_month_id)
  on conflict do nothing;
  select * into totals from public.station_month_totals t
  where t.station_id = p_station_id and t.theme_month_id = p_theme_month_id
  for update;
  if totals.closed then
    raise exception using errcode = '23514', constraint = 'period_already_closed',
      message = 'the station and theme month are closed already';
  elsif totals.events > totals.confirmed and reason is null then
    raise exception using errcode = '23514', constraint = 'period_has_unconfirmed',
      message = format('%s of its %s events are not confirmed; confirm them, or close with a reason',
        totals.events - totals.confirmed, totals.events);
  end if;
  update public.station_month_totals t set closed = true
  where t.station_id = p_station_id and t.theme_month_id = p_theme_month_id;
  return to_jsonb(private.snapshot_period(p_station_id, p_theme_month_id, reason, null));
end
$$;
comment on function public.close_period(uuid, uuid, text) is
  'Closes a station x theme month (coordinators): refused while events are unconfirmed unless a reason is given; stores a snapshot version.';

create function public.reopen_period(p_station_id uuid, p_theme_month_id uuid, p_reason text)
returns jsonb
language plpgsql volatile security definer set search_path = ''
as $$
declare
  reason text := private.reason_text(p_reason);
  reopened public.period_closures;
begin
  if not private.is_coordinator() then
    raise exception using errcode = '42501', constraint = 'period_closures_coordinator_policy',
      message = 'only coordinators reopen a station and theme month';
  elsif reason is null then
    raise exception using errcode = '23514', constraint = 'period_closures_reopen_reason_length',
      message = 'a reopening needs a reason';
  end if;
  perform 1 from public.station_month_totals t
  where t.station_id = p_station_id and t.theme_month_id = p_theme_month_id and t.closed
  for update;
  if not found then
    raise exception using errcode = '23514', constraint = 'period_not_closed',
      message = 'the station and theme month are not closed';
  end if;
  update public.station_month_totals t set closed = false
  where t.station_id = p_station_id and t.theme_month_id = p_theme_month_id;
  update public.period_closures c
  set reopened_at = now(), reopened_by = (select auth.uid()), reopen_reason = reason
  where c.station_id = p_station_id and c.theme_month_id = p_theme_month_id
    and c.version = (select max(l.version) from public.period_closures l
                     where l.station_id = p_station_id and l.theme_month_id = p_theme_month_id)
  returning * into reopened;
  return to_jsonb(reopened);
end
$$;
comment on function public.reopen_period(uuid, uuid, text) is
  'Reopens a closed station x theme month (coordinators), with a reason; its snapshot versions are kept.';

revoke execute on function public.close_period(uuid, uuid, text), public.reopen_period(uuid, uuid, text) from anon, public;
grant execute on function public.close_period(uuid, uuid, text), public.reopen_period(uuid, uuid, text)
  to authenticated, service_role;

-- Functions in private run only where granted above: some are security definer. (Default
-- privileges per schema cannot take away PUBLIC's execute right, so each migration revokes it.)
revoke execute on all functions in schema private from public;
