-- LOCAL STACK ONLY: the demo program and its demo accounts, whose password (demo1234) is published
-- in the README. Loaded by the local stack (scripts/stack/stack.ts) for `npm start`, `npm run stack`,
-- the tests and the benchmark; never by `supabase db push --include-seed` (supabase/config.toml
-- loads no seed). Loading it into a Supabase project would open an admin and a coordinator account
-- to anyone, so it refuses to run where Supabase Auth is installed (every Supabase project, hosted,
-- self-hosted or `supabase start`, has GoTrue's role supabase_auth_admin; the local stack has not).
do $$
begin
  if exists (select from pg_catalog.pg_roles where rolname = 'supabase_auth_admin') then
    raise exception using errcode = '42501',
      message = 'supabase/demo-seed.sql is for the local stack only: it creates accounts with a published password',
      hint = 'This database runs Supabase Auth. Create real accounts by signing up instead.';
  end if;
end $$;

-- Demo data (data only, no schema): the 春城党建新力量 program as its year-end report counts it.
-- 10 stations, 64 teams, 615 volunteers, 186 theme-month events in 2023 whose totals are exactly
-- the published figures (shared/program/figures.json): 3,265 person-times served,
-- 2,183,000 yuan of funds and 8,261,000 yuan of materials. Every volunteer takes part in at least
-- two events. Ids are derived from md5 of a name, so the same seed always makes the same rows.
-- Inserted rows go through the same triggers as the app's writes, so the totals tables are filled
-- by the real maintenance code.

-- Demo accounts (password for all: demo1234), with the columns GoTrue expects.
insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
  confirmation_token, recovery_token, email_change_token_new, email_change,
  raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
select '00000000-0000-0000-0000-000000000000', md5('user-' || email)::uuid, 'authenticated', 'authenticated',
  email, extensions.crypt('demo1234', extensions.gen_salt('bf')), now(), '', '', '', '',
  '{"provider": "email", "providers": ["email"]}', jsonb_build_object('display_name', display_name), now(), now()
from (values
  ('volunteer@demo.local', '志愿者演示'),
  ('volunteer2@demo.local', '志愿者演示二'),
  ('leader@demo.local', '队长演示'),
  ('coordinator@demo.local', '协调员演示'),
  ('admin@demo.local', '管理员演示')
) as accounts (email, display_name);

insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
select id::text, id, jsonb_build_object('sub', id::text, 'email', email, 'email_verified', true), 'email', now(), now(), now()
from auth.users where email like '%@demo.local';

insert into public.program_roles (user_id, role) values
  (md5('user-coordinator@demo.local')::uuid, 'coordinator'),
  (md5('user-admin@demo.local')::uuid, 'admin');

insert into public.stations (id, name, address)
select md5('station-' || n)::uuid, district || '工作站', '昆明市' || district
from unnest(array['五华区', '盘龙区', '官渡区', '西山区', '呈贡区', '晋宁区', '安宁市', '东川区', '富民县', '宜良县'])
  with ordinality as s (district, n);

-- 64 teams: 16 trades x 4 home provinces of the chambers of commerce.
insert into public.teams (id, name, chamber)
select md5('team-' || ((p.i - 1) * 16 + t.j))::uuid,
  p.province || t.trade || '商会志愿服务队', '昆明市' || p.province || t.trade || '商会'
from unnest(array['浙江', '福建', '四川', '湖南']) with ordinality as p (province, i)
cross join unnest(array['餐饮', '建材', '汽车', '物流', '医药', '茶叶', '花卉', '服装', '电子', '旅游',
  '教育', '金融', '农业', '家居', '珠宝', '科技']) with ordinality as t (trade, j);

insert into public.theme_months (id, month, theme)
select md5('month-' || m)::uuid, make_date(2023, m::integer, 1), theme
from unnest(array['新春送温暖', '学雷锋志愿服务', '关爱妇女儿童', '文明城市共建', '关爱劳动者', '助学圆梦',
  '党建引领社区行', '拥军优属', '敬老爱老', '国庆文明行', '法律服务进社区', '冬季暖心行'])
  with ordinality as t (theme, m);

-- 615 volunteers: teams 1-39 have 10 members, teams 40-64 have 9. Member 0 of each team leads it.
with members as (
  select t as team_no, m as member_no,
    (case when t <= 39 then (t - 1) * 10 else 390 + (t - 40) * 9 end) + m + 1 as person_no
  from generate_series(1, 64) t, generate_series(0, 9) m
  where m < case when t <= 39 then 10 else 9 end
)
insert into public.people (id, display_name)
select md5('person-' || person_no)::uuid,
  (array['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙', '马', '朱', '胡', '郭', '何', '高', '林', '罗'])[1 + person_no % 20]
  || (array['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀英', '霞', '平',
    '刚', '桂英', '华', '建国', '红梅', '志强', '晓东', '春燕', '海燕', '国庆', '丽华'])[1 + (person_no / 20) % 31]
from members;

with members as (
  select t as team_no, m as member_no,
    (case when t <= 39 then (t - 1) * 10 else 390 + (t - 40) * 9 end) + m + 1 as person_no
  from generate_series(1, 64) t, generate_series(0, 9) m
  where m < case when t <= 39 then 10 else 9 end
)
insert into public.team_members (team_id, person_id, role)
select md5('team-' || team_no)::uuid, md5('person-' || person_no)::uuid,
  case when member_no = 0 then 'leader' else 'member' end
from members;

-- Demo accounts on the volunteers they are: two members of team 1 and 2, and team 1's leader.
update public.people set user_id = md5('user-volunteer@demo.local')::uuid where id = md5('person-2')::uuid;
update public.people set user_id = md5('user-volunteer2@demo.local')::uuid where id = md5('person-12')::uuid;
update public.people set user_id = md5('user-leader@demo.local')::uuid where id = md5('person-1')::uuid;

-- 186 events: teams 1-58 run three, teams 59-64 two. Figures are shares of the published totals
-- by a varying weight, rounded to whole yuan (hundreds for money); the last event takes the
-- rounding remainder so the sums are exact.
with numbered as (
  select row_number() over (order by t, k) as n, t as team_no, k
  from generate_series(1, 64) t, generate_series(0, 2) k
  where k < case when t <= 58 then 3 else 2 end
), weighted as (
  select *, 6 + (n * 37) % 11 as served_weight, 4 + (n * 53) % 13 as funds_weight, 3 + (n * 29) % 17 as materials_weight
  from numbered
), shared as (
  select *,
    floor(3265.0 * served_weight / sum(served_weight) over ())::bigint as served,
    floor(21830.0 * funds_weight / sum(funds_weight) over ())::bigint * 10000 as funds,
    floor(82610.0 * materials_weight / sum(materials_weight) over ())::bigint * 10000 as materials
  from weighted
), demo_events as (
  select n, team_no, k,
    1 + (n - 1) % 12 as month_no,
    1 + (team_no + k) % 10 as station_no,
    make_timestamptz(2023, (1 + (n - 1) % 12)::integer, (1 + (n * 7) % 27)::integer, (9 + n % 5)::integer, 0, 0, 'Asia/Shanghai') as started_at,
    2 + n % 3 as duration_hours,
    served + case when n = 186 then 3265 - sum(served) over () else 0 end as people_served,
    funds + case when n = 186 then 218300000 - sum(funds) over () else 0 end as funds_fen,
    materials + case when n = 186 then 826100000 - sum(materials) over () else 0 end as materials_fen,
    -- The event's place among its team's events by id: who takes part (see the participants below).
    row_number() over (partition by team_no order by md5('event-' || n)::uuid) - 1 as k_by_id,
    (case when team_no <= 39 then (team_no - 1) * 10 else 390 + (team_no - 40) * 9 end) + 1 as leader_no
  from shared
)
-- Place and organizing unit: the station's address and the team's recording unit (the defaults).
-- Recorded from the same day to three weeks later, so that some are late (Art. 11). The person in
-- charge, as the push picks one: the leader (member 0) when taking part, else whoever gave the
-- most hours (members 2, 4 and 8 then give the whole event), ties to the lowest person id.
insert into public.service_events (id, station_id, team_id, theme_month_id, started_at, ended_at, title, note,
  people_served, funds_fen, materials_fen, materials_description, recorded_by,
  service_content, recorded_at, person_in_charge)
select md5('event-' || e.n)::uuid, md5('station-' || e.station_no)::uuid, md5('team-' || e.team_no)::uuid,
  md5('month-' || e.month_no)::uuid, e.started_at, e.started_at + e.duration_hours * interval '1 hour',
  tm.theme || '主题活动', '演示数据', e.people_served, e.funds_fen, e.materials_fen,
  (array['米、油、慰问品', '学习用品', '防暑降温物资', '冬衣棉被', '药品和健康包'])[1 + e.n % 5],
  md5('user-admin@demo.local')::uuid,
  '围绕“' || tm.theme || '”开展' || (array['走访慰问', '政策宣讲', '义诊义剪', '环境整治', '助学帮扶'])[1 + e.n % 5] || '志愿服务',
  e.started_at + e.duration_hours * interval '1 hour' + (e.n * 5 % 22) * interval '1 day',
  case when e.k_by_id % 3 <> 0 then md5('person-' || e.leader_no)::uuid
  else (select md5('person-' || (e.leader_no + m))::uuid from unnest(array[2, 4, 8]) m
        order by md5('person-' || (e.leader_no + m))::uuid limit 1) end
from demo_events e
join public.theme_months tm on tm.id = md5('month-' || e.month_no)::uuid;

-- Each event: the team's members except every third one (offset by the event's place among the
-- team's events), so everyone takes part in at least one of their team's events.
with members as (
  select t as team_no, m as member_no,
    (case when t <= 39 then (t - 1) * 10 else 390 + (t - 40) * 9 end) + m + 1 as person_no
  from generate_series(1, 64) t, generate_series(0, 9) m
  where m < case when t <= 39 then 10 else 9 end
), events as (
  select id, team_id, extract(epoch from ended_at - started_at) / 3600 as duration_hours,
    row_number() over (partition by team_id order by id) - 1 as k
  from public.service_events
)
insert into public.event_participants (event_id, person_id, hours)
select e.id, md5('person-' || m.person_no)::uuid,
  e.duration_hours - case when m.member_no % 2 = 1 then 0.5 else 0 end
from events e
join members m on md5('team-' || m.team_no)::uuid = e.team_id and (m.member_no + e.k) % 3 <> 0;

-- A live program today, so that the app shows this year's work when it starts: theme months for
-- every month of the current year and for the previous month (December of the year before, in
-- January), named with the program's yearly themes, and in each month up to today three events,
-- one of team 1 (the demo volunteer's and leader's team), one of team 2 and one of another team.
-- Only events that have ended by now are made. The dates follow the day the stack starts (the
-- Kunming calendar); everything else is as fixed as the 2023 program above, which stays exactly
-- the published year.
with today as (
  select (now() at time zone 'Asia/Shanghai')::date as day
), live_months as (
  select generate_series(
    least(date_trunc('year', t.day), date_trunc('month', t.day) - interval '1 month'),
    date_trunc('year', t.day) + interval '11 months', interval '1 month')::date as month
  from today t
)
insert into public.theme_months (id, month, theme)
select md5('month-' || to_char(m.month, 'YYYY-MM'))::uuid, m.month,
  (array['新春送温暖', '学雷锋志愿服务', '关爱妇女儿童', '文明城市共建', '关爱劳动者', '助学圆梦',
    '党建引领社区行', '拥军优属', '敬老爱老', '国庆文明行', '法律服务进社区', '冬季暖心行'])[extract(month from m.month)::integer]
from live_months m
on conflict (month) do nothing;

with live_events as (
  select m.id as theme_month_id, m.month, m.theme, k,
    extract(month from m.month)::integer as month_no,
    case k when 0 then 1 when 1 then 2 else 3 + extract(month from m.month)::integer * 5 % 62 end as team_no,
    make_timestamptz(extract(year from m.month)::integer, extract(month from m.month)::integer, 1 + 9 * k,
      9 + k, 0, 0, 'Asia/Shanghai') as started_at
  from public.theme_months m, generate_series(0, 2) k
  where m.month >= least(date_trunc('year', now() at time zone 'Asia/Shanghai'),
    date_trunc('month', now() at time zone 'Asia/Shanghai') - interval '1 month')
)
insert into public.service_events (id, station_id, team_id, theme_month_id, started_at, ended_at, title, note,
  people_served, funds_fen, materials_fen, materials_description, recorded_by)
select md5('live-event-' || to_char(e.month, 'YYYY-MM') || '-' || e.k)::uuid,
  md5('station-' || (1 + (e.month_no + e.k) % 10))::uuid, md5('team-' || e.team_no)::uuid, e.theme_month_id,
  e.started_at, e.started_at + interval '2 hours', e.theme || '主题活动', '演示数据',
  10 + (e.month_no * 7 + e.k * 5) % 30, (e.month_no + e.k) % 3 * 50000,
  case when e.k = 2 then 120000 else 0 end, case when e.k = 2 then '米、油、慰问品' else '' end,
  md5('user-admin@demo.local')::uuid
from live_events e
where e.started_at + interval '2 hours' <= now();

-- Their volunteers: the team's members except every third one, as in 2023.
with members as (
  select t as team_no, m as member_no,
    (case when t <= 39 then (t - 1) * 10 else 390 + (t - 40) * 9 end) + m + 1 as person_no
  from generate_series(1, 64) t, generate_series(0, 9) m
  where m < case when t <= 39 then 10 else 9 end
), events as (
  -- The events just made (the only ones without volunteers); k again from the day (1, 10, 19).
  select e.id, e.team_id, (extract(day from e.started_at at time zone 'Asia/Shanghai')::integer - 1) / 9 as k
  from public.service_events e
  where not exists (select 1 from public.event_participants p where p.event_id = e.id)
)
insert into public.event_participants (event_id, person_id, hours)
select e.id, md5('person-' || m.person_no)::uuid, case when m.member_no % 2 = 1 then 1.5 else 2 end
from events e
join members m on md5('team-' || m.team_no)::uuid = e.team_id and (m.member_no + e.k) % 3 <> 0;
