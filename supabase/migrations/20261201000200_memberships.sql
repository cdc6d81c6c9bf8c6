-- Memberships are ended, not deleted, and leaders may add only newcomers. Why:
-- - When a participant left a team (their membership was deleted), the team's past events that
--   include them could no longer be edited: the push writes every participant again and the
--   membership rule fired for rows that already existed. The rule now holds for new participants
--   only, and the membership stays as a former one (left_at), so past events keep naming them.
-- - The former member, with no membership left, counted as a newcomer whom any team could adopt
--   (and so read their records). A former membership now makes a person no newcomer.
-- - A leader could add any person, by id, to their team (and then rename them for everyone). A
--   leader now adds newcomers only, or takes a former member of their team back (left_at = null);
--   team_id and person_id of a membership no longer change (column grants).
-- Only current memberships give access: the role checks (my_team_ids, my_led_team_ids) and the
-- app's reference data (src/sync/transport.ts) read current memberships only. The policies of
-- people and team_members are merged into one per command (supabase db advisors warned of
-- multiple permissive policies).

alter table public.team_members add column left_at timestamptz;
comment on column public.team_members.left_at is
  'When the person left the team (set by the server); null while they are a member. Kept so that past events still name them.';

-- The server's clock says when a membership ended, whatever the client sent; an end once
-- recorded keeps its time (a former member taken back has left_at set to null again).
create function private.stamp_membership_end() returns trigger
language plpgsql security invoker set search_path = ''
as $$
begin
  if new.left_at is not null then
    new.left_at := case when tg_op = 'UPDATE' and old.left_at is not null then old.left_at else pg_catalog.now() end;
  end if;
  return new;
end
$$;
grant execute on function private.stamp_membership_end() to authenticated, service_role;
create trigger team_members_stamp_end before insert or update on public.team_members
  for each row execute function private.stamp_membership_end();

create or replace function private.my_team_ids() returns setof uuid
language sql stable security definer set search_path = ''
as $$
  select m.team_id
  from public.team_members m
  join public.people p on p.id = m.person_id
  where p.user_id = (select auth.uid()) and m.left_at is null
$$;

create or replace function private.my_led_team_ids() returns setof uuid
language sql stable security definer set search_path = ''
as $$
  select m.team_id
  from public.team_members m
  join public.people p on p.id = m.person_id
  where p.user_id = (select auth.uid()) and m.role = 'leader' and m.left_at is null
$$;

-- People a leader may rename: the current members of the teams they lead.
create function private.led_person_ids() returns setof uuid
language sql stable security definer set search_path = ''
as $$
  select m.person_id from public.team_members m
  where m.team_id in (select private.my_led_team_ids()) and m.left_at is null
$$;
grant execute on function private.led_person_ids() to authenticated, service_role;

-- (private.is_newcomer and private.visible_person_ids read every membership, former ones
-- included, as they should: a former member is no newcomer, and the people of one's teams
-- include those who have left, named on the team's past events.)

-- A delete of a membership through the API ends it instead. Deletes that cascade from a removed
-- team or person (run by the foreign key's trigger, one level down) go through.
create function private.end_membership_instead_of_delete() returns trigger
language plpgsql security invoker set search_path = ''
as $$
begin
  if pg_catalog.pg_trigger_depth() > 1 then
    return old;
  end if;
  update public.team_members set left_at = pg_catalog.now()
  where team_id = old.team_id and person_id = old.person_id and left_at is null;
  return null;
end
$$;
grant execute on function private.end_membership_instead_of_delete() to authenticated, service_role;
create trigger team_members_end_instead_of_delete before delete on public.team_members
  for each row execute function private.end_membership_instead_of_delete();

-- The membership rule of event participants, for new participants only: a participant already
-- on the event (written again by the push, or given new hours) stays whether or not they are
-- still in the team. New participants must be current members.
create or replace function private.check_event_participant() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  ev record;
begin
  if new.person_id is null then
    raise exception using errcode = '22023', constraint = 'event_participants_person_id_format',
      message = 'a participant needs a person';
  end if;
  if new.hours is null or new.hours = 'NaN' then
    raise exception using errcode = '22023', constraint = 'event_participants_hours_format',
      message = 'a participant''s hours must be a number';
  end if;
  select e.team_id, e.started_at, e.ended_at, e.deleted_at into ev
  from public.service_events e where e.id = new.event_id;
  if ev.deleted_at is not null then
    raise exception using errcode = '23514', constraint = 'service_events_deleted_is_final',
      message = 'a deleted event cannot be changed';
  end if;
  -- Out-of-range hours are the check constraint's to name (event_participants_hours_range).
  if new.hours > 0 and new.hours <= 24 and new.hours * interval '1 hour' > ev.ended_at - ev.started_at then
    raise exception using errcode = '23514', constraint = 'event_participants_hours_within_event',
      message = 'a participant''s hours cannot exceed the event''s duration';
  end if;
  if not exists (
    select 1 from public.team_members
    where team_id = ev.team_id and person_id = new.person_id and left_at is null
  ) then
    -- Not (or no longer) a member: only a participant already on the event may stay (its hours
    -- changed, or the push writing it again).
    if tg_op = 'UPDATE' and new.event_id = old.event_id and new.person_id = old.person_id then
      return new;
    end if;
    if tg_op = 'INSERT' and exists (
      select 1 from public.event_participants where event_id = new.event_id and person_id = new.person_id
    ) then
      return new;
    end if;
    raise exception using errcode = '23514', constraint = 'event_participants_team_member',
      message = 'participants must be members of the event''s team';
  end if;
  return new;
end
$$;

-- A membership's team and person never change (a move is an end and a new membership): only its
-- role and its end are edited.
revoke update on public.team_members from authenticated;
grant update (role, left_at) on public.team_members to authenticated;

-- Policies, one per command.
drop policy "members read people of their teams" on public.people;
drop policy "coordinators read all people" on public.people;
drop policy "members add newcomers" on public.people;
drop policy "coordinators add people" on public.people;
drop policy "people edit their own name" on public.people;
drop policy "leaders edit people of their teams" on public.people;
drop policy "coordinators edit people" on public.people;

-- People: members see the people of their teams, former members included; coordinators see
-- everyone. Any member adds a newcomer (an unlinked person); a person edits their own name,
-- leaders the names of their team's current members, coordinators anyone's.
create policy "team members and coordinators read people" on public.people
  for select to authenticated
  using (id in (select private.visible_person_ids()) or (select private.is_coordinator()));
create policy "members add newcomers, coordinators anyone" on public.people
  for insert to authenticated
  with check ((user_id is null and exists (select private.my_team_ids())) or (select private.is_coordinator()));
create policy "people, their leaders and coordinators edit names" on public.people
  for update to authenticated
  using (user_id = (select auth.uid()) or id in (select private.led_person_ids()) or (select private.is_coordinator()))
  with check (user_id = (select auth.uid()) or id in (select private.led_person_ids()) or (select private.is_coordinator()));

drop policy "members read their teams' rosters" on public.team_members;
drop policy "coordinators read all rosters" on public.team_members;
drop policy "members add newcomers to their team" on public.team_members;
drop policy "leaders add members to their team" on public.team_members;
drop policy "coordinators add members" on public.team_members;
drop policy "leaders edit their team's roster" on public.team_members;
drop policy "coordinators edit rosters" on public.team_members;
drop policy "leaders remove members of their team" on public.team_members;
drop policy "coordinators remove members" on public.team_members;

-- Memberships: members read their teams' rosters (former members included), coordinators all.
-- Members add newcomers to their team as plain members, leaders as members or leaders;
-- coordinators add anyone anywhere. Leaders and coordinators edit roles and end memberships
-- (a delete ends one, see above).
create policy "team members and coordinators read rosters" on public.team_members
  for select to authenticated
  using (team_id in (select private.my_team_ids()) or (select private.is_coordinator()));
create policy "members add newcomers, coordinators anyone" on public.team_members
  for insert to authenticated
  with check (
    (private.is_newcomer(person_id)
      and (team_id in (select private.my_led_team_ids()) or (role = 'member' and team_id in (select private.my_team_ids()))))
    or (select private.is_coordinator()));
create policy "leaders and coordinators edit rosters" on public.team_members
  for update to authenticated
  using (team_id in (select private.my_led_team_ids()) or (select private.is_coordinator()))
  with check (team_id in (select private.my_led_team_ids()) or (select private.is_coordinator()));
create policy "leaders and coordinators end memberships" on public.team_members
  for delete to authenticated
  using (team_id in (select private.my_led_team_ids()) or (select private.is_coordinator()));

-- Functions in private run only where granted above: some are security definer. (Default
-- privileges per schema cannot take away PUBLIC's execute right, so each migration revokes it.)
revoke execute on all functions in schema private from public;
