-- closed_periods(): every signed-in user reads which station x theme months are closed (their
-- keys only, as period_statuses says), so a volunteer's record marks those months; anon reads
-- nothing. A reopened month leaves the list.
begin;
set local search_path = public, extensions;
set local client_min_messages = warning;
select plan(6);

select station_id as station, theme_month_id as month from public.station_month_totals
where events > 0 order by station_id, theme_month_id limit 1 \gset

select tests.act_as(tests.demo_user('volunteer'));
select is((select count(*) from public.closed_periods()), 0::bigint, 'nothing is closed in the demo program');

select tests.act_as(tests.demo_user('coordinator'));
select public.close_period(:'station', :'month', '测试结账');
select tests.act_as(tests.demo_user('volunteer'));
select is((select array_agg(row(station_id, theme_month_id)::text) from public.closed_periods()),
  array[row(:'station'::uuid, :'month'::uuid)::text], 'a volunteer reads the closed month''s key');
select is((select count(*) from public.period_statuses), 0::bigint, 'but not the period''s figures');
select tests.act_as(tests.demo_user('coordinator'));
select is((select array_agg(row(station_id, theme_month_id)::text) from public.closed_periods()),
  (select array_agg(row(station_id, theme_month_id)::text) from public.period_statuses where status = 'closed'),
  'the same keys as period_statuses shows coordinators');

select public.reopen_period(:'station', :'month', '更正');
select tests.act_as(tests.demo_user('volunteer'));
select is((select count(*) from public.closed_periods()), 0::bigint, 'a reopened month is open again for the volunteer');

select tests.act_as_anon();
select throws_ok('select * from public.closed_periods()', '42501', 'permission denied for function closed_periods',
  'anon reads no closed months');

select * from finish();
rollback;
