-- Coordinators' dashboard figures under any filter of year, station, theme month and team, every
-- figure on the page following the same filters: public.filtered_totals (the whole selection and
-- each station x theme month in it) and public.team_totals (each team in it), volunteers counted
-- once however many events, stations and months they served in.
--
-- Both are security invoker: a caller sees the figures of the events row-level security lets them
-- read (coordinators all; a member their own teams'). Without a team filter a coordinator's
-- figures come from the maintained totals (station_month_totals, station_month_volunteers), which
-- stay cheap however many events there are; the totals do not know teams, so a team filter (and
-- the per-team figures) are summed from the events of the selection.

-- The theme months a filter covers: those of one year, one month, or all.
create function private.filtered_theme_month_ids(p_year integer, p_theme_month_id uuid) returns setof uuid
language sql stable security invoker set search_path = ''
as $$
  select m.id from public.theme_months m
  where (p_year is null
      or (m.month >= pg_catalog.make_date(p_year, 1, 1) and m.month < pg_catalog.make_date(p_year + 1, 1, 1)))
    and (p_theme_month_id is null or m.id = p_theme_month_id)
$$;

-- One row per station x theme month with activity, and one row with station_id and
-- theme_month_id null: the whole selection, its volunteers counted once.
create function public.filtered_totals(
  p_year integer default null,
  p_station_id uuid default null,
  p_theme_month_id uuid default null,
  p_team_id uuid default null
)
returns table (
  station_id uuid, theme_month_id uuid, events bigint, volunteers bigint, volunteer_hours numeric,
  people_served bigint, funds_fen bigint, materials_fen bigint
)
language sql stable security invoker set search_path = ''
as $$
  with months as (
    select private.filtered_theme_month_ids(p_year, p_theme_month_id) as id
  ),
  path as (
    select p_team_id is null and (select private.is_coordinator()) as maintained
  ),
  -- Coordinator, no team filter: the maintained totals.
  kept as (
    select t.* from public.station_month_totals t
    where (select maintained from path) and t.theme_month_id in (select id from months)
      and (p_station_id is null or t.station_id = p_station_id)
      and (t.events <> 0 or t.volunteers <> 0)
  ),
  -- Otherwise: the live events the caller may read.
  live as (
    select e.id, e.station_id, e.theme_month_id, e.people_served, e.funds_fen, e.materials_fen
    from public.service_events e
    where not (select maintained from path) and e.deleted_at is null
      and e.theme_month_id in (select id from months)
      and (p_station_id is null or e.station_id = p_station_id)
      and (p_team_id is null or e.team_id = p_team_id)
  ),
  event_figures as (
    select l.station_id, l.theme_month_id, count(*) as events, sum(l.people_served) as people_served,
      sum(l.funds_fen) as funds_fen, sum(l.materials_fen) as materials_fen
    from live l
    group by grouping sets ((l.station_id, l.theme_month_id), ())
    having not (select maintained from path)
  ),
  people_figures as (
    select l.station_id, l.theme_month_id, count(distinct p.person_id) as volunteers, sum(p.hours) as hours
    from live l join public.event_participants p on p.event_id = l.id
    group by grouping sets ((l.station_id, l.theme_month_id), ())
  )
  select k.station_id, k.theme_month_id, k.events::bigint, k.volunteers::bigint, k.volunteer_hours,
    k.people_served, k.funds_fen, k.materials_fen
  from kept k
  union all
  select null, null, coalesce(sum(k.events), 0)::bigint,
    (select count(distinct v.person_id) from public.station_month_volunteers v
      join kept using (station_id, theme_month_id)),
    coalesce(sum(k.volunteer_hours), 0), coalesce(sum(k.people_served), 0)::bigint,
    coalesce(sum(k.funds_fen), 0)::bigint, coalesce(sum(k.materials_fen), 0)::bigint
  from kept k
  having (select maintained from path)
  union all
  select e.station_id, e.theme_month_id, e.events, coalesce(p.volunteers, 0), coalesce(p.hours, 0),
    coalesce(e.people_served, 0)::bigint, coalesce(e.funds_fen, 0)::bigint, coalesce(e.materials_fen, 0)::bigint
  from event_figures e
  left join people_figures p
    on p.station_id is not distinct from e.station_id and p.theme_month_id is not distinct from e.theme_month_id
$$;
comment on function public.filtered_totals is
  'Dashboard figures per station x theme month and for the whole selection (station_id null), filtered by year, station, theme month and team; exact distinct volunteers.';

-- One row per team with activity in the selection.
create function public.team_totals(
  p_year integer default null,
  p_station_id uuid default null,
  p_theme_month_id uuid default null,
  p_team_id uuid default null
)
returns table (
  team_id uuid, events bigint, volunteers bigint, volunteer_hours numeric, people_served bigint,
  funds_fen bigint, materials_fen bigint
)
language sql stable security invoker set search_path = ''
as $$
  with live as (
    select e.id, e.team_id, e.people_served, e.funds_fen, e.materials_fen
    from public.service_events e
    where e.deleted_at is null
      and e.theme_month_id in (select private.filtered_theme_month_ids(p_year, p_theme_month_id))
      and (p_station_id is null or e.station_id = p_station_id)
      and (p_team_id is null or e.team_id = p_team_id)
  ),
  event_figures as (
    select l.team_id, count(*) as events, sum(l.people_served) as people_served, sum(l.funds_fen) as funds_fen,
      sum(l.materials_fen) as materials_fen
    from live l group by l.team_id
  ),
  people_figures as (
    select l.team_id, count(distinct p.person_id) as volunteers, sum(p.hours) as hours
    from live l join public.event_participants p on p.event_id = l.id
    group by l.team_id
  )
  select e.team_id, e.events, coalesce(p.volunteers, 0), coalesce(p.hours, 0), e.people_served::bigint,
    e.funds_fen::bigint, e.materials_fen::bigint
  from event_figures e left join people_figures p using (team_id)
$$;
comment on function public.team_totals is
  'Dashboard figures per team, filtered by year, station, theme month and team; exact distinct volunteers.';

revoke execute on function public.filtered_totals, public.team_totals from anon, public;
grant execute on function public.filtered_totals, public.team_totals to authenticated;
grant execute on function private.filtered_theme_month_ids(integer, uuid) to authenticated;

-- Functions in private run only where granted above. (Default privileges per schema cannot take
-- away PUBLIC's execute right, so each migration revokes it.)
revoke execute on all functions in schema private from public;
