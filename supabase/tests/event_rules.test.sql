-- Rules of events for every write, not only the push: at least one participant (a deferred check,
-- made immediate here as a commit would), the columns a user may change (not the id, not the
-- server's stamps; deleted_at takes the server's time), a theme month with events keeps its
-- month, and a missing value names its rule.
--
-- Who is who (supabase/demo-seed.sql): volunteer = person-2 in team 1; events event-1..3 are team 1's.
begin;
set local search_path = public, extensions;
select plan(28);

-- An event the volunteer recorded, with two participants.
select tests.make_event(md5('team-1')::uuid, md5('station-1')::uuid, '2023-03-25 09:00+08', 3,
  array[md5('person-2')::uuid, md5('person-3')::uuid], recorded_by => tests.demo_user('volunteer'),
  id => md5('rules-event')::uuid);

-- ---------------------------------------------------------------------------------------------
-- At least one participant, for direct writes too. The check runs at commit; here each write is
-- followed by `set constraints ... immediate`, which runs the pending checks then, as a commit
-- would, inside tests.error_of (so that a refused write is rolled back).
create function pg_temp.committed(statements text) returns text
language sql
as $$
  select tests.error_of(format('do $do$ begin %s; set constraints service_events_has_participants immediate; '
    'set constraints service_events_has_participants deferred; end $do$', statements))
$$;
select tests.act_as(tests.demo_user('volunteer'));
select is(pg_temp.committed($$insert into public.service_events (id, station_id, team_id, theme_month_id, started_at, ended_at, title)
    values (gen_random_uuid(), md5('station-1')::uuid, md5('team-1')::uuid, md5('month-3')::uuid,
      '2023-03-26 09:00+08', '2023-03-26 10:00+08', 'Nobody came')$$),
  '23514 service_events_has_participants', 'an event inserted directly without participants is refused at commit');
select is(pg_temp.committed($$insert into public.service_events (id, station_id, team_id, theme_month_id, started_at, ended_at, title)
    values (md5('rules-one-participant')::uuid, md5('station-1')::uuid, md5('team-1')::uuid, md5('month-3')::uuid,
      '2023-03-26 09:00+08', '2023-03-26 10:00+08', 'One came');
    insert into public.event_participants (event_id, person_id, hours)
    values (md5('rules-one-participant')::uuid, md5('person-2')::uuid, 1)$$),
  'no error', 'an event inserted with its participants in the same transaction is taken');
select is(pg_temp.committed($$delete from public.event_participants
    where event_id = md5('rules-event')::uuid and person_id = md5('person-3')::uuid$$),
  'no error', 'a participant is removed from an event that keeps another');
select is(pg_temp.committed($$delete from public.event_participants where event_id = md5('rules-event')::uuid$$),
  '23514 service_events_has_participants', 'the last participant cannot be removed');
select is(pg_temp.committed($$delete from public.event_participants where event_id = md5('rules-event')::uuid;
    insert into public.event_participants (event_id, person_id, hours) values (md5('rules-event')::uuid, md5('person-4')::uuid, 2)$$),
  'no error', 'the last participant can be replaced in the same transaction');
select is((select count(*) from public.event_participants where event_id = md5('rules-event')::uuid), 1::bigint,
  'the event has its one new participant');

-- ---------------------------------------------------------------------------------------------
-- Columns: the id and the server's stamps are not the user's to change; deleted_at is stamped.
select throws_ok($$update public.service_events set id = gen_random_uuid() where id = md5('rules-event')::uuid$$,
  '42501', 'permission denied for table service_events', 'an event''s id cannot be changed');
select throws_ok($$update public.service_events set revision = 1 where id = md5('rules-event')::uuid$$,
  '42501', 'permission denied for table service_events', 'an event''s revision cannot be set');
select throws_ok($$update public.service_events set created_at = '2000-01-01' where id = md5('rules-event')::uuid$$,
  '42501', 'permission denied for table service_events', 'an event''s creation time cannot be set');
select throws_ok($$update public.service_events set updated_at = '2000-01-01' where id = md5('rules-event')::uuid$$,
  '42501', 'permission denied for table service_events', 'an event''s update time cannot be set');
select throws_ok($$update public.service_events set recorded_by = auth.uid() where id = md5('rules-event')::uuid$$,
  '42501', 'permission denied for table service_events', 'an event''s recorder cannot be changed');
select throws_ok(format($$insert into public.service_events (id, station_id, team_id, theme_month_id, started_at, ended_at, title, revision)
    values (gen_random_uuid(), md5('station-1')::uuid, md5('team-1')::uuid, md5('month-3')::uuid,
      '2023-03-26 09:00+08', '2023-03-26 10:00+08', 'With a revision', 1)$$),
  '42501', 'permission denied for table service_events', 'a new event''s revision cannot be given');
select throws_ok($$update public.event_participants set person_id = md5('person-4')::uuid
    where event_id = md5('rules-event')::uuid and person_id = md5('person-3')::uuid$$,
  '42501', 'permission denied for table event_participants', 'a participant''s person cannot be changed (only hours)');
select is(tests.rows_affected($$update public.service_events set title = 'Still editable', people_served = 4
    where id = md5('rules-event')::uuid$$), 1::bigint, 'an event''s fields are still edited directly');
select is(tests.rows_affected($$update public.service_events set deleted_at = '2000-01-01' where id = md5('rules-event')::uuid$$),
  1::bigint, 'a soft delete naming its own time...');
select is((select deleted_at from public.service_events where id = md5('rules-event')::uuid), now(),
  '...is stamped with the server''s time');

-- ---------------------------------------------------------------------------------------------
-- A theme month with events keeps its month.
select tests.act_as(tests.demo_user('coordinator'));
select is(tests.error_of($$update public.theme_months set month = '2031-03-01' where id = md5('month-3')::uuid$$),
  '23514 theme_months_month_has_events', 'a theme month with events cannot move to another month');
select is(tests.rows_affected($$update public.theme_months set theme = 'Renamed theme' where id = md5('month-3')::uuid$$),
  1::bigint, 'its theme can change');
select lives_ok($$insert into public.theme_months (id, month, theme) values (md5('rules-empty-month')::uuid, '2031-05-01', 'Empty')$$,
  'a coordinator adds a theme month');
select is(tests.rows_affected($$update public.theme_months set month = '2031-06-01' where id = md5('rules-empty-month')::uuid$$),
  1::bigint, 'a theme month without events can move to another month');

-- ---------------------------------------------------------------------------------------------
-- A missing value names its rule (direct writes, as the admin whom every policy lets write).
create function pg_temp.insert_without(column_name text) returns text
language sql
as $$
  select tests.error_of(format($sql$
    insert into public.service_events (id, station_id, team_id, theme_month_id, started_at, ended_at, title,
      people_served, funds_fen, materials_fen)
    select id, station_id, team_id, theme_month_id, started_at, ended_at, title, people_served, funds_fen, materials_fen
    from jsonb_populate_record(null::public.service_events, %L)
  $sql$, jsonb_build_object('id', gen_random_uuid(), 'station_id', md5('station-1')::uuid,
    'team_id', md5('team-1')::uuid, 'theme_month_id', md5('month-3')::uuid,
    'started_at', '2023-03-10T10:00:00+08:00', 'ended_at', '2023-03-10T12:00:00+08:00',
    'title', 'Missing a value', 'people_served', 0, 'funds_fen', 0, 'materials_fen', 0) - column_name))
$$;
select tests.act_as(tests.demo_user('admin'));
select is(pg_temp.insert_without('started_at'), '22023 service_events_started_at_format',
  'a missing start is named as such (not as the theme month rule)');
select is(pg_temp.insert_without('ended_at'), '22023 service_events_ended_at_format', 'a missing end is named');
select is(pg_temp.insert_without('station_id'), '22023 service_events_station_id_format', 'a missing station is named');
select is(pg_temp.insert_without('people_served'), '22023 service_events_people_served_format',
  'a missing count of people served is named');
select is(pg_temp.insert_without('materials_fen'), '22023 service_events_materials_format',
  'a missing value of materials is named');
select is(pg_temp.insert_without('title'), '23514 service_events_title_length', 'a missing title is a blank one');
select is(tests.error_of($$insert into public.event_participants (event_id, person_id, hours) values (md5('event-1')::uuid, null, 1)$$),
  '22023 event_participants_person_id_format', 'a participant without a person is named as such (not as a membership failure)');
select is(tests.error_of($$insert into public.event_participants (event_id, person_id, hours) values (md5('event-1')::uuid, md5('person-9')::uuid, 'NaN')$$),
  '22023 event_participants_hours_format', 'hours that are not a number are named');

select * from finish();
rollback;
