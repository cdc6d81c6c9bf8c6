-- The volunteer's personal information (《志愿服务记录与证明出具办法（试行）》 Art. 5: name,
-- gender, date of birth, ID document and number, area of residence, contact, skills, service
-- categories, and the volunteer number the national system issues), kept private as 《志愿服务
-- 条例》 Art. 20 asks. Names stay in people (teammates see them, to pick participants); the rest
-- lives in two tables of its own, each with its own row-level security, because who may read
-- them differs:
-- - person_identities (gender, date of birth, ID document type and number): the person and the
--   coordinators (and admins) only. The date of birth and gender sit with the ID number because a
--   resident ID number spells them out: they are as private as it.
-- - person_profiles (volunteer number, area of residence, phone, skills, service categories): the
--   person, the leaders of the teams they are a current member of (who need to call them), and
--   the coordinators. Other volunteers read neither table.
-- The person and the coordinators write them; public.save_my_profile(profile) writes the
-- caller's own at once (the phone sends a profile edited offline through it), public.my_profile()
-- reads it. Every value is checked by a named rule (SQLSTATE 23514, 22023 for what cannot be
-- read): an 18-digit resident ID number has its ISO 7064 MOD 11-2 check digit and, when a date of
-- birth is given, that date. src/domain/person-profile.ts checks the same rules on the phone.

create table public.person_identities (
  person_id uuid primary key references public.people (id) on delete cascade,
  gender text constraint person_identities_gender check (gender in ('female', 'male')),
  birth_date date,
  id_type text not null default 'resident_id' constraint person_identities_id_type
    check (id_type in ('resident_id', 'hk_macao_permit', 'taiwan_permit', 'passport', 'foreign_permanent_residence')),
  id_number text not null default '',
  updated_at timestamptz not null default now(),
  updated_by uuid references auth.users (id) on delete set null
);
comment on table public.person_identities is
  'A person''s gender, date of birth and ID document (Art. 5): readable by the person and coordinators only.';
create index person_identities_updated_by_idx on public.person_identities (updated_by);

create table public.person_profiles (
  person_id uuid primary key references public.people (id) on delete cascade,
  volunteer_number text not null default '',
  residence_area text not null default '',
  phone text not null default '',
  skills text[] not null default '{}',
  service_categories text[] not null default '{}',
  updated_at timestamptz not null default now(),
  updated_by uuid references auth.users (id) on delete set null
);
comment on table public.person_profiles is
  'A person''s volunteer number, area of residence, phone, skills and service categories (Art. 5): readable by the person, their team leaders and coordinators.';
create index person_profiles_updated_by_idx on public.person_profiles (updated_by);

-- ---------------------------------------------------------------------------------------------
-- The rules.

-- The check digit of a resident ID number's first 17 digits (GB 11643, ISO 7064 MOD 11-2).
create function private.resident_id_check_digit(first17 text) returns text
language sql immutable parallel safe set search_path = ''
as $$
  select pg_catalog.substr('10X98765432', (
    select sum(pg_catalog.substr(first17, i, 1)::integer * (array[7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])[i]) % 11
    from pg_catalog.generate_series(1, 17) i
  )::integer + 1, 1)
$$;
comment on function private.resident_id_check_digit(text) is 'The ISO 7064 MOD 11-2 check character of 17 digits.';

-- Whether a resident ID number has its shape: 17 digits and a digit or X, with a real date of
-- birth in digits 7 to 14 (in 1900 or later).
create function private.is_resident_id_shape(id_number text) returns boolean
language plpgsql immutable parallel safe set search_path = ''
as $$
begin
  if id_number !~ '^[0-9]{17}[0-9X]$' or pg_catalog.substr(id_number, 7, 4)::integer < 1900 then
    return false;
  end if;
  perform pg_catalog.make_date(pg_catalog.substr(id_number, 7, 4)::integer, pg_catalog.substr(id_number, 11, 2)::integer,
    pg_catalog.substr(id_number, 13, 2)::integer);
  return true;
exception when datetime_field_overflow then
  return false;
end
$$;

-- Whether a number is a resident ID number whose check digit is right: the later rules hold for
-- such numbers only, so that each wrong number names one rule (check constraints are tested in
-- the order of their names).
create function private.is_valid_resident_id(id_type text, id_number text) returns boolean
language sql immutable parallel safe set search_path = ''
as $$
  select id_type = 'resident_id' and private.is_resident_id_shape(id_number)
    and pg_catalog.right(id_number, 1) = private.resident_id_check_digit(pg_catalog.left(id_number, 17))
$$;

-- A mainland mobile number (11 digits from 13 to 19), or a landline with its area code
-- (0871-12345678, the hyphen optional).
create function private.is_phone_number(phone text) returns boolean
language sql immutable parallel safe set search_path = ''
as $$ select phone ~ '^(1[3-9][0-9]{9}|0[1-9][0-9]{1,2}-?[0-9]{7,8})$' $$;

-- The service categories of the national volunteer service information system, by code.
create function private.service_category_codes() returns text[]
language sql immutable parallel safe set search_path = ''
as $$
  select array['community', 'poverty_relief', 'education', 'health', 'elderly_disabled', 'legal', 'environment',
    'culture', 'science', 'emergency', 'safety', 'sports', 'large_events', 'civility', 'other']
$$;

-- Skills: at most 20, each 1 to 30 characters of visible text.
create function private.are_skills(skills text[]) returns boolean
language sql immutable parallel safe set search_path = ''
as $$
  select pg_catalog.cardinality(skills) <= 20
    and not exists (select from pg_catalog.unnest(skills) s
      where s is null or pg_catalog.char_length(s) not between 1 and 30 or s ~ private.hidden_character_pattern(false))
$$;

grant execute on function private.resident_id_check_digit(text), private.are_skills(text[]), private.is_resident_id_shape(text),
  private.is_valid_resident_id(text, text), private.is_phone_number(text), private.service_category_codes()
  to authenticated, service_role;

alter table public.person_identities
  add constraint person_identities_id_number_format check (
    id_number = '' or case when id_type = 'resident_id' then private.is_resident_id_shape(id_number)
      else id_number ~ '^[0-9A-Z()-]{5,30}$' end),
  add constraint person_identities_id_number_check_digit check (
    id_type <> 'resident_id' or not private.is_resident_id_shape(id_number)
    or pg_catalog.right(id_number, 1) = private.resident_id_check_digit(pg_catalog.left(id_number, 17))),
  add constraint person_identities_birth_date_matches_id_number check (
    birth_date is null or not private.is_valid_resident_id(id_type, id_number)
    or pg_catalog.to_char(birth_date, 'YYYYMMDD') = pg_catalog.substr(id_number, 7, 8));

alter table public.person_profiles
  add constraint person_profiles_volunteer_number_format check (volunteer_number ~ '^[0-9A-Za-z-]{0,40}$'),
  add constraint person_profiles_residence_area_length check (char_length(residence_area) <= 100),
  add constraint person_profiles_residence_area_characters check (residence_area !~ private.hidden_character_pattern(false)),
  add constraint person_profiles_phone_format check (phone = '' or private.is_phone_number(phone)),
  add constraint person_profiles_skills_items check (private.are_skills(skills)),
  add constraint person_profiles_service_categories_known check (service_categories <@ private.service_category_codes());

-- Tidies what was typed before the rules see it (whitespace around every text, the ID number in
-- capitals without inner spaces, skills trimmed and each once, categories each once), stamps who
-- wrote and when, and checks the date of birth against today (which a check cannot).
create function private.tidy_personal_information() returns trigger
language plpgsql security invoker set search_path = ''
as $$
begin
  if tg_table_name = 'person_identities' then
    new.id_number := pg_catalog.upper(pg_catalog.regexp_replace(coalesce(new.id_number, ''), '[' || private.whitespace() || ']', '', 'g'));
    if new.birth_date is not null
        and (new.birth_date < date '1900-01-01' or new.birth_date > (pg_catalog.now() at time zone 'Asia/Shanghai')::date) then
      raise exception using errcode = '23514', constraint = 'person_identities_birth_date_range',
        message = 'the date of birth must be a past date after 1900';
    end if;
  else
    new.volunteer_number := pg_catalog.btrim(coalesce(new.volunteer_number, ''), private.whitespace());
    new.residence_area := pg_catalog.btrim(coalesce(new.residence_area, ''), private.whitespace());
    new.phone := pg_catalog.regexp_replace(coalesce(new.phone, ''), '[' || private.whitespace() || ']', '', 'g');
    new.skills := coalesce((
      select array_agg(s order by first_at) from (
        select pg_catalog.btrim(s, private.whitespace()) as s, min(i) as first_at
        from pg_catalog.unnest(coalesce(new.skills, '{}')) with ordinality u (s, i)
        where pg_catalog.btrim(s, private.whitespace()) <> '' or s is null
        group by 1
      ) kept), '{}');
    new.service_categories := coalesce((
      select array_agg(c order by first_at) from (
        select c, min(i) as first_at from pg_catalog.unnest(coalesce(new.service_categories, '{}')) with ordinality u (c, i) group by 1
      ) kept), '{}');
  end if;
  new.updated_at := pg_catalog.now();
  new.updated_by := (select auth.uid());
  return new;
end
$$;
grant execute on function private.tidy_personal_information() to authenticated, service_role;
create trigger a_tidy before insert or update on public.person_identities
  for each row execute function private.tidy_personal_information();
create trigger a_tidy before insert or update on public.person_profiles
  for each row execute function private.tidy_personal_information();

-- ---------------------------------------------------------------------------------------------
-- Who reads and writes them.
alter table public.person_identities enable row level security;
alter table public.person_profiles enable row level security;
revoke all on public.person_identities, public.person_profiles from anon;
revoke delete, truncate on public.person_identities, public.person_profiles from authenticated;
revoke insert, update on public.person_identities, public.person_profiles from authenticated;
grant insert (person_id, gender, birth_date, id_type, id_number), update (gender, birth_date, id_type, id_number)
  on public.person_identities to authenticated;
grant insert (person_id, volunteer_number, residence_area, phone, skills, service_categories),
  update (volunteer_number, residence_area, phone, skills, service_categories)
  on public.person_profiles to authenticated;

create policy "the person and coordinators read identities" on public.person_identities
  for select to authenticated
  using (person_id = (select private.my_person_id()) or (select private.is_coordinator()));
create policy "the person and coordinators add identities" on public.person_identities
  for insert to authenticated
  with check (person_id = (select private.my_person_id()) or (select private.is_coordinator()));
create policy "the person and coordinators edit identities" on public.person_identities
  for update to authenticated
  using (person_id = (select private.my_person_id()) or (select private.is_coordinator()))
  with check (person_id = (select private.my_person_id()) or (select private.is_coordinator()));

create policy "the person, their leaders and coordinators read profiles" on public.person_profiles
  for select to authenticated
  using (person_id = (select private.my_person_id()) or person_id in (select private.led_person_ids())
    or (select private.is_coordinator()));
create policy "the person and coordinators add profiles" on public.person_profiles
  for insert to authenticated
  with check (person_id = (select private.my_person_id()) or (select private.is_coordinator()));
create policy "the person and coordinators edit profiles" on public.person_profiles
  for update to authenticated
  using (person_id = (select private.my_person_id()) or (select private.is_coordinator()))
  with check (person_id = (select private.my_person_id()) or (select private.is_coordinator()));

-- ---------------------------------------------------------------------------------------------
-- The caller's own profile, whole: name, identity and profile in one object (null when the
-- account is not linked to a person).
create function public.my_profile() returns jsonb
language sql stable security invoker set search_path = ''
as $$
  select pg_catalog.jsonb_build_object(
    'person_id', p.id, 'display_name', p.display_name,
    'gender', i.gender, 'birth_date', i.birth_date, 'id_type', coalesce(i.id_type, 'resident_id'),
    'id_number', coalesce(i.id_number, ''), 'volunteer_number', coalesce(f.volunteer_number, ''),
    'residence_area', coalesce(f.residence_area, ''), 'phone', coalesce(f.phone, ''),
    'skills', coalesce(f.skills, '{}'), 'service_categories', coalesce(f.service_categories, '{}'),
    'updated_at', greatest(i.updated_at, f.updated_at))
  from public.people p
  left join public.person_identities i on i.person_id = p.id
  left join public.person_profiles f on f.person_id = p.id
  where p.id = (select private.my_person_id())
$$;
comment on function public.my_profile() is 'The caller''s name, identity and profile (Art. 5), or null without a linked person.';

-- Writes the caller's own name, identity and profile at once (last write wins: a profile is
-- edited by one person), and returns it as my_profile() does. A value that cannot be read is
-- refused with its field's *_format rule (22023); every other rule is the tables'.
create function public.save_my_profile(p_profile jsonb) returns jsonb
language plpgsql volatile security invoker set search_path = ''
as $$
declare
  me uuid := private.my_person_id();
  birth date;
begin
  if me is null then
    raise exception using errcode = '42501', constraint = 'person_profiles_own_person',
      message = 'this account is not linked to a volunteer';
  end if;
  if pg_catalog.jsonb_typeof(p_profile) is distinct from 'object' then
    raise exception using errcode = '22023', constraint = 'person_profiles_format', message = 'a profile is an object';
  end if;
  if pg_catalog.jsonb_typeof(coalesce(p_profile -> 'skills', '[]')) <> 'array'
      or exists (select from pg_catalog.jsonb_array_elements(coalesce(p_profile -> 'skills', '[]')) s where pg_catalog.jsonb_typeof(s) <> 'string') then
    raise exception using errcode = '22023', constraint = 'person_profiles_skills_format', message = 'skills are a list of texts';
  end if;
  if pg_catalog.jsonb_typeof(coalesce(p_profile -> 'service_categories', '[]')) <> 'array'
      or exists (select from pg_catalog.jsonb_array_elements(coalesce(p_profile -> 'service_categories', '[]')) s where pg_catalog.jsonb_typeof(s) <> 'string') then
    raise exception using errcode = '22023', constraint = 'person_profiles_service_categories_format',
      message = 'service categories are a list of codes';
  end if;
  begin
    birth := nullif(p_profile ->> 'birth_date', '')::date;
  exception when others then
    raise exception using errcode = '22023', constraint = 'person_identities_birth_date_format',
      message = 'the date of birth is not a date (YYYY-MM-DD)';
  end;
  if p_profile ? 'display_name' then
    update public.people set display_name = p_profile ->> 'display_name' where id = me;
  end if;
  insert into public.person_identities (person_id, gender, birth_date, id_type, id_number)
  values (me, nullif(p_profile ->> 'gender', ''), birth, coalesce(nullif(p_profile ->> 'id_type', ''), 'resident_id'),
    coalesce(p_profile ->> 'id_number', ''))
  on conflict (person_id) do update
    set gender = excluded.gender, birth_date = excluded.birth_date, id_type = excluded.id_type, id_number = excluded.id_number;
  insert into public.person_profiles (person_id, volunteer_number, residence_area, phone, skills, service_categories)
  values (me, coalesce(p_profile ->> 'volunteer_number', ''), coalesce(p_profile ->> 'residence_area', ''),
    coalesce(p_profile ->> 'phone', ''),
    array(select pg_catalog.jsonb_array_elements_text(coalesce(p_profile -> 'skills', '[]'))),
    array(select pg_catalog.jsonb_array_elements_text(coalesce(p_profile -> 'service_categories', '[]'))))
  on conflict (person_id) do update
    set volunteer_number = excluded.volunteer_number, residence_area = excluded.residence_area, phone = excluded.phone,
      skills = excluded.skills, service_categories = excluded.service_categories;
  return public.my_profile();
end
$$;
comment on function public.save_my_profile(jsonb) is
  'Writes the caller''s name, gender, date of birth, ID document, volunteer number, area of residence, phone, skills and service categories.';

revoke execute on function public.my_profile(), public.save_my_profile(jsonb) from anon, public;
grant execute on function public.my_profile(), public.save_my_profile(jsonb) to authenticated, service_role;

-- Functions in private run only where granted above: some are security definer. (Default
-- privileges per schema cannot take away PUBLIC's execute right, so each migration revokes it.)
revoke execute on all functions in schema private from public;
