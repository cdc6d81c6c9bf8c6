-- What the dashboard, the report and the CSV show of the ledger:
-- - period_statuses: each station x theme month with events (or closed once): open or closed,
--   how many of its events are confirmed, when and by whom it was closed, its snapshot version,
--   and whether an approved adjustment changed it after a close.
-- - year_report(year): the program's figures for a year, built from the snapshots of its closed
--   periods (their latest versions) and the live totals of the open ones; final only when every
--   period of the year with events is closed.
-- Both run under the caller's row-level security: coordinators (and admins) see everything, other
-- users nothing, as with the totals.

create view public.period_statuses with (security_invoker = true) as
select t.station_id, t.theme_month_id,
  case when t.closed then 'closed' else 'open' end as status,
  c.version,
  coalesce(a.adjusted, false) as adjusted,
  t.events,
  t.confirmed,
  case when t.closed then c.closed_at end as closed_at,
  case when t.closed then private.user_name(c.closed_by) end as closed_by,
  case when t.closed then c.closed_by end as closed_by_user_id
from public.station_month_totals t
left join lateral (
  select l.version, l.closed_at, l.closed_by from public.period_closures l
  where l.station_id = t.station_id and l.theme_month_id = t.theme_month_id
  order by l.version desc limit 1
) c on true
left join lateral (
  select bool_or(l.adjusted) as adjusted from public.period_closures l
  where l.station_id = t.station_id and l.theme_month_id = t.theme_month_id
) a on true
where t.events > 0 or c.version is not null;
comment on view public.period_statuses is
  'Each station x theme month: open or closed (when, by whom, snapshot version), confirmed events of all, adjusted after a close.';
revoke all on public.period_statuses from anon;
revoke insert, update, delete, truncate on public.period_statuses from authenticated, service_role;

-- The figures of a year's theme months, as the program reports them (the columns of
-- program_totals), from the latest snapshot of each closed period and the live totals of the
-- open ones; volunteers counted once however many periods they served in. final: every period of
-- the year with events is closed (and there is one).
create function public.year_report(p_year integer)
returns table (
  teams bigint, volunteers bigint, stations bigint, events bigint, volunteer_hours numeric,
  people_served bigint, funds_fen bigint, materials_fen bigint,
  periods bigint, closed_periods bigint, is_final boolean
)
language sql stable security invoker set search_path = ''
as $$
  with periods as (
    select t.station_id, t.theme_month_id, t.closed,
      case when t.closed then s.totals else pg_catalog.to_jsonb(t) end as figures,
      case when t.closed then s.volunteers end as snapshot_volunteers
    from public.station_month_totals t
    join public.theme_months m on m.id = t.theme_month_id
    left join lateral (
      select l.totals, l.volunteers from public.period_closures l
      where l.station_id = t.station_id and l.theme_month_id = t.theme_month_id
      order by l.version desc limit 1
    ) s on t.closed
    where m.month >= pg_catalog.make_date(p_year, 1, 1) and m.month < pg_catalog.make_date(p_year + 1, 1, 1)
      and (t.events > 0 or t.closed)
  ), people as (
    select k.key::uuid as person_id from periods p, pg_catalog.jsonb_object_keys(p.snapshot_volunteers) k (key)
    where p.closed
    union
    select v.person_id from public.station_month_volunteers v
    join periods p on p.station_id = v.station_id and p.theme_month_id = v.theme_month_id and not p.closed
  )
  select (select count(*) from public.teams),
    (select count(*) from people),
    (select count(*) from public.stations),
    coalesce(sum((p.figures ->> 'events')::bigint), 0)::bigint,
    coalesce(sum((p.figures ->> 'volunteer_hours')::numeric), 0),
    coalesce(sum((p.figures ->> 'people_served')::bigint), 0)::bigint,
    coalesce(sum((p.figures ->> 'funds_fen')::bigint), 0)::bigint,
    coalesce(sum((p.figures ->> 'materials_fen')::bigint), 0)::bigint,
    count(*),
    count(*) filter (where p.closed),
    count(*) > 0 and bool_and(p.closed)
  from periods p
$$;
comment on function public.year_report(integer) is
  'The program''s figures for a year from the snapshots of its closed periods (live totals for open ones); is_final when all are closed.';
revoke execute on function public.year_report(integer) from anon, public;
grant execute on function public.year_report(integer) to authenticated, service_role;
