-- Months never block logging: an event written without a theme month (push upsert, direct
-- insert or update) gets the theme month of the Kunming month it starts in, made on first use
-- with a placeholder theme and named = false; a coordinator names it (a new theme) or makes a
-- whole year of months at once (create_theme_months).
--
-- Who is who (supabase/demo-seed.sql): volunteer = person-2 in team 1; volunteer2 = person-12 in
-- team 2. The seed has no theme month in 2024 or 2025 before December.
begin;
set local search_path = public, extensions;
set local client_min_messages = warning;
select plan(34);

-- A new event of team 1 at station 1 as the phone sends it, starting at `started` for two hours,
-- with the volunteer taking part.
create function pg_temp.upsert(event_id uuid, started timestamptz, theme_month uuid default null,
  team uuid default md5('team-1')::uuid, person uuid default md5('person-2')::uuid) returns jsonb
language sql
as $$
  select jsonb_build_array(jsonb_build_object('change_id', gen_random_uuid(), 'event_id', event_id, 'op', 'upsert',
    'base_revision', (select revision from public.service_events where id = event_id),
    'event', jsonb_build_object('station_id', md5('station-1')::uuid, 'team_id', team,
      'theme_month_id', theme_month, 'started_at', started, 'ended_at', started + interval '2 hours',
      'title', 'First of its month', 'note', '', 'people_served', 7, 'funds_fen', 0, 'materials_fen', 0,
      'materials_description', '', 'participants', jsonb_build_array(jsonb_build_object('person_id', person, 'hours', 2)))))
$$;
create function pg_temp.month_of(event_id uuid) returns date
language sql
as $$ select m.month from public.service_events e join public.theme_months m on m.id = e.theme_month_id where e.id = event_id $$;

-- ---------------------------------------------------------------------------------------------
-- The push, whole batch and one change at a time.
select tests.act_as(tests.demo_user('volunteer'));
select is(public.push_event_changes(pg_temp.upsert(md5('first-use-1')::uuid, '2024-03-10 09:00+08')) -> 0 ->> 'status',
  'applied', 'whole batch: an event in a month without a theme month is applied');
select is(pg_temp.month_of(md5('first-use-1')::uuid), '2024-03-01'::date, '...in the theme month of its start''s month');
select is(tests.push_one_by_one(pg_temp.upsert(md5('first-use-2')::uuid, '2024-03-12 09:00+08')) -> 0 ->> 'status',
  'applied', 'one at a time: a second event of that month is applied');
select is((select theme_month_id from public.service_events where id = md5('first-use-2')::uuid),
  (select theme_month_id from public.service_events where id = md5('first-use-1')::uuid), '...in the same theme month');
select tests.reset_role();
select results_eq($$select theme, named from public.theme_months where month = '2024-03-01'$$,
  $$values ('待命名'::text, false)$$, 'the month was made once, with the placeholder theme, not named');

-- The Kunming calendar decides: 23:30 on 31 March in Kunming is 15:30 UTC, still March; 00:30 on
-- 1 April in Kunming is 16:30 UTC on 31 March, already April.
select tests.act_as(tests.demo_user('volunteer'));
select is(public.push_event_changes(pg_temp.upsert(md5('first-use-late')::uuid, '2024-03-31 15:30+00') || pg_temp.upsert(md5('first-use-early')::uuid, '2024-03-31 16:30+00')) -> 1 ->> 'status',
  'applied', 'two events either side of midnight in Kunming are applied');
select is(pg_temp.month_of(md5('first-use-late')::uuid), '2024-03-01'::date, '23:30 on 31 March in Kunming is in March');
select is(pg_temp.month_of(md5('first-use-early')::uuid), '2024-04-01'::date, '00:30 on 1 April in Kunming is in April');

-- A direct insert without a theme month, and an edit that moves an event to a new month.
select lives_ok($$insert into public.service_events (id, station_id, team_id, started_at, ended_at, title)
    values (md5('first-use-direct')::uuid, md5('station-2')::uuid, md5('team-1')::uuid, '2024-05-05 09:00+08', '2024-05-05 10:00+08', 'Direct');
  insert into public.event_participants (event_id, person_id, hours) values (md5('first-use-direct')::uuid, md5('person-2')::uuid, 1)$$,
  'an event inserted directly without a theme month is taken');
select is(pg_temp.month_of(md5('first-use-direct')::uuid), '2024-05-01'::date, '...and gets its month''s');
select is(public.push_event_changes(pg_temp.upsert(md5('first-use-1')::uuid, '2024-06-10 09:00+08')) -> 0 ->> 'status',
  'applied', 'an edit moving an event to another month without a theme month is applied');
select is(pg_temp.month_of(md5('first-use-1')::uuid), '2024-06-01'::date, '...and the event is in the new month');
select lives_ok($$update public.service_events set started_at = '2024-07-01 09:00+08', ended_at = '2024-07-01 10:00+08',
    theme_month_id = null where id = md5('first-use-direct')::uuid$$,
  'a direct edit that clears the theme month with the date is taken');
select is(pg_temp.month_of(md5('first-use-direct')::uuid), '2024-07-01'::date, '...and gets the new date''s month');

-- A theme month given is still checked against the date.
select is(public.push_event_changes(pg_temp.upsert(md5('first-use-mismatch')::uuid, '2024-08-10 09:00+08',
    md5('month-3')::uuid)) -> 0 ->> 'rule',
  'service_events_theme_month_matches_date', 'a theme month of another month is still refused');

-- A refused write makes no month: a volunteer of team 2 cannot write for team 1.
select tests.act_as(tests.demo_user('volunteer2'));
select is(public.push_event_changes(pg_temp.upsert(md5('first-use-refused')::uuid, '2024-09-10 09:00+08',
    person => md5('person-12')::uuid)) -> 0 ->> 'status',
  'rejected', 'a change for a team the user is not in is rejected...');
select tests.reset_role();
select is((select count(*) from public.theme_months where month = '2024-09-01'), 0::bigint, '...and leaves no theme month behind');

-- The totals count the events in their new months, as a recomputation does.
select is((select events from public.station_month_totals t join public.theme_months m on m.id = t.theme_month_id
    where t.station_id = md5('station-1')::uuid and m.month = '2024-03-01'), 2,
  'the new month''s totals count its events');
select is_empty($$select * from private.totals_drift()$$, 'the totals equal a recomputation from the events');

-- ---------------------------------------------------------------------------------------------
-- Naming a month: coordinators set its theme, which names it; nobody sets `named` directly.
select tests.act_as(tests.demo_user('volunteer'));
select is(tests.rows_affected($$update public.theme_months set theme = '学雷锋' where month = '2024-03-01'$$), 0::bigint,
  'a volunteer cannot name a month');
select tests.act_as(tests.demo_user('coordinator'));
select throws_ok($$update public.theme_months set named = true where month = '2024-03-01'$$, '42501',
  'permission denied for table theme_months', 'a coordinator cannot mark a month named without naming it');
select is(tests.rows_affected($$update public.theme_months set theme = '  学雷锋志愿服务月 ' where month = '2024-03-01'$$), 1::bigint,
  'a coordinator names the month');
select results_eq($$select theme, named from public.theme_months where month = '2024-03-01'$$,
  $$values ('学雷锋志愿服务月'::text, true)$$, '...which is now named, its theme trimmed');
select results_eq($$select named from public.theme_months where month = '2023-03-01'$$, $$values (true)$$,
  'months made by coordinators are named');

-- ---------------------------------------------------------------------------------------------
-- A year of months at once.
select is((select count(*) from public.create_theme_months(2024)), 7::bigint,
  'a coordinator makes the months of 2024 that do not exist yet (five, March to July, exist)');
select results_eq($$select count(*), count(*) filter (where not named) from public.theme_months where extract(year from month) = 2024$$,
  $$values (12::bigint, 11::bigint)$$, '2024 has its 12 months, all but the named one to be named');
select is((select count(*) from public.create_theme_months(2024)), 0::bigint, 'making the year again makes nothing');
select is(tests.error_of('select public.create_theme_months(1999)'), '23514 theme_months_year_range', 'a year before 2000 is refused');
select is(tests.error_of('select public.create_theme_months(null)'), '23514 theme_months_year_range', 'no year is refused');
select tests.act_as(tests.demo_user('admin'));
select is((select count(*) from public.create_theme_months(2031)), 12::bigint, 'an admin makes a year too');
select tests.act_as(tests.demo_user('leader'));
select is(tests.error_of('select public.create_theme_months(2032)'), '42501 theme_months_manage_policy',
  'a leader cannot make a year of months');
select tests.act_as(tests.create_user('no-team@tests.local'));
select is(tests.error_of('select public.create_theme_months(2032)'), '42501 theme_months_manage_policy',
  'a signed-up user with no team cannot either');
select tests.act_as_anon();
select throws_ok('select public.create_theme_months(2032)', '42501', 'permission denied for function create_theme_months',
  'anon cannot call it');
select tests.reset_role();
select is((select count(*) from public.theme_months where extract(year from month) = 2032), 0::bigint, 'no month of 2032 was made');

select * from finish();
rollback;
