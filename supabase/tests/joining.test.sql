-- Joining a team: a team's leaders (and coordinators) renew its invite code; a signed-in user asks
-- to join with it; a leader of that team (or a coordinator) approves, linking the account to a
-- person of the team (its own, one claimed, or a new one), or declines. Tried as every role:
-- anon, a signed-up user with no team, a member, the team's leader, another team's leader, a
-- coordinator; and as an abuser: guessing codes, joining twice, deciding for another team,
-- claiming a person of another team or one already linked.
--
-- Who is who (supabase/demo-seed.sql): team 1 = persons 1-10, led by person-1 (leader@demo.local),
-- person-2 is volunteer@demo.local; team 2 = persons 11-20, person-12 is volunteer2@demo.local.
-- Persons 3-10 have no account.
begin;
set local search_path = public, extensions;
set local client_min_messages = warning;
select plan(63);

select tests.create_user('join-a@tests.local') as newcomer_a \gset
select tests.create_user('join-b@tests.local') as newcomer_b \gset
select tests.create_user('join-c@tests.local') as newcomer_c \gset
select tests.make_volunteer('join-leader-3@tests.local', md5('team-3')::uuid, 'leader') as leader_3 \gset
-- person-10 left team 1 (a former member, named in its past events, without an account).
update public.team_members set left_at = now() where team_id = md5('team-1')::uuid and person_id = md5('person-10')::uuid;

-- ---------------------------------------------------------------------------------------------
-- Anon: nothing at all.
select * from tests.anon_is_refused('team_invites.code', 'join_requests.status');
select throws_ok($$select public.request_to_join('ABCDEFGH', 'Anon')$$, '42501',
  'permission denied for function request_to_join', 'anon cannot ask to join');
select throws_ok($$select public.renew_team_invite(md5('team-1')::uuid)$$, '42501',
  'permission denied for function renew_team_invite', 'anon cannot renew a code');
select throws_ok($$select public.decide_join_request(gen_random_uuid(), true)$$, '42501',
  'permission denied for function decide_join_request', 'anon cannot decide a request');

-- ---------------------------------------------------------------------------------------------
-- Invite codes: the team's leaders and coordinators make and read them.
select tests.act_as(tests.demo_user('leader'));
select code as code_1 from public.renew_team_invite(md5('team-1')::uuid) \gset
select ok(:'code_1' ~ '^[A-HJ-NP-Z2-9]{8}$', 'a code is 8 characters that cannot be mistaken for each other');
select results_eq($$select code, expires_at from public.team_invites$$,
  format($$values (%L::text, now() + interval '14 days')$$, :'code_1'), 'the leader reads their team''s code, valid 14 days');
select is(tests.error_of($$select public.renew_team_invite(md5('team-2')::uuid)$$), '42501 team_invites_manage_policy',
  'a leader cannot renew another team''s code');
select is(tests.error_of($$select public.renew_team_invite(md5('team-1')::uuid, 365)$$), '23514 team_invites_valid_days_range',
  'a code lasts at most 90 days');
select throws_ok($$update public.team_invites set code = 'AAAAAAAA'$$, '42501', 'permission denied for table team_invites',
  'a leader cannot choose the code (it is drawn at random)');
select throws_ok($$insert into public.team_invites (team_id, code, expires_at) values (md5('team-2')::uuid, 'AAAAAAAA', now() + interval '1 day')$$,
  '42501', 'permission denied for table team_invites', 'no one writes invites directly');
select tests.act_as(tests.demo_user('volunteer'));
select is_empty($$select * from public.team_invites$$, 'a member does not read the code');
select is(tests.error_of($$select public.renew_team_invite(md5('team-1')::uuid)$$), '42501 team_invites_manage_policy',
  'nor renews it');
select tests.act_as(tests.demo_user('coordinator'));
select code as code_2 from public.renew_team_invite(md5('team-2')::uuid) \gset
select is((select count(*) from public.team_invites), 2::bigint, 'a coordinator renews and reads every team''s code');

-- ---------------------------------------------------------------------------------------------
-- A signed-up user with no team asks to join.
select tests.act_as(:'newcomer_a');
select is_empty($$select * from public.team_invites$$, 'a user with no team reads no code');
select is(tests.error_of($$select public.request_to_join('ZZZZ-ZZZZ', 'A')$$), '23514 join_requests_code_unknown',
  'a wrong code is refused');
-- Guessing: a code one character away from a real one is as wrong as any other.
select is((select count(*) from generate_series(1, 8) i
    where tests.error_of(format($$select public.request_to_join(%L, 'A')$$,
      overlay(:'code_1' placing case when substr(:'code_1', i, 1) = 'A' then 'B' else 'A' end from i for 1)))
      <> '23514 join_requests_code_unknown'), 0::bigint,
  'every code one character away from a real one is refused as unknown');
select is_empty($$select * from public.join_requests$$, 'refused codes leave no request');
select tests.reset_role();
update public.team_invites set expires_at = now() - interval '1 second' where team_id = md5('team-2')::uuid;
select tests.act_as(:'newcomer_a');
select is(tests.error_of(format($$select public.request_to_join(%L, 'A')$$, :'code_2')), '23514 join_requests_code_expired',
  'an expired code is refused');
select is(tests.error_of(format($$select public.request_to_join(%L, ' ')$$, :'code_1')), '23514 join_requests_display_name_length',
  'a request needs a name');
select is(tests.error_of(format($$select public.request_to_join(%L, E'A\u200Bnna')$$, :'code_1')),
  '23514 join_requests_display_name_characters', 'a name with hidden characters is refused');
-- Typed as people type it: lower case, with a hyphen and spaces.
select id as request_a from public.request_to_join(
  ' ' || lower(substr(:'code_1', 1, 4)) || '-' || lower(substr(:'code_1', 5)) || ' ', E'\u3000李新\u3000') \gset
select results_eq(format($$select team_id, user_id, display_name, status from public.join_requests where id = %L$$, :'request_a'),
  format($$values (md5('team-1')::uuid, %L::uuid, '李新'::text, 'pending'::text)$$, :'newcomer_a'),
  'the code, typed in lower case with a hyphen, makes a pending request under the trimmed name');
select is(tests.error_of(format($$select public.request_to_join(%L, 'A again')$$, :'code_1')), '23514 join_requests_already_pending',
  'asking again while a request is pending is refused');
select is(tests.error_of(format($$select public.decide_join_request(%L, true)$$, :'request_a')), '42501 join_requests_decide_policy',
  'the requester cannot approve their own request');
select throws_ok(format($$update public.join_requests set status = 'approved' where id = %L$$, :'request_a'), '42501',
  'permission denied for table join_requests', 'nor set its status');
select is((select count(*) from public.service_events), 0::bigint, 'a user with no team reads no event while waiting');

-- Others' requests are not theirs to read.
select tests.act_as(:'newcomer_b');
select is_empty($$select * from public.join_requests$$, 'another user does not read the request');
select id as request_b from public.request_to_join(:'code_1', '王来') \gset
select tests.act_as(:'newcomer_c');
select id as request_c from public.request_to_join(:'code_1', '赵来') \gset

-- A member of the team cannot ask to join it again.
select tests.act_as(tests.demo_user('volunteer'));
select is(tests.error_of(format($$select public.request_to_join(%L, 'Again')$$, :'code_1')), '23514 join_requests_already_member',
  'a member asking to join their own team is refused');
select is_empty($$select * from public.join_requests$$, 'a member does not read the team''s requests');
select is(tests.error_of(format($$select public.decide_join_request(%L, true)$$, :'request_b')), '42501 join_requests_decide_policy',
  'a member cannot approve a request to their team');

-- ---------------------------------------------------------------------------------------------
-- Another team's leader can neither see nor decide team 1's requests.
select tests.act_as(:'leader_3');
select is_empty($$select * from public.join_requests$$, 'another team''s leader reads no request of team 1');
select is(tests.error_of(format($$select public.decide_join_request(%L, true)$$, :'request_a')), '42501 join_requests_decide_policy',
  'another team''s leader cannot approve for team 1');
select is(tests.error_of(format($$select public.decide_join_request(%L, false)$$, :'request_a')), '42501 join_requests_decide_policy',
  'nor decline');
select is(tests.error_of(format($$select public.decide_join_request(%L, true)$$, gen_random_uuid())), '42501 join_requests_decide_policy',
  'a request that does not exist is refused the same way');

-- ---------------------------------------------------------------------------------------------
-- Team 1's leader decides.
select tests.act_as(tests.demo_user('leader'));
select set_eq($$select id from public.join_requests where status = 'pending'$$,
  format($$values (%L::uuid), (%L::uuid), (%L::uuid)$$, :'request_a', :'request_b', :'request_c'),
  'the leader reads the team''s pending requests');
select is(tests.error_of(format($$select public.decide_join_request(%L, true, md5('person-15')::uuid)$$, :'request_a')),
  '23514 join_requests_claim_other_team', 'a person of another team cannot be claimed');
select is(tests.error_of(format($$select public.decide_join_request(%L, true, md5('person-2')::uuid)$$, :'request_a')),
  '23514 join_requests_claim_linked', 'a person already linked to an account cannot be claimed');
select is(tests.error_of(format($$select public.decide_join_request(%L, null)$$, :'request_a')),
  '22023 join_requests_decision_format', 'a decision is approve or decline');

-- A newcomer named in the team's past events (a former member, no account) is claimed.
select results_eq(format($$select status, person_id, decided_by from public.decide_join_request(%L, true, md5('person-10')::uuid)$$, :'request_a'),
  format($$values ('approved'::text, md5('person-10')::uuid, %L::uuid)$$, tests.demo_user('leader')),
  'the leader approves, claiming the former member person-10');
select tests.reset_role();
select results_eq($$select p.user_id, m.role, m.left_at is null from public.people p
    join public.team_members m on m.person_id = p.id and m.team_id = md5('team-1')::uuid where p.id = md5('person-10')::uuid$$,
  format($$values (%L::uuid, 'member'::text, true)$$, :'newcomer_a'),
  'person-10 is linked to the account and a current member again');
select tests.act_as(:'newcomer_a');
select ok((select count(*) from public.service_events where team_id = md5('team-1')::uuid) > 0,
  'the new member reads the team''s events');
select is(tests.error_of(format($$select public.request_to_join(%L, 'A')$$, :'code_1')), '23514 join_requests_already_member',
  'and cannot ask to join again');

-- A newcomer nobody knows becomes a new person of the team under their name.
select tests.act_as(tests.demo_user('leader'));
select is(tests.error_of(format($$select public.decide_join_request(%L, true, md5('person-10')::uuid)$$, :'request_b')),
  '23514 join_requests_claim_linked', 'a person claimed once cannot be claimed for another account');
select is((select status from public.decide_join_request(:'request_b', true)), 'approved', 'the leader approves without a claim');
select tests.reset_role();
select results_eq(format($$select p.display_name, m.role from public.people p
    join public.team_members m on m.person_id = p.id and m.team_id = md5('team-1')::uuid where p.user_id = %L$$, :'newcomer_b'),
  $$values ('王来'::text, 'member'::text)$$, 'a new person with the name given is a member, linked to the account');
select tests.act_as(tests.demo_user('leader'));
select is(tests.error_of(format($$select public.decide_join_request(%L, false)$$, :'request_b')), '23514 join_requests_decided',
  'a decided request cannot be decided again');

-- Declined: no membership; the user may ask again.
select is((select status from public.decide_join_request(:'request_c', false)), 'declined', 'the leader declines a request');
select tests.reset_role();
select is((select count(*) from public.people where user_id = :'newcomer_c'), 0::bigint, 'a declined newcomer gets no person');
select tests.act_as(:'newcomer_c');
select is((select status from public.join_requests where id = :'request_c'), 'declined', 'the newcomer reads that it was declined');
select is((select status from public.request_to_join(:'code_1', '赵来')), 'pending', 'and may ask again');

-- ---------------------------------------------------------------------------------------------
-- A volunteer of another team joins with the person they are.
select tests.act_as(tests.demo_user('volunteer2'));
select id as request_v2 from public.request_to_join(:'code_1', 'Whatever they type') \gset
select tests.act_as(tests.demo_user('leader'));
select is(tests.error_of(format($$select public.decide_join_request(%L, true, md5('person-3')::uuid)$$, :'request_v2')),
  '23514 join_requests_account_has_person', 'an account that is a person already cannot claim another');
select is((select person_id from public.decide_join_request(:'request_v2', true)), md5('person-12')::uuid,
  'approved, the account''s own person joins');
select tests.reset_role();
select set_eq($$select team_id from public.team_members where person_id = md5('person-12')::uuid and left_at is null$$,
  $$values (md5('team-1')::uuid), (md5('team-2')::uuid)$$, 'volunteer2 is now in team 1 and still in team 2');

-- ---------------------------------------------------------------------------------------------
-- A renewed code ends the old one; coordinators decide for any team.
select tests.act_as(tests.demo_user('leader'));
select code as code_1b from public.renew_team_invite(md5('team-1')::uuid) \gset
select isnt(:'code_1b'::text, :'code_1'::text, 'a renewal draws a new code');
select tests.act_as(tests.create_user('join-d@tests.local'));
select is(tests.error_of(format($$select public.request_to_join(%L, 'D')$$, :'code_1')), '23514 join_requests_code_unknown',
  'the old code no longer works');
select id as request_d from public.request_to_join(:'code_1b', 'D') \gset
select tests.act_as(tests.demo_user('coordinator'));
select is((select status from public.decide_join_request(:'request_d', true)), 'approved', 'a coordinator approves a request of any team');
select code as code_2b from public.renew_team_invite(md5('team-2')::uuid) \gset
select tests.act_as(tests.create_user('join-e@tests.local'));
select id as request_e from public.request_to_join(:'code_2b', 'E') \gset
select tests.act_as(tests.demo_user('leader'));
select is(tests.error_of(format($$select public.decide_join_request(%L, true)$$, :'request_e')), '42501 join_requests_decide_policy',
  'team 1''s leader cannot approve a request to team 2');

select * from finish();
rollback;
