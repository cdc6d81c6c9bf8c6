-- Rules of events that held only in the push API, or not at all, now hold for every write. Why:
-- - "At least one participant" was checked by the push only; a direct insert made an event with
--   none. A deferred trigger checks it at commit (events and their participants are written by
--   separate statements).
-- - A direct PATCH could change an event's id (other phones then kept a ghost) and set deleted_at
--   to any time. Only the columns a user edits are granted for update, and the server stamps
--   deleted_at.
-- - A coordinator could move a theme month to another month under its events, which then could
--   be neither edited nor deleted (their date no longer matched). A theme month with events
--   keeps its month.
-- - Some refusals named no rule the app can translate: a missing start was reported as the theme
--   month rule, a missing end or figure as a bare not-null violation. Each missing value now
--   has its rule (<table>_<column>_format, 22023), as unreadable values do in the push.

create or replace function private.check_service_event() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  month_of_theme date;
begin
  if tg_op = 'UPDATE' and old.deleted_at is not null then
    raise exception using errcode = '23514', constraint = 'service_events_deleted_is_final',
      message = 'a deleted event cannot be changed';
  end if;
  -- Missing values, named before any rule that would read them.
  if new.station_id is null then
    raise exception using errcode = '22023', constraint = 'service_events_station_id_format', message = 'the station is missing';
  elsif new.team_id is null then
    raise exception using errcode = '22023', constraint = 'service_events_team_id_format', message = 'the team is missing';
  elsif new.theme_month_id is null then
    raise exception using errcode = '22023', constraint = 'service_events_theme_month_id_format',
      message = 'the theme month is missing';
  elsif new.started_at is null then
    raise exception using errcode = '22023', constraint = 'service_events_started_at_format', message = 'the start is missing';
  elsif new.ended_at is null then
    raise exception using errcode = '22023', constraint = 'service_events_ended_at_format', message = 'the end is missing';
  elsif new.people_served is null then
    raise exception using errcode = '22023', constraint = 'service_events_people_served_format',
      message = 'the number of people served is missing';
  elsif new.funds_fen is null then
    raise exception using errcode = '22023', constraint = 'service_events_funds_format', message = 'the funds are missing';
  elsif new.materials_fen is null then
    raise exception using errcode = '22023', constraint = 'service_events_materials_format',
      message = 'the value of the materials is missing';
  end if;
  -- A small tolerance for phones whose clocks run a little fast.
  if new.ended_at > now() + interval '15 minutes' then
    raise exception using errcode = '23514', constraint = 'service_events_not_in_future',
      message = 'the event cannot end in the future';
  end if;
  select month into month_of_theme from public.theme_months where id = new.theme_month_id;
  if month_of_theme is distinct from private.local_month(new.started_at) then
    raise exception using errcode = '23514', constraint = 'service_events_theme_month_matches_date',
      message = 'the theme month must be the month in which the event starts';
  end if;
  if tg_op = 'UPDATE' and (new.ended_at - new.started_at) < (old.ended_at - old.started_at) and exists (
    select 1 from public.event_participants
    where event_id = new.id and hours * interval '1 hour' > new.ended_at - new.started_at
  ) then
    raise exception using errcode = '23514', constraint = 'event_participants_hours_within_event',
      message = 'a participant''s hours cannot exceed the event''s duration';
  end if;
  return new;
end
$$;

-- Server-owned columns, as before, and now the time of a delete: a soft delete is stamped with
-- the server's clock, whatever deleted_at the client sent.
create or replace function private.stamp_service_event() returns trigger
language plpgsql security invoker set search_path = ''
as $$
begin
  new.revision := nextval('public.service_event_revisions');
  new.change_xid := pg_current_xact_id();
  new.updated_at := now();
  if tg_op = 'UPDATE' then
    new.recorded_by := old.recorded_by;
    new.created_at := old.created_at;
    if old.deleted_at is null and new.deleted_at is not null then
      new.deleted_at := now();
    end if;
  else
    new.created_at := now();
  end if;
  return new;
end
$$;

-- What users may write of an event: its fields (and who recorded it, which the policies keep to
-- the user unless they are an admin), and deleted_at for a soft delete. The id, the revision,
-- the transaction id and the timestamps are the server's. Participants: their hours only (a
-- participant is its event and person; a change of either is a removal and an addition).
revoke insert, update on public.service_events from authenticated;
grant insert (id, station_id, team_id, theme_month_id, started_at, ended_at, title, note, people_served,
  funds_fen, materials_fen, materials_description, recorded_by) on public.service_events to authenticated;
grant update (station_id, team_id, theme_month_id, started_at, ended_at, title, note, people_served,
  funds_fen, materials_fen, materials_description, deleted_at) on public.service_events to authenticated;
revoke update on public.event_participants from authenticated;
grant update (hours) on public.event_participants to authenticated;

-- At least one participant per live event, for every write through the API (anon,
-- authenticated, service_role). Checked at commit, for events just made and for events that lost
-- a participant. The database owner's own writes are not checked: the demo seed
-- (supabase/demo-seed.sql) inserts all events, then all participants, each statement its own
-- transaction.
create function private.check_event_has_participants() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  checked_event uuid;
begin
  -- The role the request runs as (a security definer function changes current_user, not this).
  if pg_catalog.current_setting('role') not in ('anon', 'authenticated', 'service_role') then
    return null;
  end if;
  if tg_table_name = 'service_events' then
    checked_event := new.id;
  else
    checked_event := old.event_id;
  end if;
  if exists (select 1 from public.service_events e where e.id = checked_event and e.deleted_at is null)
    and not exists (select 1 from public.event_participants p where p.event_id = checked_event) then
    raise exception using errcode = '23514', constraint = 'service_events_has_participants',
      message = 'an event needs at least one participant';
  end if;
  return null;
end
$$;
grant execute on function private.check_event_has_participants() to authenticated, service_role;
-- (Written over two lines: test/component/i18n.test.ts reads the word after "constraint" and a
-- space, anywhere in the migrations, as a rule name to translate.)
create constraint
  trigger service_events_has_participants after insert on public.service_events
  deferrable initially deferred
  for each row execute function private.check_event_has_participants();
create constraint
  trigger service_events_has_participants after delete or update of event_id on public.event_participants
  deferrable initially deferred
  for each row execute function private.check_event_has_participants();

-- A theme month with events keeps its month (their dates are checked against it).
create function private.guard_theme_month_change() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if new.month is distinct from old.month
    and exists (select 1 from public.service_events e where e.theme_month_id = old.id) then
    -- PostgREST answers a direct write without the constraint's name: the detail carries it, as
    -- PostgreSQL's own message does for a check constraint (src/api/admin.ts reads both).
    raise exception using errcode = '23514', constraint = 'theme_months_month_has_events',
      message = 'the month of a theme month with events cannot change',
      detail = 'violates constraint "theme_months_month_has_events"';
  end if;
  return new;
end
$$;
grant execute on function private.guard_theme_month_change() to authenticated, service_role;
create trigger theme_months_guard_month before update of month on public.theme_months
  for each row execute function private.guard_theme_month_change();

-- Functions in private run only where granted above: some are security definer. (Default
-- privileges per schema cannot take away PUBLIC's execute right, so each migration revokes it.)
revoke execute on all functions in schema private from public;
