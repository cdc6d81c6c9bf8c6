-- Service events and the volunteers who took part, with every validation rule in the database.
-- Ids are made on the phone (UUID) so a resent insert can be recognised. Events are never hard
-- deleted: deleted_at marks a tombstone that still syncs, so other devices learn of the delete.
-- Every write gets a new revision (for conflict detection) and records its transaction id
-- (change_xid) so pulls can page in commit-safe order (see the sync API migration).

create sequence public.service_event_revisions as bigint;
comment on sequence public.service_event_revisions is 'Server-assigned revisions of service events.';

create table public.service_events (
  id uuid primary key,
  station_id uuid not null references public.stations (id),
  team_id uuid not null references public.teams (id),
  theme_month_id uuid not null references public.theme_months (id),
  started_at timestamptz not null,
  ended_at timestamptz not null,
  title text not null,
  note text not null default '',
  people_served integer not null default 0,
  funds_fen bigint not null default 0,
  materials_fen bigint not null default 0,
  materials_description text not null default '',
  recorded_by uuid not null default auth.uid() references auth.users (id),
  revision bigint not null default nextval('public.service_event_revisions'),
  change_xid xid8 not null default pg_current_xact_id(),
  deleted_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint service_events_title_length check (char_length(btrim(title)) between 1 and 100),
  constraint service_events_note_length check (char_length(note) <= 2000),
  constraint service_events_materials_description_length check (char_length(materials_description) <= 500),
  constraint service_events_ends_after_start check (ended_at > started_at),
  constraint service_events_duration_at_most_a_day check (ended_at - started_at <= interval '24 hours'),
  constraint service_events_people_served_range check (people_served between 0 and 100000),
  -- 10,000,000 yuan per event is far beyond any real event and far inside bigint.
  constraint service_events_funds_range check (funds_fen between 0 and 1000000000),
  constraint service_events_materials_range check (materials_fen between 0 and 1000000000),
  constraint service_events_materials_described check (materials_fen = 0 or char_length(btrim(materials_description)) > 0)
);
comment on table public.service_events is 'Service events logged by volunteers; money in integer fen; deleted_at marks a synced tombstone.';
-- Serves the policies' team filter and a team's latest events.
create index service_events_team_started_idx on public.service_events (team_id, started_at desc);
create index service_events_station_month_idx on public.service_events (station_id, theme_month_id);
create index service_events_theme_month_id_idx on public.service_events (theme_month_id);
create index service_events_recorded_by_idx on public.service_events (recorded_by);
create index service_events_change_order_idx on public.service_events (change_xid, revision);

create table public.event_participants (
  event_id uuid not null references public.service_events (id),
  person_id uuid not null references public.people (id),
  hours numeric(4, 2) not null,
  primary key (event_id, person_id),
  constraint event_participants_hours_range check (hours > 0 and hours <= 24)
);
comment on table public.event_participants is 'Volunteers who took part in an event and the hours each gave.';
create index event_participants_person_id_idx on public.event_participants (person_id);

-- The program runs in Kunming: calendar months and "today" are those of Asia/Shanghai.
create function private.local_month(at timestamptz) returns date
language sql immutable set search_path = ''
as $$ select date_trunc('month', at at time zone 'Asia/Shanghai')::date $$;

-- Rules that need another table or the clock, raised like check violations (SQLSTATE 23514)
-- with the rule's name as the constraint, so clients can translate them. These row triggers are
-- security definer: who may write is decided by the policies; the rules hold for every writer,
-- and reading the rows they need without the caller's policies saves re-running those policies
-- for every row of a batch.
create function private.check_service_event() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  month_of_theme date;
begin
  if tg_op = 'UPDATE' and old.deleted_at is not null then
    raise exception using errcode = '23514', constraint = 'service_events_deleted_is_final',
      message = 'a deleted event cannot be changed';
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

-- Server-owned columns: the revision and transaction id of every write, the recorder and the
-- creation time, whatever the client sent.
create function private.stamp_service_event() returns trigger
language plpgsql security invoker set search_path = ''
as $$
begin
  new.revision := nextval('public.service_event_revisions');
  new.change_xid := pg_current_xact_id();
  new.updated_at := now();
  if tg_op = 'UPDATE' then
    new.recorded_by := old.recorded_by;
    new.created_at := old.created_at;
  else
    new.created_at := now();
  end if;
  return new;
end
$$;

create trigger service_events_check before insert or update on public.service_events
  for each row execute function private.check_service_event();
create trigger service_events_stamp before insert or update on public.service_events
  for each row execute function private.stamp_service_event();

create function private.forbid_hard_delete() returns trigger
language plpgsql security invoker set search_path = ''
as $$
begin
  raise exception using errcode = '42501', constraint = 'service_events_soft_delete_only',
    message = 'events are deleted by setting deleted_at, so that other devices learn of it';
end
$$;
create trigger service_events_soft_delete_only before delete on public.service_events
  for each row execute function private.forbid_hard_delete();

create function private.check_event_participant() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  ev record;
begin
  select e.team_id, e.started_at, e.ended_at, e.deleted_at into ev
  from public.service_events e where e.id = new.event_id;
  if ev.deleted_at is not null then
    raise exception using errcode = '23514', constraint = 'service_events_deleted_is_final',
      message = 'a deleted event cannot be changed';
  end if;
  if new.hours * interval '1 hour' > ev.ended_at - ev.started_at then
    raise exception using errcode = '23514', constraint = 'event_participants_hours_within_event',
      message = 'a participant''s hours cannot exceed the event''s duration';
  end if;
  if not exists (
    select 1 from public.team_members where team_id = ev.team_id and person_id = new.person_id
  ) then
    raise exception using errcode = '23514', constraint = 'event_participants_team_member',
      message = 'participants must be members of the event''s team';
  end if;
  return new;
end
$$;
create trigger event_participants_check before insert or update on public.event_participants
  for each row execute function private.check_event_participant();

alter table public.service_events enable row level security;
alter table public.event_participants enable row level security;
revoke all on public.service_events, public.event_participants from anon;
revoke all on sequence public.service_event_revisions from anon;

-- Events: team members read their team's events, coordinators read all. Volunteers record events
-- for their own teams and may edit or delete (soft) what they recorded; leaders may correct every
-- event of their team; admins may do anything. No one hard-deletes (see the trigger above).
create policy "members read their teams' events" on public.service_events
  for select to authenticated using (team_id in (select private.my_team_ids()));
create policy "coordinators read all events" on public.service_events
  for select to authenticated using ((select private.is_coordinator()));
create policy "volunteers record events for their teams" on public.service_events
  for insert to authenticated
  with check (recorded_by = (select auth.uid()) and team_id in (select private.my_team_ids()));
create policy "admins record events" on public.service_events
  for insert to authenticated with check ((select private.is_admin()));
create policy "volunteers edit events they recorded" on public.service_events
  for update to authenticated
  using (recorded_by = (select auth.uid()) and team_id in (select private.my_team_ids()))
  with check (recorded_by = (select auth.uid()) and team_id in (select private.my_team_ids()));
create policy "leaders edit their teams' events" on public.service_events
  for update to authenticated
  using (team_id in (select private.my_led_team_ids()))
  with check (team_id in (select private.my_led_team_ids()));
create policy "admins edit events" on public.service_events
  for update to authenticated using ((select private.is_admin())) with check ((select private.is_admin()));

-- Participants are visible exactly when their event is (the subquery runs under the events' RLS).
create policy "readers of an event read its participants" on public.event_participants
  for select to authenticated
  using (exists (select 1 from public.service_events e where e.id = event_participants.event_id));
-- Who may change an event's participants: whoever may edit the event (the rule of the events'
-- update policies). Written out in each policy rather than called as a function, so that the role
-- checks run once per statement and each row costs one index lookup.
create policy "editors add participants" on public.event_participants
  for insert to authenticated
  with check (exists (
    select 1 from public.service_events e
    where e.id = event_participants.event_id and (
      (e.recorded_by = (select auth.uid()) and e.team_id in (select private.my_team_ids()))
      or e.team_id in (select private.my_led_team_ids()) or (select private.is_admin()))));
create policy "editors change participants' hours" on public.event_participants
  for update to authenticated
  using (exists (
    select 1 from public.service_events e
    where e.id = event_participants.event_id and (
      (e.recorded_by = (select auth.uid()) and e.team_id in (select private.my_team_ids()))
      or e.team_id in (select private.my_led_team_ids()) or (select private.is_admin()))));
create policy "editors remove participants" on public.event_participants
  for delete to authenticated
  using (exists (
    select 1 from public.service_events e
    where e.id = event_participants.event_id and (
      (e.recorded_by = (select auth.uid()) and e.team_id in (select private.my_team_ids()))
      or e.team_id in (select private.my_led_team_ids()) or (select private.is_admin()))));

-- Functions in private run only where granted above: some are security definer. (Default
-- privileges per schema cannot take away PUBLIC's execute right, so each migration revokes it.)
revoke execute on all functions in schema private from public;
