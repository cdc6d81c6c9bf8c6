-- A push adds to the totals at the end of its whole-batch path (issue 8, item 21):
-- - while the batch's events and participants are written, the totals rows of its keys are not
--   locked yet (a second session locks them at once), and after the push they are, until commit;
--   the change-by-change path still locks them first;
-- - the totals equal a recomputation after batches that create, move (both ways) and delete
--   events and change participants, on both paths;
-- - nothing is left deferred: a direct write after a push, in the same transaction, moves the
--   totals at once; a table of the queue's name made by the caller is not taken for the queue.
--
-- Who is who (supabase/demo-seed.sql): volunteer = person-2 in team 1; the seed's 2023 program has
-- totals at station 1 in February (a committed row a second session can try to lock).
begin;
set local search_path = public, extensions;
set local client_min_messages = warning;
select plan(16);

create function pg_temp.change(event_id uuid, base_revision bigint, fields jsonb) returns jsonb
language sql
as $$
  select jsonb_build_object('change_id', gen_random_uuid(), 'event_id', event_id, 'op', 'upsert',
    'base_revision', base_revision, 'event', fields)
$$;

-- Team 1's event at a station in a month of 2023 (the 20th, 09:00 to 12:00 in Kunming), with the
-- given participants of team 1 (person numbers) and their hours.
create function pg_temp.fields(station integer, month integer, people integer[], hours numeric default 3) returns jsonb
language sql
as $$
  select jsonb_build_object('station_id', md5('station-' || station)::uuid, 'team_id', md5('team-1')::uuid,
    'theme_month_id', md5('month-' || month)::uuid,
    'started_at', format('2023-%s-20T09:00:00+08:00', lpad(month::text, 2, '0')),
    'ended_at', format('2023-%s-20T12:00:00+08:00', lpad(month::text, 2, '0')),
    'title', 'Totals at the end', 'note', '', 'people_served', 10 * station + month, 'funds_fen', 100 * month,
    'materials_fen', 0, 'materials_description', '',
    'participants', (select jsonb_agg(jsonb_build_object('person_id', md5('person-' || p)::uuid, 'hours', hours)) from unnest(people) p))
$$;

-- Whether a second session could lock the totals row of station 1 in February at once.
create function tests.february_totals_lockable() returns text
language sql security definer set search_path = ''
as $$
  select tests.error_of(pg_catalog.format($sql$select * from extensions.dblink(%L, %L) as t (n int)$sql$, tests.loopback(),
    pg_catalog.format('set lock_timeout = ''100ms''; select 1 from public.station_month_totals where station_id = %L and theme_month_id = %L for update',
      pg_catalog.md5('station-1')::uuid, pg_catalog.md5('month-2')::uuid)))
$$;

-- What the second session found each time participants were written (in the push, after the events).
create table tests.totals_lock_log (n serial, seen text);
create function tests.log_totals_lock() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  insert into tests.totals_lock_log (seen) values (tests.february_totals_lockable());
  return null;
end
$$;
create trigger zz_log_totals_lock after insert on public.event_participants
  for each statement execute function tests.log_totals_lock();

select isnt_empty($$select 1 from public.station_month_totals where station_id = md5('station-1')::uuid
  and theme_month_id = md5('month-2')::uuid$$, 'station 1 has committed totals in February');

-- The whole-batch path: two new events in February at station 1.
select tests.act_as(tests.demo_user('volunteer'));
select is((select jsonb_agg(o ->> 'status') from jsonb_array_elements(public.push_event_changes(jsonb_build_array(
    pg_temp.change(md5('end-1')::uuid, null, pg_temp.fields(1, 2, '{2}')),
    pg_temp.change(md5('end-2')::uuid, null, pg_temp.fields(1, 2, '{2}'))))) o),
  '["applied", "applied"]', 'the whole batch is applied');
select tests.reset_role();
select is((select seen from tests.totals_lock_log order by n desc limit 1), 'no error',
  'while the batch''s participants were written, the totals row of their key was not locked');
select is(tests.february_totals_lockable(), '55P03',
  'after the push the totals row is locked, until the push''s transaction ends');

-- The change-by-change path locks every key of the batch first.
select tests.act_as(tests.demo_user('volunteer'));
select is((select jsonb_agg(o ->> 'status') from jsonb_array_elements(tests.push_one_by_one(jsonb_build_array(
    pg_temp.change(md5('end-3')::uuid, null, pg_temp.fields(1, 2, '{2}'))))) o),
  '["applied"]', 'the change-by-change path applies its change');
select tests.reset_role();
select is((select seen from tests.totals_lock_log order by n desc limit 1), '55P03',
  'the change-by-change path had the totals row locked before it wrote participants');
drop trigger zz_log_totals_lock on public.event_participants;

-- Batches that create at several keys, then move events both ways (and change participants),
-- then delete: the totals equal a recomputation after each, on both paths.
create function pg_temp.moves(push text, prefix text) returns setof text
language plpgsql
as $$
declare
  outcomes jsonb;
begin
  perform tests.act_as(tests.demo_user('volunteer'));
  execute format('select %s($1)', push) into outcomes using (
    select jsonb_agg(pg_temp.change(md5(prefix || n)::uuid, null, pg_temp.fields(1 + n % 3, 1 + n % 4, '{2, 3}')))
    from generate_series(1, 8) n);
  return next is((select count(*) from jsonb_array_elements(outcomes) o where o ->> 'status' = 'applied'), 8::bigint,
    push || ': new events at several keys are applied');
  perform tests.reset_role();
  return next is_empty('select * from private.totals_drift()', push || ': ...and the totals equal a recomputation');

  perform tests.act_as(tests.demo_user('volunteer'));
  execute format('select %s($1)', push) into outcomes using (
    select jsonb_agg(pg_temp.change(e.id, e.revision, pg_temp.fields(
      1 + (n + case when n % 2 = 0 then 1 else 2 end) % 3, 1 + (n + 3) % 4, case when n % 2 = 0 then '{2}'::integer[] else '{3, 4}' end, 2)))
    from generate_series(1, 8) n join public.service_events e on e.id = md5(prefix || n)::uuid);
  return next is((select count(*) from jsonb_array_elements(outcomes) o where o ->> 'status' = 'applied'), 8::bigint,
    push || ': moves both ways with other participants are applied');
  perform tests.reset_role();
  return next is_empty('select * from private.totals_drift()', push || ': ...and the totals equal a recomputation');
end
$$;
select * from pg_temp.moves('public.push_event_changes', 'whole-');
select * from pg_temp.moves('tests.push_one_by_one', 'one-by-one-');

-- Nothing stays deferred: a direct write after a push moves the totals at once, also when the
-- caller made a table named like the queue (in a session whose pushes have not made the queue:
-- it is dropped here, as the test runner).
drop table pg_temp.totals_deltas;
select tests.act_as(tests.demo_user('volunteer'));
create temporary table totals_deltas (station_id uuid, theme_month_id uuid, person_id uuid, events integer,
  confirmed integer, people_served bigint, funds_fen bigint, materials_fen bigint, hours numeric);
insert into pg_temp.totals_deltas (station_id) values (md5('station-1')::uuid);
select is(public.push_event_changes(jsonb_build_array(pg_temp.change(md5('end-4')::uuid, null, pg_temp.fields(1, 3, '{2}'))))
  -> 0 ->> 'status', 'applied', 'a push in a session where the caller made a table named like the queue is applied');
insert into public.service_events (id, station_id, team_id, theme_month_id, started_at, ended_at, title, people_served)
values (md5('end-5')::uuid, md5('station-1')::uuid, md5('team-1')::uuid, md5('month-3')::uuid,
  '2023-03-21T09:00:00+08:00', '2023-03-21T12:00:00+08:00', 'Written directly', 5);
insert into public.event_participants (event_id, person_id, hours) values (md5('end-5')::uuid, md5('person-2')::uuid, 3);
select tests.reset_role();
select is_empty('select * from private.totals_drift()',
  'a push and direct writes after it, with a table named like the queue made by the caller: the totals equal a recomputation');

select * from finish();
rollback;
