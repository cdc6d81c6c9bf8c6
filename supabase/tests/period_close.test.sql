-- Close-out per station x theme month: who closes and reopens (each role); closing refused while
-- events are unconfirmed unless a reason is given; the snapshot (totals, events with revisions,
-- a hash of the canonical text) and its versions; and the lock: while closed, every insert, edit,
-- delete or confirmation touching the period (before or after the write) is refused with
-- period_closed, through every path (both push paths, direct writes of events and participants)
-- and as every role; other periods go on. (Closing while phones push: test/integration/ledger.test.ts.)
--
-- Who is who (supabase/demo-seed.sql): leader = person-1, volunteer = person-2 (person-3 and
-- person-4 too) of team 1; volunteer2 = person-12 of team 2.
begin;
set local search_path = public, extensions;
set local client_min_messages = warning;
select plan(118);

-- Fixtures: station C, whose March 2023 is the period closed here; April at C and March at
-- station D stay open. In C x March: two events of the volunteer (one confirmed by the leader
-- before the close) and one of volunteer2's team.
select tests.make_station('Close-out station') as station_c \gset
select tests.make_station('Open station') as station_d \gset
select tests.make_event(md5('team-1')::uuid, :'station_c', '2023-03-06 09:00+08', 3,
  array[md5('person-2')::uuid, md5('person-3')::uuid], recorded_by => tests.demo_user('volunteer'), id => md5('close-1')::uuid);
select tests.make_event(md5('team-1')::uuid, :'station_c', '2023-03-07 09:00+08', 2,
  array[md5('person-2')::uuid], recorded_by => tests.demo_user('volunteer'), people_served => 30, funds_fen => 150000,
  id => md5('close-2')::uuid);
select tests.make_event(md5('team-2')::uuid, :'station_c', '2023-03-08 09:00+08', 4,
  array[md5('person-12')::uuid], recorded_by => tests.demo_user('volunteer2'), id => md5('close-team-2')::uuid);
select tests.make_event(md5('team-1')::uuid, :'station_c', '2023-04-06 09:00+08', 3,
  array[md5('person-2')::uuid], recorded_by => tests.demo_user('volunteer'), id => md5('april-1')::uuid);

create function pg_temp.event_row(event_id uuid) returns public.service_events
language sql security definer
as $$ select * from public.service_events where id = event_id $$;
-- An upsert of the event as it is, with overrides of its fields (and participants).
create function pg_temp.edit(event_id uuid, overrides jsonb default '{}') returns jsonb
language sql security definer
as $$
  select jsonb_build_object('change_id', gen_random_uuid(), 'event_id', e.id, 'op', 'upsert', 'base_revision', e.revision,
    'event', to_jsonb(e) || jsonb_build_object('participants', (select jsonb_agg(jsonb_build_object('person_id', p.person_id, 'hours', p.hours))
      from public.event_participants p where p.event_id = e.id)) || overrides)
  from public.service_events e where e.id = event_id
$$;
create function pg_temp.delete(event_id uuid) returns jsonb
language sql security definer
as $$
  select jsonb_build_object('change_id', gen_random_uuid(), 'event_id', e.id, 'op', 'delete', 'base_revision', e.revision)
  from public.service_events e where e.id = event_id
$$;
create function pg_temp.confirm(event_id uuid) returns jsonb
language sql security definer
as $$
  select jsonb_build_object('change_id', gen_random_uuid(), 'event_id', e.id, 'op', 'confirm', 'base_revision', e.revision)
  from public.service_events e where e.id = event_id
$$;
-- A new event of team 1 at a station and month (March: theme month 3).
create function pg_temp.create(station uuid, day text default '2023-03-09', theme_month uuid default md5('month-3')::uuid) returns jsonb
language sql
as $$
  select jsonb_build_object('change_id', gen_random_uuid(), 'event_id', gen_random_uuid(), 'op', 'upsert',
    'event', jsonb_build_object('station_id', station, 'team_id', md5('team-1')::uuid, 'theme_month_id', theme_month,
      'started_at', day || 'T09:00:00+08:00', 'ended_at', day || 'T11:00:00+08:00', 'title', 'Late news', 'people_served', 5,
      'funds_fen', 0, 'materials_fen', 0, 'participants', jsonb_build_array(jsonb_build_object('person_id', md5('person-2')::uuid, 'hours', 2))))
$$;
-- The status and rule of a pushed change, as who, through a path.
create function pg_temp.pushed(who text, change jsonb, push text default 'public.push_event_changes') returns text
language plpgsql
as $$
declare
  outcomes jsonb;
begin
  perform tests.act_as(tests.demo_user(who));
  execute format('select %s($1)', push) into outcomes using jsonb_build_array(change);
  perform tests.reset_role();
  return concat_ws(' ', outcomes -> 0 ->> 'status', outcomes -> 0 ->> 'rule');
end
$$;
-- The canonical text of a period, built here from its documented form, and the key's figures.
create function pg_temp.canonical_text(station uuid, theme_month uuid) returns text
language sql security definer
as $$
  select format(E'period %s %s\ntotals events=%s confirmed=%s volunteers=%s volunteer_hours=%s people_served=%s funds_fen=%s materials_fen=%s',
      station, theme_month, t.events, t.confirmed, t.volunteers, t.volunteer_hours, t.people_served, t.funds_fen, t.materials_fen)
    || coalesce(E'\n' || (select string_agg('event ' || e.id || ' ' || e.revision, E'\n' order by e.id) from public.service_events e
        where e.station_id = station and e.theme_month_id = theme_month and e.deleted_at is null), '')
  from public.station_month_totals t where t.station_id = station and t.theme_month_id = theme_month
$$;
create function pg_temp.figures(station uuid, theme_month uuid) returns jsonb
language sql security definer
as $$
  select jsonb_build_object('events', t.events, 'confirmed', t.confirmed, 'volunteers', t.volunteers,
    'volunteer_hours', t.volunteer_hours, 'people_served', t.people_served, 'funds_fen', t.funds_fen, 'materials_fen', t.materials_fen)
  from public.station_month_totals t where t.station_id = station and t.theme_month_id = theme_month
$$;

-- The leader confirms one event before the close.
select is(pg_temp.pushed('leader', pg_temp.confirm(md5('close-2')::uuid)), 'applied', 'the leader confirms one event of the month');

-- ---------------------------------------------------------------------------------------------
-- Who closes: coordinators and admins.
create function pg_temp.close_as(who text, reason text default null) returns text
language plpgsql
as $$
declare
  outcome text;
begin
  perform tests.act_as(tests.demo_user(who));
  outcome := tests.error_of(format('select public.close_period(%L, %L, %L)', current_setting('tests.station_c'),
    md5('month-3')::uuid, reason));
  perform tests.reset_role();
  return outcome;
end
$$;
select set_config('tests.station_c', :'station_c', true);
select is(pg_temp.close_as('volunteer', 'x'), '42501 period_closures_coordinator_policy', 'a volunteer does not close');
select is(pg_temp.close_as('leader', 'x'), '42501 period_closures_coordinator_policy', 'a leader does not close');
select is(pg_temp.close_as('volunteer2', 'x'), '42501 period_closures_coordinator_policy', 'another team''s volunteer does not close');
select tests.act_as_anon();
select throws_ok(format('select public.close_period(%L, %L, %L)', :'station_c', md5('month-3')::uuid, 'x'), '42501',
  'permission denied for function close_period', 'anon does not close');
select tests.reset_role();
select is(pg_temp.close_as('coordinator'), '23514 period_has_unconfirmed', 'a coordinator cannot close a month with unconfirmed events');
select is(pg_temp.close_as('coordinator', E' \u3000'), '23514 period_has_unconfirmed', '...nor with a blank reason');
select is(pg_temp.close_as('admin'), '23514 period_has_unconfirmed', '...nor can an admin');
select is((select closed from public.station_month_totals where station_id = :'station_c' and theme_month_id = md5('month-3')::uuid),
  false, 'the refused closes left it open');

select tests.act_as(tests.demo_user('coordinator'));
select public.close_period(:'station_c', md5('month-3')::uuid, ' 年底结账，两条未确认 ') as closure \gset
select tests.reset_role();
select is(:'closure'::jsonb - '{totals,events,volunteers,content_hash,closed_at}'::text[], jsonb_build_object(
    'station_id', :'station_c', 'theme_month_id', md5('month-3')::uuid, 'version', 1, 'closed_by', tests.demo_user('coordinator'),
    'override_reason', '年底结账，两条未确认', 'unconfirmed', 2, 'adjustment_request_id', null, 'adjusted', false,
    'reopened_at', null, 'reopened_by', null, 'reopen_reason', null),
  'with a reason it closes: version 1, by the coordinator, the reason (trimmed) and the two unconfirmed events recorded');
select is((:'closure'::jsonb ->> 'closed_at')::timestamptz, now(), '...now');
select is(:'closure'::jsonb -> 'totals', pg_temp.figures(:'station_c', md5('month-3')::uuid), 'the snapshot''s totals are the totals table''s');
select is(:'closure'::jsonb -> 'totals' ->> 'people_served', '50', '...(10 + 30 + 10 served)');
select is(:'closure'::jsonb -> 'events', jsonb_build_object(md5('close-1')::uuid, (pg_temp.event_row(md5('close-1')::uuid)).revision,
    md5('close-2')::uuid, (pg_temp.event_row(md5('close-2')::uuid)).revision,
    md5('close-team-2')::uuid, (pg_temp.event_row(md5('close-team-2')::uuid)).revision),
  'its events are the month''s, with their revisions');
select is(:'closure'::jsonb -> 'volunteers', jsonb_build_object(md5('person-2')::uuid, 5.00, md5('person-3')::uuid, 3.00,
    md5('person-12')::uuid, 4.00), 'its volunteers, with their hours');
select is(:'closure'::jsonb ->> 'content_hash',
  '\x' || encode(sha256(convert_to(pg_temp.canonical_text(:'station_c', md5('month-3')::uuid), 'UTF8')), 'hex'),
  'its hash is SHA-256 of the canonical text');
select is(private.period_content(:'station_c', md5('month-3')::uuid), pg_temp.canonical_text(:'station_c', md5('month-3')::uuid),
  '...which is the documented form');
select is(pg_temp.close_as('coordinator', 'again'), '23514 period_already_closed', 'a closed month does not close again');
select is(pg_temp.close_as('admin', 'again'), '23514 period_already_closed', '...not even by an admin');

-- ---------------------------------------------------------------------------------------------
-- The lock. Through the push, both paths: edits, new events, deletes, moves in and out.
select set_config('tests.figures_at_close', pg_temp.figures(:'station_c', md5('month-3')::uuid)::text, true);
create function pg_temp.pushes_refused(push text) returns setof text
language plpgsql
as $$
declare
  c uuid := current_setting('tests.station_c')::uuid;
begin
  return next is(pg_temp.pushed('volunteer', pg_temp.edit(md5('close-1')::uuid, '{"title": "Changed after the close"}'), push),
    'rejected period_closed', push || ': the volunteer''s edit of their event in the closed month is refused');
  return next is(pg_temp.pushed('volunteer', pg_temp.edit(md5('close-1')::uuid, jsonb_build_object('participants',
      jsonb_build_array(jsonb_build_object('person_id', md5('person-2')::uuid, 'hours', 3)))), push),
    'rejected period_closed', push || ': ...a change of its participants alone too');
  return next is(pg_temp.pushed('volunteer', pg_temp.create(c), push), 'rejected period_closed',
    push || ': a new event in the closed month is refused');
  return next is(pg_temp.pushed('volunteer', pg_temp.delete(md5('close-1')::uuid), push), 'rejected period_closed',
    push || ': a delete in it is refused');
  return next is(pg_temp.pushed('volunteer', pg_temp.edit(md5('april-1')::uuid, jsonb_build_object('theme_month_id', md5('month-3')::uuid,
      'started_at', '2023-03-30T09:00:00+08:00', 'ended_at', '2023-03-30T12:00:00+08:00')), push),
    'rejected period_closed', push || ': an edit moving an event into it (by date) is refused');
  return next is(pg_temp.pushed('volunteer', pg_temp.edit(md5('close-1')::uuid, jsonb_build_object('theme_month_id', md5('month-4')::uuid,
      'started_at', '2023-04-03T09:00:00+08:00', 'ended_at', '2023-04-03T12:00:00+08:00')), push),
    'rejected period_closed', push || ': an edit moving an event out of it (by date) is refused');
  return next is(pg_temp.pushed('volunteer', pg_temp.edit(md5('close-1')::uuid, jsonb_build_object('station_id', md5('station-1')::uuid)), push),
    'rejected period_closed', push || ': an edit moving an event out of it (by station) is refused');
  return next is(pg_temp.pushed('leader', pg_temp.edit(md5('close-2')::uuid, '{"people_served": 31}'), push),
    'rejected period_closed', push || ': the leader''s edit is refused');
  return next is(pg_temp.pushed('leader', pg_temp.confirm(md5('close-1')::uuid), push), 'rejected period_closed',
    push || ': the leader''s confirmation is refused');
  return next is(pg_temp.pushed('leader', pg_temp.confirm(md5('close-2')::uuid), push), 'rejected period_closed',
    push || ': ...also of an event confirmed already');
  return next is(pg_temp.pushed('volunteer2', pg_temp.edit(md5('close-team-2')::uuid, '{"title": "Team 2 late"}'), push),
    'rejected period_closed', push || ': another team''s volunteer''s edit of their event in it is refused');
  return next is(pg_temp.pushed('admin', pg_temp.edit(md5('close-team-2')::uuid, '{"title": "Admin late"}'), push),
    'rejected period_closed', push || ': an admin''s edit is refused');
  return next is(pg_temp.pushed('volunteer', pg_temp.edit(md5('april-1')::uuid, '{"title": "April goes on"}'), push),
    'applied', push || ': an edit in an open month is applied');
  return next is(pg_temp.pushed('volunteer', pg_temp.create(current_setting('tests.station_d')::uuid), push),
    'applied', push || ': a new event in March at another station is applied');
end
$$;
select set_config('tests.station_d', :'station_d', true);
select * from pg_temp.pushes_refused('public.push_event_changes');
select * from pg_temp.pushes_refused('tests.push_one_by_one');
-- A batch with a change for the closed month and one for an open month: only the first is refused.
select tests.act_as(tests.demo_user('volunteer'));
select is((select jsonb_agg(o ->> 'status') from jsonb_array_elements(public.push_event_changes(jsonb_build_array(
    pg_temp.create(:'station_c'), pg_temp.create(:'station_d')))) o), '["rejected", "applied"]',
  'in a batch, only the change for the closed month is refused');

-- Direct writes (what PostgREST's roles may write).
create function pg_temp.direct(who text, statement text) returns text
language plpgsql
as $$
declare
  outcome text;
begin
  if who = 'service_role' then
    perform tests.act_as_service_role();
  else
    perform tests.act_as(tests.demo_user(who));
  end if;
  outcome := tests.error_of(statement);
  perform tests.reset_role();
  return outcome;
end
$$;
select is(pg_temp.direct('volunteer', format($$update public.service_events set title = 'x' where id = %L$$, md5('close-1')::uuid)),
  '23514 period_closed', 'the volunteer''s direct edit is refused');
select is(pg_temp.direct('volunteer', format($$update public.service_events set deleted_at = now() where id = %L$$, md5('close-1')::uuid)),
  '23514 period_closed', 'the volunteer''s direct delete is refused');
select is(pg_temp.direct('volunteer', format($$update public.service_events set theme_month_id = %L, started_at = '2023-04-03 09:00+08',
    ended_at = '2023-04-03 12:00+08' where id = %L$$, md5('month-4')::uuid, md5('close-1')::uuid)),
  '23514 period_closed', 'the volunteer''s direct move out of it is refused');
select is(pg_temp.direct('volunteer', format($$update public.service_events set station_id = %L, theme_month_id = %L,
    started_at = '2023-03-30 09:00+08', ended_at = '2023-03-30 12:00+08' where id = %L$$, :'station_c', md5('month-3')::uuid,
    md5('april-1')::uuid)), '23514 period_closed', 'the volunteer''s direct move into it is refused');
select is(pg_temp.direct('leader', format($$update public.service_events set note = 'x' where id = %L$$, md5('close-2')::uuid)),
  '23514 period_closed', 'the leader''s direct edit is refused');
select is(pg_temp.direct('leader', format($$insert into public.event_participants (event_id, person_id, hours) values (%L, %L, 1)$$,
    md5('close-1')::uuid, md5('person-4')::uuid)), '23514 period_closed', 'the leader''s direct addition of a participant is refused');
select is(pg_temp.direct('leader', format($$update public.event_participants set hours = 1 where event_id = %L$$, md5('close-1')::uuid)),
  '23514 period_closed', 'the leader''s direct change of a participant''s hours is refused');
select is(pg_temp.direct('leader', format($$delete from public.event_participants where event_id = %L and person_id = %L$$,
    md5('close-1')::uuid, md5('person-3')::uuid)), '23514 period_closed', 'the leader''s direct removal of a participant is refused');
select is(pg_temp.direct('volunteer2', format($$update public.service_events set title = 'x' where id = %L$$, md5('close-team-2')::uuid)),
  '23514 period_closed', 'another team''s volunteer''s direct edit of their event is refused');
select is(pg_temp.direct('volunteer2', format($$update public.service_events set title = 'x' where id = %L$$, md5('close-1')::uuid)),
  'no error', '(team 1''s events they cannot edit at all: nothing is written)');
select is(pg_temp.direct('admin', format($$update public.service_events set people_served = 0 where id = %L$$, md5('close-team-2')::uuid)),
  '23514 period_closed', 'an admin''s direct edit is refused');
select is(pg_temp.direct('admin', format($$insert into public.service_events (id, station_id, team_id, theme_month_id, started_at,
      ended_at, title, recorded_by) values (gen_random_uuid(), %L, %L, %L, '2023-03-20 09:00+08', '2023-03-20 10:00+08', 'x', auth.uid())$$,
    :'station_c', md5('team-1')::uuid, md5('month-3')::uuid)), '23514 period_closed', 'an admin''s direct insert is refused');
select is(pg_temp.direct('service_role', format($$update public.service_events set title = 'x' where id = %L$$, md5('close-1')::uuid)),
  '23514 period_closed', 'the service role''s direct edit is refused');
select is(pg_temp.direct('service_role', format($$update public.event_participants set hours = 1 where event_id = %L$$,
    md5('close-1')::uuid)), '23514 period_closed', 'the service role''s direct change of participants is refused');
select is(pg_temp.direct('coordinator', format($$update public.service_events set title = 'x' where id = %L$$, md5('close-1')::uuid)),
  'no error', '(a coordinator edits no event at all: nothing is written)');
select is(pg_temp.direct('coordinator', 'update public.station_month_totals set closed = false'), '42501',
  'a coordinator does not open a month by writing the totals');
select is(pg_temp.direct('admin', 'update public.station_month_totals set closed = false'), '42501', 'nor does an admin');

select is(pg_temp.figures(:'station_c', md5('month-3')::uuid)::text, current_setting('tests.figures_at_close'),
  'the month''s totals are as they were at the close');
select is((select jsonb_object_agg(e.id, e.revision) from public.service_events e
    where e.station_id = :'station_c' and e.theme_month_id = md5('month-3')::uuid and e.deleted_at is null),
  :'closure'::jsonb -> 'events', '...and its events are the snapshot''s, at the same revisions');
select is((pg_temp.event_row(md5('close-1')::uuid)).title, 'Test event', 'the event itself is unchanged');

-- ---------------------------------------------------------------------------------------------
-- Reopening: coordinators, with a reason.
create function pg_temp.reopen_as(who text, reason text) returns text
language plpgsql
as $$
declare
  outcome text;
begin
  perform tests.act_as(tests.demo_user(who));
  outcome := tests.error_of(format('select public.reopen_period(%L, %L, %L)', current_setting('tests.station_c'),
    md5('month-3')::uuid, reason));
  perform tests.reset_role();
  return outcome;
end
$$;
select is(pg_temp.reopen_as('volunteer', 'x'), '42501 period_closures_coordinator_policy', 'a volunteer does not reopen');
select is(pg_temp.reopen_as('leader', 'x'), '42501 period_closures_coordinator_policy', 'a leader does not reopen');
select is(pg_temp.reopen_as('volunteer2', 'x'), '42501 period_closures_coordinator_policy', 'another team''s volunteer does not reopen');
select tests.act_as_anon();
select throws_ok(format('select public.reopen_period(%L, %L, %L)', :'station_c', md5('month-3')::uuid, 'x'), '42501',
  'permission denied for function reopen_period', 'anon does not reopen');
select tests.reset_role();
select is(pg_temp.reopen_as('coordinator', null), '23514 period_closures_reopen_reason_length', 'a reopening needs a reason');
select is(pg_temp.reopen_as('coordinator', '  '), '23514 period_closures_reopen_reason_length', '...not a blank one');
select is(pg_temp.reopen_as('coordinator', '补录一条活动'), 'no error', 'a coordinator reopens it with a reason');
select is((select jsonb_build_object('at', reopened_at, 'by', reopened_by, 'reason', reopen_reason) from public.period_closures
    where station_id = :'station_c' and theme_month_id = md5('month-3')::uuid and version = 1),
  jsonb_build_object('at', now(), 'by', tests.demo_user('coordinator'), 'reason', '补录一条活动'),
  'version 1 records who reopened it, when and why');
select is(pg_temp.reopen_as('coordinator', 'again'), '23514 period_not_closed', 'an open month does not reopen');
select is(pg_temp.pushed('volunteer', pg_temp.edit(md5('close-1')::uuid, '{"title": "Edited once reopened"}')), 'applied',
  'once reopened, the volunteer''s edit is applied');

-- Closing again makes version 2 and keeps version 1; without changes, the hash stays.
select is(pg_temp.close_as('admin', '补录后再结账'), 'no error', 'an admin closes it again');
select results_eq(format($$select version, reopened_at is not null from public.period_closures
    where station_id = %L and theme_month_id = %L order by version$$, :'station_c', md5('month-3')::uuid),
  $$values (1, true), (2, false)$$, 'version 2 is the closed one; version 1 is kept, reopened');
select isnt((select content_hash from public.period_closures where station_id = :'station_c' and version = 2),
  (select content_hash from public.period_closures where station_id = :'station_c' and version = 1),
  'the edit changed the hash');
select is(pg_temp.pushed('volunteer', pg_temp.edit(md5('close-1')::uuid, '{"title": "Edited after the second close"}')),
  'rejected period_closed', 'the month is locked again');
select is(pg_temp.reopen_as('coordinator', '核对'), 'no error', 'reopened...');
select is(pg_temp.close_as('coordinator', '核对无误'), 'no error', '...and closed again without any change');
select is((select content_hash from public.period_closures where station_id = :'station_c' and version = 3),
  (select content_hash from public.period_closures where station_id = :'station_c' and version = 2),
  'version 3 has the hash of version 2: nothing changed');
select is((select count(*) from public.period_closures where station_id = :'station_c'), 3::bigint, 'three versions are kept');

-- A month whose events are all confirmed closes without a reason; a month without events closes too.
select is(pg_temp.pushed('leader', pg_temp.confirm(md5('april-1')::uuid)), 'applied', 'the leader confirms April''s event');
select tests.act_as(tests.demo_user('coordinator'));
select is(public.close_period(:'station_c', md5('month-4')::uuid) - '{totals,events,volunteers,content_hash,closed_at}'::text[],
  jsonb_build_object('station_id', :'station_c', 'theme_month_id', md5('month-4')::uuid, 'version', 1,
    'closed_by', tests.demo_user('coordinator'), 'override_reason', null, 'unconfirmed', 0, 'adjustment_request_id', null,
    'adjusted', false, 'reopened_at', null, 'reopened_by', null, 'reopen_reason', null),
  'a month whose events are all confirmed closes without a reason');
select is(public.close_period(:'station_d', md5('month-5')::uuid) -> 'events', '{}',
  'a month without events closes, with no events in its snapshot');
select tests.reset_role();
select is(pg_temp.pushed('volunteer', pg_temp.create(:'station_d', '2023-05-09', md5('month-5')::uuid)), 'rejected period_closed',
  '...and takes no new event afterwards');

-- ---------------------------------------------------------------------------------------------
-- Closures are read by coordinators and admins, and written by no API role.
select * from tests.anon_is_refused('period_closures.reopen_reason');
create function pg_temp.closures_as(who text) returns setof text
language plpgsql
as $$
declare
  readable bigint;
begin
  if who = 'service_role' then
    perform tests.act_as_service_role();
  else
    perform tests.act_as(tests.demo_user(who));
  end if;
  select count(*) into readable from public.period_closures where station_id = current_setting('tests.station_c')::uuid;
  if who <> 'service_role' then
    return next is(readable, case when who in ('coordinator', 'admin') then 4::bigint else 0::bigint end,
      format('a %s reads %s', who, case when who in ('coordinator', 'admin') then 'the closures' else 'no closure' end));
  end if;
  return next throws_ok($sql$insert into public.period_closures (station_id, theme_month_id, version, unconfirmed, totals, events,
      volunteers, content_hash) values (gen_random_uuid(), gen_random_uuid(), 9, 0, '{}', '{}', '{}', '\x00')$sql$,
    '42501', 'permission denied for table period_closures', format('a %s inserts no closure', who));
  return next throws_ok('update public.period_closures set reopened_at = now()', '42501',
    'permission denied for table period_closures', format('a %s edits no closure', who));
  return next throws_ok('delete from public.period_closures', '42501', 'permission denied for table period_closures',
    format('a %s deletes no closure', who));
  perform tests.reset_role();
end
$$;
select * from pg_temp.closures_as('volunteer');
select * from pg_temp.closures_as('leader');
select * from pg_temp.closures_as('volunteer2');
select * from pg_temp.closures_as('coordinator');
select * from pg_temp.closures_as('admin');
select * from pg_temp.closures_as('service_role');

select is_empty('select * from private.totals_drift()', 'the maintained totals equal a recomputation');

select * from finish();
rollback;
