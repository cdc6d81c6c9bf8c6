-- Every validation rule of the schema, with its SQLSTATE and the constraint (rule) name that the
-- client translates: check constraints of the tables, and the rules the triggers enforce (clock,
-- theme month, participants, tombstones), which raise 23514 with the rule's name like a check.
-- Each rule is tried just inside its bound (accepted) and just outside it (refused). Writes run as
-- the admin account, whom every policy lets write, so only the rules can refuse.
begin;
set local search_path = public, extensions;
select plan(66);

-- An insert of one event: a valid event of team 1 at station 1 in March 2023, with the given
-- fields replaced.
create function pg_temp.insert_event(overrides jsonb) returns text
language sql
as $$
  select format($sql$
    insert into public.service_events (id, station_id, team_id, theme_month_id, started_at, ended_at, title,
      note, people_served, funds_fen, materials_fen, materials_description)
    select id, station_id, team_id, theme_month_id, started_at, ended_at, title, note, people_served, funds_fen,
      materials_fen, materials_description
    from jsonb_populate_record(null::public.service_events, %L)
  $sql$, jsonb_build_object('id', gen_random_uuid(), 'station_id', md5('station-1')::uuid,
    'team_id', md5('team-1')::uuid, 'theme_month_id', md5('month-3')::uuid,
    'started_at', '2023-03-10T10:00:00+08:00', 'ended_at', '2023-03-10T12:00:00+08:00',
    'title', 'Validation', 'note', '', 'people_served', 0, 'funds_fen', 0, 'materials_fen', 0,
    'materials_description', '') || overrides)
$$;

-- The theme month of "now" (for the clock rules), made by the test runner when missing.
select tests.make_theme_month(((now() - interval '1 hour') at time zone 'Asia/Shanghai')::date) as current_month \gset
select tests.act_as(tests.demo_user('admin'));

select lives_ok(pg_temp.insert_event('{}'), 'the base event is valid');

-- Counts and money: never negative, and within bounds far beyond any real event.
select is(tests.error_of(pg_temp.insert_event('{"people_served": -1}')), '23514 service_events_people_served_range',
  'people served cannot be negative');
select lives_ok(pg_temp.insert_event('{"people_served": 100000}'), 'people served may be 100,000');
select is(tests.error_of(pg_temp.insert_event('{"people_served": 100001}')), '23514 service_events_people_served_range',
  'people served cannot exceed 100,000');
select is(tests.error_of(pg_temp.insert_event('{"funds_fen": -1}')), '23514 service_events_funds_range',
  'funds cannot be negative');
select lives_ok(pg_temp.insert_event('{"funds_fen": 1000000000}'), 'funds may be 10,000,000 yuan');
select is(tests.error_of(pg_temp.insert_event('{"funds_fen": 1000000001}')), '23514 service_events_funds_range',
  'funds cannot exceed 10,000,000 yuan');
select is(tests.error_of(pg_temp.insert_event('{"materials_fen": -1, "materials_description": "Rice"}')),
  '23514 service_events_materials_range', 'materials cannot be negative');
select lives_ok(pg_temp.insert_event('{"materials_fen": 1000000000, "materials_description": "Rice"}'),
  'materials may be worth 10,000,000 yuan');
select is(tests.error_of(pg_temp.insert_event('{"materials_fen": 1000000001, "materials_description": "Rice"}')),
  '23514 service_events_materials_range', 'materials cannot be worth more than 10,000,000 yuan');

-- Materials given must be described.
select is(tests.error_of(pg_temp.insert_event('{"materials_fen": 100}')), '23514 service_events_materials_described',
  'materials worth something need a description');
select is(tests.error_of(pg_temp.insert_event('{"materials_fen": 100, "materials_description": "   "}')),
  '23514 service_events_materials_described', 'a blank description does not describe the materials');
select lives_ok(pg_temp.insert_event('{"materials_fen": 100, "materials_description": "米、油"}'),
  'described materials are accepted');

-- Time: the end after the start, at most 24 hours.
select is(tests.error_of(pg_temp.insert_event('{"ended_at": "2023-03-10T10:00:00+08:00"}')),
  '23514 service_events_ends_after_start', 'an event cannot end when it starts');
select is(tests.error_of(pg_temp.insert_event('{"ended_at": "2023-03-10T09:00:00+08:00"}')),
  '23514 service_events_ends_after_start', 'an event cannot end before it starts');
select lives_ok(pg_temp.insert_event('{"ended_at": "2023-03-11T10:00:00+08:00"}'), 'an event may last 24 hours');
select is(tests.error_of(pg_temp.insert_event('{"ended_at": "2023-03-11T10:01:00+08:00"}')),
  '23514 service_events_duration_at_most_a_day', 'an event cannot last more than 24 hours');

-- Not in the future, with 15 minutes of tolerance for phone clocks running fast.
select lives_ok(pg_temp.insert_event(jsonb_build_object('theme_month_id', :'current_month'::uuid,
    'started_at', now() - interval '1 hour', 'ended_at', now() + interval '14 minutes')),
  'an event may end up to 15 minutes ahead of the server clock');
select is(tests.error_of(pg_temp.insert_event(jsonb_build_object('theme_month_id', :'current_month'::uuid,
    'started_at', now() - interval '1 hour', 'ended_at', now() + interval '16 minutes'))),
  '23514 service_events_not_in_future', 'an event cannot end more than 15 minutes in the future');
select is(tests.error_of(pg_temp.insert_event(jsonb_build_object('theme_month_id', :'current_month'::uuid,
    'started_at', now() + interval '1 hour', 'ended_at', now() + interval '2 hours'))),
  '23514 service_events_not_in_future', 'an event cannot be logged before it happens');

-- The theme month is the month in which the event starts, in Kunming's time zone (UTC+8):
-- 31 January 17:30 UTC is already 1 February in Kunming.
select is(tests.error_of(pg_temp.insert_event(jsonb_build_object('theme_month_id', md5('month-4')::uuid))),
  '23514 service_events_theme_month_matches_date', 'an event in March cannot belong to April''s theme month');
select is(tests.error_of(pg_temp.insert_event(jsonb_build_object('theme_month_id', md5('month-1')::uuid,
    'started_at', '2023-01-31T17:30:00Z', 'ended_at', '2023-01-31T19:30:00Z'))),
  '23514 service_events_theme_month_matches_date', 'the theme month is that of the local date, not of the UTC date');
select lives_ok(pg_temp.insert_event(jsonb_build_object('theme_month_id', md5('month-2')::uuid,
    'started_at', '2023-01-31T17:30:00Z', 'ended_at', '2023-01-31T19:30:00Z')),
  'an event starting at 01:30 on 1 February in Kunming belongs to February');
select is(tests.error_of(format($$update public.service_events set theme_month_id = md5('month-4')::uuid where id = %L$$,
    md5('event-3')::uuid)), '23514 service_events_theme_month_matches_date',
  'an edit cannot move an event to another month''s theme without moving its date');

-- Lengths of the texts (in characters, so Chinese text counts like any other).
select is(tests.error_of(pg_temp.insert_event('{"title": ""}')), '23514 service_events_title_length',
  'a title cannot be empty');
select is(tests.error_of(pg_temp.insert_event('{"title": "   "}')), '23514 service_events_title_length',
  'a title cannot be blank');
select lives_ok(pg_temp.insert_event(jsonb_build_object('title', repeat('志', 100))), 'a title may have 100 characters');
select is(tests.error_of(pg_temp.insert_event(jsonb_build_object('title', repeat('志', 101)))),
  '23514 service_events_title_length', 'a title cannot have 101 characters');
select lives_ok(pg_temp.insert_event(jsonb_build_object('note', repeat('记', 2000))), 'a note may have 2,000 characters');
select is(tests.error_of(pg_temp.insert_event(jsonb_build_object('note', repeat('记', 2001)))),
  '23514 service_events_note_length', 'a note cannot have 2,001 characters');
select lives_ok(pg_temp.insert_event(jsonb_build_object('materials_fen', 1, 'materials_description', repeat('米', 500))),
  'a materials description may have 500 characters');
select is(tests.error_of(pg_temp.insert_event(jsonb_build_object('materials_fen', 1, 'materials_description', repeat('米', 501)))),
  '23514 service_events_materials_description_length', 'a materials description cannot have 501 characters');

-- ---------------------------------------------------------------------------------------------
-- Participants: hours above zero, at most 24, within the event's duration, and members of the
-- event's team.
select tests.reset_role();
select tests.make_event(md5('team-1')::uuid, md5('station-1')::uuid, '2023-03-15 08:00+08', 2,
  id => md5('validation-event-2h')::uuid);
select tests.make_event(md5('team-1')::uuid, md5('station-1')::uuid, '2023-03-16 00:00+08', 24,
  id => md5('validation-event-24h')::uuid);
select tests.act_as(tests.demo_user('admin'));

select is(tests.error_of($$insert into public.event_participants values (md5('validation-event-2h')::uuid, md5('person-2')::uuid, 0)$$),
  '23514 event_participants_hours_range', 'a participant cannot give zero hours');
select is(tests.error_of($$insert into public.event_participants values (md5('validation-event-2h')::uuid, md5('person-2')::uuid, -1)$$),
  '23514 event_participants_hours_range', 'a participant cannot give negative hours');
select lives_ok($$insert into public.event_participants values (md5('validation-event-2h')::uuid, md5('person-2')::uuid, 2)$$,
  'a participant may give the whole duration of the event');
select is(tests.error_of($$insert into public.event_participants values (md5('validation-event-2h')::uuid, md5('person-3')::uuid, 2.01)$$),
  '23514 event_participants_hours_within_event', 'a participant cannot give more hours than the event lasted');
select is(tests.error_of($$update public.event_participants set hours = 3
    where event_id = md5('validation-event-2h')::uuid and person_id = md5('person-2')::uuid$$),
  '23514 event_participants_hours_within_event', 'an edit cannot raise hours beyond the event''s duration');
select lives_ok($$insert into public.event_participants values (md5('validation-event-24h')::uuid, md5('person-2')::uuid, 24)$$,
  'a participant may give 24 hours to a 24-hour event');
select is(tests.error_of($$insert into public.event_participants values (md5('validation-event-24h')::uuid, md5('person-3')::uuid, 24.5)$$),
  '23514 event_participants_hours_range', 'no participant gives more than 24 hours');
select is(tests.error_of($$insert into public.event_participants values (md5('validation-event-2h')::uuid, md5('person-12')::uuid, 1)$$),
  '23514 event_participants_team_member', 'a participant must be a member of the event''s team');
select tests.reset_role();
select is(tests.error_of($$update public.event_participants set person_id = md5('person-12')::uuid
    where event_id = md5('validation-event-2h')::uuid and person_id = md5('person-2')::uuid$$),
  '23514 event_participants_team_member', 'an edit cannot swap in someone from another team (as the owner: users may change hours only)');
select tests.act_as(tests.demo_user('admin'));

-- Shrinking an event below a participant's hours is refused; shrinking to exactly them is not.
select tests.reset_role();
select tests.make_event(md5('team-1')::uuid, md5('station-1')::uuid, '2023-03-17 08:00+08', 4,
  array[md5('person-2')::uuid, md5('person-3')::uuid], participant_hours => 3, id => md5('validation-event-shrink')::uuid);
select tests.act_as(tests.demo_user('admin'));
select lives_ok($$update public.service_events set ended_at = started_at + interval '3 hours'
    where id = md5('validation-event-shrink')::uuid$$,
  'an event may shrink to the longest participant''s hours');
select is(tests.error_of($$update public.service_events set ended_at = started_at + interval '2 hours 59 minutes'
    where id = md5('validation-event-shrink')::uuid$$),
  '23514 event_participants_hours_within_event', 'an event cannot shrink below a participant''s hours');
select lives_ok($$update public.service_events set started_at = started_at + interval '1 hour', ended_at = ended_at + interval '1 hour'
    where id = md5('validation-event-shrink')::uuid$$,
  'an event may move in time without changing its duration');

-- ---------------------------------------------------------------------------------------------
-- Deleted events are final: no edit, no undelete, no change to their participants.
select tests.reset_role();
select tests.make_event(md5('team-1')::uuid, md5('station-1')::uuid, '2023-03-18 08:00+08', 3,
  array[md5('person-2')::uuid], participant_hours => 2, id => md5('validation-event-deleted')::uuid);
select tests.act_as(tests.demo_user('admin'));
select lives_ok($$update public.service_events set deleted_at = now() where id = md5('validation-event-deleted')::uuid$$,
  'an event is deleted by setting deleted_at');
select is(tests.error_of($$update public.service_events set title = 'Changed' where id = md5('validation-event-deleted')::uuid$$),
  '23514 service_events_deleted_is_final', 'a deleted event cannot be edited');
select is(tests.error_of($$update public.service_events set deleted_at = null where id = md5('validation-event-deleted')::uuid$$),
  '23514 service_events_deleted_is_final', 'a deleted event cannot be undeleted');
select is(tests.error_of($$update public.service_events set deleted_at = now() where id = md5('validation-event-deleted')::uuid$$),
  '23514 service_events_deleted_is_final', 'a deleted event cannot even be deleted again by an update');
select is(tests.error_of($$insert into public.event_participants values (md5('validation-event-deleted')::uuid, md5('person-3')::uuid, 1)$$),
  '23514 service_events_deleted_is_final', 'no participant can be added to a deleted event');
select is(tests.error_of($$update public.event_participants set hours = 1 where event_id = md5('validation-event-deleted')::uuid$$),
  '23514 service_events_deleted_is_final', 'no participant''s hours can change on a deleted event');

-- ---------------------------------------------------------------------------------------------
-- Reference data.
select is(tests.error_of($$insert into public.stations (name) values ('')$$), '23514 stations_name_length',
  'a station needs a name');
select is(tests.error_of($$insert into public.stations (name) values ('  ')$$), '23514 stations_name_length',
  'a station''s name cannot be blank');
select lives_ok(format($$insert into public.stations (name) values (%L)$$, repeat('站', 100)), 'a station''s name may have 100 characters');
select is(tests.error_of(format($$insert into public.stations (name) values (%L)$$, repeat('站', 101))),
  '23514 stations_name_length', 'a station''s name cannot have 101 characters');
select is(tests.error_of(format($$insert into public.stations (name, address) values ('Address test', %L)$$, repeat('路', 201))),
  '23514 stations_address_length', 'a station''s address cannot have 201 characters');
select is(tests.error_of($$insert into public.teams (name) values ('')$$), '23514 teams_name_length',
  'a team needs a name');
select is(tests.error_of(format($$insert into public.teams (name) values (%L)$$, repeat('队', 101))),
  '23514 teams_name_length', 'a team''s name cannot have 101 characters');
select is(tests.error_of(format($$insert into public.teams (name, chamber) values ('Chamber test', %L)$$, repeat('商', 101))),
  '23514 teams_chamber_length', 'a chamber''s name cannot have 101 characters');
select is(tests.error_of($$insert into public.theme_months (month, theme) values ('2031-03-02', 'Theme')$$),
  '23514 theme_months_first_day', 'a theme month starts on the first day of a month');
select is(tests.error_of($$insert into public.theme_months (month, theme) values ('2031-03-01', ' ')$$),
  '23514 theme_months_theme_length', 'a theme month needs a theme');
select is(tests.error_of(format($$insert into public.theme_months (month, theme) values ('2031-03-01', %L)$$, repeat('题', 101))),
  '23514 theme_months_theme_length', 'a theme cannot have 101 characters');
select is(tests.error_of($$insert into public.people (display_name) values (' ')$$), '23514 people_display_name_length',
  'a person needs a name');
select lives_ok(format($$insert into public.people (display_name) values (%L)$$, repeat('名', 50)), 'a person''s name may have 50 characters');
select is(tests.error_of(format($$insert into public.people (display_name) values (%L)$$, repeat('名', 51))),
  '23514 people_display_name_length', 'a person''s name cannot have 51 characters');
select is(tests.error_of($$update public.team_members set role = 'captain' where person_id = md5('person-2')::uuid$$),
  '23514 team_members_role', 'a team role is member or leader');
select is(tests.error_of(format($$insert into public.program_roles (user_id, role) values (%L, 'owner')$$, tests.demo_user('leader'))),
  '23514 program_roles_role', 'a program role is coordinator or admin');

select * from finish();
rollback;
