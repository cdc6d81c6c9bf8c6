-- Complete records (办法 Art. 7): place, service content, person in charge, organizing unit and
-- the time of recording on every event, and teams' recording units:
-- - a push from an older app, without the new keys, still lands and gets the defaults (both
--   push paths); a push with them keeps them; an edit that leaves them out keeps the values;
-- - the rules, named, for the push and for direct writes, as each role;
-- - the person in charge takes part (checked at commit, made immediate here as a commit would);
-- - pulls carry the new fields; the seeded records are complete.
--
-- Who is who (supabase/demo-seed.sql): volunteer = person-2 and leader = person-1 of team 1,
-- volunteer2 = person-12 of team 2; person-3 and person-4 are members of team 1.
begin;
set local search_path = public, extensions;
set local client_min_messages = warning;
select plan(83);

create function pg_temp.change(change_id uuid, event_id uuid, op text, base_revision bigint default null,
  fields jsonb default null) returns jsonb
language sql
as $$
  select jsonb_strip_nulls(jsonb_build_object('change_id', change_id, 'event_id', event_id, 'op', op,
    'base_revision', base_revision, 'event', fields))
$$;

-- An event's fields as an app before the ledger sends them (no place, service content, person in
-- charge, organizing unit or time of recording): team 1 at station 1, 20 March 2023, 09:00 to
-- 12:00 in Kunming; the volunteer (person-2) gives 3 hours and person-3 2.5.
create function pg_temp.old_fields(overrides jsonb default '{}') returns jsonb
language sql
as $$
  select jsonb_build_object('station_id', md5('station-1')::uuid, 'team_id', md5('team-1')::uuid,
    'theme_month_id', md5('month-3')::uuid, 'started_at', '2023-03-20T09:00:00+08:00',
    'ended_at', '2023-03-20T12:00:00+08:00', 'title', 'Older app', 'note', '', 'people_served', 12,
    'funds_fen', 0, 'materials_fen', 0, 'materials_description', '',
    'participants', jsonb_build_array(jsonb_build_object('person_id', md5('person-2')::uuid, 'hours', 3),
      jsonb_build_object('person_id', md5('person-3')::uuid, 'hours', 2.5))) || overrides
$$;

create function pg_temp.record(event_id uuid) returns jsonb
language sql
as $$
  select jsonb_build_object('place', place, 'service_content', service_content, 'person_in_charge', person_in_charge,
    'organizing_unit', organizing_unit, 'recorded_at', recorded_at)
  from public.service_events where id = event_id
$$;

-- Pushes one change through push (the whole-batch path or tests.push_one_by_one); its outcome.
create function pg_temp.push(push text, change jsonb) returns jsonb
language plpgsql
as $$
declare
  outcomes jsonb;
begin
  execute format('select %s($1)', push) into outcomes using jsonb_build_array(change);
  return outcomes -> 0;
end
$$;

-- Both paths: an older app's new event and edits of it.
create function pg_temp.older_app(push text) returns setof text
language plpgsql
as $$
declare
  ev uuid := md5('older-app-' || push)::uuid;
  outcome jsonb;
  revision bigint;
begin
  perform tests.act_as(tests.demo_user('volunteer'));
  outcome := pg_temp.push(push, pg_temp.change(gen_random_uuid(), ev, 'upsert', null, pg_temp.old_fields()));
  return next is(outcome ->> 'status', 'applied', push || ': a new event without the new keys lands');
  return next is(pg_temp.record(ev) - 'recorded_at', jsonb_build_object('place', '昆明市五华区',
      'service_content', 'Older app', 'person_in_charge', md5('person-2')::uuid, 'organizing_unit', '昆明市浙江餐饮商会'),
    push || ': ...with the defaults: the station''s address, the title, the participant with the most hours (the leader is not one), the team''s recording unit');
  return next is((pg_temp.record(ev) ->> 'recorded_at')::timestamptz, now(), push || ': ...recorded when it arrived');

  -- An edit that leaves the new keys out keeps their values, the person in charge included while
  -- taking part; the time of recording is never taken from an edit.
  perform tests.reset_role();
  update public.service_events set place = 'Kept place', organizing_unit = 'Kept unit', service_content = 'Kept content'
  where id = ev;
  perform tests.act_as(tests.demo_user('volunteer'));
  select e.revision into revision from public.service_events e where e.id = ev;
  outcome := pg_temp.push(push, pg_temp.change(gen_random_uuid(), ev, 'upsert', revision,
    pg_temp.old_fields('{"title": "Older app, edited", "recorded_at": "2023-03-21T10:00:00+08:00"}')));
  return next is(outcome ->> 'status', 'applied', push || ': an edit without the new keys is applied');
  return next is(pg_temp.record(ev) - 'recorded_at', jsonb_build_object('place', 'Kept place',
      'service_content', 'Kept content', 'person_in_charge', md5('person-2')::uuid, 'organizing_unit', 'Kept unit'),
    push || ': ...and keeps their values');
  return next is((pg_temp.record(ev) ->> 'recorded_at')::timestamptz, now(), push || ': ...and the time of recording');

  -- The person in charge leaves the event: an edit that names no one gets the rule's choice
  -- among the new participants (the leader, who now takes part).
  select e.revision into revision from public.service_events e where e.id = ev;
  outcome := pg_temp.push(push, pg_temp.change(gen_random_uuid(), ev, 'upsert', revision,
    pg_temp.old_fields(jsonb_build_object('participants', jsonb_build_array(
      jsonb_build_object('person_id', md5('person-3')::uuid, 'hours', 3),
      jsonb_build_object('person_id', md5('person-1')::uuid, 'hours', 1))))));
  return next is(outcome ->> 'status', 'applied', push || ': an edit without the person in charge among the participants is applied');
  return next is(pg_temp.record(ev) ->> 'person_in_charge', md5('person-1')::uuid::text,
    push || ': ...and the team''s leader, taking part now, is in charge (before whoever gives more hours)');

  -- A new app names them all.
  outcome := pg_temp.push(push, pg_temp.change(gen_random_uuid(), md5('new-app-' || push)::uuid, 'upsert', null,
    pg_temp.old_fields(jsonb_build_object('place', E'\u3000翠湖公园 ', 'service_content', '清理湖边垃圾',
      'person_in_charge', md5('person-3')::uuid, 'organizing_unit', '五华区志愿者协会',
      'recorded_at', '2023-03-20T12:30:00+08:00'))));
  return next is(outcome ->> 'status', 'applied', push || ': a new event with every new key lands');
  return next is(pg_temp.record(md5('new-app-' || push)::uuid), jsonb_build_object('place', '翠湖公园',
      'service_content', '清理湖边垃圾', 'person_in_charge', md5('person-3')::uuid, 'organizing_unit', '五华区志愿者协会',
      'recorded_at', '2023-03-20T12:30:00+08:00'::timestamptz),
    push || ': ...as given (typed text trimmed)');
  perform tests.reset_role();
end
$$;
select * from pg_temp.older_app('public.push_event_changes');
select * from pg_temp.older_app('tests.push_one_by_one');

-- The time of recording lies between the start and the arrival.
select tests.act_as(tests.demo_user('volunteer'));
select is(pg_temp.push('public.push_event_changes', pg_temp.change(gen_random_uuid(), md5('recorded-early')::uuid, 'upsert', null,
    pg_temp.old_fields('{"recorded_at": "2023-03-01T08:00:00+08:00"}'))) ->> 'status', 'applied', 'an event recorded before it started lands');
select is((pg_temp.record(md5('recorded-early')::uuid) ->> 'recorded_at')::timestamptz, '2023-03-20T09:00:00+08:00'::timestamptz,
  '...recorded at its start');
select is(pg_temp.push('public.push_event_changes', pg_temp.change(gen_random_uuid(), md5('recorded-later')::uuid, 'upsert', null,
    pg_temp.old_fields('{"recorded_at": "2099-01-01T08:00:00+08:00"}'))) ->> 'status', 'applied', 'an event recorded in the future lands');
select is((pg_temp.record(md5('recorded-later')::uuid) ->> 'recorded_at')::timestamptz, now(), '...recorded now');

-- ---------------------------------------------------------------------------------------------
-- The rules, through both paths.
create function pg_temp.refusals(push text) returns setof text
language plpgsql
as $$
declare
  cases jsonb := jsonb_build_array(
    jsonb_build_array('{"place": "' || repeat('地', 201) || '"}', '23514', 'service_events_place_length', 'a place over 200 characters'),
    jsonb_build_array(jsonb_build_object('place', E'翠湖\u200B公园'), '23514', 'service_events_place_characters', 'a place with a zero-width space'),
    jsonb_build_array('{"service_content": " "}', '23514', 'service_events_service_content_length', 'a blank service content'),
    jsonb_build_array('{"service_content": "' || repeat('做', 501) || '"}', '23514', 'service_events_service_content_length', 'a service content over 500 characters'),
    jsonb_build_array(jsonb_build_object('service_content', E'清理\u202E垃圾'), '23514', 'service_events_service_content_characters', 'a service content with an override'),
    jsonb_build_array('{"organizing_unit": ""}', '23514', 'service_events_organizing_unit_length', 'an empty organizing unit'),
    jsonb_build_array(jsonb_build_object('organizing_unit', E'协\t会'), '23514', 'service_events_organizing_unit_characters', 'an organizing unit with a tab'),
    jsonb_build_array('{"person_in_charge": "someone"}', '22023', 'service_events_person_in_charge_format', 'a person in charge that is not an id'),
    jsonb_build_array(jsonb_build_object('person_in_charge', gen_random_uuid()), '23503', 'service_events_person_in_charge_fkey', 'a person in charge who does not exist'),
    jsonb_build_array('{"recorded_at": "yesterday-ish"}', '22023', 'service_events_recorded_at_format', 'a time of recording that is not a time'),
    jsonb_build_array('{"title": " "}', '23514', 'service_events_title_length', 'a blank title (copied to the service content) is named as the title')
  );
  c jsonb;
  outcome jsonb;
begin
  perform tests.act_as(tests.demo_user('volunteer'));
  for c in select value from jsonb_array_elements(cases) loop
    outcome := pg_temp.push(push, pg_temp.change(gen_random_uuid(), gen_random_uuid(), 'upsert', null,
      pg_temp.old_fields((c ->> 0)::jsonb)));
    return next is(jsonb_build_object('status', outcome ->> 'status', 'code', outcome ->> 'code', 'rule', outcome ->> 'rule'),
      jsonb_build_object('status', 'rejected', 'code', c ->> 1, 'rule', c ->> 2), push || ': ' || (c ->> 3) || ' is refused');
  end loop;
  perform tests.reset_role();
end
$$;
select * from pg_temp.refusals('public.push_event_changes');
select * from pg_temp.refusals('tests.push_one_by_one');

-- The person in charge takes part: checked at commit, here made immediate inside tests.error_of.
create function pg_temp.committed(statements text) returns text
language sql
as $$
  select tests.error_of(format('do $do$ begin %s; set constraints service_events_person_in_charge_participant immediate; '
    'set constraints service_events_person_in_charge_participant deferred; end $do$', statements))
$$;
select tests.act_as(tests.demo_user('volunteer'));
select is(pg_temp.committed(format('perform public.push_event_changes(%L)', jsonb_build_array(pg_temp.change(gen_random_uuid(),
    gen_random_uuid(), 'upsert', null, pg_temp.old_fields(jsonb_build_object('person_in_charge', md5('person-4')::uuid)))))),
  '23514 service_events_person_in_charge_participant', 'a pushed person in charge who does not take part is refused at commit');
select is(pg_temp.committed(format('perform public.push_event_changes(%L)', jsonb_build_array(pg_temp.change(gen_random_uuid(),
    gen_random_uuid(), 'upsert', null, pg_temp.old_fields(jsonb_build_object('person_in_charge', md5('person-3')::uuid)))))),
  'no error', 'a pushed person in charge who takes part is taken');

-- Direct writes: the volunteer's own event, the leader's, the admin's.
select tests.make_event(md5('team-1')::uuid, md5('station-1')::uuid, '2023-03-24 09:00+08', 3,
  array[md5('person-2')::uuid, md5('person-3')::uuid], recorded_by => tests.demo_user('volunteer'),
  id => md5('direct-record')::uuid);
select is((select person_in_charge from public.service_events where id = md5('direct-record')::uuid),
  least(md5('person-2')::uuid, md5('person-3')::uuid),
  'the test fixture names the rule''s person in charge (two give the same hours: the lower id)');
select is(pg_temp.committed($$update public.service_events set person_in_charge = md5('person-3')::uuid
    where id = md5('direct-record')::uuid$$), 'no error', 'the volunteer names a participant in charge, directly');
select is(pg_temp.committed($$update public.service_events set person_in_charge = md5('person-4')::uuid
    where id = md5('direct-record')::uuid$$), '23514 service_events_person_in_charge_participant',
  '...but not someone who does not take part');
select is(pg_temp.committed($$delete from public.event_participants
    where event_id = md5('direct-record')::uuid and person_id = md5('person-3')::uuid$$),
  '23514 service_events_person_in_charge_participant', 'the person in charge cannot leave the event''s participants');
select is(pg_temp.committed($$delete from public.event_participants
    where event_id = md5('direct-record')::uuid and person_id = md5('person-2')::uuid$$),
  'no error', 'another participant can');
select is(tests.error_of($$update public.service_events set person_in_charge = null where id = md5('direct-record')::uuid$$),
  '22023 service_events_person_in_charge_format', 'a person in charge cannot be unset');
select is(tests.error_of($$update public.service_events set place = repeat('地', 201) where id = md5('direct-record')::uuid$$),
  '23514 service_events_place_length', 'the place''s rule holds for direct writes');
select is(tests.error_of($$update public.service_events set service_content = null where id = md5('direct-record')::uuid$$),
  '23514 service_events_service_content_length', 'a service content set to nothing is blank, and refused');
select is(tests.error_of($$update public.service_events set organizing_unit = E'\u3000' where id = md5('direct-record')::uuid$$),
  '23514 service_events_organizing_unit_length', 'an organizing unit of an ideographic space is blank, and refused');
select is(tests.rows_affected($$update public.service_events set place = '  新地点 ', service_content = '新内容'
    where id = md5('direct-record')::uuid$$), 1::bigint, 'the volunteer edits place and service content directly');
select is((select place || '/' || service_content from public.service_events where id = md5('direct-record')::uuid), '新地点/新内容',
  '...trimmed');
select throws_ok($$update public.service_events set recorded_at = now() where id = md5('direct-record')::uuid$$,
  '42501', 'permission denied for table service_events', 'the time of recording is not edited');
select tests.act_as(tests.demo_user('leader'));
select is(tests.rows_affected($$update public.service_events set organizing_unit = '队里的单位' where id = md5('direct-record')::uuid$$),
  1::bigint, 'the leader edits the organizing unit of a team event');
select throws_ok($$update public.service_events set recorded_at = now() where id = md5('direct-record')::uuid$$,
  '42501', 'permission denied for table service_events', '...but not its time of recording');
select tests.act_as(tests.demo_user('volunteer2'));
select is(tests.rows_affected($$update public.service_events set place = 'elsewhere' where id = md5('direct-record')::uuid$$),
  0::bigint, 'a volunteer of another team edits nothing of it');
select tests.act_as(tests.demo_user('coordinator'));
select is(tests.rows_affected($$update public.service_events set place = 'elsewhere' where id = md5('direct-record')::uuid$$),
  0::bigint, 'nor does a coordinator');
select tests.act_as(tests.demo_user('admin'));
-- An admin's direct insert naming no one in charge: the team's leader, who must take part.
select is(pg_temp.committed($$insert into public.service_events (id, station_id, team_id, theme_month_id, started_at, ended_at, title,
      recorded_by, recorded_at)
    values (md5('admin-direct')::uuid, md5('station-2')::uuid, md5('team-1')::uuid, md5('month-3')::uuid,
      '2023-03-26 09:00+08', '2023-03-26 10:00+08', 'Admin''s direct insert', auth.uid(), '2023-03-27 09:00+08');
    insert into public.event_participants (event_id, person_id, hours) values (md5('admin-direct')::uuid, md5('person-1')::uuid, 1)$$),
  'no error', 'an admin inserts an event directly without the new fields');
select is(pg_temp.record(md5('admin-direct')::uuid), jsonb_build_object('place', '昆明市盘龙区', 'service_content', 'Admin''s direct insert',
    'person_in_charge', md5('person-1')::uuid, 'organizing_unit', '昆明市浙江餐饮商会', 'recorded_at', '2023-03-27 09:00+08'::timestamptz),
  '...and it gets the defaults (the team''s leader in charge), and the time of recording it gave');
select tests.act_as_anon();
select throws_ok($$select public.push_event_changes('[]')$$, '42501', 'permission denied for function push_event_changes',
  'anon cannot push');
select tests.reset_role();

-- As each role through the push: the leader's and the admin's events get the defaults; another
-- team's volunteer and a coordinator (in no team) cannot record for team 1.
create function pg_temp.push_as(who text) returns jsonb
language plpgsql
as $$
declare
  outcome jsonb;
begin
  perform tests.act_as(tests.demo_user(who));
  outcome := pg_temp.push('public.push_event_changes', pg_temp.change(gen_random_uuid(), md5('as-' || who)::uuid, 'upsert', null,
    pg_temp.old_fields(jsonb_build_object('participants', jsonb_build_array(jsonb_build_object('person_id', md5('person-1')::uuid, 'hours', 1),
      jsonb_build_object('person_id', md5('person-3')::uuid, 'hours', 3))))));
  perform tests.reset_role();
  return jsonb_build_object('status', outcome ->> 'status', 'rule', outcome ->> 'rule');
end
$$;
select is(pg_temp.push_as('leader'), '{"status": "applied", "rule": null}', 'the leader''s push lands');
select is(pg_temp.record(md5('as-leader')::uuid) ->> 'person_in_charge', md5('person-1')::uuid::text,
  '...with the leader in charge (taking part, with fewer hours than another)');
select is(pg_temp.push_as('admin'), '{"status": "applied", "rule": null}', 'the admin''s push lands');
select is(pg_temp.record(md5('as-admin')::uuid) ->> 'organizing_unit', '昆明市浙江餐饮商会', '...with the team''s recording unit');
select is(pg_temp.push_as('volunteer2'), '{"status": "rejected", "rule": "service_events_team_policy"}',
  'another team''s volunteer cannot record for team 1');
select is(pg_temp.push_as('coordinator'), '{"status": "rejected", "rule": "service_events_team_policy"}',
  'nor can a coordinator');

-- ---------------------------------------------------------------------------------------------
-- Teams' recording units: by default the chamber (or the name); coordinators edit them.
select is((select count(*) from public.teams where recording_unit <> chamber), 0::bigint,
  'every seeded team records under its chamber');
select tests.act_as(tests.demo_user('coordinator'));
select lives_ok($$insert into public.teams (id, name, chamber) values (md5('unit-team-1')::uuid, '翠湖志愿服务队', ' 昆明市翠湖商会 '),
    (md5('unit-team-2')::uuid, '无商会志愿服务队', ''), (md5('unit-team-3')::uuid, '指定单位志愿服务队', '某商会')$$,
  'a coordinator adds teams');
select lives_ok($$update public.teams set recording_unit = ' 五华区民政局 ' where id = md5('unit-team-3')::uuid$$,
  'a coordinator sets a team''s recording unit');
select results_eq($$select recording_unit from public.teams where id in (md5('unit-team-1')::uuid, md5('unit-team-2')::uuid,
    md5('unit-team-3')::uuid) order by name$$,
  $$values ('五华区民政局'), ('无商会志愿服务队'), ('昆明市翠湖商会')$$,
  'recording units: as set (trimmed), else the chamber (trimmed), else the team''s name');
select is(tests.error_of($$update public.teams set recording_unit = E'\u3000' where id = md5('unit-team-1')::uuid$$),
  '23514 teams_recording_unit_length', 'a blank recording unit is refused');
select is(tests.error_of($$update public.teams set recording_unit = E'单\u200B位' where id = md5('unit-team-1')::uuid$$),
  '23514 teams_recording_unit_characters', 'a recording unit with a zero-width space is refused');
select tests.act_as(tests.demo_user('leader'));
select is(tests.rows_affected($$update public.teams set recording_unit = 'x' where id = md5('team-1')::uuid$$), 0::bigint,
  'a leader does not set the team''s recording unit');
select tests.act_as(tests.demo_user('volunteer'));
select is((select recording_unit from public.teams where id = md5('team-1')::uuid), '昆明市浙江餐饮商会',
  'every signed-in user reads the recording units');

-- ---------------------------------------------------------------------------------------------
-- Pulls carry the new fields (the seeded events are committed, so they are pulled).
select ok((select bool_and(c ?& array['place', 'service_content', 'person_in_charge', 'organizing_unit', 'recorded_at',
      'confirmed_at', 'confirmed_by'])
    from jsonb_array_elements(public.pull_event_changes(null, 50) -> 'changes') c),
  'a pull carries the place, service content, person in charge, organizing unit, time of recording and confirmation');
select tests.reset_role();
select is((select count(*) from public.service_events e
    where e.id in (select md5('event-' || n)::uuid from generate_series(1, 186) n)
      and (e.place = '' or e.service_content = '' or not exists (select 1 from public.event_participants p where p.event_id = e.id and p.person_id = e.person_in_charge))),
  0::bigint, 'every seeded event has a place, a service content and a person in charge who took part');

select * from finish();
rollback;
