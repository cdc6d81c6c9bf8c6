-- Row-level security of service_events and event_participants, for every role and command.
-- Events: members read their teams' events, coordinators read all; volunteers record events for
-- their own teams (as themselves) and edit what they recorded; leaders edit their team's events;
-- admins do anything; no one hard-deletes. Participants follow the event: visible when the event
-- is, changed by whoever may edit the event.
--
-- Who is who (supabase/seed.sql): volunteer = person-2 in team 1, volunteer2 = person-12 in
-- team 2, leader = person-1 leading team 1; coordinator and admin belong to no team. Seed events
-- event-1..3 are team 1's and event-4..6 team 2's, all recorded by the admin account.
begin;
set local search_path = public, extensions;
select plan(69);

-- Fixtures (as the test runner): an event the volunteer recorded, one volunteer2 recorded, a
-- newcomer in each of team 1 and team 2, and an account in no team.
select tests.make_event(md5('team-1')::uuid, md5('station-1')::uuid, '2023-03-10 10:00+08', 3,
  array[md5('person-2')::uuid, md5('person-3')::uuid], recorded_by => tests.demo_user('volunteer'),
  id => md5('rls-event-volunteer')::uuid);
select tests.make_event(md5('team-2')::uuid, md5('station-2')::uuid, '2023-04-10 10:00+08', 3,
  array[md5('person-12')::uuid], recorded_by => tests.demo_user('volunteer2'),
  id => md5('rls-event-volunteer2')::uuid);
select tests.make_person('Team 1 newcomer') as newcomer_1 \gset
select tests.make_member(md5('team-1')::uuid, :'newcomer_1');
select tests.make_person('Team 2 newcomer') as newcomer_2 \gset
select tests.make_member(md5('team-2')::uuid, :'newcomer_2');
select tests.create_user('outsider@tests.local');
select count(*) as all_events from public.service_events \gset
select count(*) as all_participants from public.event_participants \gset
-- Each team's events as the test runner sees them (the 2023 program's event-1..3 of team 1 and
-- event-4..6 of team 2, this year's demo events, and the fixtures above).
select array_agg(id) as team_1_events from public.service_events where team_id = md5('team-1')::uuid \gset
select array_agg(id) as team_2_events from public.service_events where team_id = md5('team-2')::uuid \gset

-- ---------------------------------------------------------------------------------------------
-- anon: no privilege on either table.
select * from tests.anon_is_refused('service_events.title', 'event_participants.hours');

-- ---------------------------------------------------------------------------------------------
-- Reading events.
select tests.act_as(tests.demo_user('volunteer'));
select set_eq($$select id from public.service_events$$, format('select unnest(%L::uuid[])', :'team_1_events'),
  'a volunteer reads exactly their team''s events');
select tests.act_as(tests.demo_user('volunteer2'));
select set_eq($$select id from public.service_events$$, format('select unnest(%L::uuid[])', :'team_2_events'),
  'a volunteer of another team reads exactly theirs');
select tests.act_as(tests.demo_user('leader'));
select set_eq($$select id from public.service_events$$, format('select unnest(%L::uuid[])', :'team_1_events'),
  'a leader reads exactly their team''s events');
select tests.act_as(md5('user-outsider@tests.local')::uuid);
select is_empty($$select * from public.service_events$$, 'a signed-in user in no team reads no event');
select tests.act_as(tests.demo_user('coordinator'));
select is((select count(*) from public.service_events), :'all_events'::bigint, 'a coordinator reads every event');
select tests.act_as(tests.demo_user('admin'));
select is((select count(*) from public.service_events), :'all_events'::bigint, 'an admin reads every event');

-- ---------------------------------------------------------------------------------------------
-- Recording events: for one's own teams and as oneself; coordinators record none; admins any.
select tests.act_as(tests.demo_user('volunteer'));
select lives_ok($$insert into public.service_events (id, station_id, team_id, theme_month_id, started_at, ended_at, title)
    values (md5('rls-new-volunteer')::uuid, md5('station-1')::uuid, md5('team-1')::uuid, md5('month-3')::uuid,
      '2023-03-11 10:00+08', '2023-03-11 12:00+08', 'Recorded by a volunteer')$$,
  'a volunteer records an event for their team');
select is((select recorded_by from public.service_events where id = md5('rls-new-volunteer')::uuid),
  tests.demo_user('volunteer'), 'the event is recorded by the volunteer (recorded_by defaults to the caller)');
select throws_ok(format($$insert into public.service_events (id, station_id, team_id, theme_month_id, started_at, ended_at, title, recorded_by)
    values (gen_random_uuid(), md5('station-1')::uuid, md5('team-1')::uuid, md5('month-3')::uuid,
      '2023-03-11 10:00+08', '2023-03-11 12:00+08', 'In someone else''s name', %L)$$, tests.demo_user('leader')),
  '42501', 'new row violates row-level security policy for table "service_events"',
  'a volunteer cannot record an event in someone else''s name');
select throws_ok($$insert into public.service_events (id, station_id, team_id, theme_month_id, started_at, ended_at, title)
    values (gen_random_uuid(), md5('station-1')::uuid, md5('team-2')::uuid, md5('month-3')::uuid,
      '2023-03-11 10:00+08', '2023-03-11 12:00+08', 'For another team')$$,
  '42501', 'new row violates row-level security policy for table "service_events"',
  'a volunteer cannot record an event for another team');
select tests.act_as(tests.demo_user('volunteer2'));
select throws_ok($$insert into public.service_events (id, station_id, team_id, theme_month_id, started_at, ended_at, title)
    values (gen_random_uuid(), md5('station-1')::uuid, md5('team-1')::uuid, md5('month-3')::uuid,
      '2023-03-11 10:00+08', '2023-03-11 12:00+08', 'For team 1')$$,
  '42501', 'new row violates row-level security policy for table "service_events"',
  'a volunteer of another team cannot record an event for team 1');
select tests.act_as(tests.demo_user('leader'));
select lives_ok($$insert into public.service_events (id, station_id, team_id, theme_month_id, started_at, ended_at, title)
    values (gen_random_uuid(), md5('station-1')::uuid, md5('team-1')::uuid, md5('month-3')::uuid,
      '2023-03-12 10:00+08', '2023-03-12 12:00+08', 'Recorded by a leader')$$,
  'a leader records an event for their team');
select tests.act_as(tests.demo_user('coordinator'));
select throws_ok($$insert into public.service_events (id, station_id, team_id, theme_month_id, started_at, ended_at, title)
    values (gen_random_uuid(), md5('station-1')::uuid, md5('team-1')::uuid, md5('month-3')::uuid,
      '2023-03-11 10:00+08', '2023-03-11 12:00+08', 'By a coordinator')$$,
  '42501', 'new row violates row-level security policy for table "service_events"',
  'a coordinator cannot record events');
select tests.act_as(tests.demo_user('admin'));
select lives_ok(format($$insert into public.service_events (id, station_id, team_id, theme_month_id, started_at, ended_at, title, recorded_by)
    values (gen_random_uuid(), md5('station-1')::uuid, md5('team-2')::uuid, md5('month-3')::uuid,
      '2023-03-11 10:00+08', '2023-03-11 12:00+08', 'By an admin for someone', %L)$$, tests.demo_user('volunteer2')),
  'an admin records an event for any team, in anyone''s name');

-- ---------------------------------------------------------------------------------------------
-- Editing events: a volunteer edits what they recorded for their team, a leader every event of
-- their team, an admin anything; coordinators edit none. recorded_by never changes.
select tests.act_as(tests.demo_user('volunteer'));
select is(tests.rows_affected($$update public.service_events set title = 'Edited' where id = md5('rls-event-volunteer')::uuid$$),
  1::bigint, 'a volunteer edits an event they recorded');
select is(tests.rows_affected($$update public.service_events set title = 'Edited' where id = md5('event-1')::uuid$$),
  0::bigint, 'a volunteer cannot edit a team event someone else recorded');
select is(tests.rows_affected($$update public.service_events set title = 'Edited' where id = md5('rls-event-volunteer2')::uuid$$),
  0::bigint, 'a volunteer cannot edit another team''s event');
select throws_ok(format($$update public.service_events set recorded_by = %L where id = md5('rls-event-volunteer')::uuid$$,
    tests.demo_user('leader')), '42501', 'permission denied for table service_events',
  'a volunteer''s edit cannot name another recorder (recorded_by is not granted for update)...');
select is((select recorded_by from public.service_events where id = md5('rls-event-volunteer')::uuid),
  tests.demo_user('volunteer'), '...and recorded_by stays the volunteer''s');
select throws_ok($$update public.service_events set team_id = md5('team-2')::uuid where id = md5('rls-event-volunteer')::uuid$$,
  '42501', 'new row violates row-level security policy for table "service_events"',
  'a volunteer cannot move their event to another team');
select tests.act_as(tests.demo_user('volunteer2'));
select is(tests.rows_affected($$update public.service_events set title = 'Edited' where id = md5('rls-event-volunteer')::uuid$$),
  0::bigint, 'a volunteer of another team cannot edit team 1''s events');
select tests.act_as(tests.demo_user('leader'));
select is(tests.rows_affected($$update public.service_events set title = 'Corrected' where id = md5('event-1')::uuid$$),
  1::bigint, 'a leader edits an event of their team recorded by someone else');
select is(tests.rows_affected($$update public.service_events set title = 'Corrected' where id = md5('rls-event-volunteer')::uuid$$),
  1::bigint, 'a leader edits an event a member of their team recorded');
select is(tests.rows_affected($$update public.service_events set title = 'Corrected' where id = md5('rls-event-volunteer2')::uuid$$),
  0::bigint, 'a leader cannot edit another team''s events');
select throws_ok($$update public.service_events set team_id = md5('team-2')::uuid where id = md5('event-1')::uuid$$,
  '42501', 'new row violates row-level security policy for table "service_events"',
  'a leader cannot hand an event to another team');
select tests.act_as(tests.demo_user('coordinator'));
select is(tests.rows_affected($$update public.service_events set title = 'Edited'$$), 0::bigint,
  'a coordinator edits no event');
select tests.act_as(tests.demo_user('admin'));
select is(tests.rows_affected($$update public.service_events set title = 'Edited by admin' where id = md5('rls-event-volunteer2')::uuid$$),
  1::bigint, 'an admin edits any event');

-- A soft delete is an edit: the volunteer deletes the event they recorded by setting deleted_at.
select tests.act_as(tests.demo_user('volunteer'));
select is(tests.rows_affected($$update public.service_events set deleted_at = now() where id = md5('rls-new-volunteer')::uuid$$),
  1::bigint, 'a volunteer soft-deletes an event they recorded');

-- ---------------------------------------------------------------------------------------------
-- Hard deletes: no policy allows them (RLS filters them to nothing) and a trigger refuses them
-- for roles that bypass RLS.
select tests.act_as(tests.demo_user('volunteer'));
select is(tests.rows_affected($$delete from public.service_events where id = md5('rls-event-volunteer')::uuid$$),
  0::bigint, 'a volunteer cannot hard-delete an event they recorded');
select tests.act_as(tests.demo_user('leader'));
select is(tests.rows_affected($$delete from public.service_events where team_id = md5('team-1')::uuid$$),
  0::bigint, 'a leader cannot hard-delete their team''s events');
select tests.act_as(tests.demo_user('coordinator'));
select is(tests.rows_affected($$delete from public.service_events$$), 0::bigint, 'a coordinator cannot hard-delete events');
select tests.act_as(tests.demo_user('admin'));
select is(tests.rows_affected($$delete from public.service_events$$), 0::bigint, 'an admin cannot hard-delete events');
select tests.act_as_service_role();
select is(tests.error_of($$delete from public.service_events where id = md5('event-1')::uuid$$),
  '42501 service_events_soft_delete_only', 'the service role (which bypasses RLS) cannot hard-delete events');
select tests.reset_role();
select is(tests.error_of($$delete from public.service_events where id = md5('event-1')::uuid$$),
  '42501 service_events_soft_delete_only', 'not even the database owner hard-deletes events');
select is((select count(*) from public.service_events), :'all_events'::bigint + 3,
  'every event is still there (the fixtures and the three recorded above)');

-- ---------------------------------------------------------------------------------------------
-- Reading participants: exactly those of the events one may read.
select tests.act_as(tests.demo_user('volunteer'));
select set_eq($$select distinct event_id from public.event_participants$$, format('select unnest(%L::uuid[])', :'team_1_events'),
  'a volunteer reads the participants of their team''s events only');
select tests.act_as(tests.demo_user('volunteer2'));
select is_empty($$select * from public.event_participants where event_id = md5('rls-event-volunteer')::uuid$$,
  'a volunteer of another team cannot read who took part in team 1''s events');
select tests.act_as(md5('user-outsider@tests.local')::uuid);
select is_empty($$select * from public.event_participants$$, 'a signed-in user in no team reads no participant');
select tests.act_as(tests.demo_user('coordinator'));
select is((select count(*) from public.event_participants), :'all_participants'::bigint, 'a coordinator reads every participant');
select tests.act_as(tests.demo_user('admin'));
select is((select count(*) from public.event_participants), :'all_participants'::bigint, 'an admin reads every participant');

-- ---------------------------------------------------------------------------------------------
-- Adding participants: whoever may edit the event.
select tests.act_as(tests.demo_user('volunteer'));
select lives_ok($$insert into public.event_participants (event_id, person_id, hours)
    values (md5('rls-event-volunteer')::uuid, md5('person-4')::uuid, 2)$$,
  'a volunteer adds a participant to an event they recorded');
select throws_ok(format($$insert into public.event_participants (event_id, person_id, hours)
    values (md5('event-1')::uuid, %L, 1)$$, :'newcomer_1'),
  '42501', 'new row violates row-level security policy for table "event_participants"',
  'a volunteer cannot add participants to a team event someone else recorded');
-- Events the caller cannot even read: refused as a permission error, not blamed on the data.
select throws_ok(format($$insert into public.event_participants (event_id, person_id, hours)
    values (md5('rls-event-volunteer2')::uuid, %L, 1)$$, :'newcomer_2'),
  '42501', 'new row violates row-level security policy for table "event_participants"',
  'a volunteer cannot add participants to another team''s event');
select tests.act_as(tests.demo_user('volunteer2'));
select throws_ok($$insert into public.event_participants (event_id, person_id, hours)
    values (md5('rls-event-volunteer')::uuid, md5('person-5')::uuid, 1)$$,
  '42501', 'new row violates row-level security policy for table "event_participants"',
  'a volunteer of another team cannot add participants to team 1''s events');
select tests.reset_role();
select is((select count(*) from public.event_participants where event_id in (md5('rls-event-volunteer')::uuid, md5('rls-event-volunteer2')::uuid)),
  4::bigint, 'no participant was added by the refused inserts');
select tests.act_as(tests.demo_user('leader'));
select lives_ok(format($$insert into public.event_participants (event_id, person_id, hours)
    values (md5('event-1')::uuid, %L, 1)$$, :'newcomer_1'),
  'a leader adds a participant to any event of their team');
select tests.act_as(tests.demo_user('coordinator'));
select throws_ok($$insert into public.event_participants (event_id, person_id, hours)
    values (md5('event-1')::uuid, md5('person-5')::uuid, 1)$$,
  '42501', 'new row violates row-level security policy for table "event_participants"',
  'a coordinator cannot add participants');
select tests.act_as(tests.demo_user('admin'));
select lives_ok(format($$insert into public.event_participants (event_id, person_id, hours)
    values (md5('rls-event-volunteer2')::uuid, %L, 1)$$, :'newcomer_2'),
  'an admin adds participants to any event');

-- Changing hours.
select tests.act_as(tests.demo_user('volunteer'));
select is(tests.rows_affected($$update public.event_participants set hours = 1
    where event_id = md5('rls-event-volunteer')::uuid and person_id = md5('person-4')::uuid$$),
  1::bigint, 'a volunteer changes hours on an event they recorded');
select is(tests.rows_affected($$update public.event_participants set hours = 1 where event_id = md5('event-1')::uuid$$),
  0::bigint, 'a volunteer cannot change hours on a team event someone else recorded');
select tests.act_as(tests.demo_user('leader'));
select is(tests.rows_affected(format($$update public.event_participants set hours = 0.5
    where event_id = md5('event-1')::uuid and person_id = %L$$, :'newcomer_1')),
  1::bigint, 'a leader changes hours on an event of their team');
select is(tests.rows_affected($$update public.event_participants set hours = 1 where event_id = md5('rls-event-volunteer2')::uuid$$),
  0::bigint, 'a leader cannot change hours on another team''s event');
select tests.act_as(tests.demo_user('coordinator'));
select is(tests.rows_affected($$update public.event_participants set hours = 1$$), 0::bigint,
  'a coordinator changes no hours');
select tests.act_as(tests.demo_user('admin'));
select is(tests.rows_affected(format($$update public.event_participants set hours = 0.5
    where event_id = md5('rls-event-volunteer2')::uuid and person_id = %L$$, :'newcomer_2')),
  1::bigint, 'an admin changes hours on any event');

-- Removing participants.
select tests.act_as(tests.demo_user('volunteer'));
select is(tests.rows_affected($$delete from public.event_participants
    where event_id = md5('rls-event-volunteer')::uuid and person_id = md5('person-4')::uuid$$),
  1::bigint, 'a volunteer removes a participant from an event they recorded');
select is(tests.rows_affected($$delete from public.event_participants where event_id = md5('event-1')::uuid$$),
  0::bigint, 'a volunteer cannot remove participants from a team event someone else recorded');
select tests.act_as(tests.demo_user('volunteer2'));
select is(tests.rows_affected($$delete from public.event_participants where event_id = md5('rls-event-volunteer')::uuid$$),
  0::bigint, 'a volunteer of another team cannot remove participants of team 1''s events');
select tests.act_as(tests.demo_user('leader'));
select is(tests.rows_affected(format($$delete from public.event_participants
    where event_id = md5('event-1')::uuid and person_id = %L$$, :'newcomer_1')),
  1::bigint, 'a leader removes a participant from an event of their team');
select is(tests.rows_affected($$delete from public.event_participants where event_id = md5('rls-event-volunteer2')::uuid$$),
  0::bigint, 'a leader cannot remove participants of another team''s event');
select tests.act_as(tests.demo_user('coordinator'));
select is(tests.rows_affected($$delete from public.event_participants$$), 0::bigint,
  'a coordinator removes no participant');
select tests.act_as(tests.demo_user('admin'));
select is(tests.rows_affected(format($$delete from public.event_participants
    where event_id = md5('rls-event-volunteer2')::uuid and person_id = %L$$, :'newcomer_2')),
  1::bigint, 'an admin removes participants of any event');

select * from finish();
rollback;
