-- Late facts are never lost, and records can be disputed (办法 Art. 12-13):
-- - A change refused because its station x theme month is closed (period_closed) comes back to
--   the phone, which sends it instead as an adjustment request, with a reason: the push's op
--   'adjust' stores it (its id is the change id) and applies nothing. A coordinator decides
--   (decide_adjustment): declined with a reason the volunteer reads, or approved: the change is
--   applied as a recorded adjustment, in the closed period too, and each closed period it
--   touches gets a new snapshot version marked adjusted.
-- - A participant of an event flags an error in it with a note: the push's op 'correct' stores a
--   correction request for the team's leaders and the coordinators (how they resolve it is for a
--   later migration).
-- - my_requests() tells each user what became of their requests.
--
-- The lock of a closed period has no way around it that an API caller could take: an approved
-- adjustment opens the periods it touches inside decide_adjustment's own transaction, while it
-- holds their totals rows (so no other write can reach them), writes that one change, and closes
-- them again with a new snapshot before it commits.

-- Idempotency of requests by change id, as for every change: sync_changes records them too, with
-- no revision (they change no event) and an event the server may never have had.
alter table public.sync_changes drop constraint sync_changes_event_id_fkey, alter column revision drop not null;
comment on column public.sync_changes.revision is 'The revision the change gave its event; null for requests (adjust, correct).';

-- A change's content now includes a request's words (absent from upserts and deletes, whose hash
-- is unchanged).
create or replace function private.change_hash(change jsonb) returns bytea
language sql immutable set search_path = ''
as $$
  select pg_catalog.sha256(pg_catalog.convert_to(
    (pg_catalog.jsonb_build_object('op', change -> 'op', 'event', change -> 'event')
      || pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object('reason', change -> 'reason', 'note', change -> 'note')))::text,
    'UTF8'))
$$;

create table public.adjustment_requests (
  id uuid primary key,
  -- No foreign key: the change may create an event the server never had.
  event_id uuid not null,
  team_id uuid not null references public.teams (id),
  requested_by uuid not null references auth.users (id),
  requested_at timestamptz not null default now(),
  reason text not null,
  base_revision bigint,
  -- The event's fields as the change would write them; null asks for a delete.
  fields jsonb,
  -- The station x theme month the event was at when asked (null: new to the server) and the one
  -- the change puts it at (null: a delete).
  from_station_id uuid references public.stations (id),
  from_theme_month_id uuid references public.theme_months (id),
  to_station_id uuid references public.stations (id),
  to_theme_month_id uuid references public.theme_months (id),
  status text not null default 'pending' constraint adjustment_requests_status check (status in ('pending', 'approved', 'declined')),
  decided_at timestamptz,
  decided_by uuid references auth.users (id),
  decision_reason text,
  applied_revision bigint,
  constraint adjustment_requests_reason_length check (char_length(reason) between 1 and 500),
  constraint adjustment_requests_reason_characters check (reason !~ private.hidden_character_pattern(true)),
  constraint adjustment_requests_decision_reason_length check (char_length(decision_reason) between 1 and 500),
  constraint adjustment_requests_decision_reason_characters check (decision_reason !~ private.hidden_character_pattern(true))
);
comment on table public.adjustment_requests is
  'Changes refused because their month is closed, sent instead for a coordinator to approve (applied as an adjustment) or decline.';
create index adjustment_requests_requested_by_idx on public.adjustment_requests (requested_by, requested_at desc);
create index adjustment_requests_team_id_idx on public.adjustment_requests (team_id);
create index adjustment_requests_event_id_idx on public.adjustment_requests (event_id);
create index adjustment_requests_pending_idx on public.adjustment_requests (requested_at) where status = 'pending';
create index adjustment_requests_decided_by_idx on public.adjustment_requests (decided_by);
create index adjustment_requests_from_station_id_idx on public.adjustment_requests (from_station_id);
create index adjustment_requests_from_theme_month_id_idx on public.adjustment_requests (from_theme_month_id);
create index adjustment_requests_to_station_id_idx on public.adjustment_requests (to_station_id);
create index adjustment_requests_to_theme_month_id_idx on public.adjustment_requests (to_theme_month_id);

create table public.correction_requests (
  id uuid primary key,
  event_id uuid not null references public.service_events (id),
  team_id uuid not null references public.teams (id),
  requested_by uuid not null references auth.users (id),
  -- The participant who asks (the person of requested_by).
  person_id uuid not null references public.people (id),
  requested_at timestamptz not null default now(),
  note text not null,
  status text not null default 'pending' constraint correction_requests_status check (status in ('pending', 'resolved')),
  resolved_at timestamptz,
  resolved_by uuid references auth.users (id),
  resolution text,
  constraint correction_requests_note_length check (char_length(note) between 1 and 500),
  constraint correction_requests_note_characters check (note !~ private.hidden_character_pattern(true))
);
comment on table public.correction_requests is
  'A participant''s report of an error in an event''s record (办法 Art. 12-13), for the team''s leaders and the coordinators.';
create index correction_requests_requested_by_idx on public.correction_requests (requested_by, requested_at desc);
create index correction_requests_team_id_idx on public.correction_requests (team_id);
create index correction_requests_event_id_idx on public.correction_requests (event_id);
create index correction_requests_person_id_idx on public.correction_requests (person_id);
create index correction_requests_resolved_by_idx on public.correction_requests (resolved_by);

-- The snapshot versions written by approved adjustments name them (see the period migration).
alter table public.period_closures add constraint period_closures_adjustment_request_id_fkey
  foreign key (adjustment_request_id) references public.adjustment_requests (id);
create index period_closures_adjustment_request_id_idx on public.period_closures (adjustment_request_id);

-- Requests are written only by the push and the deciders' functions. Who reads them: who asked,
-- the leaders of the team, the coordinators.
alter table public.adjustment_requests enable row level security;
alter table public.correction_requests enable row level security;
revoke all on public.adjustment_requests, public.correction_requests from anon;
revoke insert, update, delete, truncate on public.adjustment_requests, public.correction_requests
  from authenticated, service_role;
create policy "requesters, leaders and coordinators read adjustment requests" on public.adjustment_requests
  for select to authenticated
  using (requested_by = (select auth.uid()) or team_id in (select private.my_led_team_ids())
    or (select private.is_coordinator()));
create policy "requesters, leaders and coordinators read correction requests" on public.correction_requests
  for select to authenticated
  using (requested_by = (select auth.uid()) or team_id in (select private.my_led_team_ids())
    or (select private.is_coordinator()));

-- ---------------------------------------------------------------------------------------------
-- The push's request ops. Security definer: users may not write requests themselves; each
-- function checks what the caller could have done.

-- op 'adjust': {change_id, event_id, op, base_revision, event: fields | null, reason}. Refused
-- (42501) when the caller could not have made the change at all: an event they may not edit,
-- fields for a team they may not record for. Returns the outcome as write_event_change does.
create function private.store_adjustment_request(change jsonb) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  request_id uuid := (change ->> 'change_id')::uuid;
  requested_event uuid := (change ->> 'event_id')::uuid;
  request_reason text := private.reason_text(change ->> 'reason');
  fields jsonb := nullif(change -> 'event', 'null'::jsonb);
  pushed public.service_events;
  current_row public.service_events;
  me uuid := (select auth.uid());
begin
  if request_reason is null then
    raise exception using errcode = '23514', constraint = 'adjustment_requests_reason_length',
      message = 'an adjustment request needs a reason';
  end if;
  if fields is not null then
    pushed := private.event_of(fields);
    perform private.check_participants(fields -> 'participants');
  end if;
  select * into current_row from public.service_events e where e.id = requested_event;
  if current_row.id is null and fields is null then
    return jsonb_build_object('status', 'conflict', 'reason', 'missing');
  elsif current_row.id is not null and not (private.is_admin() or current_row.team_id in (select private.my_led_team_ids())
      or (current_row.recorded_by = me and current_row.team_id in (select private.my_team_ids()))) then
    raise exception using errcode = '42501', constraint = 'service_events_edit_policy',
      message = 'not allowed to edit this event';
  elsif fields is not null and not (private.is_admin() or pushed.team_id in (select private.my_team_ids())) then
    raise exception using errcode = '42501', constraint = 'service_events_team_policy',
      message = 'events are recorded for the caller''s own teams';
  end if;
  insert into public.adjustment_requests (id, event_id, team_id, requested_by, reason, base_revision, fields,
    from_station_id, from_theme_month_id, to_station_id, to_theme_month_id)
  values (request_id, requested_event, coalesce(pushed.team_id, current_row.team_id), me, request_reason,
    (change ->> 'base_revision')::bigint, fields,
    case when current_row.deleted_at is null then current_row.station_id end,
    case when current_row.deleted_at is null then current_row.theme_month_id end,
    pushed.station_id, pushed.theme_month_id);
  return jsonb_build_object('status', 'applied', 'revision', null);
end
$$;
grant execute on function private.store_adjustment_request(jsonb) to authenticated, service_role;

-- op 'correct': {change_id, event_id, op, base_revision: null, note}. Only a participant of the
-- event asks (correction_requests_participant), deleted or not (a wrong delete is an error too).
create function private.store_correction_request(change jsonb) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  request_note text := private.reason_text(change ->> 'note');
  requested_event public.service_events;
  asking_person uuid := private.my_person_id();
begin
  if request_note is null then
    raise exception using errcode = '23514', constraint = 'correction_requests_note_length',
      message = 'a correction request needs a note';
  end if;
  select * into requested_event from public.service_events e where e.id = (change ->> 'event_id')::uuid;
  if requested_event.id is null then
    return jsonb_build_object('status', 'conflict', 'reason', 'missing');
  elsif not exists (select 1 from public.event_participants p where p.event_id = requested_event.id and p.person_id = asking_person) then
    raise exception using errcode = '42501', constraint = 'correction_requests_participant',
      message = 'only a participant of the event asks for a correction of it';
  end if;
  insert into public.correction_requests (id, event_id, team_id, requested_by, person_id, note)
  values ((change ->> 'change_id')::uuid, requested_event.id, requested_event.team_id, (select auth.uid()), asking_person, request_note);
  return jsonb_build_object('status', 'applied', 'revision', null);
end
$$;
grant execute on function private.store_correction_request(jsonb) to authenticated, service_role;

-- The push's one-at-a-time path takes the request ops (the whole-batch path leaves batches with
-- them to it, as it does confirmations).
create or replace function private.apply_event_change(change jsonb) returns jsonb
language plpgsql security invoker set search_path = ''
as $$
declare
  pushed_change_id uuid;
  pushed_event_id uuid;
  op text;
  payload_hash bytea;
  verdict text;
  outcome jsonb;
  failed_code text;
  failed_rule text;
  failed_message text;
begin
  -- Read as the fast path reads them (a value it cannot read is named sync_change_shape below).
  pushed_change_id := (change ->> 'change_id')::uuid;
  pushed_event_id := (change ->> 'event_id')::uuid;
  op := change ->> 'op';
  if pushed_change_id is null or pushed_event_id is null or op is null
      or op not in ('upsert', 'delete', 'confirm', 'adjust', 'correct') then
    raise exception using errcode = '22023', constraint = 'sync_change_shape',
      message = 'a change needs change_id, event_id and op (upsert, delete, confirm, adjust or correct)';
  end if;
  payload_hash := private.change_hash(change);

  select v.verdict, jsonb_build_object('status', 'duplicate', 'revision', v.revision) into verdict, outcome
  from private.change_verdicts(array[pushed_change_id], array[pushed_event_id], array[payload_hash]) v;
  if verdict = 'reused' then
    raise exception using errcode = '22023', constraint = 'sync_change_id_reused',
      message = 'this change id was used before for another change; a new change needs a new id';
  elsif verdict is null then
    outcome := case op
      when 'confirm' then private.confirm_event_change(pushed_event_id, (change ->> 'base_revision')::bigint)
      when 'adjust' then private.store_adjustment_request(change)
      when 'correct' then private.store_correction_request(change)
      else private.write_event_change(pushed_event_id, op, (change ->> 'base_revision')::bigint, change -> 'event')
    end;
    if outcome ->> 'status' = 'applied' then
      perform private.record_changes(array[pushed_change_id], array[pushed_event_id],
        array[(outcome ->> 'revision')::bigint], array[payload_hash]);
    end if;
  end if;
  return jsonb_build_object('change_id', pushed_change_id, 'event_id', pushed_event_id) || outcome;
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

-- ---------------------------------------------------------------------------------------------
-- What became of the caller's requests, newest first (at most 200): how the phone learns of
-- decisions.
create function public.my_requests() returns jsonb
language sql stable security invoker set search_path = ''
as $$
  select coalesce(jsonb_agg(to_jsonb(r) - 'requested_at' order by r.requested_at desc, r.id), '[]'::jsonb)
  from (
    select a.id, 'adjustment' as kind, a.event_id, a.status, a.reason as reason_or_note, a.decision_reason,
      a.decided_at, a.applied_revision, a.requested_at
    from public.adjustment_requests a where a.requested_by = (select auth.uid())
    union all
    select c.id, 'correction', c.event_id, c.status, c.note, c.resolution, c.resolved_at, null, c.requested_at
    from public.correction_requests c where c.requested_by = (select auth.uid())
    order by requested_at desc, id
    limit 200
  ) r
$$;
comment on function public.my_requests() is 'The caller''s adjustment and correction requests and their decisions, newest first (at most 200).';
revoke execute on function public.my_requests() from anon, public;
grant execute on function public.my_requests() to authenticated, service_role;

-- A coordinator's decision on an adjustment request. Declined: with a reason. Approved: the
-- requested change is applied (as its requester's, for a new event) in the global lock order:
-- the event's row, then the totals rows of the keys it is at and goes to; the closed ones among
-- those are opened for this one change and closed again with a new snapshot version marked
-- adjusted. A request whose event changed since it was made (a conflict, as the push would
-- answer) is not applied (adjustment_requests_stale): decline it. Security definer: the change
-- is written whatever the coordinator's own rights on events, and the checks come first.
create function public.decide_adjustment(p_request_id uuid, p_approve boolean, p_reason text default null)
returns jsonb
language plpgsql volatile security definer set search_path = ''
as $$
declare
  decision text := private.reason_text(p_reason);
  request public.adjustment_requests;
  current_row public.service_events;
  key_station_ids uuid[];
  key_theme_month_ids uuid[];
  closed_station_ids uuid[];
  closed_theme_month_ids uuid[];
  outcome jsonb;
begin
  if not private.is_coordinator() then
    raise exception using errcode = '42501', constraint = 'adjustment_requests_coordinator_policy',
      message = 'only coordinators decide adjustment requests';
  end if;
  select * into request from public.adjustment_requests a where a.id = p_request_id for update;
  if request.id is null then
    raise exception using errcode = '22023', constraint = 'adjustment_requests_unknown',
      message = 'there is no such adjustment request';
  elsif request.status <> 'pending' then
    raise exception using errcode = '23514', constraint = 'adjustment_requests_decided',
      message = 'the request is decided already';
  end if;

  if not coalesce(p_approve, false) then
    if decision is null then
      raise exception using errcode = '23514', constraint = 'adjustment_requests_decision_reason_length',
        message = 'a declined request needs a reason';
    end if;
    update public.adjustment_requests a
    set status = 'declined', decided_at = now(), decided_by = (select auth.uid()), decision_reason = decision
    where a.id = p_request_id
    returning * into request;
    return to_jsonb(request);
  end if;

  select * into current_row from public.service_events e where e.id = request.event_id for update;
  select array_agg(k.station_id order by k.station_id, k.theme_month_id),
    array_agg(k.theme_month_id order by k.station_id, k.theme_month_id)
  into key_station_ids, key_theme_month_ids
  from (
    select current_row.station_id as station_id, current_row.theme_month_id as theme_month_id
    where current_row.id is not null and current_row.deleted_at is null
    union
    select request.to_station_id, request.to_theme_month_id where request.fields is not null
  ) k;
  -- As lock_for_push: the keys' totals rows made first, then all of them locked in key order.
  insert into public.station_month_totals (station_id, theme_month_id)
  select * from unnest(key_station_ids, key_theme_month_ids)
  on conflict do nothing;
  with locked as (
    select t.station_id, t.theme_month_id, t.closed from public.station_month_totals t
    join unnest(key_station_ids, key_theme_month_ids) as k (station_id, theme_month_id) using (station_id, theme_month_id)
    order by t.station_id, t.theme_month_id
    for update of t
  )
  select array_agg(l.station_id) filter (where l.closed), array_agg(l.theme_month_id) filter (where l.closed)
  into closed_station_ids, closed_theme_month_ids
  from locked l;

  update public.station_month_totals t set closed = false
  from unnest(closed_station_ids, closed_theme_month_ids) as k (station_id, theme_month_id)
  where t.station_id = k.station_id and t.theme_month_id = k.theme_month_id;
  outcome := private.write_event_change(request.event_id, case when request.fields is null then 'delete' else 'upsert' end,
    request.base_revision, request.fields, request.requested_by);
  if outcome ->> 'status' <> 'applied' then
    raise exception using errcode = '23514', constraint = 'adjustment_requests_stale',
      message = 'the event changed since the request was made; decline it, and the volunteer can ask again';
  end if;
  update public.station_month_totals t set closed = true
  from unnest(closed_station_ids, closed_theme_month_ids) as k (station_id, theme_month_id)
  where t.station_id = k.station_id and t.theme_month_id = k.theme_month_id;
  perform private.snapshot_period(k.station_id, k.theme_month_id, null, request.id)
  from unnest(closed_station_ids, closed_theme_month_ids) as k (station_id, theme_month_id);

  update public.adjustment_requests a
  set status = 'approved', decided_at = now(), decided_by = (select auth.uid()), decision_reason = decision,
    applied_revision = (outcome ->> 'revision')::bigint
  where a.id = p_request_id
  returning * into request;
  return to_jsonb(request);
end
$$;
comment on function public.decide_adjustment(uuid, boolean, text) is
  'A coordinator approves (applies the change as a recorded adjustment) or declines (with a reason) an adjustment request.';
revoke execute on function public.decide_adjustment(uuid, boolean, text) from anon, public;
grant execute on function public.decide_adjustment(uuid, boolean, text) to authenticated, service_role;

-- Functions in private run only where granted above: some are security definer. (Default
-- privileges per schema cannot take away PUBLIC's execute right, so each migration revokes it.)
revoke execute on all functions in schema private from public;
