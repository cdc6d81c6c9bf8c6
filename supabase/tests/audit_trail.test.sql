-- The audit trail: an append-only row for every insert, edit, delete, confirmation and change of
-- participants of an event, for every close, reopening and adjusted snapshot, and for requests
-- and their decisions, written by the database in the same transaction, with who, when and the
-- fields from what to what; nothing of a refused write; no role writes it through the API; who
-- reads what; public.event_history(event).
--
-- Who is who (supabase/demo-seed.sql): leader = person-1, volunteer = person-2 (person-3 too) of
-- team 1; volunteer2 = person-12 of team 2.
begin;
set local search_path = public, extensions;
set local client_min_messages = warning;
select plan(51);

select tests.make_station('Audited station') as station_h \gset
select set_config('tests.station_h', :'station_h', true);

create function pg_temp.fields(overrides jsonb default '{}') returns jsonb
language sql
as $$
  select jsonb_build_object('station_id', current_setting('tests.station_h')::uuid, 'team_id', md5('team-1')::uuid,
    'theme_month_id', md5('month-6')::uuid, 'started_at', '2023-06-05T09:00:00+08:00', 'ended_at', '2023-06-05T12:00:00+08:00',
    'title', '关爱劳动者', 'people_served', 20, 'funds_fen', 0, 'materials_fen', 0, 'place', '工地',
    'participants', jsonb_build_array(jsonb_build_object('person_id', md5('person-2')::uuid, 'hours', 3),
      jsonb_build_object('person_id', md5('person-3')::uuid, 'hours', 2))) || overrides
$$;
create function pg_temp.revision_of(event_id uuid) returns bigint
language sql security definer
as $$ select revision from public.service_events where id = event_id $$;
create function pg_temp.push_as(who text, changes jsonb) returns jsonb
language plpgsql
as $$
declare
  outcomes jsonb;
begin
  perform tests.act_as(tests.demo_user(who));
  outcomes := public.push_event_changes(changes);
  perform tests.reset_role();
  return outcomes;
end
$$;
-- The trail of an event as the test runner reads it (every row), oldest first.
create function pg_temp.trail(event_id uuid) returns setof public.audit_trail
language sql
as $$ select * from public.audit_trail where audit_trail.event_id = trail.event_id order by id $$;

select coalesce(max(id), 0) as before_all from public.audit_trail \gset

-- ---------------------------------------------------------------------------------------------
-- An event's life through the push: insert, edit (participants too), confirmation, delete.
select is(pg_temp.push_as('volunteer', jsonb_build_array(jsonb_build_object('change_id', gen_random_uuid(),
    'event_id', md5('audited')::uuid, 'op', 'upsert', 'base_revision', null, 'event', pg_temp.fields()))) -> 0 ->> 'status',
  'applied', 'the volunteer records an event');
select results_eq($$select action, actor, actor_role, revision from pg_temp.trail(md5('audited')::uuid)$$,
  format($$values ('insert', %1$L::uuid, 'authenticated', %2$s::bigint), ('participants', %1$L::uuid, 'authenticated', %2$s::bigint)$$,
    tests.demo_user('volunteer'), pg_temp.revision_of(md5('audited')::uuid)),
  'two rows: the insert and the participants, by the volunteer, at the event''s revision');
select is((select changes from pg_temp.trail(md5('audited')::uuid) where action = 'insert'),
  (select to_jsonb(e) - '{id,revision,change_xid,created_at,updated_at,deleted_at,confirmed_at,confirmed_by}'::text[]
   from public.service_events e where e.id = md5('audited')::uuid),
  'the insert records every value written (the server''s stamps aside)');
select is((select changes ->> 'organizing_unit' from pg_temp.trail(md5('audited')::uuid) where action = 'insert'), '昆明市浙江餐饮商会',
  '...the defaults included');
select is((select at from pg_temp.trail(md5('audited')::uuid) limit 1), now(), '...when it happened');
select is((select changes from pg_temp.trail(md5('audited')::uuid) where action = 'participants'),
  jsonb_build_object(md5('person-2')::uuid, '[null, 3.00]'::jsonb, md5('person-3')::uuid, '[null, 2.00]'::jsonb),
  'the participants row records each person''s hours from nothing');

select set_config('tests.mark', (select max(id) from public.audit_trail)::text, true);
select is(pg_temp.push_as('volunteer', jsonb_build_array(jsonb_build_object('change_id', gen_random_uuid(),
    'event_id', md5('audited')::uuid, 'op', 'upsert', 'base_revision', pg_temp.revision_of(md5('audited')::uuid),
    'event', pg_temp.fields(jsonb_build_object('title', '关爱环卫工人', 'people_served', 25, 'participants', jsonb_build_array(
      jsonb_build_object('person_id', md5('person-2')::uuid, 'hours', 2.5),
      jsonb_build_object('person_id', md5('person-4')::uuid, 'hours', 1))))))) -> 0 ->> 'status',
  'applied', 'the volunteer edits it: title, people served, and participants (one leaves, one gives less, one joins)');
select is((select changes from public.audit_trail where event_id = md5('audited')::uuid and id > current_setting('tests.mark')::bigint
    and action = 'edit'), '{"title": ["关爱劳动者", "关爱环卫工人"], "people_served": [20, 25]}',
  'the edit records exactly the fields that changed, from what to what');
select is((select count(*) from public.audit_trail where event_id = md5('audited')::uuid and id > current_setting('tests.mark')::bigint
    and action = 'participants'), 3::bigint, 'the push changed the participants in three statements (leave, less, join): three rows');
-- (A pgTAP file is one transaction: the insert and the edit here are one. Through the API each
-- push is its own: see test/integration/ledger.test.ts.)
select is((select changes from public.event_history(md5('audited')::uuid) where action = 'participants'),
  jsonb_build_object(md5('person-2')::uuid, '[null, 2.50]'::jsonb, md5('person-4')::uuid, '[null, 1.00]'::jsonb),
  'event_history shows the participants'' changes of one transaction as one: each person''s hours before the first and after the last (person-3 came and went)');
select is(pg_temp.push_as('leader', jsonb_build_array(jsonb_build_object('change_id', gen_random_uuid(),
    'event_id', md5('audited')::uuid, 'op', 'confirm', 'base_revision', pg_temp.revision_of(md5('audited')::uuid)))) -> 0 ->> 'status',
  'applied', 'the leader confirms it');
select is((select jsonb_build_object('actor', actor, 'changes', changes) from public.audit_trail where event_id = md5('audited')::uuid
    and action = 'confirm'),
  jsonb_build_object('actor', tests.demo_user('leader'), 'changes', jsonb_build_object('confirmed_at', jsonb_build_array(null, now()),
    'confirmed_by', jsonb_build_array(null, tests.demo_user('leader')))),
  'the confirmation is recorded, by the leader');

-- A direct edit clears the confirmation: both in one row.
select tests.act_as(tests.demo_user('leader'));
select is(tests.rows_affected(format($$update public.service_events set note = '已核实' where id = %L$$, md5('audited')::uuid)), 1::bigint,
  'the leader edits the note directly');
select tests.reset_role();
select is((select changes from public.audit_trail where event_id = md5('audited')::uuid and action = 'edit' order by id desc limit 1),
  jsonb_build_object('note', '["", "已核实"]'::jsonb, 'confirmed_at', jsonb_build_array(now(), null),
    'confirmed_by', jsonb_build_array(tests.demo_user('leader'), null)),
  'the direct edit is recorded with the confirmation it cleared');

select is(pg_temp.push_as('volunteer', jsonb_build_array(jsonb_build_object('change_id', gen_random_uuid(),
    'event_id', md5('audited')::uuid, 'op', 'delete', 'base_revision', pg_temp.revision_of(md5('audited')::uuid)))) -> 0 ->> 'status',
  'applied', 'the volunteer deletes it');
select is((select changes from public.audit_trail where event_id = md5('audited')::uuid and action = 'delete'),
  jsonb_build_object('deleted_at', jsonb_build_array(null, now())), 'the delete is recorded');
select results_eq($$select action from public.event_history(md5('audited')::uuid)$$,
  $$values ('insert'), ('participants'), ('edit'), ('confirm'), ('edit'), ('delete')$$,
  'its history, oldest first');
select is((select count(distinct revision) from public.event_history(md5('audited')::uuid)), 5::bigint,
  '...with the revision of each write (insert, edit, confirm, edit, delete)');

-- Every column of service_events but the id and the server's stamps is compared by the trail
-- (written out column by column in private.audit_events: a new column must be added there).
select is_empty($$select c.column_name from information_schema.columns c
    where c.table_schema = 'public' and c.table_name = 'service_events'
      and c.column_name not in ('id', 'revision', 'change_xid', 'created_at', 'updated_at')
      and pg_get_functiondef('private.audit_events()'::regprocedure)
        not like format('%%n.%1$s is distinct from o.%1$s then pg_catalog.jsonb_build_array(o.%1$s, n.%1$s)%%', c.column_name)$$,
  'the trail compares every column of an event');

-- ---------------------------------------------------------------------------------------------
-- A refused write leaves nothing in the trail; nor does a whole refused batch.
select set_config('tests.mark', (select max(id) from public.audit_trail)::text, true);
select is(pg_temp.push_as('volunteer', jsonb_build_array(jsonb_build_object('change_id', gen_random_uuid(),
    'event_id', md5('refused')::uuid, 'op', 'upsert', 'base_revision', null,
    'event', pg_temp.fields('{"ended_at": "2023-06-05T08:00:00+08:00"}')))) -> 0 ->> 'status',
  'rejected', 'a change the rules refuse');
select is_empty(format('select 1 from public.audit_trail where id > %s', current_setting('tests.mark')), '...leaves no row in the trail');

-- ---------------------------------------------------------------------------------------------
-- Periods and requests.
select tests.make_event(md5('team-1')::uuid, :'station_h', '2023-07-03 09:00+08', 3, array[md5('person-2')::uuid],
  recorded_by => tests.demo_user('volunteer'), id => md5('audited-july')::uuid);
select tests.act_as(tests.demo_user('coordinator'));
select public.close_period(:'station_h', md5('month-7')::uuid, '月末结账') is not null as closed \gset
select public.reopen_period(:'station_h', md5('month-7')::uuid, '补录') is not null as reopened \gset
select public.close_period(:'station_h', md5('month-7')::uuid, '月末再结账') ->> 'content_hash' as hash_v2 \gset
select tests.reset_role();
select results_eq(format($$select action, actor, changes ->> 'version', coalesce(changes ->> 'override_reason', changes ->> 'reopen_reason')
    from public.audit_trail where subject = 'period' and station_id = %L order by id$$, :'station_h'),
  format($$values ('close', %1$L::uuid, '[null, 1]', '[null, "月末结账"]'), ('reopen', %1$L::uuid, null, '[null, "补录"]'),
    ('close', %1$L::uuid, '[null, 2]', '[null, "月末再结账"]')$$, tests.demo_user('coordinator')),
  'the closes and the reopening are recorded, by the coordinator, with their reasons');
select is((select changes -> 'content_hash' ->> 1 from public.audit_trail where subject = 'period' and station_id = :'station_h'
    order by id desc limit 1), :'hash_v2', '...and each close with its hash');
select ok((select not (changes ? 'events') from public.audit_trail where subject = 'period' and station_id = :'station_h' limit 1),
  '...but not the snapshot''s list of events (it stays in period_closures)');

select is(pg_temp.push_as('volunteer', jsonb_build_array(jsonb_build_object('change_id', md5('audited-request')::uuid,
    'event_id', md5('audited-july')::uuid, 'op', 'adjust', 'base_revision', pg_temp.revision_of(md5('audited-july')::uuid),
    'event', (select to_jsonb(e) || jsonb_build_object('people_served', 44,
      'participants', jsonb_build_array(jsonb_build_object('person_id', md5('person-2')::uuid, 'hours', 3))) from public.service_events e
      where e.id = md5('audited-july')::uuid), 'reason', '人数记错')))
    -> 0 ->> 'status', 'applied', 'the volunteer asks for an adjustment');
select is(pg_temp.push_as('volunteer', jsonb_build_array(jsonb_build_object('change_id', md5('audited-correction')::uuid,
    'event_id', md5('audited-july')::uuid, 'op', 'correct', 'base_revision', null, 'note', '时长不对'))) -> 0 ->> 'status',
  'applied', '...and for a correction');
select tests.act_as(tests.demo_user('coordinator'));
select public.decide_adjustment(md5('audited-request')::uuid, true, '同意') is not null as approved \gset
select tests.reset_role();
select results_eq($$select subject, action, actor from public.audit_trail where event_id = md5('audited-july')::uuid
    and subject <> 'event' order by id$$,
  format($$values ('adjustment_request', 'request', %1$L::uuid), ('correction_request', 'request', %1$L::uuid),
    ('adjustment_request', 'approve', %2$L::uuid)$$, tests.demo_user('volunteer'), tests.demo_user('coordinator')),
  'the requests and the decision are recorded, each by whom');
select is((select changes - 'decided_at' from public.audit_trail where event_id = md5('audited-july')::uuid and action = 'approve'),
  jsonb_build_object('status', '["pending", "approved"]'::jsonb, 'decided_by', jsonb_build_array(null, tests.demo_user('coordinator')),
    'decision_reason', '[null, "同意"]'::jsonb, 'applied_revision', jsonb_build_array(null, pg_temp.revision_of(md5('audited-july')::uuid))),
  '...the decision with what it changed of the request');
select results_eq(format($$select action, actor from public.audit_trail where (event_id = %L and subject = 'event' and action = 'edit')
    or (subject = 'period' and station_id = %L and action = 'adjusted') order by id$$, md5('audited-july')::uuid, :'station_h'),
  format($$values ('edit', %1$L::uuid), ('adjusted', %1$L::uuid)$$, tests.demo_user('coordinator')),
  'the approved change is recorded on the event, and the adjusted snapshot on the period, both by the coordinator');

-- ---------------------------------------------------------------------------------------------
-- Who reads it.
create function pg_temp.readable(who text) returns jsonb
language plpgsql
as $$
declare
  seen jsonb;
begin
  perform tests.act_as(tests.demo_user(who));
  select jsonb_build_object('event', count(*) filter (where subject = 'event'), 'adjustment', count(*) filter (where subject = 'adjustment_request'),
    'correction', count(*) filter (where subject = 'correction_request'), 'period', count(*) filter (where subject = 'period'))
  into seen from public.audit_trail
  where event_id in (md5('audited')::uuid, md5('audited-july')::uuid) or station_id = current_setting('tests.station_h')::uuid;
  perform tests.reset_role();
  return seen;
end
$$;
select is(pg_temp.readable('volunteer'), '{"event": 12, "adjustment": 2, "correction": 1, "period": 0}',
  'the volunteer reads the history of the team''s events, the adjustment requests, and the correction they asked for');
select is(pg_temp.readable('leader'), '{"event": 12, "adjustment": 2, "correction": 1, "period": 0}',
  'the leader reads the same, correction requests included');
select is(pg_temp.readable('volunteer2'), '{"event": 0, "adjustment": 0, "correction": 0, "period": 0}',
  'another team''s volunteer reads none of it');
select is(pg_temp.readable('coordinator'), '{"event": 12, "adjustment": 2, "correction": 1, "period": 4}',
  'a coordinator reads it all, periods included');
select is(pg_temp.readable('admin'), '{"event": 12, "adjustment": 2, "correction": 1, "period": 4}', 'so does an admin');
-- A correction request is for its requester and the leaders: not for the other members.
select tests.make_volunteer('audit-member@tests.local', md5('team-1')::uuid) as member \gset
select tests.act_as(:'member');
select is((select count(*) from public.audit_trail where event_id = md5('audited-july')::uuid and subject = 'correction_request'), 0::bigint,
  'another member of the team does not read a volunteer''s correction request');
select is((select count(*) from public.audit_trail where event_id = md5('audited-july')::uuid and subject = 'event'), 3::bigint,
  '...but reads the event''s history');
select tests.act_as(tests.demo_user('volunteer'));
select is((select count(*) from public.event_history(md5('audited')::uuid)), 6::bigint, 'event_history as the volunteer');
select is((select actor_name from public.event_history(md5('audited')::uuid) where action = 'confirm'),
  (select display_name from public.people where id = md5('person-1')::uuid),
  '...naming who did what (the leader''s person)');
select tests.act_as(tests.demo_user('volunteer2'));
select is_empty($$select * from public.event_history(md5('audited')::uuid)$$, 'event_history shows another team nothing');
select tests.act_as_anon();
select throws_ok($$select * from public.event_history(md5('audited')::uuid)$$, '42501', 'permission denied for function event_history',
  'nor anon');
select tests.reset_role();

-- ---------------------------------------------------------------------------------------------
-- No one writes it through the API; no one edits or deletes it at all.
select * from tests.anon_is_refused('audit_trail.action');
create function pg_temp.unwritable(who text) returns text
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
  outcome := concat_ws(' | ',
    tests.error_of($sql$insert into public.audit_trail (actor_role, subject, action) values ('authenticated', 'event', 'edit')$sql$),
    tests.error_of($sql$insert into public.audit_trail (id, actor_role, subject, action) overriding system value
      values (-1, 'authenticated', 'event', 'edit')$sql$),
    tests.error_of($sql$update public.audit_trail set changes = '{}'$sql$),
    tests.error_of($sql$delete from public.audit_trail$sql$),
    tests.error_of($sql$truncate public.audit_trail$sql$));
  perform tests.reset_role();
  return outcome;
end
$$;
select is(pg_temp.unwritable('volunteer'), '42501 | 42501 | 42501 | 42501 | 42501', 'a volunteer writes nothing into the trail');
select is(pg_temp.unwritable('leader'), '42501 | 42501 | 42501 | 42501 | 42501', 'nor a leader');
select is(pg_temp.unwritable('coordinator'), '42501 | 42501 | 42501 | 42501 | 42501', 'nor a coordinator');
select is(pg_temp.unwritable('admin'), '42501 | 42501 | 42501 | 42501 | 42501', 'nor an admin');
select is(pg_temp.unwritable('service_role'), '42501 | 42501 | 42501 | 42501 | 42501', 'nor the service role');
select is(tests.error_of(format('update public.audit_trail set changes = %L where id > %s', '{}', :before_all)),
  '42501 audit_trail_append_only', 'even the database''s owner cannot edit it');
select is(tests.error_of(format('delete from public.audit_trail where id > %s', :before_all)),
  '42501 audit_trail_append_only', '...nor delete from it');

select * from finish();
rollback;
