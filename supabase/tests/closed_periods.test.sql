-- closed_periods(): every signed-in user reads which station x theme months are closed (their
-- keys only, as period_statuses says), so a volunteer's record marks those months; anon reads
-- nothing. A reopened month leaves the list. (Relative to what is closed already: other tests
-- may have closed months on the same stack.)
begin;
set local search_path = public, extensions;
set local client_min_messages = warning;
select plan(7);

select tests.act_as(tests.demo_user('coordinator'));
select station_id as station, theme_month_id as month from public.period_statuses
where status = 'open' and events > 0 order by station_id, theme_month_id limit 1 \gset
select count(*) as already_closed from public.period_statuses where status = 'closed' \gset

create function pg_temp.volunteer_sees_closed(station uuid, month uuid) returns boolean
language sql
as $$ select exists (select from public.closed_periods() c where c.station_id = station and c.theme_month_id = month) $$;

select tests.act_as(tests.demo_user('volunteer'));
select is(pg_temp.volunteer_sees_closed(:'station', :'month'), false, 'an open month is not in the list');

select tests.act_as(tests.demo_user('coordinator'));
select public.close_period(:'station', :'month', '测试结账');
select tests.act_as(tests.demo_user('volunteer'));
select is(pg_temp.volunteer_sees_closed(:'station', :'month'), true, 'a volunteer reads the closed month''s key');
select is((select count(*) from public.closed_periods()), :already_closed + 1::bigint, 'one more closed month, and no other');
select is((select count(*) from public.period_statuses), 0::bigint, 'but not the period''s figures');

select tests.act_as(tests.demo_user('coordinator'));
select is((select array_agg(row(station_id, theme_month_id)::text order by station_id, theme_month_id) from public.closed_periods()),
  (select array_agg(row(station_id, theme_month_id)::text order by station_id, theme_month_id) from public.period_statuses where status = 'closed'),
  'the same keys as period_statuses shows coordinators');

select public.reopen_period(:'station', :'month', '更正');
select tests.act_as(tests.demo_user('volunteer'));
select is(pg_temp.volunteer_sees_closed(:'station', :'month'), false, 'a reopened month is open again for the volunteer');

select tests.act_as_anon();
select throws_ok('select * from public.closed_periods()', '42501', 'permission denied for function closed_periods',
  'anon reads no closed months');

select * from finish();
rollback;
