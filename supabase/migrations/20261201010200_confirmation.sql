-- Confirmation by the team's leader: a leader (or an admin) confirms each of the team's events;
-- any later change of the event's content makes it unconfirmed again, until it is confirmed anew.
-- Only confirmed records count toward certified hours, and a month closes only when every record
-- in it is confirmed (or with a recorded reason, see the period close-out migration).
--
-- - confirmed_at and confirmed_by are the server's: no API role writes them (column grants); the
--   push's new op 'confirm' sets them, offline-safe like any change: idempotent by change id,
--   a conflict when the event changed since the leader saw it, a no-op for a confirmed event.
--   Several events are confirmed with several changes in one push.
-- - Every other update of an event, by any path (participants' changes included, which give the
--   event a new revision), clears them.
-- - The totals count the confirmed events of each station x theme month (for the close-out and
--   the coordinators' statuses), kept by the same triggers as the other figures.

alter table public.service_events
  add column confirmed_at timestamptz,
  add column confirmed_by uuid references auth.users (id);
comment on column public.service_events.confirmed_at is 'When a leader of the team (or an admin) confirmed this version of the event; null when unconfirmed.';
comment on column public.service_events.confirmed_by is 'Who confirmed it.';
create index service_events_confirmed_by_idx on public.service_events (confirmed_by);

-- A new event is unconfirmed; an update that does not confirm (or unconfirm) it clears its
-- confirmation. Only the server's functions change confirmed_at.
create function private.stamp_confirmation() returns trigger
language plpgsql security invoker set search_path = ''
as $$
begin
  if tg_op = 'INSERT' or new.confirmed_at is not distinct from old.confirmed_at then
    new.confirmed_at := null;
    new.confirmed_by := null;
  end if;
  return new;
end
$$;
grant execute on function private.stamp_confirmation() to authenticated, service_role;
create trigger service_events_confirmation before insert or update on public.service_events
  for each row execute function private.stamp_confirmation();

-- Marks one event confirmed by the caller; returns its new revision. Security definer: users may
-- not write confirmed_at themselves. Like everything in private, it is not reachable through the
-- API; confirm_event_change calls it once it has checked who asks.
create function private.stamp_confirmed(confirmed_event_id uuid) returns bigint
language sql security definer set search_path = ''
as $$
  update public.service_events set confirmed_at = pg_catalog.now(), confirmed_by = (select auth.uid())
  where id = confirmed_event_id
  returning revision
$$;
grant execute on function private.stamp_confirmed(uuid) to authenticated, service_role;

-- A leader's confirmation, as a change of the push: the event as the caller sees it, checked
-- against the revision the leader saw; only leaders of the event's team and admins confirm.
-- Returns the outcome as write_event_change does; raises on a refusal.
create function private.confirm_event_change(confirmed_event_id uuid, base_revision bigint) returns jsonb
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
  elsif current_row.confirmed_at is not null then
    return jsonb_build_object('status', 'applied', 'revision', current_row.revision);
  end if;
  return jsonb_build_object('status', 'applied', 'revision', private.stamp_confirmed(confirmed_event_id));
end
$$;
grant execute on function private.confirm_event_change(uuid, bigint) to authenticated, service_role;

-- The push's one-at-a-time path takes confirmations; the whole-batch path leaves batches with
-- them to it (confirmations are few, and each is checked on its own).
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
  if pushed_change_id is null or pushed_event_id is null or op is null or op not in ('upsert', 'delete', 'confirm') then
    raise exception using errcode = '22023', constraint = 'sync_change_shape',
      message = 'a change needs change_id, event_id and op (upsert, delete or confirm)';
  end if;
  payload_hash := private.change_hash(change);

  select v.verdict, jsonb_build_object('status', 'duplicate', 'revision', v.revision) into verdict, outcome
  from private.change_verdicts(array[pushed_change_id], array[pushed_event_id], array[payload_hash]) v;
  if verdict = 'reused' then
    raise exception using errcode = '22023', constraint = 'sync_change_id_reused',
      message = 'this change id was used before for another change; a new change needs a new id';
  elsif verdict is null then
    if op = 'confirm' then
      outcome := private.confirm_event_change(pushed_event_id, (change ->> 'base_revision')::bigint);
    else
      outcome := private.write_event_change(pushed_event_id, op, (change ->> 'base_revision')::bigint, change -> 'event');
    end if;
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
-- The totals count confirmed events. Existing rows: from the events (none is confirmed yet on a
-- project that had no confirmations, but the count is taken as it is).
alter table public.station_month_totals add column confirmed integer not null default 0;
comment on column public.station_month_totals.confirmed is 'How many of the events (not deleted) are confirmed.';
update public.station_month_totals t set confirmed = c.n
from (select station_id, theme_month_id, count(*)::integer as n from public.service_events
      where deleted_at is null and confirmed_at is not null group by 1, 2) c
where t.station_id = c.station_id and t.theme_month_id = c.theme_month_id;

-- As in the totals migration, with the confirmed count.
create or replace function private.apply_event_deltas(rows jsonb) returns void
language sql security definer set search_path = ''
as $$
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
      updated_at = now();
$$;

-- The recomputation and the drift check of the totals migration, with the confirmed count.
drop function private.totals_drift();
drop function private.recomputed_totals();
create function private.recomputed_totals()
returns table (
  station_id uuid, theme_month_id uuid, events bigint, volunteers bigint, volunteer_hours numeric,
  people_served bigint, funds_fen bigint, materials_fen bigint, confirmed bigint
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
    sum(e.people_served), sum(e.funds_fen), sum(e.materials_fen), count(e.confirmed_at)
  from live e left join hours h using (station_id, theme_month_id)
  group by 1, 2
$$;

create function private.totals_drift()
returns table (station_id uuid, theme_month_id uuid, maintained jsonb, recomputed jsonb)
language sql stable security definer set search_path = ''
as $$
  with maintained as (
    select station_id, theme_month_id, events::bigint, volunteers::bigint, volunteer_hours,
      people_served, funds_fen, materials_fen, confirmed::bigint
    from public.station_month_totals
    where events <> 0 or volunteers <> 0 or volunteer_hours <> 0 or people_served <> 0
      or funds_fen <> 0 or materials_fen <> 0 or confirmed <> 0
  ), recomputed as (select * from private.recomputed_totals())
  select coalesce(m.station_id, r.station_id), coalesce(m.theme_month_id, r.theme_month_id),
    to_jsonb(m) - 'station_id' - 'theme_month_id', to_jsonb(r) - 'station_id' - 'theme_month_id'
  from maintained m full join recomputed r using (station_id, theme_month_id)
  where (to_jsonb(m) - 'station_id' - 'theme_month_id') is distinct from (to_jsonb(r) - 'station_id' - 'theme_month_id')
$$;

-- Functions in private run only where granted above: some are security definer. (Default
-- privileges per schema cannot take away PUBLIC's execute right, so each migration revokes it.)
revoke execute on all functions in schema private from public;
