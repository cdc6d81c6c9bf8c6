-- Reference data of the program: work stations, volunteer teams, theme months, the people who
-- volunteer, their team memberships and roles, and the program-wide roles (coordinator, admin).
-- Every table has row-level security; the role checks live in the `private` schema, which the
-- API does not expose, so that policies stay short and do not recurse into each other's RLS.

create schema private;
grant usage on schema private to authenticated, service_role;

create table public.stations (
  id uuid primary key default gen_random_uuid(),
  name text not null unique constraint stations_name_length check (char_length(btrim(name)) between 1 and 100),
  address text not null default '' constraint stations_address_length check (char_length(address) <= 200),
  created_at timestamptz not null default now()
);
comment on table public.stations is 'Work stations (工作站/点) where service events take place.';

create table public.teams (
  id uuid primary key default gen_random_uuid(),
  name text not null unique constraint teams_name_length check (char_length(btrim(name)) between 1 and 100),
  chamber text not null default '' constraint teams_chamber_length check (char_length(chamber) <= 100),
  created_at timestamptz not null default now()
);
comment on table public.teams is 'Volunteer service teams (志愿服务队), each formed by a chamber of commerce.';

create table public.theme_months (
  id uuid primary key default gen_random_uuid(),
  month date not null unique constraint theme_months_first_day check (extract(day from month) = 1),
  theme text not null constraint theme_months_theme_length check (char_length(btrim(theme)) between 1 and 100),
  created_at timestamptz not null default now()
);
comment on table public.theme_months is 'Monthly themed campaigns (主题月); month is the first day of the calendar month.';

create table public.people (
  id uuid primary key default gen_random_uuid(),
  display_name text not null constraint people_display_name_length check (char_length(btrim(display_name)) between 1 and 50),
  user_id uuid unique references auth.users (id) on delete set null,
  created_at timestamptz not null default now()
);
comment on table public.people is 'Volunteers; user_id links the ones who sign in (most take part without an account).';

create table public.team_members (
  team_id uuid not null references public.teams (id) on delete cascade,
  person_id uuid not null references public.people (id) on delete cascade,
  role text not null default 'member' constraint team_members_role check (role in ('member', 'leader')),
  joined_at timestamptz not null default now(),
  primary key (team_id, person_id)
);
comment on table public.team_members is 'Membership of people in teams; a leader manages the team''s members and events.';
create index team_members_person_id_idx on public.team_members (person_id);

create table public.program_roles (
  user_id uuid primary key references auth.users (id) on delete cascade,
  role text not null constraint program_roles_role check (role in ('coordinator', 'admin')),
  granted_at timestamptz not null default now()
);
comment on table public.program_roles is 'Program-wide roles: coordinators read everything and manage reference data; admins may do anything.';

-- Role checks. Security definer (owner bypasses RLS) so that a policy on one table can ask about
-- membership without triggering the policies of team_members/people again, and so each check is
-- one indexed lookup. Wrapped in (select ...) by the policies so they run once per statement.
create function private.is_coordinator() returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (
    select 1 from public.program_roles
    where user_id = (select auth.uid()) and role in ('coordinator', 'admin')
  )
$$;

create function private.is_admin() returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (
    select 1 from public.program_roles where user_id = (select auth.uid()) and role = 'admin'
  )
$$;

create function private.my_person_id() returns uuid
language sql stable security definer set search_path = ''
as $$
  select id from public.people where user_id = (select auth.uid())
$$;

create function private.my_team_ids() returns setof uuid
language sql stable security definer set search_path = ''
as $$
  select m.team_id
  from public.team_members m
  join public.people p on p.id = m.person_id
  where p.user_id = (select auth.uid())
$$;

create function private.my_led_team_ids() returns setof uuid
language sql stable security definer set search_path = ''
as $$
  select m.team_id
  from public.team_members m
  join public.people p on p.id = m.person_id
  where p.user_id = (select auth.uid()) and m.role = 'leader'
$$;

-- A person just added by a member: no account and no team yet. Members may put only such a
-- person in their team; anyone else would gain the team's records through the membership.
create function private.is_newcomer(person uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (select 1 from public.people where id = person and user_id is null)
    and not exists (select 1 from public.team_members where person_id = person)
$$;

-- People a user may see: everyone in their teams (to pick participants), and themselves.
create function private.visible_person_ids() returns setof uuid
language sql stable security definer set search_path = ''
as $$
  select m.person_id from public.team_members m
  where m.team_id in (select private.my_team_ids())
  union
  select private.my_person_id()
$$;

grant execute on function private.is_coordinator(), private.is_admin(), private.my_person_id(),
  private.my_team_ids(), private.my_led_team_ids(), private.visible_person_ids(), private.is_newcomer(uuid)
  to authenticated, service_role;

alter table public.stations enable row level security;
alter table public.teams enable row level security;
alter table public.theme_months enable row level security;
alter table public.people enable row level security;
alter table public.team_members enable row level security;
alter table public.program_roles enable row level security;

-- Nothing is readable without signing in.
revoke all on public.stations, public.teams, public.theme_months, public.people,
  public.team_members, public.program_roles from anon;

-- Stations, teams and theme months: every signed-in user reads them (they are needed offline to
-- log an event); coordinators and admins manage them.
create policy "signed-in users read stations" on public.stations
  for select to authenticated using (true);
create policy "coordinators add stations" on public.stations
  for insert to authenticated with check ((select private.is_coordinator()));
create policy "coordinators edit stations" on public.stations
  for update to authenticated using ((select private.is_coordinator())) with check ((select private.is_coordinator()));
create policy "coordinators remove stations" on public.stations
  for delete to authenticated using ((select private.is_coordinator()));

create policy "signed-in users read teams" on public.teams
  for select to authenticated using (true);
create policy "coordinators add teams" on public.teams
  for insert to authenticated with check ((select private.is_coordinator()));
create policy "coordinators edit teams" on public.teams
  for update to authenticated using ((select private.is_coordinator())) with check ((select private.is_coordinator()));
create policy "coordinators remove teams" on public.teams
  for delete to authenticated using ((select private.is_coordinator()));

create policy "signed-in users read theme months" on public.theme_months
  for select to authenticated using (true);
create policy "coordinators add theme months" on public.theme_months
  for insert to authenticated with check ((select private.is_coordinator()));
create policy "coordinators edit theme months" on public.theme_months
  for update to authenticated using ((select private.is_coordinator())) with check ((select private.is_coordinator()));
create policy "coordinators remove theme months" on public.theme_months
  for delete to authenticated using ((select private.is_coordinator()));

-- People: team members see each other; coordinators see everyone. Any member may add a newcomer
-- (an unlinked person); leaders edit their team's people; a person edits their own name.
create policy "members read people of their teams" on public.people
  for select to authenticated using (id in (select private.visible_person_ids()));
create policy "coordinators read all people" on public.people
  for select to authenticated using ((select private.is_coordinator()));
create policy "members add newcomers" on public.people
  for insert to authenticated with check (user_id is null and exists (select private.my_team_ids()));
create policy "coordinators add people" on public.people
  for insert to authenticated with check ((select private.is_coordinator()));
create policy "people edit their own name" on public.people
  for update to authenticated
  using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()));
create policy "leaders edit people of their teams" on public.people
  for update to authenticated
  using (id in (select m.person_id from public.team_members m where m.team_id in (select private.my_led_team_ids())))
  with check (id in (select m.person_id from public.team_members m where m.team_id in (select private.my_led_team_ids())));
create policy "coordinators edit people" on public.people
  for update to authenticated using ((select private.is_coordinator())) with check ((select private.is_coordinator()));
create policy "coordinators remove people" on public.people
  for delete to authenticated using ((select private.is_coordinator()));

-- A person's link to an account is set by coordinators only, never by the person or a leader.
create function private.guard_people_user_id() returns trigger
language plpgsql security invoker set search_path = ''
as $$
begin
  if new.user_id is distinct from old.user_id and current_user = 'authenticated' and not private.is_coordinator() then
    raise exception using errcode = '42501', message = 'only coordinators may link a person to an account',
      constraint = 'people_user_id_managed';
  end if;
  return new;
end
$$;
grant execute on function private.guard_people_user_id() to authenticated, service_role;
create trigger people_guard_user_id before update on public.people
  for each row execute function private.guard_people_user_id();

-- Memberships: members see their teams' rosters; a member may add a newcomer (see is_newcomer)
-- to their own team as a plain member; leaders manage their team's roster and roles; coordinators manage all.
create policy "members read their teams' rosters" on public.team_members
  for select to authenticated using (team_id in (select private.my_team_ids()));
create policy "coordinators read all rosters" on public.team_members
  for select to authenticated using ((select private.is_coordinator()));
create policy "members add newcomers to their team" on public.team_members
  for insert to authenticated
  with check (role = 'member' and team_id in (select private.my_team_ids()) and private.is_newcomer(person_id));
create policy "leaders add members to their team" on public.team_members
  for insert to authenticated with check (team_id in (select private.my_led_team_ids()));
create policy "coordinators add members" on public.team_members
  for insert to authenticated with check ((select private.is_coordinator()));
create policy "leaders edit their team's roster" on public.team_members
  for update to authenticated
  using (team_id in (select private.my_led_team_ids())) with check (team_id in (select private.my_led_team_ids()));
create policy "coordinators edit rosters" on public.team_members
  for update to authenticated using ((select private.is_coordinator())) with check ((select private.is_coordinator()));
create policy "leaders remove members of their team" on public.team_members
  for delete to authenticated using (team_id in (select private.my_led_team_ids()));
create policy "coordinators remove members" on public.team_members
  for delete to authenticated using ((select private.is_coordinator()));

-- Program roles: a user sees their own role; admins see and manage all.
create policy "users read their own program role" on public.program_roles
  for select to authenticated using (user_id = (select auth.uid()));
create policy "admins read program roles" on public.program_roles
  for select to authenticated using ((select private.is_admin()));
create policy "admins grant program roles" on public.program_roles
  for insert to authenticated with check ((select private.is_admin()));
create policy "admins change program roles" on public.program_roles
  for update to authenticated using ((select private.is_admin())) with check ((select private.is_admin()));
create policy "admins revoke program roles" on public.program_roles
  for delete to authenticated using ((select private.is_admin()));

-- Functions in private run only where granted above: some are security definer. (Default
-- privileges per schema cannot take away PUBLIC's execute right, so each migration revokes it.)
revoke execute on all functions in schema private from public;
