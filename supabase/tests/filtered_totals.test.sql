-- The dashboard's filtered figures: public.filtered_totals (per station x theme month, and the
-- whole selection in the row whose station_id is null) and public.team_totals (per team). First
-- exact expectations on a small program of its own (2021: two stations, two teams, a volunteer in
-- both teams, a deleted event); then both of filtered_totals' paths (a coordinator's maintained
-- totals, and the events summed when filtering by team or for anyone else) held equal on the seed;
-- then what each role sees under row-level security.
begin;
set local search_path = public, extensions;
select plan(34);

-- The figures of a row as a comparable value.
create function pg_temp.figures(events bigint, volunteers bigint, volunteer_hours numeric, people_served bigint,
  funds_fen bigint, materials_fen bigint) returns jsonb
language sql
as $$
  select jsonb_build_object('events', events, 'volunteers', volunteers, 'volunteer_hours', volunteer_hours::numeric(12, 2),
    'people_served', people_served, 'funds_fen', funds_fen, 'materials_fen', materials_fen)
$$;

-- The whole selection's figures, as the caller sees them.
create function pg_temp.overall(p_year integer, p_station uuid default null, p_month uuid default null, p_team uuid default null)
returns jsonb
language sql
as $$
  select pg_temp.figures(t.events, t.volunteers, t.volunteer_hours, t.people_served, t.funds_fen, t.materials_fen)
  from public.filtered_totals(p_year, p_station, p_month, p_team) t where t.station_id is null
$$;

-- ---------------------------------------------------------------------------------------------
-- A program of its own in 2021.
select tests.make_station('Filter station A') as station_a \gset
select tests.make_station('Filter station B') as station_b \gset
select tests.make_team('Filter team X') as team_x \gset
select tests.make_team('Filter team Y') as team_y \gset
select tests.make_person('Filter volunteer 1') as p1 \gset
select tests.make_person('Filter volunteer 2') as p2 \gset
select tests.make_person('Filter volunteer 3') as p3 \gset
select tests.make_member(:'team_x', :'p1');
select tests.make_member(:'team_x', :'p2');
select tests.make_member(:'team_y', :'p2');
select tests.make_member(:'team_y', :'p3');
select tests.make_event(:'team_x', :'station_a', '2021-03-05 09:00+08', 2, array[:'p1', :'p2']::uuid[],
  people_served => 10, funds_fen => 100);
select tests.make_event(:'team_x', :'station_b', '2021-03-06 09:00+08', 3, array[:'p2']::uuid[],
  people_served => 5, materials_fen => 200);
select tests.make_event(:'team_y', :'station_a', '2021-04-02 09:00+08', 1, array[:'p2', :'p3']::uuid[],
  people_served => 7, funds_fen => 50);
select tests.make_event(:'team_y', :'station_a', '2021-04-03 09:00+08', 1, array[:'p3']::uuid[],
  people_served => 100, funds_fen => 999, id => md5('filter-deleted')::uuid);
update public.service_events set deleted_at = now() where id = md5('filter-deleted')::uuid;
select id as march from public.theme_months where month = '2021-03-01' \gset
select id as april from public.theme_months where month = '2021-04-01' \gset

select tests.act_as(tests.demo_user('coordinator'));
select is(pg_temp.overall(2021), pg_temp.figures(3, 3, 9, 22, 150, 200),
  'a year: its live events, each volunteer once (one serves in two teams), the deleted event left out');
select results_eq(
  format($$select station_id, theme_month_id, events, volunteers, volunteer_hours from public.filtered_totals(2021)
    where station_id is not null order by theme_month_id = %L desc, station_id = %L desc$$, :'march', :'station_a'),
  format($$values (%L::uuid, %L::uuid, 1::bigint, 2::bigint, 4.00::numeric), (%L, %L, 1, 1, 3.00), (%L, %L, 1, 2, 2.00)$$,
    :'station_a', :'march', :'station_b', :'march', :'station_a', :'april'),
  'a year: one row per station x theme month with activity');
select is(pg_temp.overall(2021, :'station_a'), pg_temp.figures(2, 3, 6, 17, 150, 0), 'a station');
select is(pg_temp.overall(null, null, :'march'), pg_temp.figures(2, 2, 7, 15, 100, 200), 'a theme month');
select is(pg_temp.overall(2021, null, null, :'team_x'), pg_temp.figures(2, 2, 7, 15, 100, 200), 'a team');
select is((select count(*) from public.filtered_totals(2021, null, null, :'team_x') where station_id is not null), 2::bigint,
  'a team: only the stations and months where it was active');
select is(pg_temp.overall(2021, :'station_a', :'april', :'team_y'), pg_temp.figures(1, 2, 2, 7, 50, 0),
  'a year, station, theme month and team together');
select is(pg_temp.overall(2022), pg_temp.figures(0, 0, 0, 0, 0, 0), 'a year without theme months: zeros');
select is((select count(*) from public.filtered_totals(2022)), 1::bigint, 'a year without theme months: only the zero row');
select is(pg_temp.overall(2021, null, :'march', :'team_y'), pg_temp.figures(0, 0, 0, 0, 0, 0),
  'a team without events in the selection: zeros');

select results_eq(
  format($$select team_id, events, volunteers, volunteer_hours, people_served, funds_fen, materials_fen
    from public.team_totals(2021) order by team_id = %L desc$$, :'team_x'),
  format($$values (%L::uuid, 2::bigint, 2::bigint, 7.00::numeric, 15::bigint, 100::bigint, 200::bigint),
    (%L, 1, 2, 2.00, 7, 50, 0)$$, :'team_x', :'team_y'),
  'per team: each team''s live events, its volunteers once each');
select results_eq(
  format($$select team_id, events, volunteers, volunteer_hours from public.team_totals(2021, %L) order by team_id = %L desc$$,
    :'station_a', :'team_x'),
  format($$values (%L::uuid, 1::bigint, 2::bigint, 4.00::numeric), (%L, 1, 2, 2.00)$$, :'team_x', :'team_y'),
  'per team, at one station');
select results_eq(format($$select team_id from public.team_totals(2021, null, null, %L)$$, :'team_y'),
  format($$values (%L::uuid)$$, :'team_y'), 'per team, filtered to one team: that team alone');
select is_empty($$select * from public.team_totals(2022)$$, 'per team, a year without theme months: no rows');

-- ---------------------------------------------------------------------------------------------
-- Both paths agree. A coordinator without a team filter reads the maintained totals; the test
-- runner (no program role, bypassing RLS) gets the same figures summed from every event.
select tests.reset_role();
create temporary table summed_2023 as select * from public.filtered_totals(2023);
create temporary table summed_others as
  select * from public.filtered_totals(2021) union all select * from public.filtered_totals(2023, md5('station-3')::uuid)
  union all select * from public.filtered_totals(null, null, md5('month-5')::uuid);
create temporary table summed_by_team as select * from public.team_totals(2023);
grant select on summed_2023, summed_others, summed_by_team to authenticated;
select ok((select count(*) from summed_2023 where station_id is not null) > 30, 'the seed''s rows to compare are many');

select tests.act_as(tests.demo_user('coordinator'));
select set_eq($$select * from public.filtered_totals(2023)$$, $$select * from summed_2023$$,
  'a coordinator''s figures of a year from the maintained totals equal the figures summed from the events');
select set_eq(
  $$select * from public.filtered_totals(2021) union all select * from public.filtered_totals(2023, md5('station-3')::uuid)
    union all select * from public.filtered_totals(null, null, md5('month-5')::uuid)$$,
  $$select * from summed_others$$,
  'so are they of a station, of a theme month, and of deleted and doubly-serving volunteers');
select is(pg_temp.overall(2023), (select pg_temp.figures(p.events, p.volunteers, p.volunteer_hours, p.people_served, p.funds_fen,
    p.materials_fen) from public.program_totals('2023-01-01', '2023-12-01') p),
  'the whole year equals the program totals of the year report');
select set_eq($$select * from public.team_totals(2023)$$, $$select * from summed_by_team$$,
  'a coordinator reads every team''s figures');
select is((select sum(events)::bigint from public.team_totals(2023)), (select events from public.filtered_totals(2023) where station_id is null),
  'the teams'' events add up to the whole year''s');
select ok((select sum(volunteers) from public.team_totals(2023)) >= (select volunteers from public.filtered_totals(2023) where station_id is null),
  'volunteers are counted once in the whole year, however many teams they served in');

select tests.act_as(tests.demo_user('admin'));
select set_eq($$select * from public.filtered_totals(2023)$$, $$select * from summed_2023$$, 'an admin reads every figure');
select is(pg_temp.overall(2021), pg_temp.figures(3, 3, 9, 22, 150, 200), 'an admin reads the whole program');

-- ---------------------------------------------------------------------------------------------
-- Members see the figures of their own teams' events only.
select tests.reset_role();
select pg_temp.overall(2023, null, null, md5('team-1')::uuid) as team_1_figures \gset
select pg_temp.overall(2023, null, null, md5('team-2')::uuid) as team_2_figures \gset

select tests.act_as(tests.demo_user('volunteer'));
select is(pg_temp.overall(2023), :'team_1_figures'::jsonb, 'a volunteer''s figures are those of their team''s events');
select is(pg_temp.overall(2023, null, null, md5('team-2')::uuid), pg_temp.figures(0, 0, 0, 0, 0, 0),
  'a volunteer filtering by another team sees zeros');
select is(pg_temp.overall(2021), pg_temp.figures(0, 0, 0, 0, 0, 0), 'a volunteer sees nothing of teams they are not in');
select results_eq($$select team_id from public.team_totals(2023)$$, $$values (md5('team-1')::uuid)$$,
  'a volunteer''s per-team figures hold their own team only');
select tests.act_as(tests.demo_user('volunteer2'));
select is(pg_temp.overall(2023), :'team_2_figures'::jsonb, 'a volunteer of team 2 sees team 2''s figures');
select tests.act_as(tests.demo_user('leader'));
select is(pg_temp.overall(2023), :'team_1_figures'::jsonb, 'a leader sees their team''s figures');
select results_eq($$select team_id from public.team_totals()$$, $$values (md5('team-1')::uuid)$$,
  'a leader''s per-team figures hold their own team only');

-- ---------------------------------------------------------------------------------------------
-- anon may call neither function nor the helper; both are security invoker with a fixed search_path.
select tests.act_as_anon();
select throws_ok($$select * from public.filtered_totals()$$, '42501', 'permission denied for function filtered_totals',
  'anon cannot read filtered totals');
select throws_ok($$select * from public.team_totals()$$, '42501', 'permission denied for function team_totals',
  'anon cannot read team totals');
select throws_ok($$select * from private.filtered_theme_month_ids(2023, null)$$, '42501', 'permission denied for schema private',
  'anon cannot call the private helper');
select tests.reset_role();
select is((select count(*) from pg_proc where oid in ('public.filtered_totals'::regproc, 'public.team_totals'::regproc,
    'private.filtered_theme_month_ids'::regproc) and not prosecdef and proconfig = array['search_path=""']), 3::bigint,
  'the functions are security invoker with an empty search_path');

select * from finish();
rollback;
