-- The sync API the client uses, both under the caller's row-level security:
--
-- push_event_changes(changes): applies a batch of event changes made on a phone. Each change
--   carries a change_id made on the phone; a change already applied is answered 'duplicate' and
--   not applied again, so a resend after a lost response is a no-op. An edit or delete whose
--   base_revision is not the server's current revision is answered 'conflict' with the server's
--   row, never applied blindly. A change the rules refuse is answered 'rejected' with its SQLSTATE
--   and rule name, and the rest of the batch still applies. Transient failures (deadlock,
--   serialization, resources) fail the whole call so the client retries it.
--
-- pull_event_changes(after, max_rows): the events (tombstones included) changed after a cursor,
--   oldest first. The cursor is (transaction id, revision) of the last row returned. Rows are only
--   returned once every transaction that could still commit a smaller cursor has finished
--   (change_xid below the snapshot's xmin), so a slow writer's rows are never skipped: a cursor
--   from the phone's clock or from the revision sequence alone could skip them.

create table public.sync_changes (
  change_id uuid primary key,
  event_id uuid not null references public.service_events (id),
  revision bigint not null,
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  applied_at timestamptz not null default now()
);
comment on table public.sync_changes is 'Changes pushed from phones and applied, by the id the phone gave them: makes a resend a no-op.';
create index sync_changes_user_id_idx on public.sync_changes (user_id);
create index sync_changes_event_id_idx on public.sync_changes (event_id);

alter table public.sync_changes enable row level security;
revoke all on public.sync_changes from anon;
revoke update, delete, truncate on public.sync_changes from authenticated;
create policy "users read the changes they pushed" on public.sync_changes
  for select to authenticated using (user_id = (select auth.uid()));
create policy "users record the changes they push" on public.sync_changes
  for insert to authenticated with check (user_id = (select auth.uid()));

-- The uuid in a text, or null when it is not one (malformed changes are rejected one by one later,
-- not by failing the whole batch here).
create function private.as_uuid(value text) returns uuid
language sql immutable set search_path = ''
as $$
  select case when value ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then value::uuid end
$$;
grant execute on function private.as_uuid(text) to authenticated, service_role;

-- Locks what a batch will touch before any of it is written, in the global order of the totals
-- migration: the existing events by id, then the totals rows of every key the batch moves events
-- from or to. Security definer: it must lock rows whatever the caller's policies, and it writes
-- nothing but empty totals rows.
create function private.lock_for_push(changes jsonb) returns void
language plpgsql security definer set search_path = ''
as $$
declare
  station_ids uuid[];
  theme_month_ids uuid[];
begin
  -- The batch's existing events, locked by id; then the keys they are at and the keys the
  -- batch's upserts move them to (only real stations and months: a change naming another one
  -- is rejected later, by itself).
  with locked as (
    select e.station_id, e.theme_month_id from public.service_events e
    where e.id in (select private.as_uuid(c ->> 'event_id') from jsonb_array_elements(changes) c)
    order by e.id for update
  ), keys as (
    select station_id, theme_month_id from locked
    union
    select s.id, m.id
    from jsonb_array_elements(changes) c
    join public.stations s on s.id = private.as_uuid(c -> 'event' ->> 'station_id')
    join public.theme_months m on m.id = private.as_uuid(c -> 'event' ->> 'theme_month_id')
    where c ->> 'op' = 'upsert'
  )
  select array_agg(station_id order by station_id, theme_month_id),
    array_agg(theme_month_id order by station_id, theme_month_id)
  into station_ids, theme_month_ids
  from keys;

  insert into public.station_month_totals (station_id, theme_month_id)
  select * from unnest(station_ids, theme_month_ids)
  on conflict do nothing;
  perform 1 from public.station_month_totals t
  join unnest(station_ids, theme_month_ids) as k (station_id, theme_month_id) using (station_id, theme_month_id)
  order by t.station_id, t.theme_month_id
  for update of t;
end
$$;
grant execute on function private.lock_for_push(jsonb) to authenticated, service_role;

-- One event as the API shows it: its columns and its participants.
create function private.event_json(e public.service_events) returns jsonb
language sql stable security invoker set search_path = ''
as $$
  select to_jsonb(e) - 'change_xid' || jsonb_build_object('participants', coalesce((
    select jsonb_agg(jsonb_build_object('person_id', p.person_id, 'hours', p.hours) order by p.person_id)
    from public.event_participants p where p.event_id = e.id
  ), '[]'::jsonb))
$$;
grant execute on function private.event_json(public.service_events) to authenticated, service_role;

-- Applies one change; returns its outcome. Permanent failures, malformed input included, come
-- back as 'rejected' so that they never block the rest of the batch.
create function private.apply_event_change(change jsonb) returns jsonb
language plpgsql security invoker set search_path = ''
as $$
declare
  pushed_change_id uuid;
  pushed_event_id uuid;
  op text := change ->> 'op';
  base_revision bigint;
  fields jsonb := change -> 'event';
  current_row public.service_events;
  applied_revision bigint;
  failed_code text;
  failed_rule text;
  failed_message text;
begin
  pushed_change_id := (change ->> 'change_id')::uuid;
  pushed_event_id := (change ->> 'event_id')::uuid;
  base_revision := (change ->> 'base_revision')::bigint;
  if pushed_change_id is null or pushed_event_id is null or op is null or op not in ('upsert', 'delete') then
    raise exception using errcode = '22023', constraint = 'sync_change_shape',
      message = 'a change needs change_id, event_id and op (upsert or delete)';
  end if;

  select s.revision into applied_revision from public.sync_changes s where s.change_id = pushed_change_id;
  if found then
    return jsonb_build_object('change_id', pushed_change_id, 'event_id', pushed_event_id,
      'status', 'duplicate', 'revision', applied_revision);
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
    if jsonb_typeof(fields -> 'participants') is distinct from 'array'
        or jsonb_array_length(fields -> 'participants') = 0 then
      raise exception using errcode = '23514', constraint = 'service_events_has_participants',
        message = 'an event needs at least one participant';
    end if;
    if current_row.id is null then
      insert into public.service_events (id, station_id, team_id, theme_month_id, started_at, ended_at,
        title, note, people_served, funds_fen, materials_fen, materials_description)
      select pushed_event_id, r.station_id, r.team_id, r.theme_month_id, r.started_at, r.ended_at,
        r.title, coalesce(r.note, ''), r.people_served, r.funds_fen, r.materials_fen,
        coalesce(r.materials_description, '')
      from jsonb_populate_record(null::public.service_events, fields) r;
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
      set station_id = r.station_id, team_id = r.team_id, theme_month_id = r.theme_month_id,
        started_at = r.started_at, ended_at = r.ended_at, title = r.title, note = coalesce(r.note, ''),
        people_served = r.people_served, funds_fen = r.funds_fen, materials_fen = r.materials_fen,
        materials_description = coalesce(r.materials_description, '')
      from jsonb_populate_record(null::public.service_events, fields) r
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
  insert into public.sync_changes (change_id, event_id, revision)
  values (pushed_change_id, pushed_event_id, applied_revision);
  return jsonb_build_object('change_id', pushed_change_id, 'event_id', pushed_event_id,
    'status', 'applied', 'revision', applied_revision);
exception when others then
  get stacked diagnostics failed_code = returned_sqlstate, failed_rule = constraint_name,
    failed_message = message_text;
  -- Deadlock, serialization, lack of resources, shutdown: worth retrying, so fail the batch.
  if left(failed_code, 2) in ('40', '53', '55', '57', '58', '08') then
    raise;
  end if;
  return jsonb_build_object('change_id', change ->> 'change_id', 'event_id', change ->> 'event_id',
    'status', 'rejected', 'code', failed_code, 'rule', nullif(failed_rule, ''), 'message', failed_message);
end
$$;
grant execute on function private.apply_event_change(jsonb) to authenticated, service_role;

-- Applies a whole batch with one statement per kind of write (so each trigger runs once per
-- batch, not once per event): the fast path of push_event_changes. It either applies every
-- change or raises; a batch it cannot take whole (a refused or malformed change, or two changes
-- to one event) goes through apply_event_change one change at a time instead.
create function private.apply_event_changes_together(changes jsonb) returns jsonb
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
  perform 'PRAGMA:TABLE: pushed_changes (ord bigint, change_id uuid, event_id uuid, op text, base_revision bigint, fields jsonb, status text, reason text, revision bigint, server jsonb)';
  create temporary table if not exists pg_temp.pushed_changes (
    ord bigint, change_id uuid, event_id uuid, op text, base_revision bigint, fields jsonb,
    status text, reason text, revision bigint, server jsonb
  ) on commit drop;
  truncate pg_temp.pushed_changes;

  insert into pg_temp.pushed_changes (ord, change_id, event_id, op, base_revision, fields)
  select c.ord, (c.value ->> 'change_id')::uuid, (c.value ->> 'event_id')::uuid, c.value ->> 'op',
    (c.value ->> 'base_revision')::bigint, c.value -> 'event'
  from jsonb_array_elements(changes) with ordinality as c (value, ord);

  if exists (select 1 from pg_temp.pushed_changes where change_id is null or event_id is null
               or op is null or op not in ('upsert', 'delete')
               or (op = 'upsert' and (jsonb_typeof(fields -> 'participants') is distinct from 'array'
                                      or jsonb_array_length(fields -> 'participants') = 0)))
     or (select count(distinct event_id) <> count(*) or count(distinct change_id) <> count(*) from pg_temp.pushed_changes) then
    raise exception using errcode = '22023', message = 'batch needs change-by-change handling';
  end if;

  -- Outcomes decided before writing: resends, conflicts, and deletes of what is already deleted.
  update pg_temp.pushed_changes c set status = 'duplicate', revision = s.revision
  from public.sync_changes s where s.change_id = c.change_id;

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

  insert into public.sync_changes (change_id, event_id, revision)
  select change_id, event_id, revision from pg_temp.pushed_changes where status = 'applied';

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
grant execute on function private.apply_event_changes_together(jsonb) to authenticated, service_role;

create function public.push_event_changes(changes jsonb) returns jsonb
language plpgsql volatile security invoker set search_path = ''
as $$
declare
  change jsonb;
  outcomes jsonb := '[]'::jsonb;
  failed_code text;
begin
  if jsonb_typeof(changes) is distinct from 'array' or jsonb_array_length(changes) > 500 then
    raise exception using errcode = '22023', constraint = 'sync_batch_shape',
      message = 'changes must be an array of at most 500 changes';
  end if;
  perform private.lock_for_push(changes);
  begin
    return private.apply_event_changes_together(changes);
  exception when others then
    get stacked diagnostics failed_code = returned_sqlstate;
    if left(failed_code, 2) in ('40', '53', '55', '57', '58', '08') then
      raise;
    end if;
  end;
  -- Some change in the batch is refused: apply them one at a time so that only it is rejected.
  for change in select value from jsonb_array_elements(changes) loop
    outcomes := outcomes || private.apply_event_change(change);
  end loop;
  return outcomes;
end
$$;
comment on function public.push_event_changes is 'Idempotent push of a batch of event changes; one outcome per change.';
revoke execute on function public.push_event_changes(jsonb) from anon, public;
grant execute on function public.push_event_changes(jsonb) to authenticated, service_role;

create function public.pull_event_changes(after text default null, max_rows integer default 500)
returns jsonb
language sql stable security invoker set search_path = ''
as $$
  with cursor_in as (
    select coalesce(nullif(split_part(after, ':', 1), ''), '0')::xid8 as xid,
      coalesce(nullif(split_part(after, ':', 2), ''), '0')::bigint as revision,
      least(greatest(max_rows, 1), 1000) as page_size
  ), page as (
    select e.* from public.service_events e, cursor_in c
    where (e.change_xid, e.revision) > (c.xid, c.revision)
      and e.change_xid < pg_snapshot_xmin(pg_current_snapshot())
    order by e.change_xid, e.revision
    limit (select page_size from cursor_in)
  ), participants as (
    -- One pass over the page's participants rather than one query per event.
    select p.event_id, jsonb_agg(jsonb_build_object('person_id', p.person_id, 'hours', p.hours) order by p.person_id) as list
    from public.event_participants p where p.event_id in (select id from page)
    group by p.event_id
  )
  select jsonb_build_object(
    'changes', coalesce((
      select jsonb_agg(to_jsonb(e) - 'change_xid' || jsonb_build_object('participants', coalesce(p.list, '[]'::jsonb))
        order by e.change_xid, e.revision)
      from page e left join participants p on p.event_id = e.id), '[]'::jsonb),
    'cursor', coalesce((select e.change_xid::text || ':' || e.revision from page e
      order by e.change_xid desc, e.revision desc limit 1), after),
    'has_more', (select count(*) from page) >= (select page_size from cursor_in)
  )
$$;
comment on function public.pull_event_changes is 'Events changed after a cursor, tombstones included, in commit-safe order.';
revoke execute on function public.pull_event_changes(text, integer) from anon, public;
grant execute on function public.pull_event_changes(text, integer) to authenticated, service_role;

-- Functions in private run only where granted above: some are security definer. (Default
-- privileges per schema cannot take away PUBLIC's execute right, so each migration revokes it.)
revoke execute on all functions in schema private from public;
