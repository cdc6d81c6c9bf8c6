-- Certificate numbers under concurrent issuers: two issuers of one unit issue at the same time,
-- each in its own session (dblink), and get consecutive numbers, the second waiting for the
-- first to commit; an issue that rolls back leaves no gap. The sessions must commit, so this file
-- commits its own fixtures (a unit of its own, in June 2021) and removes every row it committed
-- before it ends (also when it fails; a leftover of a crashed run is removed at its start).
begin;
set local search_path = public, extensions;

create temporary table numbering_seen (label text primary key, value text);

do $numbering$
declare
  cleanup constant text := $sql$
    begin;
    set local session_replication_role = replica;
    update public.certificate_requests set certificate_id = null where recording_unit = '编号测试单位';
    delete from public.certificates where issuer = '编号测试单位';
    delete from public.certificate_requests where recording_unit = '编号测试单位';
    delete from public.certificate_counters where issuer = '编号测试单位';
    delete from public.audit_trail where team_id = md5('numbering-team')::uuid;
    delete from public.event_participants where event_id in (select id from public.service_events where team_id = md5('numbering-team')::uuid);
    delete from public.service_events where team_id = md5('numbering-team')::uuid;
    delete from public.station_month_volunteers where station_id = md5('numbering-station')::uuid;
    delete from public.station_month_totals where station_id = md5('numbering-station')::uuid;
    delete from public.person_identities where person_id = md5('numbering-holder')::uuid;
    delete from public.team_members where team_id = md5('numbering-team')::uuid;
    delete from public.people where id in (md5('numbering-holder')::uuid, md5('numbering-leader')::uuid);
    delete from public.teams where id = md5('numbering-team')::uuid;
    delete from public.stations where id = md5('numbering-station')::uuid;
    delete from auth.users where id in (md5('user-numbering-holder@tests.local')::uuid, md5('user-numbering-leader@tests.local')::uuid);
    commit;
  $sql$;
  details constant text := '''{"person_in_charge": "王主任", "handler": "李经办", "contact": "13812345678"}''';
  issued text;
begin
  perform tests.run_committed(cleanup);
  begin
    -- The fixtures: a unit of one team, its leader, a holder with two confirmed events and three
    -- pending requests.
    perform tests.run_committed($sql$ do $inner$ begin
      perform tests.create_user('numbering-holder@tests.local');
      perform tests.create_user('numbering-leader@tests.local');
      insert into public.stations (id, name) values (md5('numbering-station')::uuid, '编号测试工作站');
      insert into public.teams (id, name, recording_unit) values (md5('numbering-team')::uuid, '编号测试队', '编号测试单位');
      insert into public.people (id, display_name, user_id) values
        (md5('numbering-holder')::uuid, '编号测试志愿者', md5('user-numbering-holder@tests.local')::uuid),
        (md5('numbering-leader')::uuid, '编号测试队长', md5('user-numbering-leader@tests.local')::uuid);
      insert into public.team_members (team_id, person_id, role) values
        (md5('numbering-team')::uuid, md5('numbering-holder')::uuid, 'member'),
        (md5('numbering-team')::uuid, md5('numbering-leader')::uuid, 'leader');
      insert into public.person_identities (person_id, id_number) values (md5('numbering-holder')::uuid, '11010519491231002X');
      perform tests.make_event(md5('numbering-team')::uuid, md5('numbering-station')::uuid, '2021-06-01 09:00+08', 2,
        array[md5('numbering-holder')::uuid], id => md5('numbering-event-1')::uuid);
      perform tests.make_event(md5('numbering-team')::uuid, md5('numbering-station')::uuid, '2021-06-02 09:00+08', 1.5,
        array[md5('numbering-holder')::uuid], id => md5('numbering-event-2')::uuid);
      update public.service_events set confirmed_at = now(), confirmed_by = md5('user-numbering-leader@tests.local')::uuid
      where team_id = md5('numbering-team')::uuid;
      insert into public.certificate_requests (id, person_id, requested_by, recording_unit, period_start, period_end)
      select md5('numbering-request-' || n)::uuid, md5('numbering-holder')::uuid, md5('user-numbering-holder@tests.local')::uuid,
        '编号测试单位', '2021-06-01', '2021-06-30'
      from generate_series(1, 4) n;
    end $inner$ $sql$);

    -- Two issuers at once: the leader's issue holds its number uncommitted while the
    -- coordinator's starts.
    perform dblink_connect('issuer_1', tests.loopback());
    perform dblink_connect('issuer_2', tests.loopback());
    perform dblink_exec('issuer_1', format('begin; set lock_timeout = ''20s''; do $act$ begin perform tests.act_as(%L); end $act$', md5('user-numbering-leader@tests.local')::uuid));
    perform dblink_exec('issuer_2', format('begin; set lock_timeout = ''20s''; do $act$ begin perform tests.act_as(%L); end $act$', tests.demo_user('coordinator')));
    perform dblink_send_query('issuer_1', format('select public.issue_certificate(%L, %s)::text', md5('numbering-request-1')::uuid, details));
    select outcome into issued from dblink_get_result('issuer_1') as r (outcome text);
    perform * from dblink_get_result('issuer_1') as r (outcome text);
    insert into numbering_seen values ('first', issued);
    perform dblink_send_query('issuer_2', format('select public.issue_certificate(%L, %s)::text', md5('numbering-request-2')::uuid, details));
    perform pg_sleep(0.5);
    insert into numbering_seen values ('second waits for the first', dblink_is_busy('issuer_2')::text);
    perform dblink_exec('issuer_1', 'commit');
    select outcome into issued from dblink_get_result('issuer_2') as r (outcome text);
    perform * from dblink_get_result('issuer_2') as r (outcome text);
    insert into numbering_seen values ('second', issued);
    perform dblink_exec('issuer_2', 'commit');

    -- An issue that rolls back takes no number.
    perform dblink_exec('issuer_1', format('begin; do $act$ begin perform tests.act_as(%L); end $act$', md5('user-numbering-leader@tests.local')::uuid));
    perform * from dblink('issuer_1', format('select public.issue_certificate(%L, %s)::text', md5('numbering-request-3')::uuid, details))
      as r (outcome text);
    perform dblink_exec('issuer_1', 'rollback');
    perform dblink_exec('issuer_1', format('begin; do $act$ begin perform tests.act_as(%L); end $act$', md5('user-numbering-leader@tests.local')::uuid));
    select outcome into issued from dblink('issuer_1',
      format('select public.issue_certificate(%L, %s)::text', md5('numbering-request-4')::uuid, details)) as r (outcome text);
    perform dblink_exec('issuer_1', 'commit');
    insert into numbering_seen values ('after a rollback', issued);
    perform dblink_disconnect('issuer_1');
    perform dblink_disconnect('issuer_2');
    insert into numbering_seen
    select 'committed', string_agg(serial::text, ',' order by serial) from public.certificates where issuer = '编号测试单位';
  exception when others then
    foreach issued in array array['issuer_1', 'issuer_2'] loop
      if issued = any(coalesce(dblink_get_connections(), '{}')) then
        perform dblink_disconnect(issued);
      end if;
    end loop;
    perform tests.run_committed(cleanup);
    raise;
  end;
  perform tests.run_committed(cleanup);
end
$numbering$;

select plan(6);
create function pg_temp.seen(label text) returns jsonb
language sql
as $$ select value::jsonb from numbering_seen where numbering_seen.label = seen.label $$;

select is(pg_temp.seen('first') ->> 'serial', '1', 'the first issuer takes number 1');
select is((select value from numbering_seen where label = 'second waits for the first'), '1',
  'the second issuer waits while the first holds the unit''s counter');
select is(pg_temp.seen('second') ->> 'serial', '2', 'then takes number 2: no duplicate');
select isnt(pg_temp.seen('first') ->> 'certificate_no', pg_temp.seen('second') ->> 'certificate_no', 'two numbers, two certificates');
select is(pg_temp.seen('after a rollback') ->> 'serial', '3', 'an issue that rolled back left no gap');
select is((select value from numbering_seen where label = 'committed'), '1,2,3', 'the unit''s numbers this year: 1, 2, 3');

select * from finish();
rollback;
