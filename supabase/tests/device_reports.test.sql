-- Device reports (issue 12) as every role: each user writes reports of their own devices only,
-- through report_device (no one writes the table directly, or a report in someone else's name);
-- a user reads their own devices, a leader their team members' as well, coordinators and admins
-- all; anon nothing. What waiting_on_phones() counts (changes that reached the server since drop
-- out) and what follow_up() shows, for coordinators only.
begin;
set local search_path = public, extensions;
select plan(77);

-- A theme month and a station of their own, so that the seed's events and other tests' rows do
-- not enter the figures; and a team that logs nothing in that month.
select tests.make_theme_month('2019-05-01') as may \gset
select tests.make_station('Device report station') as station \gset
select tests.make_team('Device report quiet team') as quiet_team \gset
select md5('team-1')::uuid as team1, md5('team-2')::uuid as team2 \gset
select gen_random_uuid() as phone_v, gen_random_uuid() as phone_v2, gen_random_uuid() as phone_l,
  gen_random_uuid() as phone_c, gen_random_uuid() as shared_phone \gset
select gen_random_uuid() as applied_change, gen_random_uuid() as queued_change, gen_random_uuid() as event_a,
  gen_random_uuid() as event_b, gen_random_uuid() as event_c \gset

-- A report of one device: counts, and the waiting entries given.
create function pg_temp.report(device uuid, waiting jsonb default '[]', extra jsonb default '{}') returns jsonb
language sql as $$
  select jsonb_build_object('device_id', device, 'app_version', '0.1.0', 'waiting_changes', jsonb_array_length(waiting),
    'waiting_events', jsonb_array_length(waiting), 'parked_failures', 0, 'oldest_waiting_seconds', 3600,
    'waiting', waiting, 'storage_persisted', true, 'storage_usage_bytes', 1000, 'storage_quota_bytes', 100000,
    'clock_offset_ms', -250) || extra
$$;
create function pg_temp.entry(event uuid, change uuid, team uuid, station uuid, month uuid, people integer, funds bigint)
returns jsonb language sql as $$
  select jsonb_build_object('event_id', event, 'change_id', change, 'team_id', team, 'station_id', station,
    'theme_month_id', month, 'month', (select m.month from public.theme_months m where m.id = entry.month),
    'events', 1, 'people_served', people, 'funds_fen', funds, 'materials_fen', 0, 'hours', 2.5)
$$;
grant execute on all functions in schema pg_temp to authenticated, anon;

-- ---------------------------------------------------------------------------------------------
-- anon: no table privilege, no function.
select * from tests.anon_is_refused('device_reports.app_version');
select throws_ok(format('select public.report_device(%L)', pg_temp.report(:'phone_v')), '42501',
  'permission denied for function report_device', 'anon cannot report a device');
select throws_ok('select * from public.waiting_on_phones()', '42501', 'permission denied for function waiting_on_phones',
  'anon cannot read what waits on phones');
select throws_ok(format('select public.follow_up(%L)', :'may'), '42501', 'permission denied for function follow_up',
  'anon cannot follow up a month');

-- ---------------------------------------------------------------------------------------------
-- Each user reports their own devices.
select tests.act_as(tests.demo_user('volunteer'));
select ok((public.report_device(pg_temp.report(:'phone_v', jsonb_build_array(
    pg_temp.entry(:'event_a', :'queued_change', :'team1', :'station', :'may', 12, 30000),
    pg_temp.entry(:'event_b', :'applied_change', :'team1', :'station', :'may', 20, 125050),
    pg_temp.entry(:'event_c', null, :'team1', :'station', :'may', 7, 0))))
  ->> 'server_time_ms')::numeric between floor(extract(epoch from clock_timestamp()) * 1000) - 60000
    and floor(extract(epoch from clock_timestamp()) * 1000) + 1000,
  'a volunteer reports their phone and gets the server''s clock back');
select results_eq(
  format($$select waiting_events, oldest_waiting_since, reported_at, storage_persisted, storage_usage_bytes,
      storage_quota_bytes, clock_offset_ms, jsonb_array_length(waiting) from public.device_reports where device_id = %L$$, :'phone_v'),
  $$values (3, now() - interval '1 hour', now(), true, 1000::bigint, 100000::bigint, -250::bigint, 3)$$,
  'the report is stored with the server''s time of it and of the oldest waiting change');
select ok(public.report_device(pg_temp.report(:'shared_phone')) is not null, 'a volunteer reports a second device');
select ok(public.report_device(pg_temp.report(:'phone_v', '[]', jsonb_build_object('user_id', tests.demo_user('volunteer'))))
  is not null, 'a report naming its own user is taken');
select tests.act_as(tests.demo_user('volunteer2'));
select ok(public.report_device(pg_temp.report(:'phone_v2', jsonb_build_array(
    pg_temp.entry(gen_random_uuid(), gen_random_uuid(), :'team2', :'station', :'may', 5, 0)))) is not null,
  'another team''s volunteer reports their phone');
-- The same device used by two people (a shared phone): each has a row of their own.
select ok(public.report_device(pg_temp.report(:'shared_phone')) is not null, 'a second user reports the shared phone');
select tests.act_as(tests.demo_user('leader'));
select ok(public.report_device(pg_temp.report(:'phone_l')) is not null, 'a leader reports their phone');
select tests.act_as(tests.demo_user('coordinator'));
select ok(public.report_device(pg_temp.report(:'phone_c')) is not null, 'a coordinator reports their phone');
select tests.reset_role();
select is((select count(*) from public.device_reports where device_id = :'shared_phone'), 2::bigint,
  'a shared phone has one row per user: neither overwrites the other''s');

-- The volunteer's phone reports again (a newer version of the app): still one row, the latest report.
select tests.act_as(tests.demo_user('volunteer'));
select ok(public.report_device(pg_temp.report(:'phone_v', jsonb_build_array(
    pg_temp.entry(:'event_a', :'queued_change', :'team1', :'station', :'may', 12, 30000),
    pg_temp.entry(:'event_b', :'applied_change', :'team1', :'station', :'may', 20, 125050),
    pg_temp.entry(:'event_c', null, :'team1', :'station', :'may', 7, 0)), '{"app_version": "0.2.0"}')) is not null,
  'a phone reports again');
select tests.reset_role();
select results_eq(format('select count(*), max(app_version) from public.device_reports where device_id = %L', :'phone_v'),
  $$values (1::bigint, '0.2.0')$$, 'a device''s new report replaces its last one');

-- ---------------------------------------------------------------------------------------------
-- Nobody reports in someone else's name, or writes the table directly.
create function pg_temp.spoof_report(victim text) returns text language sql as $$
  select format('select public.report_device(%L)', pg_temp.report(gen_random_uuid(), '[]',
    jsonb_build_object('user_id', tests.demo_user(victim))))
$$;
-- Writing the table directly: insert a row in another user's name, change or delete theirs.
create function pg_temp.direct_writes(victim text) returns table (what text, statement text) language sql as $$
  select * from (values
    ('insert a report for another user', format($q$insert into public.device_reports (user_id, device_id, app_version,
      waiting_changes, waiting_events, parked_failures, waiting) values (%L, gen_random_uuid(), 'x', 0, 0, 0, '[]')$q$,
      tests.demo_user(victim))),
    ('change another user''s report', format('update public.device_reports set waiting_events = 0 where user_id = %L',
      tests.demo_user(victim))),
    ('move a report to another user', format('update public.device_reports set user_id = %L', tests.demo_user(victim))),
    ('delete another user''s report', format('delete from public.device_reports where user_id = %L', tests.demo_user(victim)))
  ) as attempts
$$;
grant execute on all functions in schema pg_temp to authenticated, anon;

select tests.act_as(tests.demo_user('volunteer'));
select throws_ok(pg_temp.spoof_report('volunteer2'), '42501', 'a user reports their own devices only',
  'a volunteer cannot report a device as another volunteer');
select throws_ok(statement, '42501', 'permission denied for table device_reports', 'a volunteer cannot ' || what)
from pg_temp.direct_writes('volunteer2');
select tests.act_as(tests.demo_user('volunteer2'));
select throws_ok(pg_temp.spoof_report('leader'), '42501', 'a user reports their own devices only',
  'a volunteer cannot report a device as a leader');
select throws_ok(statement, '42501', 'permission denied for table device_reports', 'another team''s volunteer cannot ' || what)
from pg_temp.direct_writes('volunteer');
select tests.act_as(tests.demo_user('leader'));
select throws_ok(pg_temp.spoof_report('volunteer'), '42501', 'a user reports their own devices only',
  'a leader cannot report a device as their team member');
select throws_ok(statement, '42501', 'permission denied for table device_reports', 'a leader cannot ' || what)
from pg_temp.direct_writes('volunteer');
select tests.act_as(tests.demo_user('coordinator'));
select throws_ok(pg_temp.spoof_report('volunteer'), '42501', 'a user reports their own devices only',
  'a coordinator cannot report a device as a volunteer');
select throws_ok(statement, '42501', 'permission denied for table device_reports', 'a coordinator cannot ' || what)
from pg_temp.direct_writes('volunteer');
select tests.act_as(tests.demo_user('admin'));
select throws_ok(pg_temp.spoof_report('coordinator'), '42501', 'a user reports their own devices only',
  'an admin cannot report a device as a coordinator');
select throws_ok(statement, '42501', 'permission denied for table device_reports', 'an admin cannot ' || what)
from pg_temp.direct_writes('volunteer');

-- Malformed reports are refused whole, by name.
select tests.act_as(tests.demo_user('volunteer'));
select is(tests.error_of(format('select public.report_device(%L)', bad)), '22023 device_reports_shape', why)
from (values
  ('[]'::jsonb, 'a report that is not an object'),
  (pg_temp.report(:'phone_v') - 'device_id', 'a report without a device id'),
  (pg_temp.report(:'phone_v', '[]', '{"device_id": "phone"}'), 'a device id that is not a uuid'),
  (pg_temp.report(:'phone_v', '[]', '{"waiting_changes": -1}'), 'a negative count'),
  (pg_temp.report(:'phone_v', '[]', '{"waiting_events": 1.5}'), 'a count that is not whole'),
  (pg_temp.report(:'phone_v', '[]', '{"app_version": ""}'), 'an empty app version'),
  (pg_temp.report(:'phone_v', '[]', '{"storage_usage_bytes": "lots"}'), 'storage usage that is not a number'),
  (pg_temp.report(:'phone_v', '[]', '{"waiting": {}}'), 'waiting entries that are not a list'),
  (pg_temp.report(:'phone_v', jsonb_build_array(pg_temp.entry(:'event_a', :'queued_change', :'team1', :'station', :'may', 1, 0)
      - 'station_id')), 'a waiting entry without its station'),
  (pg_temp.report(:'phone_v', jsonb_build_array(pg_temp.entry(:'event_a', :'queued_change', :'team1', :'station', :'may', 1, 0)
      || '{"events": 2}')), 'a waiting entry of more than one event')
) as cases (bad, why);
select tests.reset_role();
select is((select app_version from public.device_reports where device_id = :'phone_v'), '0.2.0',
  'a refused report leaves the last one as it was');

-- ---------------------------------------------------------------------------------------------
-- Who reads which reports.
select tests.act_as(tests.demo_user('volunteer'));
select set_eq('select device_id from public.device_reports', format('values (%L::uuid), (%L::uuid)', :'phone_v', :'shared_phone'),
  'a volunteer reads their own devices only');
select tests.act_as(tests.demo_user('volunteer2'));
select set_eq('select device_id from public.device_reports', format('values (%L::uuid), (%L::uuid)', :'phone_v2', :'shared_phone'),
  'another team''s volunteer reads their own devices only');
select set_eq('select user_id from public.waiting_on_phones()', format('values (%L::uuid)', tests.demo_user('volunteer2')),
  'what waits on phones shows a volunteer their own phones only');
select tests.act_as(tests.demo_user('leader'));
select set_eq('select distinct user_id from public.device_reports',
  format('values (%L::uuid), (%L::uuid)', tests.demo_user('leader'), tests.demo_user('volunteer')),
  'a leader reads their own devices and their team members'', no one else''s');
-- A member who has left the team: the leader no longer reads their devices.
select tests.reset_role();
select tests.make_volunteer('device-report-leaver@test.local', :'team1') as leaver \gset
select tests.act_as(:'leaver');
select ok(public.report_device(pg_temp.report(gen_random_uuid())) is not null, 'a member reports their phone');
select tests.act_as(tests.demo_user('leader'));
select is((select count(*) from public.device_reports where user_id = :'leaver'), 1::bigint, 'their leader reads it');
select tests.reset_role();
update public.team_members set left_at = now() where person_id = (select id from public.people where user_id = :'leaver');
select tests.act_as(tests.demo_user('leader'));
select is((select count(*) from public.device_reports where user_id = :'leaver'), 0::bigint,
  'once they have left the team, their former leader no longer reads it');
select tests.act_as(tests.demo_user('coordinator'));
select set_eq('select distinct user_id from public.device_reports where user_id in (select tests.demo_user(n) from unnest(array[''volunteer'', ''volunteer2'', ''leader'', ''coordinator'']) n)',
  format('values (%L::uuid), (%L::uuid), (%L::uuid), (%L::uuid)', tests.demo_user('volunteer'), tests.demo_user('volunteer2'),
    tests.demo_user('leader'), tests.demo_user('coordinator')),
  'a coordinator reads every user''s devices');
select tests.act_as(tests.demo_user('admin'));
select is((select count(*) from public.device_reports where device_id in (:'phone_v', :'phone_v2', :'phone_l', :'phone_c', :'shared_phone')),
  6::bigint, 'an admin reads every device');

-- ---------------------------------------------------------------------------------------------
-- What waits on phones: a change that has reached the server since no longer counts; a parked
-- event (no queued change) counts until the phone says otherwise.
select tests.reset_role();
insert into public.sync_changes (change_id, event_id, revision, user_id)
select :'applied_change', md5('event-1')::uuid, 1, tests.demo_user('volunteer');
select tests.act_as(tests.demo_user('coordinator'));
select results_eq(
  format($$select user_id, waiting_events, events, people_served, funds_fen, volunteer_hours from public.waiting_on_phones()
    where theme_month_id = %L order by waiting_events desc$$, :'may'),
  format($$values (%L::uuid, 2::bigint, 2::bigint, 19::bigint, 30000::bigint, 5.0), (%L::uuid, 1::bigint, 1::bigint, 5::bigint, 0::bigint, 2.5)$$,
    tests.demo_user('volunteer'), tests.demo_user('volunteer2')),
  'the waiting figures leave out the change that reached the server');

-- ---------------------------------------------------------------------------------------------
-- The follow-up of a month: coordinators and admins only.
select tests.act_as(tests.demo_user('volunteer'));
select is(tests.error_of(format('select public.follow_up(%L)', :'may')), '42501 follow_up_coordinators_only',
  'a volunteer cannot follow up a month');
select tests.act_as(tests.demo_user('volunteer2'));
select is(tests.error_of(format('select public.follow_up(%L)', :'may')), '42501 follow_up_coordinators_only',
  'another team''s volunteer cannot follow up a month');
select tests.act_as(tests.demo_user('leader'));
select is(tests.error_of(format('select public.follow_up(%L)', :'may')), '42501 follow_up_coordinators_only',
  'a leader cannot follow up a month');

select tests.act_as(tests.demo_user('coordinator'));
select public.follow_up(:'may') as follow_up \gset
select ok((:'follow_up'::jsonb -> 'teams_without_events') @> jsonb_build_array(jsonb_build_object('team_id', :'quiet_team', 'waiting_events', 0)),
  'a team that logged nothing in the month is listed');
select ok((:'follow_up'::jsonb -> 'teams_without_events') @> jsonb_build_array(jsonb_build_object('team_id', :'team1', 'waiting_events', 2)),
  'a team whose events are only on phones is listed, with how many wait there');
select tests.reset_role();
select tests.make_person('Quiet team leader') as quiet_leader \gset
select tests.make_member(:'quiet_team', :'quiet_leader', 'leader');
select tests.make_event(:'quiet_team', :'station', '2019-05-10 09:00+08', participants => array[:'quiet_leader'::uuid]);
select tests.act_as(tests.demo_user('coordinator'));
select ok(not (public.follow_up(:'may') -> 'teams_without_events') @> jsonb_build_array(jsonb_build_object('team_id', :'quiet_team')),
  'a team with an event in the month is not listed');
select results_eq(
  format($$select p ->> 'user_id', p ->> 'device_id', (p ->> 'events')::int, p -> 'team_ids', (p ->> 'oldest_waiting_since')::timestamptz
    from jsonb_array_elements(%L::jsonb -> 'phones_waiting') p order by (p ->> 'events')::int desc$$, :'follow_up'),
  format($$values (%L, %L, 2, %L::jsonb, now() - interval '1 hour'), (%L, %L, 1, %L::jsonb, now() - interval '1 hour')$$,
    tests.demo_user('volunteer'), :'phone_v', jsonb_build_array(:'team1'),
    tests.demo_user('volunteer2'), :'phone_v2', jsonb_build_array(:'team2')),
  'phones holding the month''s events: user, device, how many, their teams, the oldest waiting change');
select is(jsonb_array_length(:'follow_up'::jsonb -> 'phones_silent'), 0, 'no phone is silent yet');

-- A phone not seen for eight days moves to the silent ones.
select tests.reset_role();
update public.device_reports set reported_at = now() - interval '8 days' where device_id = :'phone_v2';
select tests.act_as(tests.demo_user('admin'));
select public.follow_up(:'may') as follow_up \gset
select is((select array_agg(p ->> 'device_id') from jsonb_array_elements(:'follow_up'::jsonb -> 'phones_silent') p),
  array[:'phone_v2'::text], 'a phone silent for more than 7 days that last held the month''s events is listed as silent');
select is((select array_agg(p ->> 'device_id') from jsonb_array_elements(:'follow_up'::jsonb -> 'phones_waiting') p),
  array[:'phone_v'::text], 'and no longer among the phones seen lately');

-- ---------------------------------------------------------------------------------------------
-- A phone that knew no theme month for an event's month sends its month alone: the figures stand
-- under the month, and under its theme month once the first push has made it.
select tests.act_as(tests.demo_user('volunteer'));
select public.report_device(pg_temp.report(:'phone_v', jsonb_build_array(
  jsonb_build_object('event_id', :'event_c', 'change_id', gen_random_uuid(), 'team_id', :'team1', 'station_id', :'station',
    'theme_month_id', null, 'month', '2019-11-01', 'events', 1, 'people_served', 7, 'funds_fen', 0, 'materials_fen', 0, 'hours', 1))));
select results_eq(
  $$select theme_month_id, month, people_served from public.waiting_on_phones() where month = '2019-11-01'$$,
  $$values (null::uuid, '2019-11-01'::date, 7::bigint)$$,
  'an event of a month without a theme month waits under its month');
select tests.reset_role();
select tests.make_theme_month('2019-11-01') as november \gset
select tests.act_as(tests.demo_user('volunteer'));
select results_eq(
  $$select theme_month_id, people_served from public.waiting_on_phones() where month = '2019-11-01'$$,
  format('values (%L::uuid, 7::bigint)', :'november'),
  'and under the theme month once it exists');
select is(tests.error_of(format('select public.report_device(%L)', pg_temp.report(:'phone_v', jsonb_build_array(
    pg_temp.entry(:'event_a', :'queued_change', :'team1', :'station', :'may', 1, 0) - 'month')))),
  '22023 device_reports_shape', 'a waiting entry without its month is refused');

select * from finish();
rollback;
