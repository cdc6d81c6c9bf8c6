-- Device reports and the coordinators' follow-up (issue 12). Why:
-- - A coordinator's month ends with one question: what is not in yet? Events logged offline,
--   refused or in conflict exist only on a phone, and only the phone knows. So after each sync
--   round that reaches the server, the phone reports what it holds (report_device): one row per
--   user and device, kept current. Per user as well as per device: on a phone shared by two
--   volunteers, one's unsynced events stay set aside while the other syncs, and the first one's
--   last report must not be overwritten by the second's.
-- - The report lists each waiting event's effect on the totals (station x theme month x team) with
--   the id of the event's latest queued change. Once that change is on the server (sent by this
--   phone, or from a backup imported on another one) the entry no longer counts, even if the phone
--   never reports again: a lost report or a phone wiped after a backup leaves no phantom figures.
-- - report_device is the only way to write a row (no API role may write the table): the server
--   decides who (auth.uid()) and when (now()), and checks the shape. Hence security definer, with
--   the caller checked explicitly.
-- - Who reads reports: a user their own devices, a leader those of the current members of the
--   teams they lead, coordinators (and admins) all. waiting_on_phones() and follow_up() read under those
--   rules (security invoker).

create table public.device_reports (
  user_id uuid not null references auth.users (id) on delete cascade,
  device_id uuid not null,
  app_version text not null,
  -- Queued changes (the outbox), events with something not on the server, and of those the ones
  -- refused or in conflict, waiting for the user rather than the network.
  waiting_changes integer not null,
  waiting_events integer not null,
  parked_failures integer not null,
  -- When the oldest queued change was saved, on the server's clock (the phone sends its age).
  oldest_waiting_since timestamptz,
  -- [{event_id, change_id, team_id, station_id, theme_month_id, events, people_served, funds_fen,
  --   materials_fen, hours}]: what each waiting event adds to (or takes from) the totals.
  waiting jsonb not null,
  storage_persisted boolean,
  storage_usage_bytes bigint,
  storage_quota_bytes bigint,
  -- The phone's clock minus the server's, as the phone last measured it.
  clock_offset_ms bigint,
  reported_at timestamptz not null default now(),
  primary key (user_id, device_id)
);
comment on table public.device_reports is
  'What each installation of the app last reported holding that the server does not (one row per user and device).';

alter table public.device_reports enable row level security;
revoke all on public.device_reports from anon, authenticated;
grant select on public.device_reports to authenticated;

-- Accounts of the current members of the teams the caller leads (private.led_person_ids: current
-- memberships only; security definer: reads people whatever the caller's own policies on them).
create function private.led_member_user_ids() returns setof uuid
language sql stable security definer set search_path = ''
as $$
  select p.user_id from public.people p
  where p.id in (select private.led_person_ids()) and p.user_id is not null
$$;
grant execute on function private.led_member_user_ids() to authenticated, service_role;

create policy "users, their leaders and coordinators read device reports" on public.device_reports
  for select to authenticated
  using (user_id = (select auth.uid())
    or user_id in (select private.led_member_user_ids())
    or (select private.is_coordinator()));

-- Whether a change made on a phone is on the server (security definer: sync_changes shows each
-- user only their own, and a coordinator must know of everyone's; it answers only yes or no).
create function private.change_applied(change_id uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (select 1 from public.sync_changes s where s.change_id = change_applied.change_id)
$$;
grant execute on function private.change_applied(uuid) to authenticated, service_role;

-- Whether a JSON value is a number within [low, high] (and whole, unless told otherwise). CASE,
-- not AND: the cast must not run on a value that is not a number.
create function private.json_number_within(value jsonb, low numeric, high numeric, whole boolean default true)
returns boolean
language sql immutable set search_path = ''
as $$
  select case when pg_catalog.jsonb_typeof(value) = 'number'
    then (value #>> '{}')::numeric between low and high
      and (not whole or (value #>> '{}')::numeric = pg_catalog.trunc((value #>> '{}')::numeric))
    else false end
$$;
grant execute on function private.json_number_within(jsonb, numeric, numeric, boolean) to authenticated, service_role;

-- A waiting entry as the phone sends it (see src/domain/device-report.ts).
create function private.valid_waiting_entry(entry jsonb) returns boolean
language sql immutable set search_path = ''
as $$
  select case when pg_catalog.jsonb_typeof(entry) = 'object' then
    private.as_uuid(entry ->> 'event_id') is not null
    and (entry -> 'change_id' = 'null'::jsonb or private.as_uuid(entry ->> 'change_id') is not null)
    and private.as_uuid(entry ->> 'team_id') is not null
    and private.as_uuid(entry ->> 'station_id') is not null
    and (entry -> 'theme_month_id' = 'null'::jsonb or private.as_uuid(entry ->> 'theme_month_id') is not null)
    and coalesce((entry ->> 'month') ~ '^\d{4}-\d{2}-01$', false)
    and private.json_number_within(entry -> 'events', -1, 1)
    and private.json_number_within(entry -> 'people_served', -100000, 100000)
    and private.json_number_within(entry -> 'funds_fen', -1000000000, 1000000000)
    and private.json_number_within(entry -> 'materials_fen', -1000000000, 1000000000)
    and private.json_number_within(entry -> 'hours', -100000, 100000, false)
  else false end
$$;
grant execute on function private.valid_waiting_entry(jsonb) to authenticated, service_role;

-- Whether a report has the shape the phone sends (src/domain/device-report.ts); absent optional
-- figures count as unknown (null).
create function private.valid_device_report(report jsonb) returns boolean
language sql immutable set search_path = ''
as $$
  select case when pg_catalog.jsonb_typeof(report) = 'object' and pg_catalog.jsonb_typeof(report -> 'waiting') = 'array' then
    private.as_uuid(report ->> 'device_id') is not null
    and coalesce(pg_catalog.jsonb_typeof(report -> 'app_version') = 'string'
      and pg_catalog.char_length(report ->> 'app_version') between 1 and 50, false)
    and private.json_number_within(report -> 'waiting_changes', 0, 1000000)
    and private.json_number_within(report -> 'waiting_events', 0, 1000000)
    and private.json_number_within(report -> 'parked_failures', 0, 1000000)
    and not exists (select 1 from pg_catalog.unnest(array['oldest_waiting_seconds', 'storage_usage_bytes', 'storage_quota_bytes']) k
      where coalesce(report -> k, 'null'::jsonb) <> 'null'::jsonb and not private.json_number_within(report -> k, 0, 9e18))
    and (coalesce(report -> 'clock_offset_ms', 'null'::jsonb) = 'null'::jsonb
      or private.json_number_within(report -> 'clock_offset_ms', -1e12, 1e12))
    and coalesce(pg_catalog.jsonb_typeof(report -> 'storage_persisted'), 'null') in ('boolean', 'null')
    and pg_catalog.jsonb_array_length(report -> 'waiting') <= 5000
    and not exists (select 1 from pg_catalog.jsonb_array_elements(report -> 'waiting') e where not private.valid_waiting_entry(e))
  else false end
$$;
grant execute on function private.valid_device_report(jsonb) to authenticated, service_role;

-- Records the caller's report of one of their devices; answers the server's clock (ms since the
-- epoch), from which the phone works out how far its own clock is off.
create function public.report_device(report jsonb) returns jsonb
language plpgsql volatile security definer set search_path = ''
as $$
declare
  caller uuid := auth.uid();
begin
  if caller is null or (report ? 'user_id' and report ->> 'user_id' is distinct from caller::text) then
    raise exception using errcode = '42501', constraint = 'device_reports_own_device',
      message = 'a user reports their own devices only';
  end if;
  if not private.valid_device_report(report) then
    raise exception using errcode = '22023', constraint = 'device_reports_shape',
      message = 'a device report needs device_id, app_version, the counts and the waiting entries';
  end if;

  insert into public.device_reports as r (user_id, device_id, app_version, waiting_changes, waiting_events,
    parked_failures, oldest_waiting_since, waiting, storage_persisted, storage_usage_bytes, storage_quota_bytes,
    clock_offset_ms, reported_at)
  values (caller, (report ->> 'device_id')::uuid, report ->> 'app_version',
    (report ->> 'waiting_changes')::numeric::integer, (report ->> 'waiting_events')::numeric::integer,
    (report ->> 'parked_failures')::numeric::integer,
    pg_catalog.now() - (report ->> 'oldest_waiting_seconds')::numeric * interval '1 second',
    (select coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
        'event_id', (e ->> 'event_id')::uuid, 'change_id', (e ->> 'change_id')::uuid, 'team_id', (e ->> 'team_id')::uuid,
        'station_id', (e ->> 'station_id')::uuid, 'theme_month_id', (e ->> 'theme_month_id')::uuid, 'month', (e ->> 'month')::date,
        'events', (e ->> 'events')::numeric::integer, 'people_served', (e ->> 'people_served')::numeric::integer,
        'funds_fen', (e ->> 'funds_fen')::numeric::bigint, 'materials_fen', (e ->> 'materials_fen')::numeric::bigint,
        'hours', (e ->> 'hours')::numeric)), '[]'::jsonb)
      from pg_catalog.jsonb_array_elements(report -> 'waiting') e),
    (report ->> 'storage_persisted')::boolean, (report ->> 'storage_usage_bytes')::numeric::bigint,
    (report ->> 'storage_quota_bytes')::numeric::bigint, (report ->> 'clock_offset_ms')::numeric::bigint, pg_catalog.now())
  on conflict (user_id, device_id) do update set
    app_version = excluded.app_version, waiting_changes = excluded.waiting_changes,
    waiting_events = excluded.waiting_events, parked_failures = excluded.parked_failures,
    oldest_waiting_since = excluded.oldest_waiting_since, waiting = excluded.waiting,
    storage_persisted = excluded.storage_persisted, storage_usage_bytes = excluded.storage_usage_bytes,
    storage_quota_bytes = excluded.storage_quota_bytes, clock_offset_ms = excluded.clock_offset_ms,
    reported_at = excluded.reported_at;

  return pg_catalog.jsonb_build_object('server_time_ms',
    pg_catalog.floor(extract(epoch from pg_catalog.clock_timestamp()) * 1000)::bigint);
end
$$;
comment on function public.report_device is 'Records the caller''s report of one of their devices; answers the server''s clock.';
revoke execute on function public.report_device(jsonb) from anon, public;
grant execute on function public.report_device(jsonb) to authenticated, service_role;

-- What the latest reports the caller may read say is still only on phones, per phone and
-- station x theme month x team: entries whose change has reached the server since are left out.
-- waiting_events counts the events concerned; events and the sums are what they would add to the
-- totals (an edit adds its difference, a delete takes its event away).
create function public.waiting_on_phones()
returns table (
  user_id uuid, device_id uuid, reported_at timestamptz, station_id uuid, theme_month_id uuid, month date, team_id uuid,
  waiting_events bigint, events bigint, people_served bigint, funds_fen bigint, materials_fen bigint,
  volunteer_hours numeric
)
language sql stable security invoker set search_path = ''
as $$
  select r.user_id, r.device_id, r.reported_at, w.station_id, coalesce(w.theme_month_id, tm.id), w.month, w.team_id,
    pg_catalog.count(distinct w.event_id), pg_catalog.sum(w.events)::bigint, pg_catalog.sum(w.people_served)::bigint,
    pg_catalog.sum(w.funds_fen)::bigint, pg_catalog.sum(w.materials_fen)::bigint, pg_catalog.sum(w.hours)
  from public.device_reports r
  cross join lateral pg_catalog.jsonb_to_recordset(r.waiting) as w (event_id uuid, change_id uuid, team_id uuid,
    station_id uuid, theme_month_id uuid, month date, events integer, people_served integer, funds_fen bigint,
    materials_fen bigint, hours numeric)
  -- A phone that knew no theme month for an event's month sends none; the month's, once made, is it.
  left join public.theme_months tm on w.theme_month_id is null and tm.month = w.month
  where w.change_id is null or not private.change_applied(w.change_id)
  group by r.user_id, r.device_id, r.reported_at, w.station_id, coalesce(w.theme_month_id, tm.id), w.month, w.team_id
$$;
comment on function public.waiting_on_phones is 'What the latest device reports say is not on the server yet, per phone and station x theme month x team.';
revoke execute on function public.waiting_on_phones() from anon, public;
grant execute on function public.waiting_on_phones() to authenticated, service_role;

-- The coordinators' follow-up of a theme month: one key per section it knows.
-- - teams_without_events: teams with no event in the month on the server, with how many of their
--   month's events the phones say they hold;
-- - phones_waiting: phones seen in the last 7 days that hold events of the month;
-- - phones_silent: phones not seen for more than 7 days whose last report held events of the month.
-- A phone: user, device, teams of its waiting events, their number, the oldest waiting change's
-- time, last seen, app version.
create function public.follow_up(theme_month_id uuid) returns jsonb
language plpgsql stable security invoker set search_path = ''
as $$
declare
  month_id constant uuid := follow_up.theme_month_id;
begin
  if not private.is_coordinator() then
    raise exception using errcode = '42501', constraint = 'follow_up_coordinators_only',
      message = 'only coordinators follow up a theme month';
  end if;
  return (
    with waiting as (
      select * from public.waiting_on_phones() w where w.theme_month_id = month_id
    ), phones as (
      select w.user_id, w.device_id, pg_catalog.sum(w.waiting_events)::bigint as events,
        pg_catalog.jsonb_agg(distinct w.team_id) as team_ids, r.oldest_waiting_since, r.reported_at, r.app_version,
        r.reported_at < pg_catalog.now() - interval '7 days' as silent
      from waiting w
      join public.device_reports r on r.user_id = w.user_id and r.device_id = w.device_id
      group by w.user_id, w.device_id, r.oldest_waiting_since, r.reported_at, r.app_version
    ), phone_rows as (
      select p.silent, pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('user_id', p.user_id, 'device_id', p.device_id,
        'team_ids', p.team_ids, 'events', p.events, 'oldest_waiting_since', p.oldest_waiting_since,
        'reported_at', p.reported_at, 'app_version', p.app_version) order by p.reported_at) as list
      from phones p group by p.silent
    )
    select pg_catalog.jsonb_build_object(
      'teams_without_events', coalesce((
        select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('team_id', t.id,
          'waiting_events', coalesce((select pg_catalog.sum(w.waiting_events) from waiting w where w.team_id = t.id), 0))
          order by t.name)
        from public.teams t
        where not exists (select 1 from public.service_events e
          where e.team_id = t.id and e.theme_month_id = month_id and e.deleted_at is null)), '[]'::jsonb),
      'phones_waiting', coalesce((select list from phone_rows where not silent), '[]'::jsonb),
      'phones_silent', coalesce((select list from phone_rows where silent), '[]'::jsonb))
  );
end
$$;
comment on function public.follow_up is 'Coordinators: what is missing for a theme month (teams without events, events still on phones).';
revoke execute on function public.follow_up(uuid) from anon, public;
grant execute on function public.follow_up(uuid) to authenticated, service_role;

-- Functions in private run only where granted above: some are security definer.
revoke execute on all functions in schema private from public;
