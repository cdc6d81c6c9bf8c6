-- Confirmation by the team's leader through the push's op 'confirm': who may confirm (each role),
-- idempotency, conflicts by revision, several events in one push; confirmed_at and confirmed_by
-- are the server's (no direct writes); every edit clears a confirmation, by any path; the totals
-- count confirmed events. (A change of participants in a later transaction clears it too: see
-- test/integration/ledger.test.ts, which needs separate transactions.)
--
-- Who is who (supabase/demo-seed.sql): leader = person-1 and volunteer = person-2 of team 1,
-- volunteer2 = person-12 of team 2; events event-1..3 are team 1's.
begin;
set local search_path = public, extensions;
set local client_min_messages = warning;
select plan(48);

create function pg_temp.confirm(event_id uuid, base_revision bigint, change_id uuid default gen_random_uuid()) returns jsonb
language sql
as $$
  select jsonb_build_object('change_id', change_id, 'event_id', event_id, 'op', 'confirm', 'base_revision', base_revision)
$$;
create function pg_temp.revision_of(event_id uuid) returns bigint
language sql security definer
as $$ select revision from public.service_events where id = event_id $$;
create function pg_temp.confirmation_of(event_id uuid) returns jsonb
language sql security definer
as $$ select jsonb_build_object('at', confirmed_at, 'by', confirmed_by) from public.service_events where id = event_id $$;
create function pg_temp.confirmed_count(event_id uuid) returns integer
language sql security definer
as $$
  select t.confirmed from public.station_month_totals t join public.service_events e
    on e.station_id = t.station_id and e.theme_month_id = t.theme_month_id where e.id = event_id
$$;
-- The outcome without the server row (its status, revision, reason, rule).
create function pg_temp.outcome(o jsonb) returns jsonb
language sql
as $$ select o - 'change_id' - 'event_id' - 'server' - 'message' - 'code' $$;

-- Fixtures: three events of team 1 recorded by the volunteer, one of team 2.
select tests.make_event(md5('team-1')::uuid, md5('station-4')::uuid, '2023-05-08 09:00+08', 3, array[md5('person-2')::uuid],
  recorded_by => tests.demo_user('volunteer'), id => md5('confirm-1')::uuid);
select tests.make_event(md5('team-1')::uuid, md5('station-4')::uuid, '2023-05-09 09:00+08', 3, array[md5('person-2')::uuid],
  recorded_by => tests.demo_user('volunteer'), id => md5('confirm-2')::uuid);
select tests.make_event(md5('team-1')::uuid, md5('station-4')::uuid, '2023-05-10 09:00+08', 3, array[md5('person-2')::uuid],
  recorded_by => tests.demo_user('volunteer'), id => md5('confirm-3')::uuid);
select tests.make_event(md5('team-2')::uuid, md5('station-4')::uuid, '2023-05-11 09:00+08', 3, array[md5('person-12')::uuid],
  recorded_by => tests.demo_user('volunteer2'), id => md5('confirm-team-2')::uuid);
select pg_temp.revision_of(md5('confirm-1')::uuid) as rev_1 \gset
select pg_temp.confirmed_count(md5('confirm-1')::uuid) as confirmed_before \gset

select is(pg_temp.confirmation_of(md5('confirm-1')::uuid), '{"at": null, "by": null}', 'a new event is unconfirmed');

-- ---------------------------------------------------------------------------------------------
-- The leader confirms: a new revision, stamped with the server's time and the leader.
select tests.act_as(tests.demo_user('leader'));
select public.push_event_changes(jsonb_build_array(pg_temp.confirm(md5('confirm-1')::uuid, :rev_1, md5('confirm-change-1')::uuid)))
  -> 0 as first \gset
select is(:'first'::jsonb ->> 'status', 'applied', 'the leader''s confirmation is applied');
select ok((:'first'::jsonb ->> 'revision')::bigint > :rev_1, '...with a new revision');
select is((:'first'::jsonb ->> 'revision')::bigint, pg_temp.revision_of(md5('confirm-1')::uuid), '...the event''s');
select is(pg_temp.confirmation_of(md5('confirm-1')::uuid),
  jsonb_build_object('at', now(), 'by', tests.demo_user('leader')), 'confirmed now, by the leader');
select is(pg_temp.confirmed_count(md5('confirm-1')::uuid), :confirmed_before + 1, 'the totals count one more confirmed event');
select is(pg_temp.outcome(public.push_event_changes(jsonb_build_array(
    pg_temp.confirm(md5('confirm-1')::uuid, :rev_1, md5('confirm-change-1')::uuid))) -> 0),
  jsonb_build_object('status', 'duplicate', 'revision', (:'first'::jsonb ->> 'revision')::bigint), 'a resend is a duplicate');
select is(pg_temp.outcome(public.push_event_changes(jsonb_build_array(
    pg_temp.confirm(md5('confirm-1')::uuid, pg_temp.revision_of(md5('confirm-1')::uuid)))) -> 0),
  jsonb_build_object('status', 'applied', 'revision', (:'first'::jsonb ->> 'revision')::bigint),
  'confirming a confirmed event again (another change) is applied and changes nothing');
select is(pg_temp.revision_of(md5('confirm-1')::uuid), (:'first'::jsonb ->> 'revision')::bigint, '...not even its revision');
select is(pg_temp.outcome(public.push_event_changes(jsonb_build_array(pg_temp.confirm(md5('confirm-2')::uuid, :rev_1))) -> 0),
  '{"status": "conflict", "reason": "changed"}', 'a confirmation of a version the leader did not see is a conflict');
select ok(public.push_event_changes(jsonb_build_array(pg_temp.confirm(md5('confirm-2')::uuid, :rev_1))) -> 0 -> 'server' ? 'title',
  '...with the server''s row');
select is(pg_temp.confirmation_of(md5('confirm-2')::uuid), '{"at": null, "by": null}', '...and confirms nothing');
select is(pg_temp.outcome(public.push_event_changes(jsonb_build_array(pg_temp.confirm(gen_random_uuid(), 1))) -> 0),
  '{"status": "conflict", "reason": "missing"}', 'a confirmation of an event the server does not have is a conflict');

-- Several events in one push.
select is((select jsonb_agg(o ->> 'status') from jsonb_array_elements(public.push_event_changes(jsonb_build_array(
    pg_temp.confirm(md5('confirm-2')::uuid, pg_temp.revision_of(md5('confirm-2')::uuid)),
    pg_temp.confirm(md5('confirm-3')::uuid, pg_temp.revision_of(md5('confirm-3')::uuid))))) o),
  '["applied", "applied"]', 'the leader confirms several events in one push');
select is(pg_temp.confirmation_of(md5('confirm-3')::uuid) ->> 'by', tests.demo_user('leader')::text, '...each of them');

-- A confirmed event deleted: its confirmation cannot be sent any more.
select tests.act_as(tests.demo_user('volunteer'));
select is(public.push_event_changes(jsonb_build_array(jsonb_build_object('change_id', gen_random_uuid(),
    'event_id', md5('confirm-3')::uuid, 'op', 'delete', 'base_revision', pg_temp.revision_of(md5('confirm-3')::uuid)))) -> 0 ->> 'status',
  'applied', 'the volunteer deletes a confirmed event');
select tests.act_as(tests.demo_user('leader'));
select is(pg_temp.outcome(public.push_event_changes(jsonb_build_array(
    pg_temp.confirm(md5('confirm-3')::uuid, pg_temp.revision_of(md5('confirm-3')::uuid)))) -> 0),
  '{"status": "conflict", "reason": "deleted"}', 'a confirmation of a deleted event is a conflict');

-- ---------------------------------------------------------------------------------------------
-- Who may confirm: leaders of the event's team, and admins.
select tests.act_as(tests.demo_user('volunteer'));
select is(pg_temp.outcome(public.push_event_changes(jsonb_build_array(
    pg_temp.confirm(md5('confirm-team-2')::uuid, pg_temp.revision_of(md5('confirm-team-2')::uuid)))) -> 0),
  '{"status": "conflict", "reason": "missing"}', 'a volunteer cannot confirm another team''s event (they do not see it)');
select tests.act_as(tests.demo_user('leader'));
select is(pg_temp.outcome(public.push_event_changes(jsonb_build_array(
    pg_temp.confirm(md5('confirm-team-2')::uuid, pg_temp.revision_of(md5('confirm-team-2')::uuid)))) -> 0),
  '{"status": "conflict", "reason": "missing"}', 'nor can the leader of another team');
select tests.act_as(tests.demo_user('volunteer2'));
select is(public.push_event_changes(jsonb_build_array(
    pg_temp.confirm(md5('confirm-team-2')::uuid, pg_temp.revision_of(md5('confirm-team-2')::uuid)))) -> 0 ->> 'rule',
  'service_events_confirm_policy', 'a member of the event''s team who does not lead it is refused');
select is(public.push_event_changes(jsonb_build_array(
    pg_temp.confirm(md5('confirm-team-2')::uuid, pg_temp.revision_of(md5('confirm-team-2')::uuid)))) -> 0 ->> 'code',
  '42501', '...as a denial');
select tests.act_as(tests.demo_user('coordinator'));
select is(public.push_event_changes(jsonb_build_array(
    pg_temp.confirm(md5('confirm-team-2')::uuid, pg_temp.revision_of(md5('confirm-team-2')::uuid)))) -> 0 ->> 'rule',
  'service_events_confirm_policy', 'a coordinator (who reads every event) does not confirm');
select is(pg_temp.confirmation_of(md5('confirm-team-2')::uuid), '{"at": null, "by": null}', 'none of them confirmed it');
select tests.act_as(tests.demo_user('admin'));
select is(public.push_event_changes(jsonb_build_array(
    pg_temp.confirm(md5('confirm-team-2')::uuid, pg_temp.revision_of(md5('confirm-team-2')::uuid)))) -> 0 ->> 'status',
  'applied', 'an admin confirms any event');
select tests.act_as_anon();
select throws_ok($$select public.push_event_changes('[]')$$, '42501', 'permission denied for function push_event_changes',
  'anon cannot confirm');

-- ---------------------------------------------------------------------------------------------
-- confirmed_at and confirmed_by are the server's.
create function pg_temp.direct_confirmation(who text) returns setof text
language plpgsql
as $$
begin
  perform tests.act_as(tests.demo_user(who));
  return next throws_ok(format($sql$update public.service_events set confirmed_at = now() where id = %L$sql$, md5('confirm-2')::uuid),
    '42501', 'permission denied for table service_events', format('a %s cannot set confirmed_at directly', who));
  return next throws_ok(format($sql$update public.service_events set confirmed_by = auth.uid() where id = %L$sql$, md5('confirm-2')::uuid),
    '42501', 'permission denied for table service_events', format('a %s cannot set confirmed_by directly', who));
  return next throws_ok($sql$insert into public.service_events (id, station_id, team_id, theme_month_id, started_at, ended_at, title, confirmed_at)
      values (gen_random_uuid(), md5('station-1')::uuid, md5('team-1')::uuid, md5('month-3')::uuid,
        '2023-03-26 09:00+08', '2023-03-26 10:00+08', 'Born confirmed', now())$sql$,
    '42501', 'permission denied for table service_events', format('a %s cannot insert a confirmed event', who));
  perform tests.reset_role();
end
$$;
select * from pg_temp.direct_confirmation('volunteer');
select * from pg_temp.direct_confirmation('leader');
select * from pg_temp.direct_confirmation('coordinator');
select * from pg_temp.direct_confirmation('admin');
select tests.act_as_service_role();
select lives_ok($$insert into public.service_events (id, station_id, team_id, theme_month_id, started_at, ended_at, title,
      recorded_by, confirmed_at, confirmed_by)
    values (md5('service-confirmed')::uuid, md5('station-1')::uuid, md5('team-1')::uuid, md5('month-3')::uuid,
      '2023-03-26 09:00+08', '2023-03-26 10:00+08', 'Born confirmed', tests.demo_user('admin'), now(), tests.demo_user('admin'))$$,
  'the service role inserts an event naming a confirmation...');
select is(pg_temp.confirmation_of(md5('service-confirmed')::uuid), '{"at": null, "by": null}', '...and it is unconfirmed');
select tests.reset_role();

-- ---------------------------------------------------------------------------------------------
-- Every edit clears a confirmation: the volunteer's push, the leader's direct edit, a direct
-- change of participants (same transaction here: the event's row is written by it).
select tests.act_as(tests.demo_user('volunteer'));
select is(public.push_event_changes(jsonb_build_array(jsonb_build_object('change_id', gen_random_uuid(),
    'event_id', md5('confirm-1')::uuid, 'op', 'upsert', 'base_revision', pg_temp.revision_of(md5('confirm-1')::uuid),
    'event', (select to_jsonb(e) || jsonb_build_object('title', 'Edited after confirmation',
        'participants', jsonb_build_array(jsonb_build_object('person_id', md5('person-2')::uuid, 'hours', 3)))
      from public.service_events e where e.id = md5('confirm-1')::uuid)))) -> 0 ->> 'status',
  'applied', 'the volunteer edits a confirmed event through the push');
select is(pg_temp.confirmation_of(md5('confirm-1')::uuid), '{"at": null, "by": null}', '...and it is unconfirmed again');
select is(pg_temp.confirmed_count(md5('confirm-1')::uuid), :confirmed_before + 2,
  'the totals count it no more (confirm-2 and team 2''s event at the same key are confirmed; confirm-3 is deleted)');
select tests.act_as(tests.demo_user('leader'));
select is(tests.rows_affected(format($$update public.service_events set note = 'A leader''s remark' where id = %L$$, md5('confirm-2')::uuid)),
  1::bigint, 'the leader edits a confirmed event directly');
select is(pg_temp.confirmation_of(md5('confirm-2')::uuid), '{"at": null, "by": null}', '...and it is unconfirmed again');
select is(public.push_event_changes(jsonb_build_array(
    pg_temp.confirm(md5('confirm-2')::uuid, pg_temp.revision_of(md5('confirm-2')::uuid)))) -> 0 ->> 'status',
  'applied', 'the leader confirms it anew');
select is(tests.rows_affected(format($$update public.service_events set title = title where id = %L$$, md5('confirm-2')::uuid)),
  1::bigint, 'even an edit that changes no field...');
select is(pg_temp.confirmation_of(md5('confirm-2')::uuid), '{"at": null, "by": null}', '...clears the confirmation');
select tests.reset_role();
select is_empty('select * from private.totals_drift()', 'the maintained totals (the confirmed counts included) equal a recomputation');

select * from finish();
rollback;
