-- The demo data (supabase/demo-seed.sql) is the program as its year-end report counts it
-- (shared/program/figures.json): its 2023 program totals are exactly the published figures, the totals
-- the triggers maintained while it was loaded equal a recomputation, and the demo accounts are
-- who the other tests take them for.
begin;
set local search_path = public, extensions;
select plan(17);

-- As a coordinator sees them, since that is who produces the report.
select tests.act_as(tests.demo_user('coordinator'));
select results_eq($$select teams, volunteers, stations, events, people_served, funds_fen, materials_fen
    from public.program_totals('2023-01-01', '2023-12-01')$$,
  $$values (64::bigint, 615::bigint, 10::bigint, 186::bigint, 3265::bigint, 218300000::bigint, 826100000::bigint)$$,
  'the 2023 program totals are the published figures: 64 teams, 615 volunteers, 10 stations, 186 events, 3,265 served, 2,183,000 yuan of funds, 8,261,000 yuan of materials');
select is((select volunteers from public.program_totals('2023-01-01', '2023-12-01')), 615::bigint,
  'all 615 volunteers took part in the 2023 theme months');
select ok((select volunteers from public.program_totals('2023-01-01', '2023-01-01'))
    < (select volunteers from public.program_totals('2023-01-01', '2023-06-01')),
  'a range of months counts only the volunteers of those months');
select is((select sum(volunteers) from public.station_month_totals) > 615, true,
  'summing per-key volunteer counts would overcount (volunteers serve at several keys), which is why program_totals counts them distinctly');
select tests.reset_role();

select is_empty($$select * from private.totals_drift()$$, 'the seeded totals equal a recomputation from the events');
select is((select count(*) from public.service_events where deleted_at is not null), 0::bigint, 'the seed has no deleted events');
select is((select count(*) from public.people p where not exists (
    select 1 from public.event_participants ep where ep.person_id = p.id)), 0::bigint,
  'every volunteer took part in at least one event');

-- The demo accounts the other tests rely on.
select results_eq($$select p.id, m.team_id, m.role from public.people p join public.team_members m on m.person_id = p.id
    where p.user_id = tests.demo_user('volunteer')$$,
  $$values (md5('person-2')::uuid, md5('team-1')::uuid, 'member')$$, 'volunteer@demo.local is person-2, a member of team 1');
select results_eq($$select p.id, m.team_id, m.role from public.people p join public.team_members m on m.person_id = p.id
    where p.user_id = tests.demo_user('volunteer2')$$,
  $$values (md5('person-12')::uuid, md5('team-2')::uuid, 'member')$$, 'volunteer2@demo.local is person-12, a member of team 2');
select results_eq($$select p.id, m.team_id, m.role from public.people p join public.team_members m on m.person_id = p.id
    where p.user_id = tests.demo_user('leader')$$,
  $$values (md5('person-1')::uuid, md5('team-1')::uuid, 'leader')$$, 'leader@demo.local is person-1, the leader of team 1');
select set_eq($$select user_id, role from public.program_roles$$,
  format($$values (%L::uuid, 'coordinator'), (%L::uuid, 'admin')$$, tests.demo_user('coordinator'), tests.demo_user('admin')),
  'coordinator@demo.local and admin@demo.local hold the program roles');
select set_eq($$select id from public.service_events where team_id = md5('team-1')::uuid and started_at < '2024-01-01'$$,
  $$values (md5('event-1')::uuid), (md5('event-2')::uuid), (md5('event-3')::uuid)$$,
  'team 1''s events of 2023 are event-1, event-2 and event-3');

-- A live program today: this year's months (and the previous one) are there and named, and the
-- months so far have events, team 1's among them (the demo volunteer sees this year's work).
select is((select count(*) from public.theme_months
    where month between date_trunc('year', now() at time zone 'Asia/Shanghai') and date_trunc('year', now() at time zone 'Asia/Shanghai') + interval '11 months'
      and named),
  12::bigint, 'every month of the current year has a named theme month');
select ok(exists (select 1 from public.theme_months
    where month = date_trunc('month', now() at time zone 'Asia/Shanghai') - interval '1 month'),
  'the previous month has its theme month');
select is((select count(distinct m.month) from public.service_events e join public.theme_months m on m.id = e.theme_month_id
    where e.team_id = md5('team-1')::uuid
      and m.month >= date_trunc('month', now() at time zone 'Asia/Shanghai') - interval '1 month'
      and m.month < date_trunc('month', now() at time zone 'Asia/Shanghai')),
  1::bigint, 'team 1 has an event in the previous month');
select is((select count(*) from public.service_events e join public.theme_months m on m.id = e.theme_month_id
    where m.month >= date_trunc('year', now() at time zone 'Asia/Shanghai')
      and m.month < date_trunc('month', now() at time zone 'Asia/Shanghai')),
  3 * (extract(month from now() at time zone 'Asia/Shanghai')::bigint - 1), 'each month of this year before this one has three events');
select ok((select bool_and(ended_at <= now()) from public.service_events), 'every event has ended');

select * from finish();
rollback;
