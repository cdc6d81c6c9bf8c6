-- The volunteer's personal information (Art. 5) and who may read it: the rules of each value
-- (a resident ID number's check digit and date of birth, phones, dates, categories, skills), the
-- caller's own save and read, and privacy as each role: the ID number (and the date of birth
-- and gender beside it) only for the person and coordinators; the phone also for the person's
-- team leaders; teammates, other teams' leaders and anon see neither.
--
-- Who is who (supabase/demo-seed.sql): volunteer = person-2 in team 1, leader = person-1 leading
-- team 1, volunteer2 = person-12 in team 2; a teammate of the volunteer (with an account) and a
-- leader of team 2 are made here.
begin;
set local search_path = public, extensions;
set local client_min_messages = warning;
select plan(45);

select tests.make_volunteer('teammate@tests.local', md5('team-1')::uuid) as teammate \gset
select tests.make_volunteer('leader-2@tests.local', md5('team-2')::uuid, 'leader') as leader_2 \gset
select tests.create_user('unlinked@tests.local') as unlinked \gset

-- A valid profile (the standard example of a resident ID number, its check digit X typed small).
create function pg_temp.profile(changes jsonb default '{}') returns jsonb
language sql
as $$
  select '{"display_name": " 志愿者甲 ", "gender": "male", "birth_date": "1949-12-31", "id_type": "resident_id",
    "id_number": "11010519491231002x", "volunteer_number": "5301-0042", "residence_area": "五华区",
    "phone": "13812345678", "skills": [" 急救 ", "摄影", "急救"], "service_categories": ["community", "health"]}'::jsonb || changes
$$;
create function pg_temp.save_error(changes jsonb) returns text
language sql
as $$ select tests.error_of(format('select public.save_my_profile(%L)', pg_temp.profile(changes))) $$;

-- ---------------------------------------------------------------------------------------------
-- The rules, each named.
select tests.act_as(tests.demo_user('volunteer'));
select is(pg_temp.save_error('{"id_number": "11010519491231002X0"}'), '23514 person_identities_id_number_format',
  'a resident ID number has 18 characters');
select is(pg_temp.save_error('{"id_number": "110105194902300021"}'), '23514 person_identities_id_number_format',
  'a resident ID number holds a real date of birth');
select is(pg_temp.save_error('{"id_number": "110105194912310021"}'), '23514 person_identities_id_number_check_digit',
  'a resident ID number with a wrong check digit is refused');
select is(pg_temp.save_error('{"birth_date": "1949-12-30"}'), '23514 person_identities_birth_date_matches_id_number',
  'the date of birth must be the one in the resident ID number');
select is(pg_temp.save_error('{"birth_date": "1949-12-30", "id_type": "passport", "id_number": "E12345678"}'), 'no error',
  'a passport number says nothing of the date of birth');
select is(pg_temp.save_error('{"id_type": "passport", "id_number": "E1"}'), '23514 person_identities_id_number_format',
  'other ID numbers have 5 to 30 letters and digits');
select is(pg_temp.save_error('{"id_type": "library_card"}'), '23514 person_identities_id_type',
  'the ID document is one of the known types');
select is(pg_temp.save_error('{"birth_date": "1949-13-01", "id_number": ""}'), '22023 person_identities_birth_date_format',
  'a date of birth that is no date is malformed');
select is(pg_temp.save_error(jsonb_build_object('birth_date', (current_date + 2)::text, 'id_number', '')),
  '23514 person_identities_birth_date_range', 'a date of birth is not in the future');
select is(pg_temp.save_error('{"birth_date": "1899-12-31", "id_number": ""}'), '23514 person_identities_birth_date_range',
  'a date of birth is after 1900');
select is(pg_temp.save_error('{"gender": "x"}'), '23514 person_identities_gender', 'gender is female or male');
select is(pg_temp.save_error('{"phone": "12345"}'), '23514 person_profiles_phone_format', 'a phone number has its shape');
select is(pg_temp.save_error('{"phone": "0871-6512345"}'), 'no error', 'a landline with its area code is a phone number');
select is(pg_temp.save_error('{"volunteer_number": "5301/42"}'), '23514 person_profiles_volunteer_number_format',
  'a volunteer number holds letters, digits and hyphens');
select is(pg_temp.save_error('{"service_categories": ["knitting"]}'), '23514 person_profiles_service_categories_known',
  'service categories are the known ones');
select is(pg_temp.save_error('{"skills": ["一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一"]}'), '23514 person_profiles_skills_items',
  'a skill is at most 30 characters');
select is(pg_temp.save_error('{"skills": "急救"}'), '22023 person_profiles_skills_format', 'skills are a list');
select is(pg_temp.save_error(jsonb_build_object('residence_area', 'a' || chr(8203) || 'b')), '23514 person_profiles_residence_area_characters',
  'the area of residence refuses hidden characters');
select is(pg_temp.save_error('{"display_name": "　"}'), '23514 people_display_name_length', 'the name is required');

-- ---------------------------------------------------------------------------------------------
-- The caller's own profile.
select is(public.save_my_profile(pg_temp.profile()) - 'updated_at' - 'person_id',
  '{"display_name": "志愿者甲", "gender": "male", "birth_date": "1949-12-31", "id_type": "resident_id",
    "id_number": "11010519491231002X", "volunteer_number": "5301-0042", "residence_area": "五华区",
    "phone": "13812345678", "skills": ["急救", "摄影"], "service_categories": ["community", "health"]}'::jsonb,
  'the volunteer saves their profile, tidied: names and skills trimmed, skills once each, the X in capitals');
select is(public.my_profile() ->> 'person_id', md5('person-2')::uuid::text, 'my_profile() is the caller''s own');
select is((select updated_by from public.person_identities where person_id = md5('person-2')::uuid), tests.demo_user('volunteer'),
  'the server stamps who wrote it');
select is(public.save_my_profile(pg_temp.profile('{"phone": "", "id_number": "", "birth_date": null, "gender": null,
    "skills": [], "service_categories": []}')) ->> 'phone', '', 'everything but the name may be left empty');
select public.save_my_profile(pg_temp.profile());
select throws_ok($$update public.person_identities set updated_by = null where person_id = md5('person-2')::uuid$$,
  '42501', 'permission denied for table person_identities', 'who wrote is the server''s to say');

select tests.act_as(:'unlinked');
select is(tests.error_of('select public.save_my_profile(''{"display_name": "x"}'')'), '42501 person_profiles_own_person',
  'an account without a person has no profile to save');
select is(public.my_profile(), null, 'and reads none');

-- ---------------------------------------------------------------------------------------------
-- Who reads what. The volunteer's teammate and team leader first.
select tests.act_as(:'teammate');
select is((select count(*) from public.person_identities where person_id = md5('person-2')::uuid), 0::bigint,
  'a teammate does not read the volunteer''s ID number');
select is((select count(*) from public.person_profiles where person_id = md5('person-2')::uuid), 0::bigint,
  'a teammate does not read the volunteer''s phone');
select is(tests.rows_affected($$update public.person_profiles set phone = '13900000000' where person_id = md5('person-2')::uuid$$),
  0::bigint, 'a teammate does not edit the volunteer''s profile');
select throws_ok(format($$insert into public.person_profiles (person_id, phone) values (%L, '13900000000')$$, tests.make_person('New')),
  '42501', 'new row violates row-level security policy for table "person_profiles"',
  'a teammate does not write someone else''s profile');

select tests.act_as(tests.demo_user('leader'));
select is((select phone from public.person_profiles where person_id = md5('person-2')::uuid), '13812345678',
  'the team leader reads a member''s phone');
select is((select count(*) from public.person_identities where person_id = md5('person-2')::uuid), 0::bigint,
  'the team leader never reads a member''s ID number');
select is(tests.rows_affected($$update public.person_profiles set phone = '13900000000' where person_id = md5('person-2')::uuid$$),
  0::bigint, 'the team leader does not edit a member''s profile');

select tests.act_as(:'leader_2');
select is((select count(*) from public.person_profiles where person_id = md5('person-2')::uuid), 0::bigint,
  'another team''s leader does not read the volunteer''s phone');

select tests.act_as(tests.demo_user('volunteer2'));
select is((select count(*) from public.person_profiles) + (select count(*) from public.person_identities), 0::bigint,
  'a volunteer of another team reads nothing');

select tests.act_as(tests.demo_user('coordinator'));
select is((select id_number from public.person_identities where person_id = md5('person-2')::uuid), '11010519491231002X',
  'a coordinator reads the ID number');
select is((select phone from public.person_profiles where person_id = md5('person-2')::uuid), '13812345678',
  'a coordinator reads the phone');
select is(tests.rows_affected($$update public.person_profiles set residence_area = '盘龙区' where person_id = md5('person-2')::uuid$$),
  1::bigint, 'a coordinator edits a profile');

select tests.act_as(tests.demo_user('admin'));
select is((select count(*) from public.person_identities where person_id = md5('person-2')::uuid), 1::bigint,
  'an admin reads the ID number');

-- A leader who leaves the team (handing it to the teammate: a team keeps a leader) no longer
-- reads its members' phones.
select tests.reset_role();
update public.team_members set role = 'leader'
where team_id = md5('team-1')::uuid and person_id = (select id from public.people where user_id = :'teammate');
update public.team_members set left_at = now() where team_id = md5('team-1')::uuid and person_id = md5('person-1')::uuid;
select tests.act_as(tests.demo_user('leader'));
select is((select count(*) from public.person_profiles where person_id = md5('person-2')::uuid), 0::bigint,
  'a former leader does not read the phone');

-- Anon: nothing at all.
select tests.anon_is_refused('person_identities.id_number');
select throws_ok('select public.my_profile()', '42501', 'permission denied for function my_profile', 'anon has no profile to read');

select * from finish();
rollback;
