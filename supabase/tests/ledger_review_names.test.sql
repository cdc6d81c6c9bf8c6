-- The coordinators' pages' views (period_closure_versions, adjustment_request_reviews): the names
-- of who closed, reopened, asked and decided, the snapshot hash in hex, and no more rows than
-- the caller reads of the tables under them.
begin;
set local search_path = public, extensions;
set local client_min_messages = warning;
select plan(9);

select station_id as key_station, theme_month_id as key_month from public.service_events where id = md5('event-1')::uuid \gset

select tests.act_as(tests.demo_user('coordinator'));
select public.close_period(:'key_station', :'key_month', '年底结账') is not null as closed \gset
select is((select row(version, closed_by_name, override_reason, event_count, adjusted)::text from public.period_closure_versions
    where station_id = :'key_station' and theme_month_id = :'key_month'),
  (select row(1, '协调员演示', '年底结账', count(*), false)::text from public.service_events
    where station_id = :'key_station' and theme_month_id = :'key_month' and deleted_at is null),
  'a closed version names its closer and counts its events');
select is((select v.content_hash from public.period_closure_versions v
    where v.station_id = :'key_station' and v.theme_month_id = :'key_month'),
  (select encode(c.content_hash, 'hex') from public.period_closures c
    where c.station_id = :'key_station' and c.theme_month_id = :'key_month'),
  '...and gives its content hash in hex');
select public.reopen_period(:'key_station', :'key_month', '复核') is not null as reopened \gset
select is((select row(reopened_by_name, reopen_reason)::text from public.period_closure_versions
    where station_id = :'key_station' and theme_month_id = :'key_month' and version = 1),
  row('协调员演示', '复核')::text, 'a reopening names who reopened and why');

select tests.act_as(tests.demo_user('volunteer'));
select is((select count(*) from public.period_closure_versions), 0::bigint, 'a volunteer reads no closures');

-- The leader asks for an adjustment of the closed period; the coordinator declines it.
select tests.act_as(tests.demo_user('coordinator'));
select public.close_period(:'key_station', :'key_month', '再次结账') is not null as closed_again \gset
select tests.act_as(tests.demo_user('leader'));
select is(public.push_event_changes(jsonb_build_array(jsonb_build_object('change_id', md5('names-adjust')::uuid,
    'event_id', md5('event-1')::uuid, 'op', 'adjust', 'base_revision', (select revision from public.service_events where id = md5('event-1')::uuid),
    'event', (select to_jsonb(e) || jsonb_build_object('people_served', e.people_served + 1, 'participants', (select jsonb_agg(
      jsonb_build_object('person_id', p.person_id, 'hours', p.hours)) from public.event_participants p where p.event_id = e.id))
      from public.service_events e where e.id = md5('event-1')::uuid), 'reason', '少记一人')))
    -> 0 ->> 'status', 'applied', 'the leader asks for an adjustment');
select is((select row(requested_by_name, reason, status, decided_by_name)::text from public.adjustment_request_reviews
    where id = md5('names-adjust')::uuid),
  row((select p.display_name from public.people p where p.user_id = tests.demo_user('leader')), '少记一人', 'pending', null::text)::text,
  'the requester reads the request with their name');

select tests.act_as(tests.demo_user('volunteer2'));
select is((select count(*) from public.adjustment_request_reviews where id = md5('names-adjust')::uuid), 0::bigint,
  'a volunteer of another team does not read it');

select tests.act_as(tests.demo_user('coordinator'));
select public.decide_adjustment(md5('names-adjust')::uuid, false, '没有依据') is not null as declined \gset
select is((select row(status, decided_by_name, decision_reason)::text from public.adjustment_request_reviews
    where id = md5('names-adjust')::uuid),
  row('declined', '协调员演示', '没有依据')::text, 'a decision names who decided and why');

select tests.act_as(tests.demo_user('volunteer'));
select throws_ok($$update public.adjustment_request_reviews set reason = 'x'$$, '42501', null, 'nobody writes through the views');

select * from finish();
rollback;
