-- Row-level security and privileges of the derived and bookkeeping tables: station_month_totals
-- and station_month_volunteers (read by coordinators and admins only, written by no API role:
-- only the triggers' security definer functions maintain them), sync_changes (each user reads
-- their own pushed changes; only the push writes them; no one edits or removes them), and who
-- may call the API functions and the totals internals.
begin;
set local search_path = public, extensions;
select plan(69);

select count(*) as all_totals from public.station_month_totals \gset
select count(*) as all_tallies from public.station_month_volunteers \gset

-- ---------------------------------------------------------------------------------------------
-- anon: nothing on the three tables.
select * from tests.anon_is_refused('station_month_totals.events', 'station_month_volunteers.events',
  'sync_changes.revision');

-- ---------------------------------------------------------------------------------------------
-- Totals are read by coordinators and admins only.
select tests.act_as(tests.demo_user('volunteer'));
select is_empty($$select * from public.station_month_totals$$, 'a volunteer reads no totals');
select is_empty($$select * from public.station_month_volunteers$$, 'a volunteer reads no volunteer tallies');
select tests.act_as(tests.demo_user('volunteer2'));
select is_empty($$select * from public.station_month_totals$$, 'a volunteer of another team reads no totals');
select is_empty($$select * from public.station_month_volunteers$$, 'a volunteer of another team reads no volunteer tallies');
select tests.act_as(tests.demo_user('leader'));
select is_empty($$select * from public.station_month_totals$$, 'a leader reads no totals');
select is_empty($$select * from public.station_month_volunteers$$, 'a leader reads no volunteer tallies');
select tests.act_as(tests.demo_user('coordinator'));
select is((select count(*) from public.station_month_totals), :'all_totals'::bigint, 'a coordinator reads all totals');
select is((select count(*) from public.station_month_volunteers), :'all_tallies'::bigint, 'a coordinator reads all volunteer tallies');
select tests.act_as(tests.demo_user('admin'));
select is((select count(*) from public.station_month_totals), :'all_totals'::bigint, 'an admin reads all totals');
select is((select count(*) from public.station_month_volunteers), :'all_tallies'::bigint, 'an admin reads all volunteer tallies');

-- No signed-in user writes totals directly, whatever their role: insert, update and delete are
-- not granted (6 checks per role).
select tests.act_as(tests.demo_user('volunteer'));
select throws_ok(format(statement, t), '42501', format('permission denied for table %s', t),
    format('a volunteer cannot %s %s', command, t))
from unnest(array['station_month_totals', 'station_month_volunteers']) t,
  (values ('insert into', 'insert into public.%I default values'), ('update', 'update public.%I set events = events + 1'),
    ('delete from', 'delete from public.%I')) as c (command, statement);
select tests.act_as(tests.demo_user('leader'));
select throws_ok(format(statement, t), '42501', format('permission denied for table %s', t),
    format('a leader cannot %s %s', command, t))
from unnest(array['station_month_totals', 'station_month_volunteers']) t,
  (values ('insert into', 'insert into public.%I default values'), ('update', 'update public.%I set events = events + 1'),
    ('delete from', 'delete from public.%I')) as c (command, statement);
select tests.act_as(tests.demo_user('coordinator'));
select throws_ok(format(statement, t), '42501', format('permission denied for table %s', t),
    format('a coordinator cannot %s %s', command, t))
from unnest(array['station_month_totals', 'station_month_volunteers']) t,
  (values ('insert into', 'insert into public.%I default values'), ('update', 'update public.%I set events = events + 1'),
    ('delete from', 'delete from public.%I')) as c (command, statement);
select tests.act_as(tests.demo_user('admin'));
select throws_ok(format(statement, t), '42501', format('permission denied for table %s', t),
    format('an admin cannot %s %s', command, t))
from unnest(array['station_month_totals', 'station_month_volunteers']) t,
  (values ('insert into', 'insert into public.%I default values'), ('update', 'update public.%I set events = events + 1'),
    ('delete from', 'delete from public.%I')) as c (command, statement);

-- program_totals runs under the caller's RLS: the report is a coordinator's.
select tests.reset_role();
select count(*) as live_events from public.service_events where deleted_at is null \gset
select tests.act_as(tests.demo_user('coordinator'));
select is((select events from public.program_totals()), :'live_events'::bigint,
  'a coordinator''s program totals count every event');
select tests.act_as(tests.demo_user('volunteer'));
select is((select events from public.program_totals()), 0::bigint, 'a volunteer''s program totals show no events (totals are hidden)');

-- ...nor through the security definer functions that maintain them, nor read them through the
-- audit functions (only functions granted by name are executable in private).
select tests.act_as(tests.demo_user('volunteer'));
select throws_ok(format($$select private.apply_totals_deltas(array[(%L, %L, null, 1, 0, 1000, 0, 0, 0)::private.totals_delta])$$,
    md5('station-1')::uuid, md5('month-1')::uuid),
  '42501', 'permission denied for function apply_totals_deltas', 'a volunteer cannot call private.apply_totals_deltas to forge totals');
select throws_ok('select private.add_totals_deltas(null)',
  '42501', 'permission denied for function add_totals_deltas', 'a volunteer cannot call private.add_totals_deltas');
select throws_ok($$select * from private.totals_drift()$$, '42501', 'permission denied for function totals_drift',
  'a volunteer cannot call private.totals_drift');
select throws_ok($$select * from private.recomputed_totals()$$, '42501', 'permission denied for function recomputed_totals',
  'a volunteer cannot read every station''s figures through private.recomputed_totals');

-- anon calls none of the API functions.
select tests.act_as_anon();
select throws_ok($$select public.push_event_changes('[]')$$, '42501', 'permission denied for function push_event_changes',
  'anon cannot push');
select throws_ok($$select public.pull_event_changes(null, 10)$$, '42501', 'permission denied for function pull_event_changes',
  'anon cannot pull');
select throws_ok($$select * from public.program_totals()$$, '42501', 'permission denied for function program_totals',
  'anon cannot read program totals');

-- ---------------------------------------------------------------------------------------------
-- sync_changes: written by the push only, as the pushing user's; each user reads their own; no one
-- writes, edits or removes them directly.
select tests.act_as(tests.demo_user('volunteer'));
select is(public.push_event_changes(jsonb_build_array(jsonb_build_object('change_id', md5('rls-change-volunteer')::uuid,
    'event_id', md5('rls-change-event')::uuid, 'op', 'upsert', 'event', jsonb_build_object(
      'station_id', md5('station-1')::uuid, 'team_id', md5('team-1')::uuid, 'theme_month_id', md5('month-3')::uuid,
      'started_at', '2023-03-20T09:00:00+08:00', 'ended_at', '2023-03-20T12:00:00+08:00', 'title', 'Pushed',
      'people_served', 1, 'funds_fen', 0, 'materials_fen', 0,
      'participants', jsonb_build_array(jsonb_build_object('person_id', md5('person-2')::uuid, 'hours', 1)))))) -> 0 ->> 'status',
  'applied', 'a volunteer''s push records its change');
select is((select user_id from public.sync_changes where change_id = md5('rls-change-volunteer')::uuid),
  tests.demo_user('volunteer'), 'the change is recorded as the volunteer''s');
select throws_ok($$insert into public.sync_changes (change_id, event_id, revision)
    values (md5('rls-change-direct')::uuid, md5('event-1')::uuid, 1)$$,
  '42501', 'permission denied for table sync_changes', 'a volunteer cannot record a change directly');
select throws_ok(format($$insert into public.sync_changes (change_id, event_id, revision, user_id)
    values (md5('rls-change-forged')::uuid, md5('event-1')::uuid, 1, %L)$$, tests.demo_user('volunteer2')),
  '42501', 'permission denied for table sync_changes', 'a volunteer cannot record a change in someone else''s name');
select results_eq($$select change_id from public.sync_changes$$, $$values (md5('rls-change-volunteer')::uuid)$$,
  'a volunteer reads exactly their own changes');
select throws_ok($$update public.sync_changes set revision = 2$$, '42501', 'permission denied for table sync_changes',
  'a volunteer cannot edit changes');
select throws_ok($$delete from public.sync_changes$$, '42501', 'permission denied for table sync_changes',
  'a volunteer cannot remove changes');

select tests.act_as(tests.demo_user('volunteer2'));
select is_empty($$select * from public.sync_changes$$, 'a volunteer of another team reads no one else''s changes');
select tests.act_as(tests.demo_user('leader'));
select is_empty($$select * from public.sync_changes$$, 'a leader reads no one else''s changes, even their team''s');
select tests.act_as(tests.demo_user('coordinator'));
select is_empty($$select * from public.sync_changes$$, 'a coordinator reads no one else''s changes');
select throws_ok($$insert into public.sync_changes (change_id, event_id, revision)
    values (md5('rls-change-coordinator')::uuid, md5('event-1')::uuid, 1)$$,
  '42501', 'permission denied for table sync_changes', 'a coordinator cannot record a change directly either');
select tests.act_as(tests.demo_user('admin'));
select is_empty($$select * from public.sync_changes$$, 'an admin reads no one else''s changes');
select throws_ok($$update public.sync_changes set revision = 2$$, '42501', 'permission denied for table sync_changes',
  'an admin cannot edit changes');
select throws_ok($$delete from public.sync_changes$$, '42501', 'permission denied for table sync_changes',
  'an admin cannot remove changes');

select * from finish();
rollback;
