-- Team memberships: ended, not deleted (left_at), so that a team's past events keep their former
-- members and stay editable, and a former member is no newcomer whom another team could adopt;
-- leaders add only newcomers (or take a former member back) and rename only their team's
-- current members; only current memberships give access.
--
-- Who is who (supabase/demo-seed.sql): volunteer = person-2 in team 1, volunteer2 = person-12 in
-- team 2, leader = person-1 leading team 1. Persons 11-20 are team 2.
begin;
set local search_path = public, extensions;
set local client_min_messages = warning;
select plan(34);

-- A change as the phone sends it: an edit of an event of team 1 at station 1 in March 2023.
create function pg_temp.edit(event_id uuid, participants uuid[], title text default 'Edited') returns jsonb
language sql
as $$
  select jsonb_build_array(jsonb_build_object('change_id', gen_random_uuid(), 'event_id', event_id, 'op', 'upsert',
    'base_revision', (select revision from public.service_events where id = event_id),
    'event', jsonb_build_object('station_id', md5('station-1')::uuid, 'team_id', md5('team-1')::uuid,
      'theme_month_id', md5('month-3')::uuid, 'started_at', '2023-03-24T09:00:00+08:00',
      'ended_at', '2023-03-24T12:00:00+08:00', 'title', title, 'note', '', 'people_served', 3,
      'funds_fen', 0, 'materials_fen', 0, 'materials_description', '',
      'participants', (select jsonb_agg(jsonb_build_object('person_id', p, 'hours', 2)) from unnest(participants) p))))
$$;

-- Fixtures: two newcomers of team 1 (no account), and two events of team 1 the volunteer recorded
-- with the volunteer and the first newcomer.
select tests.make_person('Leaves team 1') as leaver \gset
select tests.make_person('Stays in team 1') as stayer \gset
select tests.make_member(md5('team-1')::uuid, :'leaver');
select tests.make_member(md5('team-1')::uuid, :'stayer');
select tests.make_event(md5('team-1')::uuid, md5('station-1')::uuid, '2023-03-24 09:00+08', 3,
  array[md5('person-2')::uuid, :'leaver'::uuid], recorded_by => tests.demo_user('volunteer'),
  id => md5('membership-event-1')::uuid);
select tests.make_event(md5('team-1')::uuid, md5('station-1')::uuid, '2023-03-24 09:00+08', 3,
  array[md5('person-2')::uuid, :'leaver'::uuid], recorded_by => tests.demo_user('volunteer'),
  id => md5('membership-event-2')::uuid);
select tests.make_event(md5('team-1')::uuid, md5('station-1')::uuid, '2023-03-25 09:00+08', 3,
  array[md5('person-2')::uuid], recorded_by => tests.demo_user('volunteer'), id => md5('membership-event-3')::uuid);

-- ---------------------------------------------------------------------------------------------
-- Leaders add newcomers only.
select tests.act_as(tests.demo_user('leader'));
select throws_ok($$insert into public.team_members (team_id, person_id) values (md5('team-1')::uuid, md5('person-15')::uuid)$$,
  '42501', 'new row violates row-level security policy for table "team_members"',
  'a leader cannot add another team''s member (without an account) to their team');
select throws_ok($$insert into public.team_members (team_id, person_id, role) values (md5('team-1')::uuid, md5('person-12')::uuid, 'leader')$$,
  '42501', 'new row violates row-level security policy for table "team_members"',
  'a leader cannot add another team''s volunteer (with an account) to their team');
select is(tests.rows_affected($$update public.people set display_name = 'Renamed by team 1' where id = md5('person-15')::uuid$$),
  0::bigint, 'a leader cannot rename someone of another team');
select throws_ok($$update public.team_members set person_id = md5('person-15')::uuid
    where team_id = md5('team-1')::uuid and person_id = md5('person-5')::uuid$$,
  '42501', 'permission denied for table team_members',
  'a leader cannot turn a membership of their team into one of someone else''s');
select tests.reset_role();
select tests.make_person('Brand new') as brand_new \gset
select tests.act_as(tests.demo_user('leader'));
select lives_ok(format($$insert into public.team_members (team_id, person_id, role) values (md5('team-1')::uuid, %L, 'leader')$$, :'brand_new'),
  'a leader adds a newcomer, as a leader too');
select is(tests.rows_affected(format($$update public.people set display_name = 'Renamed newcomer' where id = %L$$, :'brand_new')),
  1::bigint, 'a leader renames a current member of their team');

-- ---------------------------------------------------------------------------------------------
-- A member leaves: the leader "removes" them, which ends the membership and keeps it.
select is(tests.rows_affected(format($$delete from public.team_members where team_id = md5('team-1')::uuid and person_id = %L$$, :'leaver')),
  0::bigint, 'a delete of a membership deletes nothing...');
select tests.reset_role();
select is((select left_at from public.team_members where team_id = md5('team-1')::uuid and person_id = :'leaver'),
  now(), '...it ends the membership, at the server''s time');
select ok(not private.is_newcomer(:'leaver'), 'a former member is no newcomer');

-- The team's past events with the former member stay editable, through both paths.
select tests.act_as(tests.demo_user('volunteer'));
select is(public.push_event_changes(pg_temp.edit(md5('membership-event-1')::uuid,
    array[md5('person-2')::uuid, :'leaver'::uuid])) -> 0 ->> 'status',
  'applied', 'whole batch: a past event with a former member is edited');
select is(tests.push_one_by_one(pg_temp.edit(md5('membership-event-2')::uuid,
    array[md5('person-2')::uuid, :'leaver'::uuid])) -> 0 ->> 'status',
  'applied', 'one at a time: the same');
select is(tests.error_of(format($$update public.event_participants set hours = 1
    where event_id = md5('membership-event-1')::uuid and person_id = %L$$, :'leaver')),
  'no error', 'a former member''s hours on a past event can change');
select set_eq(format($$select person_id from public.event_participants where event_id = %L$$, md5('membership-event-1')::uuid),
  format($$values (md5('person-2')::uuid), (%L::uuid)$$, :'leaver'), 'the edited event keeps the former member');
-- ...but a former member is not added to other events.
select is((public.push_event_changes(pg_temp.edit(md5('membership-event-1')::uuid,
    array[md5('person-2')::uuid, :'leaver'::uuid, md5('person-3')::uuid])) -> 0 ->> 'status'),
  'applied', 'a current member is added to an event that has a former member');
select is(tests.push_one_by_one(pg_temp.edit(md5('membership-event-3')::uuid,
    array[md5('person-2')::uuid, :'leaver'::uuid])) -> 0 ->> 'rule',
  'event_participants_team_member', 'a former member cannot be added to another event by the push');
select tests.reset_role();
select is(tests.error_of(format($$insert into public.event_participants (event_id, person_id, hours)
    values (md5('membership-event-3')::uuid, %L, 1)$$, :'leaver')),
  '23514 event_participants_team_member', 'nor directly, whoever writes');
select is(tests.error_of(format($$update public.event_participants set person_id = %L
    where event_id = md5('membership-event-3')::uuid and person_id = md5('person-2')::uuid$$, :'leaver')),
  '23514 event_participants_team_member', 'nor swapped in for another participant');

-- The former member can be adopted by no other team.
select tests.act_as(tests.demo_user('volunteer2'));
select throws_ok(format($$insert into public.team_members (team_id, person_id) values (md5('team-2')::uuid, %L)$$, :'leaver'),
  '42501', 'new row violates row-level security policy for table "team_members"',
  'a volunteer of another team cannot adopt the former member');
select tests.reset_role();
select tests.make_volunteer('leader-team-3@tests.local', md5('team-3')::uuid, 'leader') as leader_3 \gset
select tests.act_as(:'leader_3');
select throws_ok(format($$insert into public.team_members (team_id, person_id) values (md5('team-3')::uuid, %L)$$, :'leaver'),
  '42501', 'new row violates row-level security policy for table "team_members"',
  'a leader of another team cannot adopt the former member');

-- Team 1 still sees the former member's name (their past events show it), and the roster says
-- they have left.
select tests.act_as(tests.demo_user('volunteer'));
select is((select display_name from public.people where id = :'leaver'), 'Leaves team 1',
  'team members still read a former member''s name');
select is((select count(*) from public.team_members where team_id = md5('team-1')::uuid and left_at is null), 12::bigint,
  'the current roster of team 1 leaves the former member out (10 of the seed, a newcomer kept, one added)');
select ok((select left_at is not null from public.team_members where person_id = :'leaver'),
  'the roster shows the membership as ended');
select tests.act_as(tests.demo_user('leader'));
select is(tests.rows_affected(format($$update public.people set display_name = 'Renamed' where id = %L$$, :'leaver')),
  0::bigint, 'a leader no longer renames a former member (their name is theirs, not the team''s)');

-- The leader takes the former member back; the end of a membership is the server's time.
select is(tests.rows_affected(format($$update public.team_members set left_at = null
    where team_id = md5('team-1')::uuid and person_id = %L$$, :'leaver')),
  1::bigint, 'a leader takes a former member back');
select tests.reset_role();
select is(tests.error_of(format($$insert into public.event_participants (event_id, person_id, hours)
    values (md5('membership-event-3')::uuid, %L, 1)$$, :'leaver')),
  'no error', 'a member taken back is added to events again');
select tests.act_as(tests.demo_user('leader'));
select is(tests.rows_affected(format($$update public.team_members set left_at = '2001-01-01'
    where team_id = md5('team-1')::uuid and person_id = %L$$, :'stayer')),
  1::bigint, 'a leader ends a membership by setting left_at...');
select tests.reset_role();
select is((select left_at from public.team_members where person_id = :'stayer'), now(),
  '...which the server stamps with its own time');

-- ---------------------------------------------------------------------------------------------
-- Only current memberships give access: a volunteer who leaves no longer reads the team's events
-- or writes for it.
select tests.make_volunteer('leaving-volunteer@tests.local', md5('team-1')::uuid) as leaving \gset
select pg_temp.edit(md5('membership-event-2')::uuid, array[md5('person-2')::uuid]) as edit_by_former_member \gset
select tests.act_as(:'leaving');
select ok((select count(*) from public.service_events) > 0, 'a member reads their team''s events');
select tests.act_as(tests.demo_user('leader'));
select is(tests.rows_affected(format($$delete from public.team_members
    where person_id = (select id from public.people where user_id = %L)$$, :'leaving')),
  0::bigint, 'the leader ends their membership');
select tests.act_as(:'leaving');
select is_empty($$select 1 from public.service_events$$, 'a former member reads none of the team''s events');
select throws_ok($$insert into public.people (display_name) values ('Added by a former member')$$, '42501',
  'new row violates row-level security policy for table "people"', 'a former member, in no team now, adds no one');
select is(public.push_event_changes(:'edit_by_former_member') -> 0 ->> 'reason',
  'missing', 'a former member''s push to the team''s event finds nothing (conflict: missing)');

-- ---------------------------------------------------------------------------------------------
-- Deleting a person or a team still removes their memberships (the cascade goes through).
select tests.act_as(tests.demo_user('coordinator'));
select is(tests.rows_affected(format($$delete from public.people where id = %L$$, :'brand_new')), 1::bigint,
  'a coordinator removes a person with a membership');
select tests.reset_role();
select is_empty(format($$select 1 from public.team_members where person_id = %L$$, :'brand_new'),
  'the person''s memberships went with them');

select * from finish();
rollback;
