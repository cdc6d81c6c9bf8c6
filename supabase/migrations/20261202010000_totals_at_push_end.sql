-- A push adds to the totals once, at the end of its whole-batch path, instead of locking every
-- totals row of its keys before it writes anything.
--
-- Why (issue 8, item 21): `npm run bench` measured totals maintenance at 61% of the push's time
-- with 8 clients spread over all 120 station x month keys (target: at most 30%). A profile
-- (track_functions, wait events) showed the pushes queueing on the totals rows: private.lock_for_push
-- locked the rows of every key of a batch (about 60 of the 120) at its start and held them while
-- the batch's events, participants, checks and audit rows were written, so the 8 clients ran one
-- at a time, each for as long as its whole push took, with the totals triggers' work inside that
-- time (JSON of whole event rows, two or three writes of each key's totals row, a recount of each
-- key's volunteer tallies).
--
-- Now:
-- - The whole-batch path (apply_event_changes_together) runs with the totals deferred: the totals
--   triggers compute their deltas from their transition tables as before, but queue them in a
--   temporary table; private.apply_deferred_totals then applies them all with one upsert per key
--   (events' figures and hours together), in key order, then the per-volunteer rows. A push holds
--   totals rows only from there to its commit; the rest of it runs beside other pushes.
-- - The lock order stays one everywhere: event rows (the batch's events the caller may edit,
--   locked by id at the start, as before), then totals rows by key, then per-volunteer rows. The
--   deferred totals take every key of the batch in one ordered statement, so two batches never
--   hold each other's keys.
-- - A closed station x month is still checked on the totals row after its lock, now at the end of
--   the batch: a refusal there undoes the whole-batch attempt, and the push goes change by change
--   as before, with every key of the batch locked first and each change's totals applied at once,
--   so only the changes into the closed month are refused.
-- - Outside the push's whole-batch path (direct writes, the change-by-change path, the ledger's
--   functions) the triggers apply their deltas at once, as before, with the same single upsert
--   per key.
-- - The deferral is marked in the queue itself: a temporary table that only the owner's security
--   definer functions make and write (a table of that name made by anyone else is not taken for
--   it), holding a mark from the start of the whole-batch path to its end, when the function that
--   applies the deltas empties it (a failed attempt takes its rows with it; every commit empties
--   it). No setting a client could change decides whether totals are kept.
-- - The deltas are typed rows (private.totals_delta), and a key's distinct volunteers change by the
--   tallies that appear and go instead of being counted again.
-- - private.lock_for_push is split in two: lock_push_events (the events and the batch's keys, with
--   the 100-key limit) and lock_totals (the keys' totals rows, for the change-by-change path only).
--   lock_push_events finds the batch's events by id: the planner could start from every event the
--   caller had recorded instead, a cost that grew with each push.

-- ---------------------------------------------------------------------------------------------
-- Deltas, and applying them.

-- One change to the totals of a station x theme month: an event's own figures (person_id null:
-- events, confirmed, people served, funds, materials) or a participation (person_id set: events
-- is the volunteer's count of events there, hours their hours, which the key's hours add up).
-- Signed: -1 and negative figures take away. Typed rows rather than JSON: the triggers make one
-- per event and per participant, and JSON of whole event rows cost more than the totals' writes.
create type private.totals_delta as (
  station_id uuid, theme_month_id uuid, person_id uuid, events integer, confirmed integer,
  people_served bigint, funds_fen bigint, materials_fen bigint, hours numeric
);

-- Adds deltas to the totals: one upsert per key, in key order, refused when the key is closed;
-- then each volunteer's tally, in key and person order, and the keys' distinct volunteers (by
-- how many tallies appeared and went, rather than by counting each key's tallies again).
create function private.apply_totals_deltas(deltas private.totals_delta[]) returns void
language plpgsql security definer set search_path = ''
as $$
declare
  closed_keys integer;
  gone_station_ids uuid[];
  gone_theme_month_ids uuid[];
  gone_person_ids uuid[];
  key_station_ids uuid[];
  key_theme_month_ids uuid[];
  volunteer_changes integer[];
begin
  with upserted as (
    insert into public.station_month_totals as t
      (station_id, theme_month_id, events, confirmed, people_served, funds_fen, materials_fen, volunteer_hours)
    select d.station_id, d.theme_month_id, coalesce(sum(d.events) filter (where d.person_id is null), 0),
      sum(d.confirmed), sum(d.people_served), sum(d.funds_fen), sum(d.materials_fen), sum(d.hours)
    from unnest(deltas) d
    group by d.station_id, d.theme_month_id
    order by d.station_id, d.theme_month_id
    on conflict (station_id, theme_month_id) do update
      set events = t.events + excluded.events, confirmed = t.confirmed + excluded.confirmed,
        people_served = t.people_served + excluded.people_served, funds_fen = t.funds_fen + excluded.funds_fen,
        materials_fen = t.materials_fen + excluded.materials_fen,
        volunteer_hours = t.volunteer_hours + excluded.volunteer_hours, updated_at = now()
    returning t.closed
  )
  select count(*) filter (where u.closed) into closed_keys from upserted u;
  if closed_keys > 0 then
    perform private.refuse_closed_period();
  end if;
  if not exists (select from unnest(deltas) d where d.person_id is not null) then
    return;
  end if;

  -- Each volunteer's tally; a tally that reaches no event goes. A key's distinct volunteers change
  -- by the tallies that appear (their new count is all of this change's: none was kept before,
  -- as a tally of no event is never kept) and those that go (none left).
  with tallies as (
    select d.station_id, d.theme_month_id, d.person_id, sum(d.events)::integer as events, sum(d.hours) as hours
    from unnest(deltas) d
    where d.person_id is not null
    group by d.station_id, d.theme_month_id, d.person_id
  ), tallied as (
    insert into public.station_month_volunteers as v (station_id, theme_month_id, person_id, events, hours)
    select t.station_id, t.theme_month_id, t.person_id, t.events, t.hours
    from tallies t
    order by t.station_id, t.theme_month_id, t.person_id
    on conflict (station_id, theme_month_id, person_id) do update
      set events = v.events + excluded.events, hours = v.hours + excluded.hours
    returning v.station_id, v.theme_month_id, v.person_id, v.events
  ), counted as (
    select n.station_id, n.theme_month_id, n.person_id, n.events,
      case when n.events <> 0 and n.events = t.events then 1
           when n.events = 0 and t.events <> 0 then -1
           else 0 end as change
    from tallied n join tallies t using (station_id, theme_month_id, person_id)
  ), per_key as (
    select c.station_id, c.theme_month_id, sum(c.change)::integer as change
    from counted c
    group by c.station_id, c.theme_month_id
    having sum(c.change) <> 0
  )
  select (select array_agg(c.station_id) from counted c where c.events = 0),
    (select array_agg(c.theme_month_id) from counted c where c.events = 0),
    (select array_agg(c.person_id) from counted c where c.events = 0),
    (select array_agg(k.station_id order by k.station_id, k.theme_month_id) from per_key k),
    (select array_agg(k.theme_month_id order by k.station_id, k.theme_month_id) from per_key k),
    (select array_agg(k.change order by k.station_id, k.theme_month_id) from per_key k)
  into gone_station_ids, gone_theme_month_ids, gone_person_ids, key_station_ids, key_theme_month_ids, volunteer_changes;

  delete from public.station_month_volunteers v
  using unnest(gone_station_ids, gone_theme_month_ids, gone_person_ids) as g (station_id, theme_month_id, person_id)
  where v.station_id = g.station_id and v.theme_month_id = g.theme_month_id and v.person_id = g.person_id
    and v.events = 0;

  update public.station_month_totals t
  set volunteers = t.volunteers + k.change
  from unnest(key_station_ids, key_theme_month_ids, volunteer_changes) as k (station_id, theme_month_id, change)
  where t.station_id = k.station_id and t.theme_month_id = k.theme_month_id;
end
$$;

-- Whether this transaction is in a push's whole-batch path: the queue, a temporary table of the
-- owner of these functions (a table of that name made by anyone else is not taken for it), holds
-- the mark private.defer_totals put there (a row of nulls).
create function private.totals_deferred() returns boolean
language plpgsql stable security definer set search_path = ''
as $$
begin
  perform 'PRAGMA:TABLE: totals_deltas (station_id uuid, theme_month_id uuid, person_id uuid, events integer, confirmed integer, people_served bigint, funds_fen bigint, materials_fen bigint, hours numeric)';
  if not exists (select from pg_catalog.pg_class c
                 where c.oid = pg_catalog.to_regclass('pg_temp.totals_deltas')
                   and c.relowner = (select r.oid from pg_catalog.pg_roles r where r.rolname = current_user)) then
    return false;
  end if;
  return exists (select from pg_temp.totals_deltas);
end
$$;

-- The triggers' deltas: queued while a push's whole batch is written, applied at once otherwise.
create function private.add_totals_deltas(deltas private.totals_delta[]) returns void
language plpgsql security definer set search_path = ''
as $$
begin
  perform 'PRAGMA:TABLE: totals_deltas (station_id uuid, theme_month_id uuid, person_id uuid, events integer, confirmed integer, people_served bigint, funds_fen bigint, materials_fen bigint, hours numeric)';
  if private.totals_deferred() then
    insert into pg_temp.totals_deltas select * from unnest(deltas);
  else
    perform private.apply_totals_deltas(deltas);
  end if;
end
$$;

-- Starts queueing the totals' deltas (the push's whole-batch path). The queue is made once per
-- session and empties at every commit; its rows go with the attempt when it fails, and
-- apply_deferred_totals takes them (the mark included) when it ends, so nothing is queued
-- outside the whole-batch path.
create function private.defer_totals() returns void
language plpgsql security definer set search_path = ''
as $$
begin
  perform 'PRAGMA:TABLE: totals_deltas (station_id uuid, theme_month_id uuid, person_id uuid, events integer, confirmed integer, people_served bigint, funds_fen bigint, materials_fen bigint, hours numeric)';
  if pg_catalog.to_regclass('pg_temp.totals_deltas') is null then
    create temporary table totals_deltas of private.totals_delta on commit delete rows;
  end if;
  insert into pg_temp.totals_deltas default values;
end
$$;
grant execute on function private.defer_totals() to authenticated, service_role;

-- Applies the queued deltas, all keys in one ordered upsert, and ends the queueing.
create function private.apply_deferred_totals() returns void
language plpgsql security definer set search_path = ''
as $$
declare
  deltas private.totals_delta[];
begin
  perform 'PRAGMA:TABLE: totals_deltas (station_id uuid, theme_month_id uuid, person_id uuid, events integer, confirmed integer, people_served bigint, funds_fen bigint, materials_fen bigint, hours numeric)';
  if not private.totals_deferred() then
    return;
  end if;
  select array_agg(row(d.*)::private.totals_delta) into deltas from pg_temp.totals_deltas d where d.station_id is not null;
  delete from pg_temp.totals_deltas;
  if deltas is not null then
    perform private.apply_totals_deltas(deltas);
  end if;
end
$$;
grant execute on function private.apply_deferred_totals() to authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- The triggers: what they add as in 20261201002000_totals_triggers_skip_empty_statements.sql,
-- as typed deltas handed to add_totals_deltas.

-- Events: their own figures count while not deleted; when an event moves to another station or
-- month, or is deleted, its participants' hours and tallies move (or go) with it.
create or replace function private.maintain_totals_for_events() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  deltas private.totals_delta[];
begin
  -- A statement that changed no rows (an UPDATE that matched none) has nothing to add.
  if not exists (select from new_rows) then
    return null;
  end if;
  if tg_op = 'INSERT' then
    select array_agg(row(n.station_id, n.theme_month_id, null, 1, (n.confirmed_at is not null)::integer,
        n.people_served, n.funds_fen, n.materials_fen, 0)::private.totals_delta)
    into deltas
    from new_rows n where n.deleted_at is null;
  else
    with moved as (
      select o.id, o.station_id as old_station, o.theme_month_id as old_month, o.deleted_at is null as was_active,
        n.station_id as new_station, n.theme_month_id as new_month, n.deleted_at is null as is_active
      from old_rows o join new_rows n using (id)
      where (o.station_id, o.theme_month_id, o.deleted_at is null)
        is distinct from (n.station_id, n.theme_month_id, n.deleted_at is null)
    )
    select array_agg(d) into deltas from (
      select row(n.station_id, n.theme_month_id, null, 1, (n.confirmed_at is not null)::integer,
          n.people_served, n.funds_fen, n.materials_fen, 0)::private.totals_delta as d
      from new_rows n where n.deleted_at is null
      union all
      select row(o.station_id, o.theme_month_id, null, -1, -(o.confirmed_at is not null)::integer,
          -o.people_served, -o.funds_fen, -o.materials_fen, 0)::private.totals_delta
      from old_rows o where o.deleted_at is null
      union all
      select row(m.old_station, m.old_month, p.person_id, -1, 0, 0, 0, 0, -p.hours)::private.totals_delta
      from moved m join public.event_participants p on p.event_id = m.id where m.was_active
      union all
      select row(m.new_station, m.new_month, p.person_id, 1, 0, 0, 0, 0, p.hours)::private.totals_delta
      from moved m join public.event_participants p on p.event_id = m.id where m.is_active
    ) changed;
  end if;

  if deltas is not null then
    perform private.add_totals_deltas(deltas);
  end if;
  return null;
end
$$;

-- Participants added, changed or removed on active events. Also gives those events a new
-- revision, so that pulls carry the new participant list.
create or replace function private.maintain_totals_for_participants() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  changed_event_ids uuid[] := '{}';
  changed_person_ids uuid[] := '{}';
  changed_signs integer[] := '{}';
  changed_hours numeric[] := '{}';
  deltas private.totals_delta[];
begin
  -- A statement that changed no rows has nothing to add, nor events to give a new revision.
  if tg_op = 'DELETE' then
    if not exists (select from old_rows) then
      return null;
    end if;
  elsif not exists (select from new_rows) then
    return null;
  end if;
  if tg_op in ('INSERT', 'UPDATE') then
    select changed_event_ids || array_agg(n.event_id), changed_person_ids || array_agg(n.person_id),
      changed_signs || array_agg(1), changed_hours || array_agg(n.hours)
    into changed_event_ids, changed_person_ids, changed_signs, changed_hours
    from new_rows n;
  end if;
  if tg_op in ('UPDATE', 'DELETE') then
    select changed_event_ids || array_agg(o.event_id), changed_person_ids || array_agg(o.person_id),
      changed_signs || array_agg(-1), changed_hours || array_agg(o.hours)
    into changed_event_ids, changed_person_ids, changed_signs, changed_hours
    from old_rows o;
  end if;

  -- Events first, then totals: the same lock order as an edit of the event itself. An event
  -- already written by this transaction has a revision no one can have pulled yet, so it needs
  -- no new one (the push API writes the event before its participants).
  update public.service_events set updated_at = now()
  where deleted_at is null and change_xid <> pg_current_xact_id() and id = any(changed_event_ids);

  select array_agg(row(e.station_id, e.theme_month_id, c.person_id, c.sign, 0, 0, 0, 0, c.sign * c.hours)::private.totals_delta)
  into deltas
  from unnest(changed_event_ids, changed_person_ids, changed_signs, changed_hours) as c (event_id, person_id, sign, hours)
  join public.service_events e on e.id = c.event_id
  where e.deleted_at is null;
  if deltas is not null then
    perform private.add_totals_deltas(deltas);
  end if;
  return null;
end
$$;

drop function private.apply_event_deltas(jsonb);
drop function private.apply_participation_deltas(jsonb);

-- ---------------------------------------------------------------------------------------------
-- The push's locks, in two parts.

-- Locks the batch's events that the caller may edit (the rule of the events' update policy), by
-- id, and returns the keys the batch may write: those of the locked events and those the caller's
-- upserts put events at (events the caller may edit or create, in teams they may write for; only
-- real stations and months), in key order. Changes the caller may not write lock nothing and add
-- no key: they are refused when applied. Refuses a batch of more than 100 keys (sync_batch_keys),
-- so that the locks a batch takes stay bounded; a phone's batch of 100 new events never exceeds
-- it. Security definer: it must see and lock rows whatever the caller's policies; it writes nothing.
create function private.lock_push_events(changes jsonb)
returns table (station_id uuid, theme_month_id uuid)
language plpgsql security definer set search_path = ''
as $$
declare
  me uuid := (select auth.uid());
  my_teams uuid[] := array(select private.my_team_ids());
  led_teams uuid[] := array(select private.my_led_team_ids());
  admin boolean := private.is_admin();
  station_ids uuid[];
  theme_month_ids uuid[];
begin
  with pushed as (
    select private.as_uuid(c ->> 'event_id') as event_id, c ->> 'op' as op,
      private.as_uuid(c -> 'event' ->> 'station_id') as station_id,
      private.as_uuid(c -> 'event' ->> 'team_id') as team_id,
      private.as_uuid(c -> 'event' ->> 'theme_month_id') as theme_month_id
    from jsonb_array_elements(changes) c
  ), editable as (
    -- Found by id alone: the caller's rule is written as a CASE so that the planner cannot start
    -- from the caller's own events (the indexes on recorded_by and team_id) and compare each of
    -- them with every pushed id, a cost that grew with every event the caller had pushed before.
    select e.id, e.station_id, e.theme_month_id from public.service_events e
    where e.id in (select p.event_id from pushed p)
      and case when admin or e.team_id = any(led_teams) or (e.recorded_by = me and e.team_id = any(my_teams))
          then true else false end
    order by e.id
    for update
  ), keys as (
    select ed.station_id, ed.theme_month_id from editable ed
    union
    select s.id, m.id
    from pushed p
    join public.stations s on s.id = p.station_id
    join public.theme_months m on m.id = p.theme_month_id
    where p.op = 'upsert' and (admin or p.team_id = any(my_teams))
      and (p.event_id in (select ed.id from editable ed)
           or not exists (select 1 from public.service_events e where e.id = p.event_id))
  )
  select array_agg(k.station_id order by k.station_id, k.theme_month_id),
    array_agg(k.theme_month_id order by k.station_id, k.theme_month_id)
  into station_ids, theme_month_ids
  from keys k;

  if cardinality(station_ids) > 100 then
    raise exception using errcode = '22023', constraint = 'sync_batch_keys',
      message = 'a batch may write to at most 100 station and month totals; push fewer changes at once';
  end if;
  return query select * from unnest(station_ids, theme_month_ids);
end
$$;
grant execute on function private.lock_push_events(jsonb) to authenticated, service_role;

-- Locks the totals rows of the given keys in key order, making those that are missing first;
-- returns the rows it made, for drop_empty_totals. For the change-by-change path, whose
-- changes each add to their keys at once. Security definer: it writes nothing but empty rows.
create function private.lock_totals(station_ids uuid[], theme_month_ids uuid[])
returns table (made_station_id uuid, made_theme_month_id uuid)
language plpgsql security definer set search_path = ''
as $$
begin
  return query
  insert into public.station_month_totals as t (station_id, theme_month_id)
  select * from unnest(station_ids, theme_month_ids)
  on conflict do nothing
  returning t.station_id, t.theme_month_id;
  perform 1 from public.station_month_totals t
  join unnest(station_ids, theme_month_ids) as k (station_id, theme_month_id) using (station_id, theme_month_id)
  order by t.station_id, t.theme_month_id
  for update of t;
end
$$;
grant execute on function private.lock_totals(uuid[], uuid[]) to authenticated, service_role;

drop function private.lock_for_push(jsonb);

create or replace function public.push_event_changes(changes jsonb) returns jsonb
language plpgsql volatile security invoker set search_path = ''
as $$
declare
  change jsonb;
  outcomes jsonb;
  failed_code text;
  key_station_ids uuid[];
  key_theme_month_ids uuid[];
  made_station_ids uuid[];
  made_theme_month_ids uuid[];
begin
  if jsonb_typeof(changes) is distinct from 'array' or jsonb_array_length(changes) > 500 then
    raise exception using errcode = '22023', constraint = 'sync_batch_shape',
      message = 'changes must be an array of at most 500 changes';
  end if;
  select array_agg(k.station_id), array_agg(k.theme_month_id)
  into key_station_ids, key_theme_month_ids
  from private.lock_push_events(changes) k;
  -- The whole batch at once, its totals added at the end, all keys in one ordered statement.
  begin
    perform private.defer_totals();
    outcomes := private.apply_event_changes_together(changes);
    perform private.apply_deferred_totals();
  exception when others then
    get stacked diagnostics failed_code = returned_sqlstate;
    if left(failed_code, 2) in ('40', '53', '55', '57', '58', '08') then
      raise;
    end if;
    -- Set before the totals were refused (a closed month): the attempt is undone, so is its answer.
    outcomes := null;
  end;
  -- Some change in the batch is refused: apply them one at a time so that only it is rejected,
  -- with every key of the batch locked first, in key order, as each change adds to its keys at once.
  if outcomes is null then
    select array_agg(l.made_station_id), array_agg(l.made_theme_month_id)
    into made_station_ids, made_theme_month_ids
    from private.lock_totals(key_station_ids, key_theme_month_ids) l;
    outcomes := '[]'::jsonb;
    for change in select value from jsonb_array_elements(changes) loop
      outcomes := outcomes || private.apply_event_change(change);
    end loop;
    perform private.drop_empty_totals(made_station_ids, made_theme_month_ids);
  end if;
  return outcomes;
end
$$;

-- Functions in private run only where granted above: some are security definer.
revoke execute on all functions in schema private from public;
