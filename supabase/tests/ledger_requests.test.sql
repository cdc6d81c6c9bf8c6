-- Late facts and disputed records: the push's ops 'adjust' (a change refused by period_closed,
-- sent as a request with a reason) and 'correct' (a participant flags an error), my_requests(),
-- and decide_adjustment (coordinators: decline with a reason, or approve: the change is applied
-- as a recorded adjustment, in the closed period too, with a new snapshot version marked adjusted,
-- and the period locked again). Each role; requests are written by no one directly.
--
-- Who is who (supabase/demo-seed.sql): leader = person-1, volunteer = person-2 (person-3 too) of
-- team 1; volunteer2 = person-12 of team 2.
begin;
set local search_path = public, extensions;
set local client_min_messages = warning;
select plan(89);

-- Fixtures: station A, whose March 2023 is closed (two events of the volunteer), and April at A,
-- open, closed later for a move.
select tests.make_station('Adjusted station') as station_a \gset
select set_config('tests.station_a', :'station_a', true);
select tests.make_event(md5('team-1')::uuid, :'station_a', '2023-03-06 09:00+08', 3, array[md5('person-2')::uuid, md5('person-3')::uuid],
  recorded_by => tests.demo_user('volunteer'), id => md5('adjust-1')::uuid);
select tests.make_event(md5('team-1')::uuid, :'station_a', '2023-03-07 09:00+08', 2, array[md5('person-2')::uuid],
  recorded_by => tests.demo_user('volunteer'), id => md5('adjust-2')::uuid);
select tests.make_event(md5('team-2')::uuid, :'station_a', '2023-03-08 09:00+08', 2, array[md5('person-12')::uuid],
  recorded_by => tests.demo_user('volunteer2'), id => md5('adjust-team-2')::uuid);
select tests.act_as(tests.demo_user('coordinator'));
select public.close_period(:'station_a', md5('month-3')::uuid, 'closed for the test') is not null as closed \gset
select tests.reset_role();

create function pg_temp.event_json(event_id uuid, overrides jsonb default '{}') returns jsonb
language sql security definer
as $$
  select to_jsonb(e) || jsonb_build_object('participants', (select jsonb_agg(jsonb_build_object('person_id', p.person_id, 'hours', p.hours))
    from public.event_participants p where p.event_id = e.id)) || overrides
  from public.service_events e where e.id = event_id
$$;
create function pg_temp.revision_of(event_id uuid) returns bigint
language sql security definer
as $$ select revision from public.service_events where id = event_id $$;
create function pg_temp.adjust(event_id uuid, fields jsonb, reason text, change_id uuid default gen_random_uuid(),
  base_revision bigint default null) returns jsonb
language sql
as $$
  select jsonb_build_object('change_id', change_id, 'event_id', event_id, 'op', 'adjust',
    'base_revision', coalesce(base_revision, pg_temp.revision_of(event_id)), 'event', fields, 'reason', reason)
$$;
create function pg_temp.correct(event_id uuid, note text, change_id uuid default gen_random_uuid()) returns jsonb
language sql
as $$ select jsonb_build_object('change_id', change_id, 'event_id', event_id, 'op', 'correct', 'base_revision', null, 'note', note) $$;
-- The outcome of one pushed change as who, without ids and messages.
create function pg_temp.pushed(who text, change jsonb, push text default 'public.push_event_changes') returns jsonb
language plpgsql
as $$
declare
  outcomes jsonb;
begin
  perform tests.act_as(tests.demo_user(who));
  execute format('select %s($1)', push) into outcomes using jsonb_build_array(change);
  perform tests.reset_role();
  return (outcomes -> 0) - 'change_id' - 'event_id' - 'message' - 'server';
end
$$;
create function pg_temp.decide(who text, request uuid, approve boolean, reason text default null) returns text
language plpgsql
as $$
declare
  outcome text;
begin
  perform tests.act_as(tests.demo_user(who));
  outcome := tests.error_of(format('select public.decide_adjustment(%L, %L, %L)', request, approve, reason));
  perform tests.reset_role();
  return outcome;
end
$$;
create function pg_temp.request(request_id uuid) returns public.adjustment_requests
language sql security definer
as $$ select * from public.adjustment_requests where id = request_id $$;

-- ---------------------------------------------------------------------------------------------
-- The refused edit, and the same change sent as an adjustment request (both push paths).
select is(pg_temp.pushed('volunteer', jsonb_build_object('change_id', gen_random_uuid(), 'event_id', md5('adjust-1')::uuid, 'op', 'upsert',
    'base_revision', pg_temp.revision_of(md5('adjust-1')::uuid), 'event', pg_temp.event_json(md5('adjust-1')::uuid, '{"people_served": 99}'))) ->> 'rule',
  'period_closed', 'the volunteer''s edit of the closed month is refused');
select is(pg_temp.pushed('volunteer', pg_temp.adjust(md5('adjust-1')::uuid, pg_temp.event_json(md5('adjust-1')::uuid, '{"people_served": 99}'),
    ' 漏记了三十位老人 ', md5('request-1')::uuid)),
  '{"status": "applied", "revision": null}', 'sent as an adjustment request, it is taken (and changes no event: no revision)');
select is(pg_temp.pushed('volunteer', pg_temp.adjust(md5('adjust-1')::uuid, pg_temp.event_json(md5('adjust-1')::uuid, '{"people_served": 99}'),
    ' 漏记了三十位老人 ', md5('request-1')::uuid)),
  '{"status": "duplicate", "revision": null}', 'a resend is a duplicate');
select is(pg_temp.pushed('volunteer', pg_temp.adjust(md5('adjust-1')::uuid, pg_temp.event_json(md5('adjust-1')::uuid, '{"people_served": 99}'),
    'another reason', md5('request-1')::uuid)) ->> 'rule',
  'sync_change_id_reused', 'the same id with another reason is another change: refused');
select is((select people_served from public.service_events where id = md5('adjust-1')::uuid), 10, 'the event is unchanged');
select is(to_jsonb(pg_temp.request(md5('request-1')::uuid)) - '{fields,requested_at}'::text[], jsonb_build_object(
    'id', md5('request-1')::uuid, 'event_id', md5('adjust-1')::uuid, 'team_id', md5('team-1')::uuid,
    'requested_by', tests.demo_user('volunteer'), 'reason', '漏记了三十位老人', 'base_revision', pg_temp.revision_of(md5('adjust-1')::uuid),
    'from_station_id', :'station_a', 'from_theme_month_id', md5('month-3')::uuid, 'to_station_id', :'station_a',
    'to_theme_month_id', md5('month-3')::uuid, 'status', 'pending', 'decided_at', null, 'decided_by', null,
    'decision_reason', null, 'applied_revision', null),
  'the request holds who asked, why (trimmed), the revision it is based on, and the period it comes from and goes to');
select is((pg_temp.request(md5('request-1')::uuid)).fields ->> 'people_served', '99', '...and the change asked for');

select is(pg_temp.pushed('volunteer', pg_temp.adjust(md5('adjust-2')::uuid, null, '重复记录，应删除', md5('request-delete')::uuid),
    'tests.push_one_by_one'), '{"status": "applied", "revision": null}', 'a delete sent as a request is taken (one at a time too)');
select is(pg_temp.pushed('volunteer', pg_temp.adjust(md5('adjust-new')::uuid, pg_temp.event_json(md5('adjust-2')::uuid,
    '{"title": "补录的活动", "id": null, "revision": null}'), '上个月忘了记', md5('request-new')::uuid)),
  '{"status": "applied", "revision": null}', 'a new event sent as a request is taken');

-- What the push refuses of requests.
select is(pg_temp.pushed('volunteer', pg_temp.adjust(md5('adjust-1')::uuid, pg_temp.event_json(md5('adjust-1')::uuid), null)) ->> 'rule',
  'adjustment_requests_reason_length', 'a request without a reason is refused');
select is(pg_temp.pushed('volunteer', pg_temp.adjust(md5('adjust-1')::uuid, pg_temp.event_json(md5('adjust-1')::uuid), E'\u3000 '),
    'tests.push_one_by_one') ->> 'rule', 'adjustment_requests_reason_length', '...or with a blank one');
select is(pg_temp.pushed('volunteer', pg_temp.adjust(md5('adjust-1')::uuid, pg_temp.event_json(md5('adjust-1')::uuid), repeat('因', 501)))
    ->> 'rule', 'adjustment_requests_reason_length', '...or with a reason over 500 characters');
select is(pg_temp.pushed('volunteer', pg_temp.adjust(md5('adjust-1')::uuid, pg_temp.event_json(md5('adjust-1')::uuid), E'原\u202E因'))
    ->> 'rule', 'adjustment_requests_reason_characters', '...or with a right-to-left override in it');
select is(pg_temp.pushed('volunteer', pg_temp.adjust(md5('adjust-1')::uuid, pg_temp.event_json(md5('adjust-1')::uuid, '{"started_at": "soon"}'),
    '原因')) ->> 'rule', 'service_events_started_at_format', 'a request whose fields cannot be read is refused, naming the field');
select is(pg_temp.pushed('volunteer2', pg_temp.adjust(md5('adjust-1')::uuid, pg_temp.event_json(md5('adjust-1')::uuid), '原因')),
  '{"status": "rejected", "code": "42501", "rule": "service_events_edit_policy"}',
  'another team''s volunteer cannot ask to change team 1''s event');
select is(pg_temp.pushed('volunteer', pg_temp.adjust(md5('adjust-team-2')::uuid, pg_temp.event_json(md5('adjust-team-2')::uuid), '原因')),
  '{"status": "rejected", "code": "42501", "rule": "service_events_edit_policy"}', 'nor the volunteer team 2''s');
select is(pg_temp.pushed('volunteer2', pg_temp.adjust(gen_random_uuid(), pg_temp.event_json(md5('adjust-1')::uuid, '{"id": null}'),
    '原因')),
  '{"status": "rejected", "code": "42501", "rule": "service_events_team_policy"}', 'nor to add an event to a team not theirs');
select is(pg_temp.pushed('volunteer', pg_temp.adjust(gen_random_uuid(), null, '原因')),
  '{"status": "conflict", "reason": "missing"}', 'a delete of an event the server does not have is a conflict');
select is(pg_temp.pushed('coordinator', pg_temp.adjust(md5('adjust-1')::uuid, pg_temp.event_json(md5('adjust-1')::uuid), '原因')) ->> 'rule',
  'service_events_edit_policy', 'a coordinator (who edits no event) cannot ask either');
select is(pg_temp.pushed('leader', pg_temp.adjust(md5('adjust-1')::uuid, pg_temp.event_json(md5('adjust-1')::uuid, '{"note": "队长补充"}'),
    '队长补充说明', md5('request-leader')::uuid)), '{"status": "applied", "revision": null}', 'the leader asks to change a team event');

-- ---------------------------------------------------------------------------------------------
-- Correction requests: participants only.
select is(pg_temp.pushed('volunteer', pg_temp.correct(md5('adjust-1')::uuid, ' 我只服务了两小时 ', md5('correction-1')::uuid)),
  '{"status": "applied", "revision": null}', 'a participant asks for a correction');
select is(pg_temp.pushed('volunteer', pg_temp.correct(md5('adjust-1')::uuid, ' 我只服务了两小时 ', md5('correction-1')::uuid),
    'tests.push_one_by_one'), '{"status": "duplicate", "revision": null}', 'a resend is a duplicate');
select is((select jsonb_build_object('person', person_id, 'note', note, 'team', team_id, 'status', status)
    from public.correction_requests where id = md5('correction-1')::uuid),
  jsonb_build_object('person', md5('person-2')::uuid, 'note', '我只服务了两小时', 'team', md5('team-1')::uuid, 'status', 'pending'),
  'it names the participant and the note (trimmed), pending');
select is(pg_temp.pushed('leader', pg_temp.correct(md5('adjust-1')::uuid, '不对')),
  '{"status": "rejected", "code": "42501", "rule": "correction_requests_participant"}',
  'the leader, who did not take part, does not ask for a correction of it');
select is(pg_temp.pushed('volunteer2', pg_temp.correct(md5('adjust-1')::uuid, '不对')) ->> 'rule', 'correction_requests_participant',
  'nor does another team''s volunteer');
select is(pg_temp.pushed('volunteer', pg_temp.correct(md5('adjust-1')::uuid, ' ')) ->> 'rule', 'correction_requests_note_length',
  'a correction request needs a note');
select is(pg_temp.pushed('volunteer', pg_temp.correct(gen_random_uuid(), '不对')), '{"status": "conflict", "reason": "missing"}',
  'a correction of an event the server does not have is a conflict');

-- ---------------------------------------------------------------------------------------------
-- my_requests(): the caller's own, newest first.
select tests.act_as(tests.demo_user('volunteer'));
select is((select jsonb_agg(r ->> 'id' order by r ->> 'id') from jsonb_array_elements(public.my_requests()) r),
  (select jsonb_agg(id::text order by id::text) from unnest(array[md5('correction-1')::uuid, md5('request-new')::uuid,
    md5('request-delete')::uuid, md5('request-1')::uuid]) id),
  'the volunteer''s requests, all of them (made in one transaction here, so at one time)');
select is((select r from jsonb_array_elements(public.my_requests()) r where r ->> 'id' = md5('request-1')::uuid::text),
  jsonb_build_object('id', md5('request-1')::uuid, 'kind', 'adjustment', 'event_id', md5('adjust-1')::uuid, 'status', 'pending',
    'reason_or_note', '漏记了三十位老人', 'decision_reason', null, 'decided_at', null, 'applied_revision', null),
  'an adjustment request as the phone reads it');
select is((select r from jsonb_array_elements(public.my_requests()) r where r ->> 'id' = md5('correction-1')::uuid::text),
  jsonb_build_object('id', md5('correction-1')::uuid, 'kind', 'correction', 'event_id', md5('adjust-1')::uuid, 'status', 'pending',
    'reason_or_note', '我只服务了两小时', 'decision_reason', null, 'decided_at', null, 'applied_revision', null),
  'a correction request as the phone reads it');
select tests.act_as(tests.demo_user('leader'));
select is((select jsonb_agg(r ->> 'id') from jsonb_array_elements(public.my_requests()) r), jsonb_build_array(md5('request-leader')::uuid::text),
  'the leader''s own only');
select tests.act_as(tests.demo_user('volunteer2'));
select is(public.my_requests(), '[]', 'another team''s volunteer has none');
select tests.act_as_anon();
select throws_ok('select public.my_requests()', '42501', 'permission denied for function my_requests', 'anon has none');
select tests.reset_role();

-- Who reads the requests: who asked, the team's leaders, coordinators.
create function pg_temp.readable(who text) returns jsonb
language plpgsql
as $$
declare
  seen jsonb;
begin
  perform tests.act_as(tests.demo_user(who));
  select jsonb_build_object(
    'adjustments', (select count(*) from public.adjustment_requests where from_station_id = current_setting('tests.station_a')::uuid
                      or id = md5('request-new')::uuid),
    'corrections', (select count(*) from public.correction_requests where id = md5('correction-1')::uuid)) into seen;
  perform tests.reset_role();
  return seen;
end
$$;
select is(pg_temp.readable('volunteer'), '{"adjustments": 3, "corrections": 1}', 'the volunteer reads the requests they made');
select is(pg_temp.readable('leader'), '{"adjustments": 4, "corrections": 1}', 'the leader reads every request of the team');
select is(pg_temp.readable('volunteer2'), '{"adjustments": 0, "corrections": 0}', 'another team''s volunteer reads none of them');
select is(pg_temp.readable('coordinator'), '{"adjustments": 4, "corrections": 1}', 'a coordinator reads them all');
select is(pg_temp.readable('admin'), '{"adjustments": 4, "corrections": 1}', 'so does an admin');
select * from tests.anon_is_refused('adjustment_requests.reason', 'correction_requests.note');
create function pg_temp.unwritable(who text) returns setof text
language plpgsql
as $$
begin
  if who = 'service_role' then
    perform tests.act_as_service_role();
  else
    perform tests.act_as(tests.demo_user(who));
  end if;
  return next is(concat_ws(' | ',
      tests.error_of($sql$insert into public.adjustment_requests (id, event_id, team_id, requested_by, reason)
        values (gen_random_uuid(), gen_random_uuid(), md5('team-1')::uuid, auth.uid(), 'x')$sql$),
      tests.error_of($sql$update public.adjustment_requests set status = 'approved'$sql$),
      tests.error_of($sql$delete from public.adjustment_requests$sql$),
      tests.error_of($sql$insert into public.correction_requests (id, event_id, team_id, requested_by, person_id, note)
        values (gen_random_uuid(), md5('event-1')::uuid, md5('team-1')::uuid, auth.uid(), md5('person-2')::uuid, 'x')$sql$),
      tests.error_of($sql$update public.correction_requests set status = 'resolved'$sql$),
      tests.error_of($sql$delete from public.correction_requests$sql$)),
    '42501 | 42501 | 42501 | 42501 | 42501 | 42501', format('a %s writes no request directly', who));
  perform tests.reset_role();
end
$$;
select * from pg_temp.unwritable('volunteer');
select * from pg_temp.unwritable('leader');
select * from pg_temp.unwritable('coordinator');
select * from pg_temp.unwritable('admin');
select * from pg_temp.unwritable('service_role');

-- ---------------------------------------------------------------------------------------------
-- Decisions: coordinators (and admins).
select is(pg_temp.decide('volunteer', md5('request-1')::uuid, true), '42501 adjustment_requests_coordinator_policy',
  'a volunteer does not decide');
select is(pg_temp.decide('leader', md5('request-1')::uuid, true), '42501 adjustment_requests_coordinator_policy',
  'a leader does not decide');
select is(pg_temp.decide('volunteer2', md5('request-1')::uuid, false, 'no'), '42501 adjustment_requests_coordinator_policy',
  'another team''s volunteer does not decide');
select tests.act_as_anon();
select throws_ok(format('select public.decide_adjustment(%L, true)', md5('request-1')::uuid), '42501',
  'permission denied for function decide_adjustment', 'anon does not decide');
select tests.reset_role();
select is(pg_temp.decide('coordinator', gen_random_uuid(), true), '22023 adjustment_requests_unknown', 'an unknown request is named');

-- Declined, with a reason.
select is(pg_temp.decide('coordinator', md5('request-leader')::uuid, false), '23514 adjustment_requests_decision_reason_length',
  'declining needs a reason');
select is(pg_temp.decide('coordinator', md5('request-leader')::uuid, false, ' 备注不属于结账内容 '), 'no error', 'a coordinator declines with a reason');
select is(pg_temp.decide('coordinator', md5('request-leader')::uuid, true), '23514 adjustment_requests_decided',
  'a decided request is not decided again');
select tests.act_as(tests.demo_user('leader'));
select is((public.my_requests() -> 0) - 'decided_at', jsonb_build_object('id', md5('request-leader')::uuid, 'kind', 'adjustment',
    'event_id', md5('adjust-1')::uuid, 'status', 'declined', 'reason_or_note', '队长补充说明', 'decision_reason', '备注不属于结账内容',
    'applied_revision', null), 'the leader reads the decision and its reason');
select is((public.my_requests() -> 0 ->> 'decided_at')::timestamptz, now(), '...and when it was made');
select tests.reset_role();
select is((select note from public.service_events where id = md5('adjust-1')::uuid), '', 'the declined change was not applied');

-- Approved: applied in the closed month, which gets version 2, marked adjusted, and stays locked.
select content_hash as hash_v1 from public.period_closures where station_id = :'station_a' and version = 1 \gset
select is(pg_temp.decide('coordinator', md5('request-1')::uuid, true), 'no error', 'a coordinator approves the request');
select is((select people_served from public.service_events where id = md5('adjust-1')::uuid), 99,
  'the change is applied, though the month is closed');
select is((pg_temp.request(md5('request-1')::uuid)).applied_revision, pg_temp.revision_of(md5('adjust-1')::uuid),
  'the request names the revision it made');
select is(jsonb_build_object('status', (pg_temp.request(md5('request-1')::uuid)).status, 'by', (pg_temp.request(md5('request-1')::uuid)).decided_by),
  jsonb_build_object('status', 'approved', 'by', tests.demo_user('coordinator')), '...approved, by the coordinator');
select results_eq(format($$select version, adjusted, adjustment_request_id, reopened_at is null from public.period_closures
    where station_id = %L and theme_month_id = %L order by version$$, :'station_a', md5('month-3')::uuid),
  format($$values (1, false, null::uuid, true), (2, true, %L::uuid, true)$$, md5('request-1')::uuid),
  'the month has a new snapshot version, marked adjusted, naming the request; version 1 is kept');
select is((select totals ->> 'people_served' from public.period_closures where station_id = :'station_a' and version = 2), '119',
  'version 2 holds the adjusted totals (99 + 10 + 10 served)');
select is((select to_jsonb(t) - '{station_id,theme_month_id,updated_at,closed}'::text[] from public.station_month_totals t
    where station_id = :'station_a' and theme_month_id = md5('month-3')::uuid),
  (select totals from public.period_closures where station_id = :'station_a' and version = 2), '...which are the totals table''s');
select isnt((select content_hash from public.period_closures where station_id = :'station_a' and version = 2), :'hash_v1'::bytea,
  '...and it has a new hash');
select is((select closed from public.station_month_totals where station_id = :'station_a' and theme_month_id = md5('month-3')::uuid),
  true, 'the month is still closed');
select is(pg_temp.pushed('volunteer', jsonb_build_object('change_id', gen_random_uuid(), 'event_id', md5('adjust-1')::uuid, 'op', 'upsert',
    'base_revision', pg_temp.revision_of(md5('adjust-1')::uuid), 'event', pg_temp.event_json(md5('adjust-1')::uuid, '{"people_served": 98}'))) ->> 'rule',
  'period_closed', '...and locked: the next edit is refused again');
select tests.act_as(tests.demo_user('volunteer'));
select is((select r - 'decided_at' from jsonb_array_elements(public.my_requests()) r where r ->> 'id' = md5('request-1')::uuid::text),
  jsonb_build_object('id', md5('request-1')::uuid, 'kind', 'adjustment', 'event_id', md5('adjust-1')::uuid, 'status', 'approved',
    'reason_or_note', '漏记了三十位老人', 'decision_reason', null, 'applied_revision', pg_temp.revision_of(md5('adjust-1')::uuid)),
  'the volunteer reads the approval and the revision to wait for');
select tests.reset_role();

-- Approved: a new event (recorded as the requester's) and a delete; an admin decides too.
select is(pg_temp.decide('admin', md5('request-new')::uuid, true, '同意补录'), 'no error', 'an admin approves adding an event');
select is((select jsonb_build_object('by', recorded_by, 'title', title, 'station', station_id) from public.service_events
    where id = md5('adjust-new')::uuid),
  jsonb_build_object('by', tests.demo_user('volunteer'), 'title', '补录的活动', 'station', :'station_a'),
  'the event is added, recorded by the volunteer who asked');
select is(pg_temp.decide('coordinator', md5('request-delete')::uuid, true), 'no error', 'a coordinator approves a delete');
select isnt((select deleted_at from public.service_events where id = md5('adjust-2')::uuid), null, 'the event is deleted');
select results_eq(format($$select version, adjusted, (totals ->> 'events')::integer from public.period_closures
    where station_id = %L and theme_month_id = %L order by version$$, :'station_a', md5('month-3')::uuid),
  $$values (1, false, 3), (2, true, 3), (3, true, 4), (4, true, 3)$$, 'each approval made a version: 3, +1, -1 events');

-- A request whose event changed since is stale; the stale one can still be declined.
select is(pg_temp.pushed('volunteer', pg_temp.adjust(md5('adjust-1')::uuid, pg_temp.event_json(md5('adjust-1')::uuid, '{"funds_fen": 5000}'),
    '补记资金', md5('request-a')::uuid)), '{"status": "applied", "revision": null}', 'two requests for the same event...');
select is(pg_temp.pushed('volunteer', pg_temp.adjust(md5('adjust-1')::uuid, pg_temp.event_json(md5('adjust-1')::uuid, '{"funds_fen": 7000}'),
    '补记资金（更正）', md5('request-b')::uuid)), '{"status": "applied", "revision": null}', '...based on the same revision');
select is(pg_temp.decide('coordinator', md5('request-b')::uuid, true), 'no error', 'the second is approved');
select is(pg_temp.decide('coordinator', md5('request-a')::uuid, true), '23514 adjustment_requests_stale',
  'the first is stale now: not applied');
select is((select funds_fen from public.service_events where id = md5('adjust-1')::uuid), 7000::bigint, 'the approved change stands');
select is(pg_temp.decide('coordinator', md5('request-a')::uuid, false, '已按第二次申请调整'), 'no error', 'the stale one is declined');

-- A move out of a closed month into another closed month: both get an adjusted version.
select tests.act_as(tests.demo_user('coordinator'));
select public.close_period(:'station_a', md5('month-4')::uuid) is not null as april_closed \gset
select tests.reset_role();
select is(pg_temp.pushed('volunteer', pg_temp.adjust(md5('adjust-1')::uuid, pg_temp.event_json(md5('adjust-1')::uuid,
    jsonb_build_object('theme_month_id', md5('month-4')::uuid, 'started_at', '2023-04-03T09:00:00+08:00', 'ended_at', '2023-04-03T12:00:00+08:00')),
    '日期记错了，应为四月', md5('request-move')::uuid)), '{"status": "applied", "revision": null}', 'a request to move an event to April');
select is(pg_temp.decide('coordinator', md5('request-move')::uuid, true), 'no error', 'approved');
select results_eq(format($$select m.month, c.version, c.adjusted, (c.totals ->> 'events')::integer, c.adjustment_request_id
    from public.period_closures c join public.theme_months m on m.id = c.theme_month_id
    where c.station_id = %L and c.adjustment_request_id = %L order by m.month$$, :'station_a', md5('request-move')::uuid),
  format($$values ('2023-03-01'::date, 6, true, 2, %1$L::uuid), ('2023-04-01'::date, 2, true, 1, %1$L::uuid)$$, md5('request-move')::uuid),
  'March and April both have a new adjusted version');
select is((select count(*) from public.station_month_totals where station_id = :'station_a' and closed), 2::bigint,
  'both are closed still');
select is_empty('select * from private.totals_drift()', 'the maintained totals equal a recomputation');

select * from finish();
rollback;
