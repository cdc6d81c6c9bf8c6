-- Months never block logging. Why: an event could be saved only in a month for which a
-- coordinator had already made a theme month; a volunteer logging today's event in a month nobody
-- had set up was refused ("the theme month is missing") with nothing they could do about it.
-- Now an event written without a theme month (a push upsert or a direct insert whose
-- theme_month_id is null) gets the theme month of the Kunming calendar month it starts in, made
-- on first use with a placeholder theme and `named` false; coordinators name it later (a new
-- theme marks it named). Coordinators also make a whole year of months in one action
-- (create_theme_months), each to be named.
--
-- Locks: a month made on first use is made inside the write, after the push has locked its keys
-- (private.lock_for_push locks only keys of months that exist). Two concurrent writers that both
-- make the same new month wait on each other's insert of it (unique month), never on a totals
-- row, except in one narrow case: a batch that makes one new month and uses another that a third
-- writer made in between. PostgreSQL then reports a deadlock (40P01) to one of them, which the
-- push answers as retryable and the phone sends again.

alter table public.theme_months add column named boolean not null default true;
comment on column public.theme_months.named is
  'False while the month keeps the placeholder theme it was made with (on first use, or a year made at once); a new theme names it.';

-- The placeholder theme of a month nobody has named yet (the app shows its own translated word).
create function private.unnamed_theme() returns text
language sql immutable set search_path = ''
as $$ select '待命名' $$;

-- The theme month of the calendar month an instant falls in (Kunming), made when missing.
-- Security definer: whoever may write an event may cause its month to exist, and only so (the
-- write that needs it is checked by the events' policies right after; when it is refused, the
-- month goes with it, in the same transaction).
create function private.theme_month_of(at timestamptz) returns uuid
language plpgsql security definer set search_path = ''
as $$
declare
  first_day date := private.local_month(at);
  found_id uuid;
begin
  select m.id into found_id from public.theme_months m where m.month = first_day;
  if found_id is null then
    insert into public.theme_months (month, theme, named) values (first_day, private.unnamed_theme(), false)
    on conflict (month) do nothing
    returning id into found_id;
  end if;
  if found_id is null then
    -- Made by a concurrent writer that has committed since (the insert waited for it).
    select m.id into found_id from public.theme_months m where m.month = first_day;
  end if;
  return found_id;
end
$$;
grant execute on function private.theme_month_of(timestamptz) to authenticated, service_role;

create function private.assign_theme_month() returns trigger
language plpgsql security invoker set search_path = ''
as $$
begin
  new.theme_month_id := private.theme_month_of(new.started_at);
  return new;
end
$$;
grant execute on function private.assign_theme_month() to authenticated, service_role;
-- Named to run before service_events_check (triggers of one kind fire in name order), which
-- checks that the theme month is the one of the start's month. Without a start there is no
-- month to find: the check names the missing value.
create trigger service_events_assign_theme_month before insert or update on public.service_events
  for each row when (new.theme_month_id is null and new.started_at is not null)
  execute function private.assign_theme_month();

-- `named` is the server's: a month is named when its theme changes, whoever writes it.
create function private.name_theme_month() returns trigger
language plpgsql security invoker set search_path = ''
as $$
begin
  if tg_op = 'UPDATE' then
    new.named := old.named or new.theme is distinct from old.theme;
  end if;
  return new;
end
$$;
grant execute on function private.name_theme_month() to authenticated, service_role;
create trigger theme_months_name before update on public.theme_months
  for each row execute function private.name_theme_month();

-- What coordinators write of a theme month: its month and theme (and the id of a new one).
revoke insert, update on public.theme_months from authenticated;
grant insert (id, month, theme) on public.theme_months to authenticated;
grant update (month, theme) on public.theme_months to authenticated;

-- A year of theme months at once, each with the placeholder theme until a coordinator names it;
-- months that already exist are kept as they are. Returns the months it made, first to last.
-- Security definer, to set `named`; the caller must be a coordinator (or an admin). A refusal
-- names its rule in the detail too, which PostgREST passes on to the app.
create function public.create_theme_months(year integer) returns setof public.theme_months
language plpgsql security definer set search_path = ''
as $$
begin
  if not private.is_coordinator() then
    raise exception using errcode = '42501', constraint = 'theme_months_manage_policy',
      detail = 'violates constraint "theme_months_manage_policy"',
      message = 'only coordinators make theme months';
  end if;
  if year is null or year not between 2000 and 2100 then
    raise exception using errcode = '23514', constraint = 'theme_months_year_range',
      detail = 'violates constraint "theme_months_year_range"',
      message = 'theme months are made for a year from 2000 to 2100';
  end if;
  return query
  insert into public.theme_months as m (month, theme, named)
  select pg_catalog.make_date(year, n, 1), private.unnamed_theme(), false
  from pg_catalog.generate_series(1, 12) n
  order by 1
  on conflict (month) do nothing
  returning m.*;
end
$$;
comment on function public.create_theme_months(integer) is
  'Makes the theme months of a year that do not exist yet, to be named; coordinators only.';
revoke execute on function public.create_theme_months(integer) from public, anon;
grant execute on function public.create_theme_months(integer) to authenticated, service_role;

-- Functions in private run only where granted above: some are security definer. (Default
-- privileges per schema cannot take away PUBLIC's execute right, so each migration revokes it.)
revoke execute on all functions in schema private from public;
