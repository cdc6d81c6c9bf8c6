-- public.push_event_changes under abuse and bad input:
-- - it locks only what the caller may write (checked from a second session), at most 100 station
--   x month keys per batch, and leaves no empty totals rows behind;
-- - a change id is a resend only of the same change: used again for other content or another
--   event, or by another user, it is refused (sync_change_id_reused), the same way whoever used it;
-- - only the push writes sync_changes;
-- - every refusal names its rule, through both paths (tests.push_one_by_one forces the
--   one-at-a-time path).
--
-- Who is who (supabase/demo-seed.sql): volunteer = person-2 in team 1, volunteer2 = person-12 in
-- team 2; events event-1..3 are team 1's, recorded by the admin account.
begin;
set local search_path = public, extensions;
set local client_min_messages = warning;
select plan(78);

create function pg_temp.change(change_id uuid, event_id uuid, op text, base_revision bigint default null,
  fields jsonb default null) returns jsonb
language sql
as $$
  select jsonb_strip_nulls(jsonb_build_object('change_id', change_id, 'event_id', event_id, 'op', op,
    'base_revision', base_revision, 'event', fields))
$$;

-- An event's fields as the phone sends them: team 1 at station 1, 20 March 2023 from 09:00 to
-- 12:00 in Kunming, the volunteer taking part, with the given changes.
create function pg_temp.fields(overrides jsonb default '{}') returns jsonb
language sql
as $$
  select jsonb_build_object('station_id', md5('station-1')::uuid, 'team_id', md5('team-1')::uuid,
    'theme_month_id', md5('month-3')::uuid, 'started_at', '2023-03-20T09:00:00+08:00',
    'ended_at', '2023-03-20T12:00:00+08:00', 'title', 'Pushed event', 'note', '', 'people_served', 12,
    'funds_fen', 10000, 'materials_fen', 0, 'materials_description', '',
    'participants', jsonb_build_array(jsonb_build_object('person_id', md5('person-2')::uuid, 'hours', 3))) || overrides
$$;

-- Whether a second session can lock rows of a table at once (they are not locked here). As the
-- test runner: the second session is opened by tests.loopback().
create function pg_temp.lockable(table_name text, condition text) returns text
language sql
as $$
  select tests.error_of(format($sql$select * from extensions.dblink(%L, %L) as t (n int)$sql$, tests.loopback(),
    format('set lock_timeout = ''100ms''; select 1 from public.%I where %s for update', table_name, condition)))
$$;

-- ---------------------------------------------------------------------------------------------
-- Locks: a volunteer of team 2 pushes changes to team 1's events and for team 1: all refused, and
-- none of it locked (another session locks those rows at once) or left behind.
select tests.make_station('Station no one may write at') as station_x \gset
select tests.act_as(tests.demo_user('volunteer2'));
select public.push_event_changes(jsonb_build_array(
  pg_temp.change(gen_random_uuid(), md5('event-1')::uuid, 'upsert', 1, pg_temp.fields()),
  pg_temp.change(gen_random_uuid(), md5('event-2')::uuid, 'delete', 1),
  pg_temp.change(gen_random_uuid(), md5('event-3')::uuid, 'upsert', null, pg_temp.fields()),
  pg_temp.change(gen_random_uuid(), gen_random_uuid(), 'upsert', null,
    pg_temp.fields(jsonb_build_object('station_id', :'station_x'))),
  pg_temp.change(gen_random_uuid(), gen_random_uuid(), 'upsert', null,
    pg_temp.fields(jsonb_build_object('station_id', :'station_x', 'theme_month_id', md5('month-4')::uuid)))
)) as refused \gset
select is((select jsonb_agg(o ->> 'status') from jsonb_array_elements(:'refused'::jsonb) o),
  '["conflict", "conflict", "rejected", "rejected", "rejected"]'::jsonb,
  'another team''s changes are all refused (its events are not visible; its team is not the caller''s)');
select tests.reset_role();
select is(pg_temp.lockable('service_events', format('id in (%L, %L, %L)', md5('event-1')::uuid, md5('event-2')::uuid, md5('event-3')::uuid)),
  'no error', 'the events named by refused changes were not locked');
select is(pg_temp.lockable('station_month_totals', format('(station_id, theme_month_id) in (select station_id, theme_month_id
    from public.service_events where id in (%L, %L, %L))', md5('event-1')::uuid, md5('event-2')::uuid, md5('event-3')::uuid)),
  'no error', 'nor the totals of the keys those events are at');
select is_empty(format('select 1 from public.station_month_totals where station_id = %L', :'station_x'),
  'no empty totals row is left at the keys of refused changes');

-- What the caller may write is locked as before: here the leader's edit of a team event.
select tests.act_as(tests.demo_user('leader'));
select is(public.push_event_changes(jsonb_build_array(pg_temp.change(gen_random_uuid(), md5('event-2')::uuid, 'upsert',
    (select revision from public.service_events where id = md5('event-2')::uuid), pg_temp.fields()))) -> 0 ->> 'status',
  'applied', 'the leader''s edit of a team event is applied');
select tests.reset_role();
select isnt(pg_temp.lockable('service_events', format('id = %L', md5('event-2')::uuid)), 'no error',
  'the event it wrote stays locked until commit');
-- An applied change at a new key keeps the totals row made for it.
select tests.act_as(tests.demo_user('volunteer'));
select is(public.push_event_changes(jsonb_build_array(pg_temp.change(gen_random_uuid(), gen_random_uuid(), 'upsert', null,
    pg_temp.fields(jsonb_build_object('station_id', :'station_x'))))) -> 0 ->> 'status',
  'applied', 'the volunteer''s own event at the new station is applied');
select tests.reset_role();
select is((select events from public.station_month_totals where station_id = :'station_x' and theme_month_id = md5('month-3')::uuid),
  1, 'its totals row counts it');

-- A change the caller may write but the rules refuse leaves no empty totals row either (both paths).
select tests.make_station('Station of refused changes') as station_y \gset
select tests.act_as(tests.demo_user('volunteer'));
select is(public.push_event_changes(jsonb_build_array(pg_temp.change(gen_random_uuid(), gen_random_uuid(), 'upsert', null,
    pg_temp.fields(jsonb_build_object('station_id', :'station_y', 'ended_at', '2023-03-20T08:00:00+08:00'))))) -> 0 ->> 'rule',
  'service_events_ends_after_start', 'whole batch: an invalid change of the volunteer''s is rejected');
select is(tests.push_one_by_one(jsonb_build_array(pg_temp.change(gen_random_uuid(), gen_random_uuid(), 'upsert', null,
    pg_temp.fields(jsonb_build_object('station_id', :'station_y', 'theme_month_id', md5('month-4')::uuid,
      'started_at', '2023-04-20T09:00:00+08:00', 'ended_at', '2023-04-20T08:00:00+08:00'))))) -> 0 ->> 'rule',
  'service_events_ends_after_start', 'one at a time: the same');
select tests.reset_role();
select is_empty(format('select 1 from public.station_month_totals where station_id = %L', :'station_y'),
  'no empty totals row is left at their keys');

-- At most 100 keys per batch. A batch of n valid changes at n station x month keys (stations in
-- a fixed order, 12 months each), new events or edits of one event.
create temporary table spread_stations as select id, row_number() over (order by id) as n from public.stations;
grant select on spread_stations to authenticated;
create function pg_temp.spread(keys integer, event_id uuid default null, base_revision bigint default null) returns jsonb
language sql
as $$
  select jsonb_agg(pg_temp.change(gen_random_uuid(), coalesce(event_id, gen_random_uuid()), 'upsert', base_revision,
      pg_temp.fields(jsonb_build_object('station_id', s.id, 'theme_month_id', md5('month-' || m)::uuid,
        'started_at', make_timestamptz(2023, m, 20, 9, 0, 0, 'Asia/Shanghai'),
        'ended_at', make_timestamptz(2023, m, 20, 12, 0, 0, 'Asia/Shanghai')))))
  from spread_stations s, generate_series(1, 12) m
  where (s.n - 1) * 12 + m <= keys
$$;
select tests.act_as(tests.demo_user('volunteer'));
select throws_ok(format('select public.push_event_changes(%L)', pg_temp.spread(101)),
  '22023', 'a batch may write to at most 100 station and month totals; push fewer changes at once',
  'a batch writing to 101 station x month keys is refused');
select is(tests.error_of(format('select public.push_event_changes(%L)', pg_temp.spread(101))),
  '22023 sync_batch_keys', '...with its rule');
select is(jsonb_path_query_array(public.push_event_changes(pg_temp.spread(100)), '$[*].status ? (@ != "applied")'), '[]',
  'a batch writing to 100 keys is applied');
select is(jsonb_array_length(public.push_event_changes(pg_temp.spread(120, md5('event-1')::uuid, 1))),
  120, 'changes the caller may not write count no keys (120 edits of an event recorded by someone else)');

-- ---------------------------------------------------------------------------------------------
-- Change ids: a resend is the same change; anything else under a used id is refused.
create function pg_temp.reuse(push text) returns setof text
language plpgsql
as $$
declare
  first_change uuid := gen_random_uuid();
  event_a uuid := gen_random_uuid();
  outcome jsonb;
  refused jsonb := '{"status": "rejected", "code": "22023", "rule": "sync_change_id_reused"}';
begin
  perform tests.act_as(tests.demo_user('volunteer'));
  execute format('select %s($1)', push) into outcome
  using jsonb_build_array(pg_temp.change(first_change, event_a, 'upsert', null, pg_temp.fields()));
  return next is(outcome -> 0 ->> 'status', 'applied', push || ': a new change is applied');
  execute format('select %s($1)', push) into outcome
  using jsonb_build_array(pg_temp.change(first_change, event_a, 'upsert', null, pg_temp.fields()));
  return next is(outcome -> 0 ->> 'status', 'duplicate', push || ': the same change again is a duplicate');
  -- The phone reads base_revision when it sends: a resend may carry the revision the change got.
  execute format('select %s($1)', push) into outcome
  using jsonb_build_array(pg_temp.change(first_change, event_a, 'upsert',
    (select revision from public.service_events where id = event_a), pg_temp.fields()));
  return next is(outcome -> 0 ->> 'status', 'duplicate', push || ': ...also with a newer base revision');
  execute format('select %s($1)', push) into outcome
  using jsonb_build_array(pg_temp.change(first_change, event_a, 'upsert', null,
    pg_temp.fields('{"title": "Other content"}')));
  return next is((outcome -> 0) - 'change_id' - 'event_id' - 'message', refused,
    push || ': the same id with other content is refused');
  execute format('select %s($1)', push) into outcome
  using jsonb_build_array(pg_temp.change(first_change, gen_random_uuid(), 'upsert', null, pg_temp.fields()));
  return next is((outcome -> 0) - 'change_id' - 'event_id' - 'message', refused,
    push || ': the same id for another event is refused');
  execute format('select %s($1)', push) into outcome
  using jsonb_build_array(pg_temp.change(first_change, event_a, 'delete', 1));
  return next is((outcome -> 0) - 'change_id' - 'event_id' - 'message', refused,
    push || ': the same id for a delete of the event is refused');
  perform tests.act_as(tests.demo_user('volunteer2'));
  execute format('select %s($1)', push) into outcome
  using jsonb_build_array(pg_temp.change(first_change, gen_random_uuid(), 'upsert', null,
    pg_temp.fields(jsonb_build_object('team_id', md5('team-2')::uuid,
      'participants', jsonb_build_array(jsonb_build_object('person_id', md5('person-12')::uuid, 'hours', 1))))));
  return next is((outcome -> 0) - 'change_id' - 'event_id' - 'message', refused,
    push || ': another user''s change id is refused the same way (nothing tells whose it was)');
  perform tests.reset_role();
  return next is((select count(*) from public.service_events where title = 'Other content'), 0::bigint,
    push || ': no refused change was written');
end
$$;
select * from pg_temp.reuse('public.push_event_changes');
select * from pg_temp.reuse('tests.push_one_by_one');

select tests.act_as(tests.demo_user('volunteer'));
select is((select jsonb_agg((o - 'change_id' - 'event_id' - 'message' - 'revision')) from jsonb_array_elements(public.push_event_changes(jsonb_build_array(
    pg_temp.change(md5('twice-in-a-batch')::uuid, gen_random_uuid(), 'upsert', null, pg_temp.fields()),
    pg_temp.change(md5('twice-in-a-batch')::uuid, gen_random_uuid(), 'upsert', null, pg_temp.fields())))) o),
  '[{"status": "applied"}, {"status": "rejected", "code": "22023", "rule": "sync_change_id_reused"}]'::jsonb,
  'one id for two events in one batch: the first is applied, the second refused');
select tests.reset_role();
select is((select payload_hash from public.sync_changes where change_id = md5('twice-in-a-batch')::uuid),
  sha256(convert_to(jsonb_build_object('op', 'upsert', 'event', pg_temp.fields())::text, 'UTF8')),
  'sync_changes keeps the hash of the change''s op and fields');

-- Only the push writes sync_changes.
select tests.act_as(tests.demo_user('volunteer'));
select throws_ok($$insert into public.sync_changes (change_id, event_id, revision) values (gen_random_uuid(), md5('event-4')::uuid, 1)$$,
  '42501', 'permission denied for table sync_changes', 'a user cannot write sync_changes (here, pointing at another team''s event)');
select throws_ok($$insert into public.sync_changes (change_id, event_id, revision) values (gen_random_uuid(), gen_random_uuid(), 1)$$,
  '42501', 'permission denied for table sync_changes', '...and is answered the same way for an event id that does not exist');

-- ---------------------------------------------------------------------------------------------
-- Every refusal names its rule, through both paths.
create function pg_temp.refusal(push text, fields jsonb, base_revision bigint default null) returns jsonb
language plpgsql
as $$
declare
  outcome jsonb;
begin
  perform tests.act_as(tests.demo_user('volunteer'));
  execute format('select %s($1)', push) into outcome
  using jsonb_build_array(pg_temp.change(gen_random_uuid(), gen_random_uuid(), 'upsert', base_revision, fields));
  perform tests.reset_role();
  return (outcome -> 0) - 'change_id' - 'event_id' - 'message';
end
$$;
create function pg_temp.participants(variadic list jsonb[]) returns jsonb
language sql
as $$ select jsonb_build_object('participants', to_jsonb(list)) $$;

create temporary table refusals (fields jsonb, expected jsonb, description text);
insert into refusals values
  (pg_temp.fields(pg_temp.participants(jsonb_build_object('person_id', md5('person-2')::uuid, 'hours', 1),
      jsonb_build_object('person_id', md5('person-2')::uuid, 'hours', 2))),
    '{"code": "23514", "rule": "event_participants_unique"}', 'a participant listed twice'),
  (pg_temp.fields(pg_temp.participants(jsonb_build_object('person_id', md5('person-2')::uuid, 'hours', 'NaN'))),
    '{"code": "22023", "rule": "event_participants_hours_format"}', 'hours "NaN"'),
  (pg_temp.fields(pg_temp.participants(jsonb_build_object('person_id', md5('person-2')::uuid, 'hours', 'two'))),
    '{"code": "22023", "rule": "event_participants_hours_format"}', 'hours that are not a number'),
  (pg_temp.fields(pg_temp.participants(jsonb_build_object('person_id', md5('person-2')::uuid))),
    '{"code": "22023", "rule": "event_participants_hours_format"}', 'no hours'),
  (pg_temp.fields(pg_temp.participants(jsonb_build_object('person_id', md5('person-2')::uuid, 'hours', 1000))),
    '{"code": "23514", "rule": "event_participants_hours_range"}', 'hours too large to hold'),
  (pg_temp.fields(pg_temp.participants(jsonb_build_object('person_id', null, 'hours', 1))),
    '{"code": "22023", "rule": "event_participants_person_id_format"}', 'a participant without a person'),
  (pg_temp.fields(pg_temp.participants(jsonb_build_object('person_id', 'someone', 'hours', 1))),
    '{"code": "22023", "rule": "event_participants_person_id_format"}', 'a person id that is not one'),
  (pg_temp.fields(pg_temp.participants('"person-2"')),
    '{"code": "22023", "rule": "event_participants_person_id_format"}', 'a participant that is not an object'),
  (pg_temp.fields() - 'started_at', '{"code": "22023", "rule": "service_events_started_at_format"}', 'no start'),
  (pg_temp.fields('{"started_at": "2023-02-30T09:00:00+08:00"}'),
    '{"code": "22023", "rule": "service_events_started_at_format"}', 'a start on 30 February'),
  (pg_temp.fields() - 'ended_at', '{"code": "22023", "rule": "service_events_ended_at_format"}', 'no end'),
  (pg_temp.fields('{"ended_at": "noon"}'), '{"code": "22023", "rule": "service_events_ended_at_format"}', 'an end that is no time'),
  (pg_temp.fields('{"station_id": "station-1"}'),
    '{"code": "22023", "rule": "service_events_station_id_format"}', 'a station id that is not one'),
  (pg_temp.fields() - 'team_id', '{"code": "22023", "rule": "service_events_team_id_format"}', 'no team'),
  (pg_temp.fields('{"people_served": "many"}'),
    '{"code": "22023", "rule": "service_events_people_served_format"}', 'people served that is not a number'),
  (pg_temp.fields('{"people_served": 10000000000}'),
    '{"code": "23514", "rule": "service_events_people_served_range"}', 'people served too large to hold'),
  (pg_temp.fields('{"funds_fen": 1.5}'), '{"code": "22023", "rule": "service_events_funds_format"}', 'funds in part of a fen'),
  (pg_temp.fields('{"funds_fen": null}'), '{"code": "22023", "rule": "service_events_funds_format"}', 'no funds'),
  (pg_temp.fields('{"title": null}'), '{"code": "23514", "rule": "service_events_title_length"}', 'no title'),
  (pg_temp.fields(jsonb_build_object('team_id', md5('team-2')::uuid)),
    '{"code": "42501", "rule": "service_events_team_policy"}', 'an event for a team the volunteer is not in'),
  ('"not an object"', '{"code": "22023", "rule": "sync_change_shape"}', 'fields that are not an object');

select is(pg_temp.refusal('public.push_event_changes', fields), expected || '{"status": "rejected"}',
    'whole batch: ' || description || ' is refused with its rule')
from refusals;
select is(pg_temp.refusal('tests.push_one_by_one', fields), expected || '{"status": "rejected"}',
    'one at a time: ' || description || ' is refused with its rule')
from refusals;

select tests.reset_role();
select is_empty($$select * from private.totals_drift()$$, 'the totals have not drifted');

select * from finish();
rollback;
