-- Benchmark only: grows the seeded demo program to :events events (3 participants each) for the
-- server figures. Loaded with triggers off (session_replication_role = replica) for speed; the
-- totals are then rebuilt from the events, so they are what the triggers would have kept.
set session_replication_role = replica;

-- The complete record (see the complete-records migration): member 1 of the team, who takes
-- part, is in charge.
insert into public.service_events (id, station_id, team_id, theme_month_id, started_at, ended_at, title,
  people_served, funds_fen, materials_fen, materials_description, recorded_by,
  place, service_content, person_in_charge, organizing_unit, recorded_at)
select gen_random_uuid(), md5('station-' || (1 + n % 10))::uuid, md5('team-' || team_no)::uuid,
  md5('month-' || (1 + n % 12))::uuid, s, s + interval '3 hours', '基准测试活动',
  n % 40, (n % 50) * 10000, (n % 70) * 10000, '物资', md5('user-admin@demo.local')::uuid,
  '基准地点', '基准测试活动', md5('person-' || (case when team_no <= 39 then (team_no - 1) * 10 else 390 + (team_no - 40) * 9 end + 2))::uuid,
  '基准单位', s + interval '1 day'
from generate_series(1, :events) n,
  lateral (select make_timestamptz(2023, (1 + n % 12)::integer, (1 + n % 28)::integer, 9, 0, 0, 'Asia/Shanghai') as s,
    1 + n % 64 as team_no) t;

-- Three members of the event's team: members 1, 2 and 3 (member 0 leads). Person numbers as in seed.sql.
insert into public.event_participants (event_id, person_id, hours)
select e.id, md5('person-' || (base.first_person + m))::uuid, 2.5
from public.service_events e
join lateral (
  select t, case when t <= 39 then (t - 1) * 10 else 390 + (t - 40) * 9 end + 1 as first_person
  from generate_series(1, 64) t where md5('team-' || t)::uuid = e.team_id
) base on true
cross join generate_series(1, 3) m
where e.title = '基准测试活动';

set session_replication_role = origin;

truncate public.station_month_totals cascade;
insert into public.station_month_totals (station_id, theme_month_id, events, volunteers, volunteer_hours,
  people_served, funds_fen, materials_fen)
select station_id, theme_month_id, events, volunteers, volunteer_hours, people_served, funds_fen, materials_fen
from private.recomputed_totals();
insert into public.station_month_volunteers (station_id, theme_month_id, person_id, events, hours)
select e.station_id, e.theme_month_id, p.person_id, count(*), sum(p.hours)
from public.service_events e join public.event_participants p on p.event_id = e.id
where e.deleted_at is null
group by 1, 2, 3;
analyze;
