-- Correction requests (异议, Art. 12-13) per role: a participant asks (the push's op 'correct'),
-- others may not; the team's leader (or a coordinator) sees the open requests and resolves each:
-- resolved only after the event was changed (a confirmation is no change), or declined with a
-- reason; the volunteer reads the outcome through my_requests(); the audit trail keeps the request
-- and its decision.
--
-- Who is who (supabase/demo-seed.sql): leader = person-1 and volunteer = person-2 of team 1,
-- volunteer2 = person-12 of team 2.
begin;
set local search_path = public, extensions;
set local client_min_messages = warning;
select plan(23);

create function pg_temp.correct(event_id uuid, note text, change_id uuid default gen_random_uuid()) returns jsonb
language sql
as $$
  select jsonb_build_array(jsonb_build_object('change_id', change_id, 'event_id', event_id, 'op', 'correct',
    'base_revision', null, 'note', note))
$$;
create function pg_temp.revision_of(event_id uuid) returns bigint
language sql security definer
as $$ select revision from public.service_events where id = event_id $$;

-- Two events of team 1 with the volunteer; one of team 2 without.
select tests.make_event(md5('team-1')::uuid, md5('station-2')::uuid, '2023-06-05 09:00+08', 3, array[md5('person-2')::uuid],
  recorded_by => tests.demo_user('leader'), id => md5('correction-1')::uuid);
select tests.make_event(md5('team-1')::uuid, md5('station-2')::uuid, '2023-06-06 09:00+08', 3, array[md5('person-2')::uuid],
  recorded_by => tests.demo_user('leader'), id => md5('correction-2')::uuid);
select tests.make_event(md5('team-2')::uuid, md5('station-2')::uuid, '2023-06-07 09:00+08', 3, array[md5('person-12')::uuid],
  recorded_by => tests.demo_user('volunteer2'), id => md5('correction-team-2')::uuid);

-- ---------------------------------------------------------------------------------------------
-- Asking.
select tests.act_as(tests.demo_user('volunteer'));
select is(public.push_event_changes(pg_temp.correct(md5('correction-1')::uuid, '我只服务了2小时', md5('request-1')::uuid)) -> 0 ->> 'status',
  'applied', 'a participant flags an error in their record');
select is(public.push_event_changes(pg_temp.correct(md5('correction-2')::uuid, '地点写错了', md5('request-2')::uuid)) -> 0 ->> 'status',
  'applied', '...and in another');
select is(public.push_event_changes(pg_temp.correct(md5('correction-team-2')::uuid, '不是我的', md5('request-x')::uuid)) -> 0 ->> 'rule',
  'correction_requests_participant', 'not in an event they did not take part in');
select is((select event_revision from public.correction_requests where id = md5('request-1')::uuid),
  pg_temp.revision_of(md5('correction-1')::uuid), 'a request keeps the revision of the record it disputes');
select tests.act_as(tests.demo_user('volunteer2'));
select is((select count(*) from public.correction_requests where team_id = md5('team-1')::uuid), 0::bigint,
  'another team''s volunteer does not see them');
select is(tests.error_of(format('select public.resolve_correction_request(%L, false, %L)', md5('request-1')::uuid, '无')),
  '42501 correction_requests_resolver_policy', 'nor resolves them');

-- ---------------------------------------------------------------------------------------------
-- The leader's open requests, and the decisions.
select tests.act_as(tests.demo_user('leader'));
select is((select array_agg(id order by requested_at, note desc) from public.correction_requests where status = 'pending'),
  array[md5('request-1')::uuid, md5('request-2')::uuid], 'the team''s leader sees the open requests');
select is(tests.error_of(format('select public.resolve_correction_request(%L, true)', md5('request-1')::uuid)),
  '23514 correction_requests_not_corrected', 'not resolved while the record is unchanged');

-- A confirmation is no correction.
select public.push_event_changes(jsonb_build_array(jsonb_build_object('change_id', gen_random_uuid(),
  'event_id', md5('correction-1')::uuid, 'op', 'confirm', 'base_revision', pg_temp.revision_of(md5('correction-1')::uuid))));
select is(tests.error_of(format('select public.resolve_correction_request(%L, true)', md5('request-1')::uuid)),
  '23514 correction_requests_not_corrected', 'a confirmation alone does not correct the record');

-- The leader corrects the hours through the push, then marks the request resolved.
select public.push_event_changes(jsonb_build_array(jsonb_build_object('change_id', gen_random_uuid(),
  'event_id', md5('correction-1')::uuid, 'op', 'upsert', 'base_revision', pg_temp.revision_of(md5('correction-1')::uuid),
  'event', (select jsonb_build_object('station_id', station_id, 'team_id', team_id, 'theme_month_id', theme_month_id,
      'started_at', started_at, 'ended_at', ended_at, 'title', title, 'note', note, 'people_served', people_served,
      'funds_fen', funds_fen, 'materials_fen', materials_fen, 'materials_description', materials_description,
      'participants', jsonb_build_array(jsonb_build_object('person_id', md5('person-2')::uuid, 'hours', 2)))
    from public.service_events where id = md5('correction-1')::uuid))));
select is((select hours from public.event_participants where event_id = md5('correction-1')::uuid), 2.00::numeric(4, 2),
  'the leader corrects the record through the push');
select is(public.resolve_correction_request(md5('request-1')::uuid, true, '已按实际服务时长更正') ->> 'status', 'resolved',
  'then the request is resolved');
select is(tests.error_of(format('select public.resolve_correction_request(%L, false, %L)', md5('request-1')::uuid, '再次')),
  '23514 correction_requests_decided', 'once');

select is(tests.error_of(format('select public.resolve_correction_request(%L, false)', md5('request-2')::uuid)),
  '23514 correction_requests_resolution_length', 'a decline needs a reason');
select is(public.resolve_correction_request(md5('request-2')::uuid, false, '经核实，地点无误') ->> 'status', 'declined',
  'the leader declines the other with a reason');
select is(tests.error_of(format('select public.resolve_correction_request(%L, false, %L)', gen_random_uuid(), '无')),
  '22023 correction_requests_unknown', 'an unknown request');
select throws_ok(format($$update public.correction_requests set status = 'resolved' where id = %L$$, md5('request-2')::uuid),
  '42501', 'permission denied for table correction_requests', 'requests change through the function only');

-- ---------------------------------------------------------------------------------------------
-- The volunteer learns the outcome.
select tests.act_as(tests.demo_user('volunteer'));
select is((select jsonb_agg(jsonb_build_object('status', r ->> 'status', 'reason', r ->> 'decision_reason') order by r ->> 'status' desc)
    from jsonb_array_elements(public.my_requests()) r where r ->> 'kind' = 'correction'
      and (r ->> 'id')::uuid in (md5('request-1')::uuid, md5('request-2')::uuid)),
  '[{"status": "resolved", "reason": "已按实际服务时长更正"}, {"status": "declined", "reason": "经核实，地点无误"}]'::jsonb,
  'the volunteer reads each outcome and its words');
select is(tests.error_of(format('select public.resolve_correction_request(%L, true)', md5('request-1')::uuid)),
  '42501 correction_requests_resolver_policy', 'the volunteer does not resolve requests');

-- A coordinator resolves any team's.
select tests.act_as(tests.demo_user('volunteer'));
select public.push_event_changes(pg_temp.correct(md5('correction-2')::uuid, '时间也不对', md5('request-3')::uuid));
select tests.act_as(tests.demo_user('coordinator'));
select is(public.resolve_correction_request(md5('request-3')::uuid, false, '时间无误') ->> 'status', 'declined',
  'a coordinator resolves a team''s request');

-- ---------------------------------------------------------------------------------------------
-- The audit trail keeps the requests and the decisions.
select tests.reset_role();
select is((select array_agg(action order by id) from public.audit_trail
    where subject = 'correction_request' and event_id = md5('correction-1')::uuid),
  array['request', 'resolve'], 'the trail keeps the request and its resolution');
select is((select array_agg(action order by id) from public.audit_trail
    where subject = 'correction_request' and event_id = md5('correction-2')::uuid),
  array['request', 'decline', 'request', 'decline'], '...and the declines');
select is((select actor from public.audit_trail where subject = 'correction_request' and action = 'resolve'
    and event_id = md5('correction-1')::uuid), tests.demo_user('leader'), '...with who decided');
select is((select changes -> 'resolution' ->> 1 from public.audit_trail where subject = 'correction_request' and action = 'decline'
    and event_id = md5('correction-2')::uuid order by id limit 1), '经核实，地点无误', '...and their words');

select * from finish();
rollback;
