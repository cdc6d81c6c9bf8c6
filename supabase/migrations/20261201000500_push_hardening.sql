-- The push (public.push_event_changes) hardened. Why:
-- - It locked the totals rows of every station x month a batch named, and the batch's events by
--   id, before checking that the caller could write them: batches of changes that were all
--   refused slowed every other team's pushes, and left empty totals rows behind. Now it locks
--   only the events the caller may edit and the keys of what they may write, at most 100 keys
--   per batch (sync_batch_keys), and removes the totals rows it made that stayed empty.
-- - A change id used again, with other content or for another event, was answered "duplicate"
--   (and a change id of another user's was refused with a name that said so). sync_changes now
--   keeps a hash of each change; an id used for anything but a resend of the same change is
--   refused (sync_change_id_reused), whoever used it before.
-- - sync_changes took inserts from any user, with rows pointing at any event (whose foreign key
--   error told whether an event id existed in another team). Only the push writes it now.
-- - Some refusals named no rule: a participant listed twice (21000), unreadable values (22P02,
--   22008...), a write for a team the caller is not in (RLS, 42501). Each has its rule now.
-- The fast path (apply_event_changes_together) and the one-by-one path (apply_event_change) keep
-- one contract: the fast path takes a batch only when it can apply every change, and otherwise
-- leaves it to the one-by-one path, which names what is wrong with each change.

alter table public.sync_changes add column payload_hash bytea;
comment on column public.sync_changes.payload_hash is
  'SHA-256 of the change''s op and event fields (private.change_hash): a resend must match it. Null for changes pushed before it was kept.';

-- Only the push writes sync_changes (through private.record_changes).
drop policy "users record the changes they push" on public.sync_changes;
revoke insert on public.sync_changes from authenticated;

-- What identifies a change's content: its op and the event's fields (jsonb's text form is
-- canonical, so key order and spacing do not matter). Not its base_revision: the phone reads it
-- from the event when it sends the change, so a resend may carry a newer one. (The event id is
-- compared apart.)
create function private.change_hash(change jsonb) returns bytea
language sql immutable set search_path = ''
as $$
  select pg_catalog.sha256(pg_catalog.convert_to(
    pg_catalog.jsonb_build_object('op', change -> 'op', 'event', change -> 'event')::text, 'UTF8'))
$$;
grant execute on function private.change_hash(jsonb) to authenticated, service_role;

-- For each change id already in sync_changes, whoever pushed it: 'duplicate' (with the revision
-- it got) when it is the caller's resend of the same change to the same event, 'reused' for
-- anything else. Security definer, to see every user's changes; it tells nothing more of them.
create function private.change_verdicts(change_ids uuid[], event_ids uuid[], payload_hashes bytea[])
returns table (change_id uuid, verdict text, revision bigint)
language sql stable security definer set search_path = ''
as $$
  select s.change_id,
    case when s.user_id = (select auth.uid()) and s.event_id = c.event_id
      and (s.payload_hash is null or s.payload_hash = c.payload_hash) then 'duplicate' else 'reused' end,
    case when s.user_id = (select auth.uid()) and s.event_id = c.event_id
      and (s.payload_hash is null or s.payload_hash = c.payload_hash) then s.revision end
  from unnest(change_ids, event_ids, payload_hashes) as c (change_id, event_id, payload_hash)
  join public.sync_changes s on s.change_id = c.change_id
$$;
grant execute on function private.change_verdicts(uuid[], uuid[], bytea[]) to authenticated, service_role;

-- Records applied changes as the caller's. Security definer: users may not insert into
-- sync_changes themselves. Like everything in private, it is not reachable through the API;
-- the push calls it with the changes it has just applied.
create function private.record_changes(change_ids uuid[], event_ids uuid[], revisions bigint[], payload_hashes bytea[])
returns void
language sql security definer set search_path = ''
as $$
  insert into public.sync_changes (change_id, event_id, revision, payload_hash, user_id)
  select c.change_id, c.event_id, c.revision, c.payload_hash, (select auth.uid())
  from unnest(change_ids, event_ids, revisions, payload_hashes) as c (change_id, event_id, revision, payload_hash)
$$;
grant execute on function private.record_changes(uuid[], uuid[], bigint[], bytea[]) to authenticated, service_role;

-- Locks what a batch may write before any of it is written, in the global order of the totals
-- migration: first the batch's events that the caller may edit (the rule of the events' update
-- policy), by id; then the totals rows of the keys those events are at and of the keys the
-- caller's upserts put events at (events the caller may edit or create, in teams they may write
-- for; only real stations and months). Changes the caller may not write lock nothing: they are
-- refused when applied. Refuses a batch whose keys are more than 100 (sync_batch_keys): locks
-- stay bounded, and a phone's batch of 100 new events never exceeds it. Returns the totals rows
-- it had to make, for drop_empty_totals. Security definer: it must see and lock rows whatever the
-- caller's policies, and it writes nothing but empty totals rows.
drop function private.lock_for_push(jsonb);
create function private.lock_for_push(changes jsonb)
returns table (made_station_id uuid, made_theme_month_id uuid)
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
    select e.id, e.station_id, e.theme_month_id from public.service_events e
    where e.id in (select p.event_id from pushed p)
      and (admin or e.team_id = any(led_teams) or (e.recorded_by = me and e.team_id = any(my_teams)))
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
grant execute on function private.lock_for_push(jsonb) to authenticated, service_role;

-- Removes the totals rows lock_for_push made that are still empty (every change for them was
-- refused, or moved away again). No other transaction has seen them: a writer of the same key
-- waits for this one to commit and then makes the row afresh.
create function private.drop_empty_totals(station_ids uuid[], theme_month_ids uuid[]) returns void
language sql security definer set search_path = ''
as $$
  delete from public.station_month_totals t
  using unnest(station_ids, theme_month_ids) as k (station_id, theme_month_id)
  where t.station_id = k.station_id and t.theme_month_id = k.theme_month_id
    and t.events = 0 and t.volunteers = 0 and t.volunteer_hours = 0 and t.people_served = 0
    and t.funds_fen = 0 and t.materials_fen = 0
$$;
grant execute on function private.drop_empty_totals(uuid[], uuid[]) to authenticated, service_role;

-- An upsert's fields as an event row. When a value cannot be read (not a uuid, a time, a whole
-- number...), the rule of that field is named: <table>_<column>_format (22023), or its range rule
-- (23514) for a number too large to hold.
create function private.event_of(fields jsonb) returns public.service_events
language plpgsql stable security invoker set search_path = ''
as $$
declare
  field_name text;
  too_large boolean;
begin
  if jsonb_typeof(fields) is distinct from 'object' then
    raise exception using errcode = '22023', constraint = 'sync_change_shape',
      message = 'an upsert needs the event''s fields';
  end if;
  begin
    return jsonb_populate_record(null::public.service_events, fields);
  exception when data_exception then
    -- Which value could not be read: each alone, in the order of the form.
    foreach field_name in array array['station_id', 'team_id', 'theme_month_id', 'started_at', 'ended_at',
      'people_served', 'funds_fen', 'materials_fen'] loop
      begin
        perform jsonb_populate_record(null::public.service_events, jsonb_build_object(field_name, fields -> field_name));
        continue;
      exception when numeric_value_out_of_range then
        too_large := true;
      when data_exception then
        too_large := false;
      end;
      case
      when field_name = 'station_id' then
        raise exception using errcode = '22023', constraint = 'service_events_station_id_format',
          message = 'the station cannot be read';
      when field_name = 'team_id' then
        raise exception using errcode = '22023', constraint = 'service_events_team_id_format',
          message = 'the team cannot be read';
      when field_name = 'theme_month_id' then
        raise exception using errcode = '22023', constraint = 'service_events_theme_month_id_format',
          message = 'the theme month cannot be read';
      when field_name = 'started_at' then
        raise exception using errcode = '22023', constraint = 'service_events_started_at_format',
          message = 'the start is not a time';
      when field_name = 'ended_at' then
        raise exception using errcode = '22023', constraint = 'service_events_ended_at_format',
          message = 'the end is not a time';
      when field_name = 'people_served' and too_large then
        raise exception using errcode = '23514', constraint = 'service_events_people_served_range',
          message = 'the number of people served is too large';
      when field_name = 'people_served' then
        raise exception using errcode = '22023', constraint = 'service_events_people_served_format',
          message = 'the number of people served is not a whole number';
      when field_name = 'funds_fen' and too_large then
        raise exception using errcode = '23514', constraint = 'service_events_funds_range',
          message = 'the funds are too large';
      when field_name = 'funds_fen' then
        raise exception using errcode = '22023', constraint = 'service_events_funds_format',
          message = 'the funds are not a whole number of fen';
      when too_large then
        raise exception using errcode = '23514', constraint = 'service_events_materials_range',
          message = 'the value of the materials is too large';
      else
        raise exception using errcode = '22023', constraint = 'service_events_materials_format',
          message = 'the value of the materials is not a whole number of fen';
      end case;
    end loop;
    -- Another key that no column of the form takes (the id, a revision...).
    raise exception using errcode = '22023', constraint = 'sync_change_shape',
      message = 'the event''s fields cannot be read';
  end;
end
$$;
grant execute on function private.event_of(jsonb) to authenticated, service_role;

-- Checks an upsert's participants before they are written: at least one, each readable, no
-- person twice. (A missing person or hours, or hours out of range, are named by the table's
-- rules when written.)
create function private.check_participants(participants jsonb) returns void
language plpgsql stable security invoker set search_path = ''
as $$
declare
  participant jsonb;
begin
  if jsonb_typeof(participants) is distinct from 'array' or jsonb_array_length(participants) = 0 then
    raise exception using errcode = '23514', constraint = 'service_events_has_participants',
      message = 'an event needs at least one participant';
  end if;
  begin
    perform count(*) from jsonb_to_recordset(participants) as x (person_id uuid, hours numeric(4, 2));
  exception when data_exception then
    -- Which participant could not be read.
    for participant in select value from jsonb_array_elements(participants) loop
      if jsonb_typeof(participant) is distinct from 'object' then
        raise exception using errcode = '22023', constraint = 'event_participants_person_id_format',
          message = format('a participant cannot be read: %s', participant);
      end if;
      begin
        perform (participant ->> 'person_id')::uuid;
      exception when data_exception then
        raise exception using errcode = '22023', constraint = 'event_participants_person_id_format',
          message = format('a participant''s person cannot be read: %s', participant ->> 'person_id');
      end;
      begin
        perform (participant ->> 'hours')::numeric(4, 2);
      exception when numeric_value_out_of_range then
        raise exception using errcode = '23514', constraint = 'event_participants_hours_range',
          message = 'hours must be more than 0 and at most 24';
      when data_exception then
        raise exception using errcode = '22023', constraint = 'event_participants_hours_format',
          message = format('a participant''s hours cannot be read: %s', participant ->> 'hours');
      end;
    end loop;
    raise;
  end;
  if (select count(distinct (x ->> 'person_id')::uuid) <> count(x ->> 'person_id')
      from jsonb_array_elements(participants) x) then
    raise exception using errcode = '23514', constraint = 'event_participants_unique',
      message = 'each person can take part in an event once';
  end if;
end
$$;
grant execute on function private.check_participants(jsonb) to authenticated, service_role;

-- Applies one change; returns its outcome. Permanent failures, malformed input included, come
-- back as 'rejected' with a rule name, so that they never block the rest of the batch.
create or replace function private.apply_event_change(change jsonb) returns jsonb
language plpgsql security invoker set search_path = ''
as $$
declare
  pushed_change_id uuid;
  pushed_event_id uuid;
  op text;
  base_revision bigint;
  fields jsonb;
  payload_hash bytea;
  pushed public.service_events;
  current_row public.service_events;
  verdict text;
  applied_revision bigint;
  failed_code text;
  failed_rule text;
  failed_message text;
begin
  -- Read as the fast path reads them (a value it cannot read is named sync_change_shape below).
  pushed_change_id := (change ->> 'change_id')::uuid;
  pushed_event_id := (change ->> 'event_id')::uuid;
  op := change ->> 'op';
  base_revision := (change ->> 'base_revision')::bigint;
  fields := change -> 'event';
  if pushed_change_id is null or pushed_event_id is null or op is null or op not in ('upsert', 'delete') then
    raise exception using errcode = '22023', constraint = 'sync_change_shape',
      message = 'a change needs change_id, event_id and op (upsert or delete)';
  end if;
  payload_hash := private.change_hash(change);

  select v.verdict, v.revision into verdict, applied_revision
  from private.change_verdicts(array[pushed_change_id], array[pushed_event_id], array[payload_hash]) v;
  if verdict = 'duplicate' then
    return jsonb_build_object('change_id', pushed_change_id, 'event_id', pushed_event_id,
      'status', 'duplicate', 'revision', applied_revision);
  elsif verdict = 'reused' then
    raise exception using errcode = '22023', constraint = 'sync_change_id_reused',
      message = 'this change id was used before for another change; a new change needs a new id';
  end if;

  select * into current_row from public.service_events e where e.id = pushed_event_id;
  if current_row.id is null and (op = 'delete' or base_revision is not null) then
    return jsonb_build_object('change_id', pushed_change_id, 'event_id', pushed_event_id,
      'status', 'conflict', 'reason', 'missing');
  elsif current_row.deleted_at is not null and op = 'delete' then
    applied_revision := current_row.revision;
  elsif current_row.id is not null
      and (current_row.deleted_at is not null or base_revision is distinct from current_row.revision) then
    return jsonb_build_object('change_id', pushed_change_id, 'event_id', pushed_event_id,
      'status', 'conflict', 'reason', case when current_row.deleted_at is not null then 'deleted' else 'changed' end,
      'server', private.event_json(current_row));
  elsif op = 'delete' then
    update public.service_events e set deleted_at = now() where e.id = pushed_event_id;
    if not found then
      raise exception using errcode = '42501', constraint = 'service_events_edit_policy',
        message = 'not allowed to delete this event';
    end if;
  else
    pushed := private.event_of(fields);
    perform private.check_participants(fields -> 'participants');
    if current_row.id is null then
      insert into public.service_events (id, station_id, team_id, theme_month_id, started_at, ended_at,
        title, note, people_served, funds_fen, materials_fen, materials_description)
      values (pushed_event_id, pushed.station_id, pushed.team_id, pushed.theme_month_id, pushed.started_at,
        pushed.ended_at, pushed.title, pushed.note, pushed.people_served, pushed.funds_fen,
        pushed.materials_fen, pushed.materials_description);
    else
      -- Participants who leave or give fewer hours go first, so that a shorter event is checked
      -- against the hours it will have (hours may not exceed the event's duration).
      delete from public.event_participants p
      where p.event_id = pushed_event_id
        and p.person_id not in (
          select (x ->> 'person_id')::uuid from jsonb_array_elements(fields -> 'participants') x);
      update public.event_participants p set hours = x.hours
      from jsonb_to_recordset(fields -> 'participants') as x (person_id uuid, hours numeric)
      where p.event_id = pushed_event_id and p.person_id = x.person_id and x.hours < p.hours;
      update public.service_events e
      set station_id = pushed.station_id, team_id = pushed.team_id, theme_month_id = pushed.theme_month_id,
        started_at = pushed.started_at, ended_at = pushed.ended_at, title = pushed.title, note = pushed.note,
        people_served = pushed.people_served, funds_fen = pushed.funds_fen, materials_fen = pushed.materials_fen,
        materials_description = pushed.materials_description
      where e.id = pushed_event_id;
      if not found then
        raise exception using errcode = '42501', constraint = 'service_events_edit_policy',
          message = 'not allowed to edit this event';
      end if;
    end if;
    insert into public.event_participants as p (event_id, person_id, hours)
    select pushed_event_id, x.person_id, x.hours
    from jsonb_to_recordset(fields -> 'participants') as x (person_id uuid, hours numeric)
    on conflict on constraint event_participants_pkey do update set hours = excluded.hours
      where p.hours is distinct from excluded.hours;
  end if;

  if applied_revision is null then
    select e.revision into applied_revision from public.service_events e where e.id = pushed_event_id;
  end if;
  perform private.record_changes(array[pushed_change_id], array[pushed_event_id], array[applied_revision],
    array[payload_hash]);
  return jsonb_build_object('change_id', pushed_change_id, 'event_id', pushed_event_id,
    'status', 'applied', 'revision', applied_revision);
exception when others then
  get stacked diagnostics failed_code = returned_sqlstate, failed_rule = constraint_name,
    failed_message = message_text;
  -- Deadlock, serialization, lack of resources, shutdown: worth retrying, so fail the batch.
  if left(failed_code, 2) in ('40', '53', '55', '57', '58', '08') then
    raise;
  end if;
  -- Refusals that name no rule of their own: a row-level security check on the event (its team
  -- is not one the caller may write for), and values that cannot be read (malformed: 22023).
  if coalesce(failed_rule, '') = '' and failed_code = '42501' then
    failed_rule := 'service_events_team_policy';
  elsif coalesce(failed_rule, '') = '' and left(failed_code, 2) = '22' then
    failed_code := '22023';
    failed_rule := 'sync_change_shape';
  end if;
  return jsonb_build_object('change_id', change ->> 'change_id', 'event_id', change ->> 'event_id',
    'status', 'rejected', 'code', failed_code, 'rule', failed_rule, 'message', failed_message);
end
$$;

-- Applies a whole batch with one statement per kind of write (so each trigger runs once per
-- batch, not once per event): the fast path of push_event_changes. It either applies every
-- change or raises; a batch it cannot take whole (a refused or malformed change, two changes to
-- one event, a change id used before for something else) goes through apply_event_change one
-- change at a time instead.
create or replace function private.apply_event_changes_together(changes jsonb) returns jsonb
language plpgsql security invoker set search_path = ''
as $$
declare
  create_ids uuid[];
  edit_ids uuid[];
  delete_ids uuid[];
  written integer;
  outcomes jsonb;
begin
  -- The batch, one row per change, with the outcome as it is decided. (The string below tells
  -- plpgsql_check, the static checker of `supabase db lint`, about this temporary table; at run
  -- time it does nothing.)
  perform 'PRAGMA:TABLE: pushed_changes (ord bigint, change_id uuid, event_id uuid, op text, base_revision bigint, fields jsonb, payload_hash bytea, status text, reason text, revision bigint, server jsonb)';
  create temporary table if not exists pg_temp.pushed_changes (
    ord bigint, change_id uuid, event_id uuid, op text, base_revision bigint, fields jsonb, payload_hash bytea,
    status text, reason text, revision bigint, server jsonb
  ) on commit drop;
  truncate pg_temp.pushed_changes;

  insert into pg_temp.pushed_changes (ord, change_id, event_id, op, base_revision, fields, payload_hash)
  select c.ord, (c.value ->> 'change_id')::uuid, (c.value ->> 'event_id')::uuid, c.value ->> 'op',
    (c.value ->> 'base_revision')::bigint, c.value -> 'event', private.change_hash(c.value)
  from jsonb_array_elements(changes) with ordinality as c (value, ord);

  if exists (select 1 from pg_temp.pushed_changes where change_id is null or event_id is null
               or op is null or op not in ('upsert', 'delete')
               or (op = 'upsert' and (jsonb_typeof(fields -> 'participants') is distinct from 'array'
                                      or jsonb_array_length(fields -> 'participants') = 0)))
     or (select count(distinct event_id) <> count(*) or count(distinct change_id) <> count(*) from pg_temp.pushed_changes) then
    raise exception using errcode = '22023', message = 'batch needs change-by-change handling';
  end if;

  -- Changes already applied: resends are duplicates; an id used before for anything else is
  -- refused, change by change.
  update pg_temp.pushed_changes c set status = v.verdict, revision = v.revision
  from private.change_verdicts(
    (select array_agg(p.change_id) from pg_temp.pushed_changes p),
    (select array_agg(p.event_id) from pg_temp.pushed_changes p),
    (select array_agg(p.payload_hash) from pg_temp.pushed_changes p)) v
  where v.change_id = c.change_id;
  if exists (select 1 from pg_temp.pushed_changes where status = 'reused') then
    raise exception using errcode = '22023', message = 'batch needs change-by-change handling';
  end if;

  -- Outcomes decided before writing: conflicts, and deletes of what is already deleted.
  update pg_temp.pushed_changes c set
    status = case
      when e.id is null and (c.op = 'delete' or c.base_revision is not null) then 'conflict'
      when e.deleted_at is not null and c.op = 'delete' then 'applied'
      when e.id is not null and (e.deleted_at is not null or c.base_revision is distinct from e.revision) then 'conflict'
    end,
    reason = case
      when e.id is null and (c.op = 'delete' or c.base_revision is not null) then 'missing'
      when e.deleted_at is not null and c.op = 'delete' then null
      when e.deleted_at is not null then 'deleted'
      when e.id is not null and c.base_revision is distinct from e.revision then 'changed'
    end,
    revision = case when e.deleted_at is not null and c.op = 'delete' then e.revision end
  from pg_temp.pushed_changes c2
  left join public.service_events e on e.id = c2.event_id
  where c.change_id = c2.change_id and c.status is null;
  update pg_temp.pushed_changes c set server = private.event_json(e)
  from public.service_events e where e.id = c.event_id and c.status = 'conflict';

  select array_agg(event_id) filter (where status is null and op = 'upsert' and base_revision is null),
    array_agg(event_id) filter (where status is null and op = 'upsert' and base_revision is not null),
    array_agg(event_id) filter (where status is null and op = 'delete')
  into create_ids, edit_ids, delete_ids
  from pg_temp.pushed_changes;

  insert into public.service_events (id, station_id, team_id, theme_month_id, started_at, ended_at,
    title, note, people_served, funds_fen, materials_fen, materials_description)
  select c.event_id, r.station_id, r.team_id, r.theme_month_id, r.started_at, r.ended_at,
    r.title, coalesce(r.note, ''), r.people_served, r.funds_fen, r.materials_fen, coalesce(r.materials_description, '')
  from pg_temp.pushed_changes c, jsonb_populate_record(null::public.service_events, c.fields) r
  where c.event_id = any(create_ids)
  order by c.event_id;

  -- Participants who leave or give fewer hours go first, so that a shorter event is checked
  -- against the hours it will have (hours may not exceed the event's duration).
  delete from public.event_participants p
  using pg_temp.pushed_changes c
  where c.event_id = any(edit_ids) and p.event_id = c.event_id
    and p.person_id not in (select (x ->> 'person_id')::uuid from jsonb_array_elements(c.fields -> 'participants') x);
  update public.event_participants p set hours = x.hours
  from pg_temp.pushed_changes c, jsonb_to_recordset(c.fields -> 'participants') as x (person_id uuid, hours numeric)
  where c.event_id = any(edit_ids) and p.event_id = c.event_id and p.person_id = x.person_id and x.hours < p.hours;

  update public.service_events e
  set station_id = r.station_id, team_id = r.team_id, theme_month_id = r.theme_month_id,
    started_at = r.started_at, ended_at = r.ended_at, title = r.title, note = coalesce(r.note, ''),
    people_served = r.people_served, funds_fen = r.funds_fen, materials_fen = r.materials_fen,
    materials_description = coalesce(r.materials_description, '')
  from pg_temp.pushed_changes c, jsonb_populate_record(null::public.service_events, c.fields) r
  where c.event_id = any(edit_ids) and e.id = c.event_id;
  get diagnostics written = row_count;
  if written <> coalesce(cardinality(edit_ids), 0) then
    raise exception using errcode = '42501', constraint = 'service_events_edit_policy',
      message = 'not allowed to edit this event';
  end if;

  update public.service_events e set deleted_at = now() where e.id = any(delete_ids);
  get diagnostics written = row_count;
  if written <> coalesce(cardinality(delete_ids), 0) then
    raise exception using errcode = '42501', constraint = 'service_events_edit_policy',
      message = 'not allowed to delete this event';
  end if;

  insert into public.event_participants as p (event_id, person_id, hours)
  select c.event_id, x.person_id, x.hours
  from pg_temp.pushed_changes c, jsonb_to_recordset(c.fields -> 'participants') as x (person_id uuid, hours numeric)
  where c.event_id = any(create_ids) or c.event_id = any(edit_ids)
  order by c.event_id, x.person_id
  on conflict on constraint event_participants_pkey do update set hours = excluded.hours
    where p.hours is distinct from excluded.hours;

  update pg_temp.pushed_changes c set status = 'applied', revision = e.revision
  from public.service_events e
  where e.id = c.event_id and c.status is null;

  perform private.record_changes(array_agg(change_id), array_agg(event_id), array_agg(revision), array_agg(payload_hash))
  from pg_temp.pushed_changes where status = 'applied';

  -- Absent keys rather than nulls, as apply_event_change answers; the server row keeps its nulls.
  select jsonb_agg(jsonb_strip_nulls(jsonb_build_object('change_id', change_id, 'event_id', event_id,
      'status', status, 'revision', revision, 'reason', reason))
    || case when server is null then '{}'::jsonb else jsonb_build_object('server', server) end
    order by ord)
  into outcomes from pg_temp.pushed_changes;
  truncate pg_temp.pushed_changes;
  return coalesce(outcomes, '[]'::jsonb);
end
$$;

create or replace function public.push_event_changes(changes jsonb) returns jsonb
language plpgsql volatile security invoker set search_path = ''
as $$
declare
  change jsonb;
  outcomes jsonb;
  failed_code text;
  made_station_ids uuid[];
  made_theme_month_ids uuid[];
begin
  if jsonb_typeof(changes) is distinct from 'array' or jsonb_array_length(changes) > 500 then
    raise exception using errcode = '22023', constraint = 'sync_batch_shape',
      message = 'changes must be an array of at most 500 changes';
  end if;
  select array_agg(l.made_station_id), array_agg(l.made_theme_month_id)
  into made_station_ids, made_theme_month_ids
  from private.lock_for_push(changes) l;
  begin
    outcomes := private.apply_event_changes_together(changes);
  exception when others then
    get stacked diagnostics failed_code = returned_sqlstate;
    if left(failed_code, 2) in ('40', '53', '55', '57', '58', '08') then
      raise;
    end if;
  end;
  -- Some change in the batch is refused: apply them one at a time so that only it is rejected.
  if outcomes is null then
    outcomes := '[]'::jsonb;
    for change in select value from jsonb_array_elements(changes) loop
      outcomes := outcomes || private.apply_event_change(change);
    end loop;
  end if;
  perform private.drop_empty_totals(made_station_ids, made_theme_month_ids);
  return outcomes;
end
$$;

-- Functions in private run only where granted above: some are security definer. (Default
-- privileges per schema cannot take away PUBLIC's execute right, so each migration revokes it.)
revoke execute on all functions in schema private from public;
