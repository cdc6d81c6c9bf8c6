-- The official working-day calendar, for the 办法's Art. 11 (a service is recorded within 10
-- working days after the activity). Monday to Friday are working days, except the public
-- holidays; weekend days the State Council makes working days (调休) count. The exceptions are a
-- table that admins maintain each year, read by every signed-in user (the phone computes how late
-- an event was recorded offline, as src/domain/workdays.ts does; private.working_days_after is
-- the same count in the database). The 2023 schedule, the program's first year, is reference
-- data every project needs, so it comes with the migration rather than with the demo seed.

create table public.work_calendar (
  day date primary key,
  kind text not null constraint work_calendar_kind check (kind in ('holiday', 'workday')),
  note text not null default '',
  constraint work_calendar_note_length check (char_length(note) <= 100),
  constraint work_calendar_note_characters check (note !~ private.hidden_character_pattern(false))
);
comment on table public.work_calendar is
  'Exceptions to Monday-Friday working days: public holidays (holiday) and weekend make-up working days (workday).';

-- The note is typed text, trimmed as the other tables' (see the typed-text migration).
create function private.trim_work_calendar_note() returns trigger
language plpgsql security invoker set search_path = ''
as $$
begin
  new.note := pg_catalog.btrim(coalesce(new.note, ''), private.whitespace());
  return new;
end
$$;
grant execute on function private.trim_work_calendar_note() to authenticated, service_role;
create trigger a_trim_typed_text before insert or update on public.work_calendar
  for each row execute function private.trim_work_calendar_note();

alter table public.work_calendar enable row level security;
revoke all on public.work_calendar from anon;
create policy "signed-in users read the calendar" on public.work_calendar
  for select to authenticated using (true);
create policy "admins add calendar days" on public.work_calendar
  for insert to authenticated with check ((select private.is_admin()));
create policy "admins edit calendar days" on public.work_calendar
  for update to authenticated using ((select private.is_admin())) with check ((select private.is_admin()));
create policy "admins remove calendar days" on public.work_calendar
  for delete to authenticated using ((select private.is_admin()));

-- 国务院办公厅关于2023年部分节假日安排的通知（国办发明电〔2022〕16号）.
insert into public.work_calendar (day, kind, note)
select d::date, 'holiday', note
from (values
  ('2022-12-31', '2023-01-02', '元旦'),
  ('2023-01-21', '2023-01-27', '春节'),
  ('2023-04-05', '2023-04-05', '清明节'),
  ('2023-04-29', '2023-05-03', '劳动节'),
  ('2023-06-22', '2023-06-24', '端午节'),
  ('2023-09-29', '2023-10-06', '中秋节、国庆节')
) as h (first_day, last_day, note),
  generate_series(h.first_day::date, h.last_day::date, interval '1 day') d
union all
select day::date, 'workday', note || '调休上班'
from (values
  ('2023-01-28', '春节'), ('2023-01-29', '春节'),
  ('2023-04-23', '劳动节'), ('2023-05-06', '劳动节'),
  ('2023-06-25', '端午节'),
  ('2023-10-07', '中秋节、国庆节'), ('2023-10-08', '中秋节、国庆节')
) as w (day, note);

-- Working days after the activity's day up to and including the day it was recorded (days of
-- the program's calendar, Asia/Shanghai): 0 when recorded the same day, or before the next
-- working day. As workingDaysAfter in src/domain/workdays.ts.
create function private.working_days_after(activity date, recorded date) returns integer
language sql stable security invoker set search_path = ''
as $$
  select count(*)::integer
  from pg_catalog.generate_series(activity + 1, recorded, interval '1 day') d
  left join public.work_calendar c on c.day = d::date
  where coalesce(c.kind = 'workday', extract(isodow from d) < 6)
$$;
comment on function private.working_days_after(date, date) is
  'Working days (Monday-Friday, minus holidays, plus make-up days of work_calendar) after activity, up to recorded.';
grant execute on function private.working_days_after(date, date) to authenticated, service_role;

-- Functions in private run only where granted above. (Default privileges per schema cannot take
-- away PUBLIC's execute right, so each migration revokes it.)
revoke execute on all functions in schema private from public;
