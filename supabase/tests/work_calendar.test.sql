-- The working-day calendar (办法 Art. 11): the official 2023 schedule that the migration seeds,
-- private.working_days_after (the count src/domain/workdays.ts makes on the phone, on the same
-- cases as test/unit/workdays.test.ts), who reads and who writes the calendar, and its rules.
begin;
set local search_path = public, extensions;
select plan(37);

-- ---------------------------------------------------------------------------------------------
-- The 2023 schedule (国办发明电〔2022〕16号).
select is((select count(*) from public.work_calendar where kind = 'holiday' and day between '2022-12-31' and '2023-12-31'),
  27::bigint, '27 holidays: 元旦 3, 春节 7, 清明 1, 劳动节 5, 端午 3, 中秋·国庆 8');
select set_eq($$select day from public.work_calendar where kind = 'workday'$$,
  $$values ('2023-01-28'::date), ('2023-01-29'), ('2023-04-23'), ('2023-05-06'), ('2023-06-25'), ('2023-10-07'), ('2023-10-08')$$,
  'seven make-up working days, all at weekends');
select is((select count(*) from public.work_calendar where kind = 'workday' and extract(isodow from day) < 6), 0::bigint,
  'no make-up working day falls on a weekday');
select set_eq($$select day from public.work_calendar where kind = 'holiday' and note = '中秋节、国庆节'$$,
  $$select generate_series('2023-09-29'::date, '2023-10-06', interval '1 day')::date$$, '中秋·国庆: 9-29 to 10-6 off');
select is((select kind from public.work_calendar where day = '2022-12-31'), 'holiday', '元旦 starts on 2022-12-31');

-- ---------------------------------------------------------------------------------------------
-- Working days after the activity, up to and including the day of recording.
select is(private.working_days_after('2023-03-06', '2023-03-06'), 0, 'recorded the same day: 0');
select is(private.working_days_after('2023-03-03', '2023-03-06'), 1, 'Friday to Monday: 1');
select is(private.working_days_after('2023-03-04', '2023-03-05'), 0, 'a weekend: 0');
select is(private.working_days_after('2023-03-06', '2023-03-20'), 10, 'two weeks: 10');
select is(private.working_days_after('2023-03-06', '2023-03-21'), 11, '...and a day: 11, late');
select is(private.working_days_after('2023-01-20', '2023-02-03'), 7,
  'over the Spring Festival: 1-28 and 1-29 (make-up weekend), 1-30 to 2-3');
select is(private.working_days_after('2023-04-28', '2023-05-08'), 4, 'over Labour Day: 5-4, 5-5, 5-6 (make-up Saturday), 5-8');
select is(private.working_days_after('2023-09-28', '2023-10-09'), 3, 'over the National Day: 10-7, 10-8 (make-up weekend), 10-9');
select is(private.working_days_after('2023-04-04', '2023-04-06'), 1, '清明 (Wednesday 4-5) is no working day');
select is(private.working_days_after('2023-03-10', '2023-03-06'), 0, 'recorded before the activity: 0');

-- ---------------------------------------------------------------------------------------------
-- Every signed-in user reads the calendar; admins write it; anon nothing.
select * from tests.anon_is_refused('work_calendar.note');
select tests.act_as(tests.demo_user('volunteer'));
select is((select count(*) from public.work_calendar), 34::bigint, 'a volunteer reads the calendar');
select tests.act_as(tests.demo_user('volunteer2'));
select is((select count(*) from public.work_calendar), 34::bigint, 'a volunteer of another team reads it');
select tests.act_as(tests.demo_user('leader'));
select is((select count(*) from public.work_calendar), 34::bigint, 'a leader reads it');
select is(tests.error_of($$insert into public.work_calendar (day, kind) values ('2024-02-10', 'holiday')$$), '42501',
  'a leader adds no day');
select is(tests.rows_affected($$update public.work_calendar set note = 'x' where day = '2023-04-05'$$), 0::bigint,
  'a leader edits no day');
select is(tests.rows_affected($$delete from public.work_calendar where day = '2023-04-05'$$), 0::bigint,
  'a leader removes no day');
select tests.act_as(tests.demo_user('volunteer'));
select is(tests.error_of($$insert into public.work_calendar (day, kind) values ('2024-02-10', 'holiday')$$), '42501',
  'a volunteer adds no day');
select is(tests.rows_affected($$delete from public.work_calendar where day = '2023-04-05'$$), 0::bigint,
  'a volunteer removes no day');
select tests.act_as(tests.demo_user('coordinator'));
select is((select count(*) from public.work_calendar), 34::bigint, 'a coordinator reads it');
select is(tests.error_of($$insert into public.work_calendar (day, kind) values ('2024-02-10', 'holiday')$$), '42501',
  'a coordinator adds no day');
select is(tests.rows_affected($$update public.work_calendar set kind = 'workday' where day = '2023-04-05'$$), 0::bigint,
  'a coordinator edits no day');
select tests.act_as(tests.demo_user('admin'));
select lives_ok($$insert into public.work_calendar (day, kind, note) values ('2024-02-10', 'holiday', ' 春节 '),
    ('2024-02-04', 'workday', '春节调休上班')$$, 'an admin adds next year''s days');
select is((select note from public.work_calendar where day = '2024-02-10'), '春节', '...with the note trimmed');
select is(private.working_days_after('2024-02-02', '2024-02-05'), 2, 'the new make-up Sunday (2-4) counts at once');
select is(tests.rows_affected($$update public.work_calendar set note = '清明' where day = '2023-04-05'$$), 1::bigint,
  'an admin edits a day');
select is(tests.rows_affected($$delete from public.work_calendar where day = '2024-02-10'$$), 1::bigint, 'an admin removes a day');
select is(tests.error_of($$insert into public.work_calendar (day, kind) values ('2024-05-01', 'vacation')$$),
  '23514 work_calendar_kind', 'a day is a holiday or a workday');
select is(tests.error_of($$insert into public.work_calendar (day, kind, note) values ('2024-05-01', 'holiday', E'劳动\u200B节')$$),
  '23514 work_calendar_note_characters', 'a note with a zero-width space is refused');

select * from finish();
rollback;
