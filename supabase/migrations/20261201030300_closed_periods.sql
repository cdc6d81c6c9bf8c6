-- Which station x theme months are closed, for every signed-in user: a volunteer's own service
-- record marks the events of those months "month closed" (办法: the record is final there), offline
-- too, from the list the phone keeps. One source of truth: the ledger's period_statuses (which
-- reads the lock itself, station_month_totals.closed, that close_period and reopen_period set);
-- only its keys, since its figures stay the coordinators'. Security definer: period_statuses runs
-- with its reader's rights and answers volunteers nothing.
create function public.closed_periods() returns table (station_id uuid, theme_month_id uuid)
language sql stable security definer set search_path = ''
as $$ select s.station_id, s.theme_month_id from public.period_statuses s where s.status = 'closed' order by 1, 2 $$;
comment on function public.closed_periods() is 'The closed station x theme months (keys of period_statuses only), for every signed-in user.';
revoke execute on function public.closed_periods() from anon, public;
grant execute on function public.closed_periods() to authenticated, service_role;

-- (No function is made in private here; kept as in every migration.)
revoke execute on all functions in schema private from public;
