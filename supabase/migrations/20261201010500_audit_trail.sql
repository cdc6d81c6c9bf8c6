-- The audit trail: every insert, edit, delete (soft), confirmation and change of participants of
-- an event, every close, reopening and adjusted snapshot of a period, and every request and its
-- decision, recorded by triggers in the same transaction as the write: who (the user and the
-- role the write ran as), when, and which fields changed from what to what ({field: [from, to]};
-- an event's insert {field: value}; for participants {person id: [hours from, hours to]}, null
-- when not taking part). Written by the database, whoever writes and however (the push, direct
-- writes, the coordinators' functions); no role inserts, edits or deletes it through the API,
-- and a trigger refuses edits and deletes by anyone.
--
-- Who reads it: coordinators everything; the members of a team the history of its events and
-- adjustment requests (what they see of the events already); correction requests (a volunteer's
-- complaint) their requester and the team's leaders; periods the coordinators.
-- public.event_history(event id) gives one event's history.
--
-- Cost: statement-level triggers, one insert per statement written (the push writes a batch in a
-- few statements), so a push's trail is a few multi-row inserts; see `npm run bench`.

create table public.audit_trail (
  id bigint generated always as identity primary key,
  at timestamptz not null default now(),
  -- The signed-in user (no foreign key: the trail outlives accounts); null for the database's
  -- owner (migrations, the demo seed).
  actor uuid,
  -- The role the write ran as: authenticated, service_role, or the owner's role.
  actor_role text not null,
  xact xid8 not null default pg_current_xact_id(),
  subject text not null constraint audit_trail_subject check (subject in ('event', 'period', 'adjustment_request', 'correction_request')),
  -- event: insert, edit, delete, confirm, participants; period: close, reopen, adjusted;
  -- requests: request, approve, decline, resolve.
  action text not null,
  event_id uuid,
  team_id uuid,
  station_id uuid,
  theme_month_id uuid,
  -- The event's revision after the write.
  revision bigint,
  changes jsonb not null default '{}'
);
comment on table public.audit_trail is
  'Append-only history of events, periods and requests, written by triggers in the same transaction as each write.';
create index audit_trail_event_id_idx on public.audit_trail (event_id, id);
create index audit_trail_period_idx on public.audit_trail (station_id, theme_month_id, id) where subject = 'period';

alter table public.audit_trail enable row level security;
revoke all on public.audit_trail from anon;
revoke insert, update, delete, truncate on public.audit_trail from authenticated, service_role;
revoke all on sequence public.audit_trail_id_seq from anon, authenticated, service_role;
create policy "teams read their events' history, coordinators all" on public.audit_trail
  for select to authenticated
  using ((select private.is_coordinator())
    or (subject in ('event', 'adjustment_request') and team_id in (select private.my_team_ids()))
    or (subject = 'correction_request'
        and (team_id in (select private.my_led_team_ids()) or actor = (select auth.uid()))));

create function private.refuse_audit_change() returns trigger
language plpgsql security invoker set search_path = ''
as $$
begin
  raise exception using errcode = '42501', constraint = 'audit_trail_append_only',
    message = 'the audit trail is append-only';
end
$$;
grant execute on function private.refuse_audit_change() to authenticated, service_role;
create trigger audit_trail_append_only before update or delete on public.audit_trail
  for each row execute function private.refuse_audit_change();
create trigger audit_trail_append_only_truncate before truncate on public.audit_trail
  for each statement execute function private.refuse_audit_change();

-- The fields that differ between two versions of a row, as {field: [from, to]}; from '{}' every
-- field with a value. The server's stamps (revision, transaction, times of creation and update)
-- and the id are left out. (For periods and requests, written one at a time; events, written by
-- the batch, are compared column by column below.)
create function private.changed_fields(old_row jsonb, new_row jsonb) returns jsonb
language sql immutable set search_path = ''
as $$
  select coalesce(pg_catalog.jsonb_object_agg(n.key, pg_catalog.jsonb_build_array(coalesce(old_row -> n.key, 'null'), n.value)), '{}')
  from pg_catalog.jsonb_each(new_row - '{id,revision,change_xid,created_at,updated_at}'::text[]) n
  where coalesce(old_row -> n.key, 'null') is distinct from n.value
$$;
grant execute on function private.changed_fields(jsonb, jsonb) to authenticated, service_role;

-- Who writes: the role of the request (a security definer function changes current_user, not
-- this), or the session's for the owner.
create function private.writing_role() returns text
language sql stable set search_path = ''
as $$ select coalesce(nullif(pg_catalog.current_setting('role'), 'none'), session_user) $$;
grant execute on function private.writing_role() to authenticated, service_role;

-- Events. An insert records the values written ({field: value}); an edit, a delete or a
-- confirmation the fields that changed ({field: [from, to]}). Every column but the id and the
-- server's stamps (revision, transaction, times of creation and update) is compared, written out
-- column by column: walking each row as jsonb cost the push several times more (bench/ledger.ts),
-- and supabase/tests/audit_trail.test.sql checks that every column of service_events is here.
-- Security definer: no API role inserts into the trail.
create function private.audit_events() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  -- A statement that changed no rows (most of a push's, see the totals triggers) has nothing to record.
  if not exists (select from new_rows) then
    return null;
  end if;
  if tg_op = 'INSERT' then
    insert into public.audit_trail (actor, actor_role, subject, action, event_id, team_id, station_id, theme_month_id,
      revision, changes)
    select (select auth.uid()), (select private.writing_role()), 'event', 'insert', n.id, n.team_id, n.station_id,
      n.theme_month_id, n.revision,
      pg_catalog.jsonb_strip_nulls(to_jsonb(n) - '{id,revision,change_xid,created_at,updated_at}'::text[])
    from new_rows n;
  else
    insert into public.audit_trail (actor, actor_role, subject, action, event_id, team_id, station_id, theme_month_id,
      revision, changes)
    select (select auth.uid()), (select private.writing_role()), 'event',
      case when o.deleted_at is null and n.deleted_at is not null then 'delete'
        when o.confirmed_at is null and n.confirmed_at is not null then 'confirm'
        else 'edit' end,
      n.id, n.team_id, n.station_id, n.theme_month_id, n.revision, d.changes
    from old_rows o join new_rows n on n.id = o.id,
      lateral (select pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
        'station_id', case when n.station_id is distinct from o.station_id then pg_catalog.jsonb_build_array(o.station_id, n.station_id) end,
        'team_id', case when n.team_id is distinct from o.team_id then pg_catalog.jsonb_build_array(o.team_id, n.team_id) end,
        'theme_month_id', case when n.theme_month_id is distinct from o.theme_month_id then pg_catalog.jsonb_build_array(o.theme_month_id, n.theme_month_id) end,
        'started_at', case when n.started_at is distinct from o.started_at then pg_catalog.jsonb_build_array(o.started_at, n.started_at) end,
        'ended_at', case when n.ended_at is distinct from o.ended_at then pg_catalog.jsonb_build_array(o.ended_at, n.ended_at) end,
        'title', case when n.title is distinct from o.title then pg_catalog.jsonb_build_array(o.title, n.title) end,
        'note', case when n.note is distinct from o.note then pg_catalog.jsonb_build_array(o.note, n.note) end,
        'people_served', case when n.people_served is distinct from o.people_served then pg_catalog.jsonb_build_array(o.people_served, n.people_served) end,
        'funds_fen', case when n.funds_fen is distinct from o.funds_fen then pg_catalog.jsonb_build_array(o.funds_fen, n.funds_fen) end,
        'materials_fen', case when n.materials_fen is distinct from o.materials_fen then pg_catalog.jsonb_build_array(o.materials_fen, n.materials_fen) end,
        'materials_description', case when n.materials_description is distinct from o.materials_description then pg_catalog.jsonb_build_array(o.materials_description, n.materials_description) end,
        'recorded_by', case when n.recorded_by is distinct from o.recorded_by then pg_catalog.jsonb_build_array(o.recorded_by, n.recorded_by) end,
        'deleted_at', case when n.deleted_at is distinct from o.deleted_at then pg_catalog.jsonb_build_array(o.deleted_at, n.deleted_at) end,
        'place', case when n.place is distinct from o.place then pg_catalog.jsonb_build_array(o.place, n.place) end,
        'service_content', case when n.service_content is distinct from o.service_content then pg_catalog.jsonb_build_array(o.service_content, n.service_content) end,
        'person_in_charge', case when n.person_in_charge is distinct from o.person_in_charge then pg_catalog.jsonb_build_array(o.person_in_charge, n.person_in_charge) end,
        'organizing_unit', case when n.organizing_unit is distinct from o.organizing_unit then pg_catalog.jsonb_build_array(o.organizing_unit, n.organizing_unit) end,
        'recorded_at', case when n.recorded_at is distinct from o.recorded_at then pg_catalog.jsonb_build_array(o.recorded_at, n.recorded_at) end,
        'confirmed_at', case when n.confirmed_at is distinct from o.confirmed_at then pg_catalog.jsonb_build_array(o.confirmed_at, n.confirmed_at) end,
        'confirmed_by', case when n.confirmed_by is distinct from o.confirmed_by then pg_catalog.jsonb_build_array(o.confirmed_by, n.confirmed_by) end)) as changes) d
    -- An update that changes no field (the new revision an event gets when its participants
    -- change in a later transaction; their row says what changed) is not an entry of its own.
    where d.changes <> '{}';
  end if;
  return null;
end
$$;
grant execute on function private.audit_events() to authenticated, service_role;

-- Participants: one row per event and statement, with the hours before and after of each person
-- whose participation changed.
create function private.audit_participants() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if tg_op = 'DELETE' then
    if not exists (select from old_rows) then
      return null;
    end if;
  elsif not exists (select from new_rows) then
    return null;
  end if;
  if tg_op = 'INSERT' then
    insert into public.audit_trail (actor, actor_role, subject, action, event_id, team_id, station_id, theme_month_id,
      revision, changes)
    select (select auth.uid()), (select private.writing_role()), 'event', 'participants', e.id, e.team_id, e.station_id,
      e.theme_month_id, e.revision, c.changes
    from (select n.event_id, pg_catalog.jsonb_object_agg(n.person_id, pg_catalog.jsonb_build_array(null, n.hours)) as changes
          from new_rows n group by n.event_id) c
    join public.service_events e on e.id = c.event_id;
  elsif tg_op = 'DELETE' then
    insert into public.audit_trail (actor, actor_role, subject, action, event_id, team_id, station_id, theme_month_id,
      revision, changes)
    select (select auth.uid()), (select private.writing_role()), 'event', 'participants', e.id, e.team_id, e.station_id,
      e.theme_month_id, e.revision, c.changes
    from (select o.event_id, pg_catalog.jsonb_object_agg(o.person_id, pg_catalog.jsonb_build_array(o.hours, null)) as changes
          from old_rows o group by o.event_id) c
    join public.service_events e on e.id = c.event_id;
  else
    insert into public.audit_trail (actor, actor_role, subject, action, event_id, team_id, station_id, theme_month_id,
      revision, changes)
    select (select auth.uid()), (select private.writing_role()), 'event', 'participants', e.id, e.team_id, e.station_id,
      e.theme_month_id, e.revision, c.changes
    from (select n.event_id, pg_catalog.jsonb_object_agg(n.person_id, pg_catalog.jsonb_build_array(o.hours, n.hours)) as changes
          from old_rows o join new_rows n on n.event_id = o.event_id and n.person_id = o.person_id
          where n.hours is distinct from o.hours
          group by n.event_id) c
    join public.service_events e on e.id = c.event_id;
  end if;
  return null;
end
$$;
grant execute on function private.audit_participants() to authenticated, service_role;

-- Periods: a close, an adjusted snapshot, a reopening (the snapshot's event list stays in
-- period_closures).
create function private.audit_periods() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  insert into public.audit_trail (actor, actor_role, subject, action, station_id, theme_month_id, changes)
  values ((select auth.uid()), private.writing_role(), 'period',
    case when tg_op = 'UPDATE' then 'reopen' when new.adjusted then 'adjusted' else 'close' end,
    new.station_id, new.theme_month_id,
    private.changed_fields(case when tg_op = 'UPDATE' then to_jsonb(old) - '{events,volunteers}'::text[] else '{}' end,
      to_jsonb(new) - '{events,volunteers}'::text[]));
  return null;
end
$$;
grant execute on function private.audit_periods() to authenticated, service_role;

-- Requests: made, then decided (approved, declined) or resolved.
create function private.audit_requests() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  status_now text := to_jsonb(new) ->> 'status';
begin
  insert into public.audit_trail (actor, actor_role, subject, action, event_id, team_id, changes)
  values ((select auth.uid()), private.writing_role(),
    case when tg_table_name = 'adjustment_requests' then 'adjustment_request' else 'correction_request' end,
    case when tg_op = 'INSERT' then 'request' when status_now = 'approved' then 'approve'
      when status_now = 'declined' then 'decline' when status_now = 'resolved' then 'resolve' else 'edit' end,
    new.event_id, new.team_id,
    private.changed_fields(case when tg_op = 'UPDATE' then to_jsonb(old) else '{}' end, to_jsonb(new)));
  return null;
end
$$;
grant execute on function private.audit_requests() to authenticated, service_role;

-- Named "z_..." to run after the tables' other triggers (the rules, the totals and their lock):
-- the trail then holds the final revision, and nothing of a write they refuse.
create trigger z_audit_insert after insert on public.service_events
  referencing new table as new_rows for each statement execute function private.audit_events();
create trigger z_audit_update after update on public.service_events
  referencing old table as old_rows new table as new_rows for each statement execute function private.audit_events();
create trigger z_audit_insert after insert on public.event_participants
  referencing new table as new_rows for each statement execute function private.audit_participants();
create trigger z_audit_update after update on public.event_participants
  referencing old table as old_rows new table as new_rows for each statement execute function private.audit_participants();
create trigger z_audit_delete after delete on public.event_participants
  referencing old table as old_rows for each statement execute function private.audit_participants();
create trigger z_audit after insert or update on public.period_closures
  for each row execute function private.audit_periods();
create trigger z_audit after insert or update on public.adjustment_requests
  for each row execute function private.audit_requests();
create trigger z_audit after insert or update on public.correction_requests
  for each row execute function private.audit_requests();

-- A user's name for the trail and the statuses: their person's name, else the name their account
-- was made with. Security definer: reads names whatever the caller's policies (only for users
-- named in rows the caller may read).
create function private.user_name(user_id uuid) returns text
language sql stable security definer set search_path = ''
as $$
  select coalesce((select p.display_name from public.people p where p.user_id = user_name.user_id),
    (select u.raw_user_meta_data ->> 'display_name' from auth.users u where u.id = user_name.user_id))
$$;
grant execute on function private.user_name(uuid) to authenticated, service_role;

-- One event's history, oldest first, as the caller may read it. The participants' changes of one
-- transaction (the push writes them in a few statements) come as one entry: each person's hours
-- before the first and after the last, those back where they were left out.
create function public.event_history(p_event_id uuid)
returns table (id bigint, at timestamptz, actor uuid, actor_name text, actor_role text, subject text, action text,
  revision bigint, changes jsonb)
language sql stable security invoker set search_path = ''
as $$
  with rows as (
    select * from public.audit_trail a where a.event_id = p_event_id
  ), participants as (
    select p.xact, min(p.first_id) as id, max(p.last_revision) as revision,
      pg_catalog.jsonb_object_agg(p.key, pg_catalog.jsonb_build_array(p.first_from, p.last_to))
        filter (where p.first_from is distinct from p.last_to) as changes
    from (
      select distinct r.xact, kv.key,
        pg_catalog.first_value(kv.value -> 0) over w as first_from,
        pg_catalog.last_value(kv.value -> 1) over w as last_to,
        min(r.id) over (partition by r.xact) as first_id,
        max(r.revision) over (partition by r.xact) as last_revision
      from rows r, pg_catalog.jsonb_each(r.changes) kv
      where r.action = 'participants'
      window w as (partition by r.xact, kv.key order by r.id rows between unbounded preceding and unbounded following)
    ) p
    group by p.xact
  )
  select r.id, r.at, r.actor, private.user_name(r.actor), r.actor_role, r.subject, r.action,
    coalesce(p.revision, r.revision), coalesce(p.changes, r.changes)
  from rows r
  left join participants p on p.id = r.id
  where r.action <> 'participants' or p.changes is not null
  order by r.id
$$;
comment on function public.event_history(uuid) is 'One event''s audit trail, oldest first (participants'' changes merged per transaction).';
revoke execute on function public.event_history(uuid) from anon, public;
grant execute on function public.event_history(uuid) to authenticated, service_role;

-- Functions in private run only where granted above: some are security definer. (Default
-- privileges per schema cannot take away PUBLIC's execute right, so each migration revokes it.)
revoke execute on all functions in schema private from public;
