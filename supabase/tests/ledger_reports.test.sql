-- What the dashboard and the report read of the ledger: period_statuses (each station x theme
-- month: open / confirmed x of y / closed, when and by whom / adjusted) and year_report(year)
-- (the program's figures from the snapshots of closed periods, final once all are closed), as
-- each role, on the seeded 2023 program (its published figures).
begin;
set local search_path = public, extensions;
set local client_min_messages = warning;
select plan(25);

create temporary table seeded_keys as
select station_id, theme_month_id, events from public.station_month_totals where events > 0;
grant select on seeded_keys to authenticated;

-- ---------------------------------------------------------------------------------------------
-- Before any close: every period open, none confirmed; the year report is the live totals.
select tests.act_as(tests.demo_user('coordinator'));
select is((select count(*) from public.period_statuses), (select count(*) from seeded_keys),
  'a coordinator reads a status for each station x theme month with events');
select is((select count(*) from public.period_statuses where status = 'open' and confirmed = 0 and version is null
    and closed_at is null and closed_by is null and not adjusted), (select count(*) from seeded_keys), '...all open, none confirmed');
select results_eq($$select teams, volunteers, stations, events, people_served, funds_fen, materials_fen, is_final
    from public.year_report(2023)$$,
  $$values (64::bigint, 615::bigint, 10::bigint, 186::bigint, 3265::bigint, 218300000::bigint, 826100000::bigint, false)$$,
  'the 2023 report has the published figures, and is not final');
select is((select row(periods, closed_periods) from public.year_report(2023))::text,
  format('(%s,0)', (select count(*) from seeded_keys k join public.theme_months m on m.id = k.theme_month_id
    where extract(year from m.month) = 2023)),
  '...none of its periods closed');
select is((select row(events, periods, is_final) from public.year_report(2022))::text, '(0,0,f)', 'a year without events is not final');

-- The leader confirms one event; the coordinator closes its period (with a reason, others being
-- unconfirmed) and another one.
select station_id as key_station, theme_month_id as key_month from public.service_events where id = md5('event-1')::uuid \gset
select tests.act_as(tests.demo_user('leader'));
select is(public.push_event_changes(jsonb_build_array(jsonb_build_object('change_id', gen_random_uuid(), 'event_id', md5('event-1')::uuid,
    'op', 'confirm', 'base_revision', (select revision from public.service_events where id = md5('event-1')::uuid)))) -> 0 ->> 'status',
  'applied', 'the leader confirms event-1');
select tests.act_as(tests.demo_user('coordinator'));
select is((select confirmed || ' of ' || events from public.period_statuses where station_id = :'key_station' and theme_month_id = :'key_month'),
  (select '1 of ' || events from seeded_keys where station_id = :'key_station' and theme_month_id = :'key_month'),
  'its period shows one confirmed event of all');
select public.close_period(:'key_station', :'key_month', '年底结账') is not null as closed \gset
select is((select to_jsonb(s) - '{station_id,theme_month_id,events,confirmed,closed_at}'::text[] from public.period_statuses s
    where station_id = :'key_station' and theme_month_id = :'key_month'),
  jsonb_build_object('status', 'closed', 'version', 1, 'adjusted', false, 'closed_by', '协调员演示',
    'closed_by_user_id', tests.demo_user('coordinator')),
  'once closed: closed, version 1, by the coordinator (by name), not adjusted');
select is((select closed_at from public.period_statuses where station_id = :'key_station' and theme_month_id = :'key_month'), now(),
  '...closed now');
select is((select row(closed_periods, is_final) from public.year_report(2023))::text, '(1,f)', 'one period of the year is closed: not final');

-- Reopened, it is open again (its version is kept); an approved adjustment marks it adjusted.
select public.reopen_period(:'key_station', :'key_month', '复核') is not null as reopened \gset
select is((select to_jsonb(s) - '{station_id,theme_month_id,events,confirmed}'::text[] from public.period_statuses s
    where station_id = :'key_station' and theme_month_id = :'key_month'),
  '{"status": "open", "version": 1, "adjusted": false, "closed_at": null, "closed_by": null, "closed_by_user_id": null}',
  'reopened: open, its last version 1');
select public.close_period(:'key_station', :'key_month', '复核后结账') is not null as closed_again \gset
select tests.act_as(tests.demo_user('admin'));
select is(public.push_event_changes(jsonb_build_array(jsonb_build_object('change_id', md5('report-adjust')::uuid,
    'event_id', md5('event-1')::uuid, 'op', 'adjust', 'base_revision', (select revision from public.service_events where id = md5('event-1')::uuid),
    'event', (select to_jsonb(e) || jsonb_build_object('people_served', e.people_served + 5, 'participants', (select jsonb_agg(
      jsonb_build_object('person_id', p.person_id, 'hours', p.hours)) from public.event_participants p where p.event_id = e.id))
      from public.service_events e where e.id = md5('event-1')::uuid), 'reason', '补记五人')))
    -> 0 ->> 'status', 'applied', 'an adjustment is asked for');
select tests.act_as(tests.demo_user('coordinator'));
select public.decide_adjustment(md5('report-adjust')::uuid, true) is not null as approved \gset
select is((select row(status, version, adjusted)::text from public.period_statuses where station_id = :'key_station' and theme_month_id = :'key_month'),
  '(closed,3,t)', 'approved: still closed, version 3, adjusted');
select is((select people_served from public.year_report(2023)), 3270::bigint, 'the year report counts the adjustment');

-- Closing every period makes the report final, from the snapshots.
select count(public.close_period(k.station_id, k.theme_month_id, '年终结账')) as closed_all
from seeded_keys k join public.station_month_totals t using (station_id, theme_month_id) where not t.closed \gset
select results_eq($$select teams, volunteers, stations, events, people_served, funds_fen, materials_fen, is_final
    from public.year_report(2023)$$,
  $$values (64::bigint, 615::bigint, 10::bigint, 186::bigint, 3270::bigint, 218300000::bigint, 826100000::bigint, true)$$,
  'every period closed: the report is final, its figures those of the snapshots (published, plus the adjustment)');
select is((select volunteer_hours from public.year_report(2023)), (select volunteer_hours from public.program_totals('2023-01-01', '2023-12-01')),
  '...with the volunteer hours of the totals');
select is((select count(*) from public.period_statuses where status = 'closed'), (select count(*) from seeded_keys), 'every status says closed');
select tests.reset_role();
-- Built from the snapshots: a figure changed in the live totals behind the lock's back (by the
-- database's owner, with the triggers off) does not reach the final report.
set local session_replication_role = replica;
update public.station_month_totals set people_served = people_served + 1000 where station_id = :'key_station' and theme_month_id = :'key_month';
set local session_replication_role = origin;
select tests.act_as(tests.demo_user('coordinator'));
select is((select people_served from public.year_report(2023)), 3270::bigint, 'the final report reads the snapshots, not the live totals');
select is((select people_served from public.program_totals('2023-01-01', '2023-12-01')), 4270::bigint, '(which the live totals would say)');

-- ---------------------------------------------------------------------------------------------
-- Who reads them: coordinators and admins.
select tests.act_as(tests.demo_user('admin'));
select is((select count(*) from public.period_statuses), (select count(*) from seeded_keys), 'an admin reads the statuses');
create function pg_temp.statuses_as(who text) returns text
language plpgsql
as $$
declare
  seen text;
begin
  perform tests.act_as(tests.demo_user(who));
  select (select count(*) from public.period_statuses) || ' statuses, report ' || (select row(events, is_final) from public.year_report(2023))
  into seen;
  perform tests.reset_role();
  return seen;
end
$$;
select is(pg_temp.statuses_as('volunteer'), '0 statuses, report (0,f)', 'a volunteer reads no status and an empty report');
select is(pg_temp.statuses_as('leader'), '0 statuses, report (0,f)', 'so does a leader');
select is(pg_temp.statuses_as('volunteer2'), '0 statuses, report (0,f)', 'so does another team''s volunteer');
select tests.act_as_anon();
select throws_ok('select * from public.period_statuses', '42501', 'permission denied for view period_statuses', 'anon reads no status');
select throws_ok('select * from public.year_report(2023)', '42501', 'permission denied for function year_report', 'anon reads no report');

select * from finish();
rollback;
