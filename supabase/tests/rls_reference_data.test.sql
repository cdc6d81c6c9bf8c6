-- Row-level security of the reference data: stations, teams, theme_months, people, team_members
-- and program_roles, for every role (anon, a volunteer, a volunteer of another team, a team leader,
-- a coordinator, an admin) and every command, allowed and denied.
--
-- Who is who (supabase/seed.sql): volunteer@demo.local is person-2, a member of team 1;
-- volunteer2@demo.local is person-12, a member of team 2; leader@demo.local is person-1, the leader
-- of team 1; coordinator@ and admin@ hold program roles and belong to no team. Team 1 is persons
-- 1-10, team 2 persons 11-20. Denials that raise are checked with their SQLSTATE and message;
-- updates and deletes that RLS filters silently are checked by the number of rows they touch.
begin;
set local search_path = public, extensions;
select plan(143);

-- An account that belongs to no team, for the "must be in a team" rules, and one that a
-- coordinator links to a person.
select tests.create_user('outsider@tests.local');
select tests.create_user('linkable@tests.local');
select count(*) as all_theme_months from public.theme_months \gset

-- ---------------------------------------------------------------------------------------------
-- anon: no privilege at all on any reference table (24 checks).
select * from tests.anon_is_refused('stations.name', 'teams.name', 'theme_months.theme', 'people.display_name',
  'team_members.role', 'program_roles.role');

-- ---------------------------------------------------------------------------------------------
-- Stations, teams and theme months: every signed-in user reads them all; only coordinators and
-- admins add, edit and remove them.
select tests.act_as(tests.demo_user('volunteer'));
select is((select count(*) from public.stations), 10::bigint, 'a volunteer reads every station');
select is((select count(*) from public.teams), 64::bigint, 'a volunteer reads every team');
select is((select count(*) from public.theme_months), :'all_theme_months'::bigint, 'a volunteer reads every theme month');
select throws_ok($$insert into public.stations (name) values ('Volunteer station')$$, '42501',
  'new row violates row-level security policy for table "stations"', 'a volunteer cannot add a station');
select throws_ok($$insert into public.teams (name) values ('Volunteer team')$$, '42501',
  'new row violates row-level security policy for table "teams"', 'a volunteer cannot add a team');
select throws_ok($$insert into public.theme_months (month, theme) values ('2030-01-01', 'x')$$, '42501',
  'new row violates row-level security policy for table "theme_months"', 'a volunteer cannot add a theme month');
select is(tests.rows_affected($$update public.stations set address = 'moved'$$), 0::bigint,
  'a volunteer edits no station');
select is(tests.rows_affected($$update public.teams set chamber = 'x'$$), 0::bigint, 'a volunteer edits no team');
select is(tests.rows_affected($$update public.theme_months set theme = 'x'$$), 0::bigint,
  'a volunteer edits no theme month');
select is(tests.rows_affected($$delete from public.stations$$), 0::bigint, 'a volunteer removes no station');
select is(tests.rows_affected($$delete from public.teams$$), 0::bigint, 'a volunteer removes no team');
select is(tests.rows_affected($$delete from public.theme_months$$), 0::bigint, 'a volunteer removes no theme month');

select tests.act_as(tests.demo_user('volunteer2'));
select is((select count(*) from public.stations), 10::bigint, 'a volunteer of another team reads every station');
select is((select count(*) from public.teams), 64::bigint, 'a volunteer of another team reads every team');
select is((select count(*) from public.theme_months), :'all_theme_months'::bigint, 'a volunteer of another team reads every theme month');

select tests.act_as(tests.demo_user('leader'));
select is((select count(*) from public.stations), 10::bigint, 'a leader reads every station');
select throws_ok($$insert into public.stations (name) values ('Leader station')$$, '42501',
  'new row violates row-level security policy for table "stations"', 'a leader cannot add a station');
select throws_ok($$insert into public.teams (name) values ('Leader team')$$, '42501',
  'new row violates row-level security policy for table "teams"', 'a leader cannot add a team');
select throws_ok($$insert into public.theme_months (month, theme) values ('2030-01-01', 'x')$$, '42501',
  'new row violates row-level security policy for table "theme_months"', 'a leader cannot add a theme month');
select is(tests.rows_affected($$update public.teams set chamber = 'x' where id = md5('team-1')::uuid$$), 0::bigint,
  'a leader cannot edit even their own team');
select is(tests.rows_affected($$update public.stations set address = 'x'$$), 0::bigint, 'a leader edits no station');
select is(tests.rows_affected($$update public.theme_months set theme = 'x'$$), 0::bigint, 'a leader edits no theme month');
select is(tests.rows_affected($$delete from public.teams where id = md5('team-1')::uuid$$), 0::bigint,
  'a leader cannot remove their own team');
select is(tests.rows_affected($$delete from public.stations$$), 0::bigint, 'a leader removes no station');
select is(tests.rows_affected($$delete from public.theme_months$$), 0::bigint, 'a leader removes no theme month');

select tests.act_as(md5('user-outsider@tests.local')::uuid);
select is((select count(*) from public.stations), 10::bigint, 'a signed-in user in no team still reads every station');

-- Coordinators and admins manage all three (a fresh row each, as seed rows are referenced).
select tests.act_as(tests.demo_user('coordinator'));
select is((select count(*) from public.stations), 10::bigint, 'a coordinator reads every station');
select lives_ok($$insert into public.stations (id, name) values (md5('rls-station-c')::uuid, 'Coordinator station')$$,
  'a coordinator adds a station');
select lives_ok($$insert into public.teams (id, name) values (md5('rls-team-c')::uuid, 'Coordinator team')$$,
  'a coordinator adds a team');
select lives_ok($$insert into public.theme_months (id, month, theme) values (md5('rls-month-c')::uuid, '2030-01-01', 'x')$$,
  'a coordinator adds a theme month');
select is(tests.rows_affected($$update public.stations set address = 'edited' where id = md5('station-1')::uuid$$),
  1::bigint, 'a coordinator edits a station');
select is(tests.rows_affected($$update public.teams set chamber = 'edited' where id = md5('team-1')::uuid$$),
  1::bigint, 'a coordinator edits a team');
select is(tests.rows_affected($$update public.theme_months set theme = 'edited' where id = md5('month-1')::uuid$$),
  1::bigint, 'a coordinator edits a theme month');
select is(tests.rows_affected($$delete from public.stations where id = md5('rls-station-c')::uuid$$), 1::bigint,
  'a coordinator removes a station');
select is(tests.rows_affected($$delete from public.teams where id = md5('rls-team-c')::uuid$$), 1::bigint,
  'a coordinator removes a team');
select is(tests.rows_affected($$delete from public.theme_months where id = md5('rls-month-c')::uuid$$), 1::bigint,
  'a coordinator removes a theme month');

select tests.act_as(tests.demo_user('admin'));
select is((select count(*) from public.teams), 64::bigint, 'an admin reads every team');
select lives_ok($$insert into public.stations (id, name) values (md5('rls-station-a')::uuid, 'Admin station')$$,
  'an admin adds a station');
select lives_ok($$insert into public.teams (id, name) values (md5('rls-team-a')::uuid, 'Admin team')$$,
  'an admin adds a team');
select lives_ok($$insert into public.theme_months (id, month, theme) values (md5('rls-month-a')::uuid, '2030-02-01', 'x')$$,
  'an admin adds a theme month');
select is(tests.rows_affected($$update public.stations set address = 'edited' where id = md5('rls-station-a')::uuid$$),
  1::bigint, 'an admin edits a station');
select is(tests.rows_affected($$update public.teams set chamber = 'edited' where id = md5('rls-team-a')::uuid$$),
  1::bigint, 'an admin edits a team');
select is(tests.rows_affected($$update public.theme_months set theme = 'edited' where id = md5('rls-month-a')::uuid$$),
  1::bigint, 'an admin edits a theme month');
select is(tests.rows_affected($$delete from public.stations where id = md5('rls-station-a')::uuid$$), 1::bigint,
  'an admin removes a station');
select is(tests.rows_affected($$delete from public.teams where id = md5('rls-team-a')::uuid$$), 1::bigint,
  'an admin removes a team');
select is(tests.rows_affected($$delete from public.theme_months where id = md5('rls-month-a')::uuid$$), 1::bigint,
  'an admin removes a theme month');

-- ---------------------------------------------------------------------------------------------
-- People: members see the people of their teams (and themselves); coordinators see everyone.
-- Read checks come first, before any person is added.
select tests.act_as(tests.demo_user('volunteer'));
select set_eq($$select id from public.people$$,
  $$select md5('person-' || n)::uuid from generate_series(1, 10) n$$,
  'a volunteer reads exactly the people of their team');
select tests.act_as(tests.demo_user('volunteer2'));
select set_eq($$select id from public.people$$,
  $$select md5('person-' || n)::uuid from generate_series(11, 20) n$$,
  'a volunteer of another team reads exactly the people of theirs');
select tests.act_as(md5('user-outsider@tests.local')::uuid);
select is_empty($$select id from public.people$$, 'a signed-in user in no team reads no one');
select tests.act_as(tests.demo_user('leader'));
select set_eq($$select id from public.people$$,
  $$select md5('person-' || n)::uuid from generate_series(1, 10) n$$,
  'a leader reads exactly the people of their team');
select tests.act_as(tests.demo_user('coordinator'));
select is((select count(*) from public.people), 615::bigint, 'a coordinator reads every person');
select tests.act_as(tests.demo_user('admin'));
select is((select count(*) from public.people), 615::bigint, 'an admin reads every person');

-- Adding people: any member adds a newcomer without an account; linking an account on insert is
-- for coordinators; a signed-in user in no team adds no one.
select tests.act_as(tests.demo_user('volunteer'));
select lives_ok($$insert into public.people (id, display_name) values (md5('rls-newcomer')::uuid, 'Newcomer')$$,
  'a volunteer adds a newcomer');
select throws_ok(format($$insert into public.people (display_name, user_id) values ('Linked', %L)$$,
    md5('user-outsider@tests.local')::uuid), '42501',
  'new row violates row-level security policy for table "people"', 'a volunteer cannot add a person linked to an account');
select tests.act_as(md5('user-outsider@tests.local')::uuid);
select throws_ok($$insert into public.people (display_name) values ('Stranger')$$, '42501',
  'new row violates row-level security policy for table "people"', 'a signed-in user in no team cannot add people');
select tests.act_as(tests.demo_user('coordinator'));
select lives_ok(format($$insert into public.people (id, display_name, user_id) values (md5('rls-linked')::uuid, 'Linked', %L)$$,
    md5('user-outsider@tests.local')::uuid), 'a coordinator adds a person linked to an account');
select tests.act_as(tests.demo_user('admin'));
select lives_ok($$insert into public.people (id, display_name) values (md5('rls-admin-person')::uuid, 'Admin person')$$,
  'an admin adds a person');

-- Editing people: a person edits their own name; leaders edit the people of their team;
-- coordinators edit everyone. Only coordinators link a person to an account.
select tests.act_as(tests.demo_user('volunteer'));
select is(tests.rows_affected($$update public.people set display_name = 'Me' where id = md5('person-2')::uuid$$),
  1::bigint, 'a volunteer edits their own name');
select is(tests.rows_affected($$update public.people set display_name = 'Not me' where id = md5('person-3')::uuid$$),
  0::bigint, 'a volunteer cannot edit a teammate');
select is(tests.rows_affected($$update public.people set display_name = 'Not me' where id = md5('person-12')::uuid$$),
  0::bigint, 'a volunteer cannot edit someone of another team');
select is(tests.error_of($$update public.people set user_id = null where id = md5('person-2')::uuid$$),
  '42501 people_user_id_managed', 'a volunteer cannot unlink their own account');
select tests.act_as(tests.demo_user('volunteer2'));
select is(tests.rows_affected($$update public.people set display_name = 'Not me' where id = md5('person-2')::uuid$$),
  0::bigint, 'a volunteer of another team cannot edit a volunteer of team 1');
select tests.act_as(tests.demo_user('leader'));
select is(tests.rows_affected($$update public.people set display_name = 'Renamed' where id = md5('person-3')::uuid$$),
  1::bigint, 'a leader edits a person of their team');
select is(tests.rows_affected($$update public.people set display_name = 'Renamed' where id = md5('person-12')::uuid$$),
  0::bigint, 'a leader cannot edit a person of another team');
select is(tests.error_of(format($$update public.people set user_id = %L where id = md5('person-3')::uuid$$,
    md5('user-outsider@tests.local')::uuid)),
  '42501 people_user_id_managed', 'a leader cannot link a person of their team to an account');
select tests.act_as(tests.demo_user('coordinator'));
select is(tests.rows_affected($$update public.people set display_name = 'Renamed' where id = md5('person-12')::uuid$$),
  1::bigint, 'a coordinator edits anyone');
select is(tests.rows_affected($$update public.people set user_id = null where id = md5('rls-linked')::uuid$$),
  1::bigint, 'a coordinator unlinks an account');
select is(tests.rows_affected(format($$update public.people set user_id = %L where id = md5('person-3')::uuid$$,
    md5('user-linkable@tests.local')::uuid)), 1::bigint, 'a coordinator links a person to an account');
select tests.act_as(tests.demo_user('admin'));
select is(tests.rows_affected($$update public.people set display_name = 'Renamed again' where id = md5('person-12')::uuid$$),
  1::bigint, 'an admin edits anyone');

-- Removing people: coordinators and admins only.
select tests.act_as(tests.demo_user('volunteer'));
select is(tests.rows_affected($$delete from public.people where id = md5('rls-newcomer')::uuid$$), 0::bigint,
  'a volunteer cannot remove even the newcomer they added');
select is(tests.rows_affected($$delete from public.people where id = md5('person-2')::uuid$$), 0::bigint,
  'a volunteer cannot remove themselves');
select tests.act_as(tests.demo_user('leader'));
select is(tests.rows_affected($$delete from public.people where id = md5('person-3')::uuid$$), 0::bigint,
  'a leader cannot remove a person of their team');
select tests.act_as(tests.demo_user('coordinator'));
select is(tests.rows_affected($$delete from public.people where id = md5('rls-newcomer')::uuid$$), 1::bigint,
  'a coordinator removes a person');
select tests.act_as(tests.demo_user('admin'));
select is(tests.rows_affected($$delete from public.people where id = md5('rls-admin-person')::uuid$$), 1::bigint,
  'an admin removes a person');

-- ---------------------------------------------------------------------------------------------
-- Team memberships: members read their teams' rosters; a member adds newcomers to their own
-- team as plain members; leaders manage their team's roster; coordinators manage all.
select tests.reset_role();
select tests.make_person('Roster newcomer') as newcomer_a \gset
select tests.make_person('Roster newcomer') as newcomer_b \gset
select tests.make_person('Roster newcomer') as newcomer_c \gset
select tests.make_person('Roster newcomer') as newcomer_d \gset

select tests.act_as(tests.demo_user('volunteer'));
select set_eq($$select team_id, person_id from public.team_members$$,
  $$select md5('team-1')::uuid as team_id, md5('person-' || n)::uuid as person_id from generate_series(1, 10) n$$,
  'a volunteer reads exactly their team''s roster');
select tests.act_as(tests.demo_user('volunteer2'));
select set_eq($$select team_id, person_id from public.team_members$$,
  $$select md5('team-2')::uuid as team_id, md5('person-' || n)::uuid as person_id from generate_series(11, 20) n$$,
  'a volunteer of another team reads exactly theirs');
select tests.act_as(md5('user-outsider@tests.local')::uuid);
select is_empty($$select * from public.team_members$$, 'a signed-in user in no team reads no roster');
select tests.act_as(tests.demo_user('coordinator'));
select is((select count(*) from public.team_members), 615::bigint, 'a coordinator reads every roster');
select tests.act_as(tests.demo_user('admin'));
select is((select count(*) from public.team_members), 615::bigint, 'an admin reads every roster');

select tests.act_as(tests.demo_user('volunteer'));
select lives_ok(format($$insert into public.team_members (team_id, person_id) values (md5('team-1')::uuid, %L)$$, :'newcomer_a'),
  'a volunteer adds a newcomer to their team as a member');
-- ...but only a newcomer: not someone with an account or already in a team, who would gain this
-- team's records through the membership.
select throws_ok($$insert into public.team_members (team_id, person_id) values (md5('team-1')::uuid, md5('person-12')::uuid)$$,
  '42501', 'new row violates row-level security policy for table "team_members"',
  'a volunteer cannot add another team''s volunteer (with an account) to their team');
select throws_ok($$insert into public.team_members (team_id, person_id) values (md5('team-1')::uuid, md5('person-15')::uuid)$$,
  '42501', 'new row violates row-level security policy for table "team_members"',
  'a volunteer cannot add another team''s member (without an account) to their team');
select throws_ok(format($$insert into public.team_members (team_id, person_id, role) values (md5('team-1')::uuid, %L, 'leader')$$, :'newcomer_b'),
  '42501', 'new row violates row-level security policy for table "team_members"',
  'a member cannot add a leader');
select throws_ok(format($$insert into public.team_members (team_id, person_id) values (md5('team-2')::uuid, %L)$$, :'newcomer_b'),
  '42501', 'new row violates row-level security policy for table "team_members"',
  'a volunteer cannot add anyone to another team');
select is(tests.rows_affected($$update public.team_members set role = 'leader' where person_id = md5('person-2')::uuid$$),
  0::bigint, 'a member cannot make themselves leader');
select is(tests.rows_affected($$delete from public.team_members where person_id = md5('person-3')::uuid$$),
  0::bigint, 'a member cannot remove a teammate');

select tests.act_as(tests.demo_user('volunteer2'));
select is(tests.rows_affected($$update public.team_members set role = 'member' where person_id = md5('person-1')::uuid$$),
  0::bigint, 'a volunteer of another team cannot touch team 1''s roster');

select tests.act_as(tests.demo_user('leader'));
select lives_ok(format($$insert into public.team_members (team_id, person_id, role) values (md5('team-1')::uuid, %L, 'leader')$$, :'newcomer_b'),
  'a leader adds a leader to their team');
select throws_ok(format($$insert into public.team_members (team_id, person_id) values (md5('team-2')::uuid, %L)$$, :'newcomer_c'),
  '42501', 'new row violates row-level security policy for table "team_members"',
  'a leader cannot add anyone to another team');
select is(tests.rows_affected($$update public.team_members set role = 'leader' where team_id = md5('team-1')::uuid and person_id = md5('person-3')::uuid$$),
  1::bigint, 'a leader changes a role in their team');
select is(tests.rows_affected($$update public.team_members set role = 'leader' where team_id = md5('team-2')::uuid$$),
  0::bigint, 'a leader cannot change roles in another team');
select throws_ok($$update public.team_members set team_id = md5('team-2')::uuid where person_id = md5('person-4')::uuid$$,
  '42501', 'permission denied for table team_members',
  'a leader cannot move a member into another team (a membership''s team is not granted for update)');
-- A removal ends the membership and keeps it (see memberships.test.sql): the delete itself
-- deletes nothing.
select is(tests.rows_affected($$delete from public.team_members where team_id = md5('team-1')::uuid and person_id = md5('person-4')::uuid$$),
  0::bigint, 'a leader''s removal of a member of their team deletes no row...');
select ok((select left_at is not null from public.team_members where team_id = md5('team-1')::uuid and person_id = md5('person-4')::uuid),
  '...it ends the membership');
select is(tests.rows_affected($$delete from public.team_members where team_id = md5('team-2')::uuid$$),
  0::bigint, 'a leader cannot remove members of another team');

select tests.act_as(tests.demo_user('coordinator'));
select lives_ok(format($$insert into public.team_members (team_id, person_id, role) values (md5('team-2')::uuid, %L, 'leader')$$, :'newcomer_c'),
  'a coordinator adds anyone to any team');
-- (Team 2 keeps its leader, person-11: a team with members keeps one, see team_has_leader.test.sql.)
select is(tests.rows_affected(format($$update public.team_members set role = 'member' where team_id = md5('team-2')::uuid and person_id = %L$$, :'newcomer_c')),
  1::bigint, 'a coordinator changes roles in any team');
select is(tests.rows_affected(format($$delete from public.team_members where person_id = %L$$, :'newcomer_c')),
  0::bigint, 'a coordinator''s removal of a member of any team deletes no row...');
select ok((select left_at is not null from public.team_members where person_id = :'newcomer_c'),
  '...it ends the membership');

select tests.act_as(tests.demo_user('admin'));
select lives_ok(format($$insert into public.team_members (team_id, person_id) values (md5('team-3')::uuid, %L)$$, :'newcomer_d'),
  'an admin adds anyone to any team');
select is(tests.rows_affected(format($$update public.team_members set role = 'leader' where person_id = %L$$, :'newcomer_d')),
  1::bigint, 'an admin changes roles in any team');
select is(tests.rows_affected(format($$delete from public.team_members where person_id = %L$$, :'newcomer_d')),
  0::bigint, 'an admin''s removal of a member of any team deletes no row...');
select ok((select left_at is not null from public.team_members where person_id = :'newcomer_d'),
  '...it ends the membership');

-- ---------------------------------------------------------------------------------------------
-- Program roles: a user reads their own; only admins grant, change and revoke. No one grants
-- themselves a role.
select tests.act_as(tests.demo_user('volunteer'));
select is_empty($$select * from public.program_roles$$, 'a volunteer reads no program role');
select throws_ok(format($$insert into public.program_roles (user_id, role) values (%L, 'coordinator')$$, tests.demo_user('volunteer')),
  '42501', 'new row violates row-level security policy for table "program_roles"',
  'a volunteer cannot make themselves coordinator');
select throws_ok(format($$insert into public.program_roles (user_id, role) values (%L, 'admin')$$, tests.demo_user('volunteer')),
  '42501', 'new row violates row-level security policy for table "program_roles"',
  'a volunteer cannot make themselves admin');
select is(tests.rows_affected($$update public.program_roles set role = 'coordinator'$$), 0::bigint,
  'a volunteer changes no program role');
select is(tests.rows_affected($$delete from public.program_roles$$), 0::bigint, 'a volunteer revokes no program role');

select tests.act_as(tests.demo_user('leader'));
select is_empty($$select * from public.program_roles$$, 'a leader reads no program role');
select throws_ok(format($$insert into public.program_roles (user_id, role) values (%L, 'coordinator')$$, tests.demo_user('leader')),
  '42501', 'new row violates row-level security policy for table "program_roles"',
  'a leader cannot make themselves coordinator');
select is(tests.rows_affected($$delete from public.program_roles$$), 0::bigint, 'a leader revokes no program role');

select tests.act_as(tests.demo_user('coordinator'));
select results_eq($$select user_id, role from public.program_roles$$,
  format($$values (%L::uuid, 'coordinator')$$, tests.demo_user('coordinator')),
  'a coordinator reads their own program role only');
select is(tests.rows_affected($$update public.program_roles set role = 'admin'$$), 0::bigint,
  'a coordinator cannot promote themselves to admin');
select throws_ok(format($$insert into public.program_roles (user_id, role) values (%L, 'coordinator')$$, tests.demo_user('volunteer')),
  '42501', 'new row violates row-level security policy for table "program_roles"',
  'a coordinator cannot grant program roles');
select is(tests.rows_affected($$delete from public.program_roles$$), 0::bigint, 'a coordinator revokes no program role');

select tests.act_as(tests.demo_user('admin'));
select is((select count(*) from public.program_roles), 2::bigint, 'an admin reads every program role');
select lives_ok(format($$insert into public.program_roles (user_id, role) values (%L, 'coordinator')$$, tests.demo_user('volunteer')),
  'an admin grants a program role');
select is(tests.rows_affected(format($$update public.program_roles set role = 'admin' where user_id = %L$$, tests.demo_user('volunteer'))),
  1::bigint, 'an admin changes a program role');
select is(tests.rows_affected(format($$delete from public.program_roles where user_id = %L$$, tests.demo_user('volunteer'))),
  1::bigint, 'an admin revokes a program role');

select * from finish();
rollback;
