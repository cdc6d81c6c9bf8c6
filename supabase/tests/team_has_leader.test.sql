-- A team with members keeps a leader (team_members_team_has_leader): its last current leader can
-- neither step down nor leave while other members remain, whoever makes the change and however
-- (a role change, an end of membership, a delete through the API). Once another member leads,
-- they can; a team may start without a leader, and the last member may leave an empty team.
--
-- Who is who (supabase/demo-seed.sql): leader = person-1, the only leader of team 1 (persons
-- 1-10); persons 11-20 are team 2, led by person-11.
begin;
set local search_path = public, extensions;
set local client_min_messages = warning;
select plan(16);

-- ---------------------------------------------------------------------------------------------
-- The only leader of team 1 cannot leave it without a leader.
select tests.act_as(tests.demo_user('leader'));
select is(tests.error_of($$update public.team_members set role = 'member'
    where team_id = md5('team-1')::uuid and person_id = md5('person-1')::uuid$$),
  '23514 team_members_team_has_leader', 'the only leader cannot make themself a member');
select is(tests.error_of($$update public.team_members set left_at = now()
    where team_id = md5('team-1')::uuid and person_id = md5('person-1')::uuid$$),
  '23514 team_members_team_has_leader', 'the only leader cannot end their membership');
select is(tests.error_of($$delete from public.team_members
    where team_id = md5('team-1')::uuid and person_id = md5('person-1')::uuid$$),
  '23514 team_members_team_has_leader', 'nor by deleting it (which ends it)');
select tests.act_as(tests.demo_user('coordinator'));
select is(tests.error_of($$update public.team_members set role = 'member'
    where team_id = md5('team-2')::uuid and person_id = md5('person-11')::uuid$$),
  '23514 team_members_team_has_leader', 'a coordinator cannot demote a team''s only leader either');
select is(tests.error_of($$update public.team_members set left_at = now() where team_id = md5('team-2')::uuid
    and person_id in (md5('person-11')::uuid, md5('person-12')::uuid)$$),
  '23514 team_members_team_has_leader', 'nor end the only leader''s membership with another one''s');
select tests.reset_role();
select results_eq($$select role, left_at is null from public.team_members
    where team_id = md5('team-1')::uuid and person_id = md5('person-1')::uuid$$,
  $$values ('leader'::text, true)$$, 'the leader of team 1 is still its current leader');

-- ---------------------------------------------------------------------------------------------
-- With another leader, the leader may step down, and then the new one is the last.
select tests.act_as(tests.demo_user('leader'));
select is(tests.rows_affected($$update public.team_members set role = 'leader'
    where team_id = md5('team-1')::uuid and person_id = md5('person-3')::uuid$$),
  1::bigint, 'the leader makes another member a leader');
select is(tests.error_of($$update public.team_members set role = 'member'
    where team_id = md5('team-1')::uuid and person_id = md5('person-1')::uuid$$),
  'no error', 'then steps down');
select tests.act_as(tests.demo_user('coordinator'));
select is(tests.error_of($$update public.team_members set left_at = now()
    where team_id = md5('team-1')::uuid and person_id = md5('person-3')::uuid$$),
  '23514 team_members_team_has_leader', 'the new leader is now the last, and cannot leave');
-- One statement that hands the lead over is judged by where it leaves the team.
select is(tests.error_of($$update public.team_members set role = case when person_id = md5('person-3')::uuid then 'member' else 'leader' end
    where team_id = md5('team-1')::uuid and person_id in (md5('person-3')::uuid, md5('person-4')::uuid)$$),
  'no error', 'a coordinator hands the lead from one member to another in one statement');
select tests.reset_role();
select set_eq($$select person_id from public.team_members where team_id = md5('team-1')::uuid and role = 'leader' and left_at is null$$,
  $$values (md5('person-4')::uuid)$$, 'team 1 is led by person-4 alone');

-- Other members come and go as before.
select tests.act_as(tests.demo_user('coordinator'));
select is(tests.error_of($$update public.team_members set left_at = now()
    where team_id = md5('team-1')::uuid and person_id = md5('person-5')::uuid$$),
  'no error', 'a member leaves a team that keeps its leader');

-- ---------------------------------------------------------------------------------------------
-- A team without a leader from the start, and an empty team.
select tests.reset_role();
select tests.make_team('No leader yet') as no_leader \gset
select tests.make_person('First member') as first_member \gset
select tests.make_person('Second member') as second_member \gset
select tests.act_as(tests.demo_user('coordinator'));
select lives_ok(format($$insert into public.team_members (team_id, person_id) values (%L, %L), (%L, %L)$$,
    :'no_leader', :'first_member', :'no_leader', :'second_member'),
  'a coordinator adds members to a team that has no leader yet');
select is(tests.error_of(format($$update public.team_members set left_at = now() where team_id = %L and person_id = %L$$,
    :'no_leader', :'first_member')),
  'no error', 'and a member of it leaves (it had no leader to lose)');
select tests.reset_role();
select tests.make_team('Alone') as alone \gset
select tests.make_person('Only leader') as only_leader \gset
select tests.make_member(:'alone', :'only_leader', 'leader');
select tests.act_as(tests.demo_user('coordinator'));
select is(tests.error_of(format($$update public.team_members set role = 'member' where team_id = %L and person_id = %L$$,
    :'alone', :'only_leader')),
  '23514 team_members_team_has_leader', 'the only member, a leader, cannot become a leaderless member');
select is(tests.error_of(format($$update public.team_members set left_at = now() where team_id = %L and person_id = %L$$,
    :'alone', :'only_leader')),
  'no error', 'but can leave, and the team is empty');

select * from finish();
rollback;
