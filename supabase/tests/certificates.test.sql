-- 志愿服务记录证明: which records count (confirmed, not deleted), who asks and who issues (the
-- unit's team leaders and coordinators), what a certificate holds (confirmed items only, their
-- exact sum, the masked ID number, a number per issuer and year, a seal), who reads it, revocation
-- and reissue, and verification: anon reaches only verify_certificate, which answers only its
-- fields, and nothing for a guessed number or a tampered hash. (Numbers under concurrent issuers:
-- certificates_numbering.test.sql.)
--
-- Fixtures of its own: team A (unit 甲) and team B (unit 乙) at one station; the holder is a member
-- of both; A has a leader and another member; B has a leader.
begin;
set local search_path = public, extensions;
set local client_min_messages = warning;
select plan(69);

select tests.make_station('证明测试工作站') as station \gset
select tests.make_team('证明测试队甲') as team_a \gset
select tests.make_team('证明测试队乙') as team_b \gset
update public.teams set recording_unit = '证明测试单位甲' where id = :'team_a';
update public.teams set recording_unit = '证明测试单位乙' where id = :'team_b';
select tests.make_volunteer('holder@tests.local', :'team_a') as holder \gset
select id as holder_person from public.people where user_id = :'holder' \gset
select tests.make_member(:'team_b', :'holder_person');
select tests.make_volunteer('leader-a@tests.local', :'team_a', 'leader') as leader_a \gset
select tests.make_volunteer('member-a@tests.local', :'team_a') as member_a \gset
select tests.make_volunteer('leader-b@tests.local', :'team_b', 'leader') as leader_b \gset
insert into public.person_identities (person_id, id_type, id_number, birth_date)
values (:'holder_person', 'resident_id', '11010519491231002X', '1949-12-31');
insert into public.person_profiles (person_id, volunteer_number) values (:'holder_person', '53010042');

-- The holder's events: in March and April 2024 with team A, confirmed (2.5 h, 1.25 h), unconfirmed
-- (3 h), confirmed then deleted (4 h); one with team B (confirmed, 4 h); one with team A in May.
create function pg_temp.event(team uuid, started timestamptz, hours numeric, label text) returns uuid
language sql
as $$
  select tests.make_event(team, (select id from public.stations where name = '证明测试工作站'), started, hours,
    array[(select id from public.people where user_id = md5('user-holder@tests.local')::uuid)], id => md5(label)::uuid)
$$;
select pg_temp.event(:'team_a', '2024-03-05 09:00+08', 2.5, 'cert-a-1');
select pg_temp.event(:'team_a', '2024-04-10 09:00+08', 1.25, 'cert-a-2');
select pg_temp.event(:'team_a', '2024-04-11 09:00+08', 3, 'cert-a-unconfirmed');
select pg_temp.event(:'team_a', '2024-04-12 09:00+08', 4, 'cert-a-deleted');
select pg_temp.event(:'team_b', '2024-04-13 09:00+08', 4, 'cert-b-1');
select pg_temp.event(:'team_a', '2024-05-02 09:00+08', 2, 'cert-a-may');
update public.service_events set confirmed_at = now(), confirmed_by = :'leader_a'
where id in (md5('cert-a-1')::uuid, md5('cert-a-2')::uuid, md5('cert-a-deleted')::uuid, md5('cert-a-may')::uuid, md5('cert-b-1')::uuid);
update public.service_events set deleted_at = now() where id = md5('cert-a-deleted')::uuid;

-- ---------------------------------------------------------------------------------------------
-- The rule.
select is(private.counts_toward_certified_hours(null, now()), true, 'a confirmed record counts');
select is(private.counts_toward_certified_hours(null, null), false, 'an unconfirmed record does not');
select is(private.counts_toward_certified_hours(now(), now()), false, 'a deleted record does not, confirmed or not');
select is(private.counts_toward_certified_hours(now(), null), false, 'nor a deleted unconfirmed one');
select is((select array_agg(event_id order by service_date)
    from private.certified_service(:'holder_person', '证明测试单位甲', '2024-03-01', '2024-04-30')),
  array[md5('cert-a-1')::uuid, md5('cert-a-2')::uuid],
  'certified service: the confirmed records of the unit in the period, not the unconfirmed, deleted, other unit''s or later ones');

-- ---------------------------------------------------------------------------------------------
-- Asking.
select tests.act_as(:'holder');
select is(tests.error_of($$select public.request_certificate('另一个单位', '2024-03-01', '2024-04-30')$$),
  '23514 certificate_requests_recording_unit', 'a volunteer asks only units they served with');
select is(tests.error_of(format($$select public.request_certificate('证明测试单位甲', '2024-03-01', %L)$$, current_date + 2)),
  '23514 certificate_requests_period', 'the period must have ended');
select is(tests.error_of($$select public.request_certificate('证明测试单位甲', '2024-05-01', '2024-03-01')$$),
  '23514 certificate_requests_period', 'the period starts before it ends');
select public.request_certificate('证明测试单位甲', '2024-03-01', '2024-04-30', '用于评优') ->> 'id' as request_a \gset
select is((select status from public.certificate_requests where id = :'request_a'), 'pending', 'the request waits');
select public.request_certificate('证明测试单位乙', '2024-01-01', '2024-12-31') ->> 'id' as request_b \gset
select throws_ok($$insert into public.certificate_requests (person_id, recording_unit, period_start, period_end)
    values (md5('person-2')::uuid, '证明测试单位甲', '2024-01-01', '2024-01-02')$$,
  '42501', 'permission denied for table certificate_requests', 'requests are made through request_certificate only');

-- Who sees the requests.
select tests.act_as(:'leader_a');
select is((select array_agg(id) from public.certificate_requests), array[:'request_a'::uuid],
  'team A''s leader sees the requests for unit 甲 only');
select tests.act_as(:'member_a');
select is((select count(*) from public.certificate_requests), 0::bigint, 'a teammate sees none');

-- ---------------------------------------------------------------------------------------------
-- Issuing.
create function pg_temp.details(changes jsonb default '{}') returns jsonb
language sql
as $$ select '{"person_in_charge": "王主任", "handler": "李经办", "contact": "0871-65123456", "notes": "经核实无误"}'::jsonb || changes $$;

select tests.act_as(:'holder');
select is(tests.error_of(format('select public.issue_certificate(%L, %L)', :'request_a', pg_temp.details())),
  '42501 certificates_issuer_policy', 'the volunteer does not issue their own certificate');
select tests.act_as(:'leader_b');
select is(tests.error_of(format('select public.issue_certificate(%L, %L)', :'request_a', pg_temp.details())),
  '42501 certificates_issuer_policy', 'another unit''s leader does not issue it');
select tests.act_as(:'leader_a');
select is(tests.error_of(format('select public.issue_certificate(%L, %L)', :'request_a', pg_temp.details('{"contact": "12"}'))),
  '23514 certificates_contact_format', 'the contact is a phone number');
select is(tests.error_of(format('select public.issue_certificate(%L, %L)', :'request_a', pg_temp.details('{"handler": " "}'))),
  '23514 certificates_handler_length', 'the handler is named');
select is(tests.error_of(format('select public.issue_certificate(%L, %L)', :'request_a', pg_temp.details('{"person_in_charge": ""}'))),
  '23514 certificates_person_in_charge_length', 'the unit''s person in charge is named');
select is(tests.error_of(format('select public.issue_certificate(%L, %L)', gen_random_uuid(), pg_temp.details())),
  '22023 certificate_requests_unknown', 'an unknown request');

select public.issue_certificate(:'request_a', pg_temp.details()) as issued \gset
select is(:'issued'::jsonb - '{id,issued_at,issued_by,content_hash,request_id,person_id,certificate_no,year,items}'::text[],
  jsonb_build_object('issuer', '证明测试单位甲', 'serial', 1, 'replaces', null, 'holder_name', 'holder@tests.local',
    'id_type', 'resident_id', 'id_number_masked', '1101**********002X', 'volunteer_number', '53010042',
    'period_start', '2024-03-01', 'period_end', '2024-04-30', 'total_hours', 3.75,
    'issuer_person_in_charge', '王主任', 'handler', '李经办', 'contact', '0871-65123456', 'notes', '经核实无误',
    'revoked_at', null, 'revoked_by', null, 'revoke_reason', null),
  'the certificate: the holder with a masked ID number, the period, the issuer''s people, the exact sum of confirmed hours');
select is((select jsonb_agg(jsonb_build_object('date', i ->> 'date', 'hours', (i ->> 'hours')::numeric)) from jsonb_array_elements(:'issued'::jsonb -> 'items') i),
  '[{"date": "2024-03-05", "hours": 2.5}, {"date": "2024-04-10", "hours": 1.25}]'::jsonb, 'its items: the confirmed events, oldest first');
select is(:'issued'::jsonb ->> 'certificate_no', extract(year from now() at time zone 'Asia/Shanghai') || '-0001',
  'numbered YYYY-NNNN, the first of its issuer this year');
select ok(:'issued'::jsonb ->> 'content_hash' ~ '^[0-9a-f]{64}$', 'sealed with a SHA-256 hash');
select is((select private.certificate_hash(c) from public.certificates c where c.id = (:'issued'::jsonb ->> 'id')::uuid),
  :'issued'::jsonb ->> 'content_hash', 'the seal is the hash of its content');
select is((select status || ' ' || certificate_id from public.certificate_requests where id = :'request_a'),
  'issued ' || (:'issued'::jsonb ->> 'id'), 'the request is marked issued, naming the certificate');
select is(tests.error_of(format('select public.issue_certificate(%L, %L)', :'request_a', pg_temp.details())),
  '23514 certificate_requests_decided', 'a request is issued once');
select :'issued'::jsonb ->> 'id' as cert_a \gset
select :'issued'::jsonb ->> 'certificate_no' as cert_a_no \gset
select :'issued'::jsonb ->> 'content_hash' as cert_a_hash \gset

-- The holder's ID number is required; a coordinator issues for any unit.
select tests.reset_role();
update public.person_identities set id_number = '' where person_id = :'holder_person';
select tests.act_as(tests.demo_user('coordinator'));
select is(tests.error_of(format('select public.issue_certificate(%L, %L)', :'request_b', pg_temp.details())),
  '23514 certificates_holder_id_number', 'a certificate needs the holder''s ID number');
select tests.reset_role();
update public.person_identities set id_number = '11010519491231002X' where person_id = :'holder_person';
select tests.act_as(tests.demo_user('coordinator'));
select is(public.issue_certificate(:'request_b', pg_temp.details()) ->> 'total_hours', '4.00', 'a coordinator issues unit 乙''s');

-- Nothing to certify: declined with a reason instead.
select tests.act_as(:'holder');
select public.request_certificate('证明测试单位甲', '2024-04-11', '2024-04-11') ->> 'id' as request_none \gset
select tests.act_as(:'leader_a');
select is(tests.error_of(format('select public.issue_certificate(%L, %L)', :'request_none', pg_temp.details())),
  '23514 certificates_no_certified_service', 'no certificate without confirmed service in the period');
select is(tests.error_of(format('select public.decline_certificate_request(%L, %L)', :'request_none', ' ')),
  '23514 certificate_requests_decline_reason_length', 'a decline needs a reason');
select is(public.decline_certificate_request(:'request_none', '该日活动尚未确认') ->> 'status', 'declined', 'the leader declines it');
select tests.act_as(:'holder');
select is((select decline_reason from public.certificate_requests where id = :'request_none'), '该日活动尚未确认',
  'the volunteer reads the reason');

-- ---------------------------------------------------------------------------------------------
-- Who reads certificates.
select tests.act_as(:'holder');
select is((select count(*) from public.certificates where person_id = :'holder_person'), 2::bigint, 'the holder reads theirs');
select tests.act_as(:'leader_a');
select is((select array_agg(issuer) from public.certificates), array['证明测试单位甲'], 'a leader reads their unit''s only');
select tests.act_as(:'member_a');
select is((select count(*) from public.certificates), 0::bigint, 'a teammate reads none');
select throws_ok('select * from public.certificate_counters', '42501', 'permission denied for table certificate_counters',
  'nobody reads the counters');
select tests.act_as(:'leader_a');
select throws_ok(format($$update public.certificates set total_hours = 99 where id = %L$$, :'cert_a'), '42501',
  'permission denied for table certificates', 'no one edits a certificate through the API');
select tests.reset_role();
select is(tests.error_of(format($$update public.certificates set notes = 'changed' where id = %L$$, :'cert_a')),
  '23514 certificates_sealed', 'an issued certificate never changes, whoever writes');
select is(tests.error_of(format($$insert into public.certificates (issuer, year, serial, person_id, holder_name, id_type,
    id_number_masked, volunteer_number, period_start, period_end, items, total_hours, issuer_person_in_charge, handler,
    contact, issued_by, certificate_no, content_hash)
  values ('证明测试单位甲', 2024, 99, %L, 'x', 'resident_id', '', '', '2024-01-01', '2024-01-02', '[{"hours": 1}]', 2, 'x', 'x',
    '13812345678', %L, '', '')$$, :'holder_person', :'leader_a')),
  '23514 certificates_total_is_sum', 'a certificate''s total is always the sum of its items');

-- ---------------------------------------------------------------------------------------------
-- Verification.
select tests.act_as_anon();
select is(public.verify_certificate(:'cert_a_no', :'cert_a_hash'),
  jsonb_build_object('status', 'valid', 'holder_name', 'h' || repeat('*', 17), 'total_hours', 3.75,
    'period_start', '2024-03-01', 'period_end', '2024-04-30', 'issuer', '证明测试单位甲',
    'issued_on', (now() at time zone 'Asia/Shanghai')::date),
  'anyone verifies a certificate by its number and hash, and reads only: status, masked name, hours, period, issuer, issue date');
select is(public.verify_certificate(:'cert_a_no', upper(:'cert_a_hash')) ->> 'status', 'valid', 'the hash in capitals too');
select is(public.verify_certificate(:'cert_a_no', repeat('0', 64)), null, 'a tampered hash shows nothing');
select is(public.verify_certificate(:'cert_a_no', ''), null, 'a number alone shows nothing');
select is(public.verify_certificate('2024-0002', :'cert_a_hash'), null, 'a hash with another number shows nothing');
select tests.anon_is_refused('certificates.notes', 'certificate_requests.note', 'certificate_counters.last_serial');
select tests.act_as_anon();
select throws_ok(format('select public.revoke_certificate(%L, %L)', :'cert_a', 'x'), '42501',
  'permission denied for function revoke_certificate', 'anon calls nothing else');
select throws_ok($$select private.certified_service(md5('person-2')::uuid, 'x', '2024-01-01', '2024-12-31')$$, '42501',
  'permission denied for schema private', 'nor the private functions');

-- ---------------------------------------------------------------------------------------------
-- Revocation and reissue.
select tests.act_as(:'member_a');
select is(tests.error_of(format('select public.revoke_certificate(%L, %L)', :'cert_a', '错误')),
  '42501 certificates_issuer_policy', 'a teammate does not revoke');
select tests.act_as(:'leader_a');
select is(tests.error_of(format('select public.revoke_certificate(%L, %L)', :'cert_a', '')),
  '23514 certificates_revoke_reason_length', 'a revocation needs a reason');

-- A record is corrected after the certificate (its confirmed hours change): reissued.
select tests.reset_role();
update public.event_participants set hours = 1 where event_id = md5('cert-a-2')::uuid;
-- (confirmed again at another time than the first: a write of the same time is no confirmation)
update public.service_events set confirmed_at = clock_timestamp(), confirmed_by = :'leader_a' where id = md5('cert-a-2')::uuid;
select tests.act_as(:'leader_a');
select public.reissue_certificate(:'cert_a', '活动时长更正', pg_temp.details('{"notes": "补发"}')) as reissued \gset
select is(:'reissued'::jsonb ->> 'replaces', :'cert_a', 'the new certificate names the one it replaces');
select is((:'reissued'::jsonb ->> 'total_hours')::numeric, 3.5, 'with the confirmed hours as they are now');
select is(:'reissued'::jsonb ->> 'serial', '2', 'and the issuer''s next number');
select is((select revoke_reason from public.certificates where id = :'cert_a'), '活动时长更正', 'the old one is revoked with the reason');
select is(tests.error_of(format('select public.reissue_certificate(%L, %L, %L)', :'cert_a', '再次', pg_temp.details())),
  '23514 certificates_revoked', 'a revoked certificate is not reissued again');
select is(tests.error_of(format('select public.revoke_certificate(%L, %L)', :'cert_a', '再次')),
  '23514 certificates_revoked', 'nor revoked twice');
select tests.act_as_anon();
select is(public.verify_certificate(:'cert_a_no', :'cert_a_hash') ->> 'status', 'revoked', 'the old one verifies as revoked');
select is(public.verify_certificate(:'reissued'::jsonb ->> 'certificate_no', :'reissued'::jsonb ->> 'content_hash') ->> 'status',
  'valid', 'the new one as valid');

select tests.act_as(:'leader_a');
select is(public.revoke_certificate((:'reissued'::jsonb ->> 'id')::uuid, '误发') ->> 'revoke_reason', '误发',
  'the leader revokes a certificate with a reason');
select tests.act_as(:'holder');
select is((select count(*) from public.certificates where revoked_at is not null), 2::bigint,
  'the holder sees their revoked certificates as revoked');

select * from finish();
rollback;
