-- Local harness only: helpers for the pgTAP tests in supabase/tests, loaded into the test database
-- before pg_prove runs (never part of supabase/migrations). Safe to load again.
--
-- pgTAP lives in the extensions schema as on Supabase; each test file puts `extensions` on its
-- search_path. dblink lets supabase/tests/pull.test.sql write rows in separate, committed
-- transactions (a pull only returns rows of transactions that have finished, see that file).
--
-- The helpers live in the schema `tests`:
--   acting as someone   tests.act_as(user_id), tests.act_as_anon(), tests.act_as_service_role(),
--                       tests.reset_role(): exactly what PostgREST does per request (a local role and
--                       local request.jwt.claims), so every statement after them runs under RLS.
--   who is who          tests.demo_user('volunteer') = the seed's volunteer@demo.local account, ...
--   what happened       tests.error_of(sql): the SQLSTATE and constraint name a statement raises;
--                       tests.rows_affected(sql): how many rows a statement touched (RLS filters
--                       updates and deletes silently).
--   shared checks       tests.anon_is_refused('table.column', ...): anon may not select, insert,
--                       update or delete on any of the tables (4 pgTAP tests per table).
--   fixtures            tests.create_user, tests.make_station, tests.make_team,
--                       tests.make_theme_month, tests.make_person, tests.make_member,
--                       tests.make_volunteer, tests.make_event: security definer, so they work
--                       whoever the test is acting as, and they bypass RLS only to build fixtures.

create extension if not exists pgtap with schema extensions;
create extension if not exists dblink with schema extensions;

create schema if not exists tests;
comment on schema tests is 'pgTAP test helpers (local harness only).';
grant usage on schema tests to anon, authenticated, service_role;

-- Acting as someone. No `set` clause on these functions: a function with one restores every
-- setting it changed when it returns, which would undo the role change.

create or replace function tests.act_as(user_id uuid) returns void
language plpgsql
as $$
begin
  set local role authenticated;
  perform pg_catalog.set_config('request.jwt.claims',
    pg_catalog.json_build_object('sub', user_id, 'role', 'authenticated')::text, true);
end
$$;
comment on function tests.act_as(uuid) is 'Run the following statements as the signed-in user, as PostgREST would.';

create or replace function tests.act_as_anon() returns void
language plpgsql
as $$
begin
  set local role anon;
  perform pg_catalog.set_config('request.jwt.claims', pg_catalog.json_build_object('role', 'anon')::text, true);
end
$$;

create or replace function tests.act_as_service_role() returns void
language plpgsql
as $$
begin
  set local role service_role;
  perform pg_catalog.set_config('request.jwt.claims',
    pg_catalog.json_build_object('role', 'service_role')::text, true);
end
$$;

create or replace function tests.reset_role() returns void
language plpgsql
as $$
begin
  reset role;
  perform pg_catalog.set_config('request.jwt.claims', '', true);
end
$$;

-- The seed's demo accounts: tests.demo_user('volunteer') is volunteer@demo.local (a member of
-- team 1), 'volunteer2' a member of team 2, 'leader' team 1's leader, 'coordinator', 'admin'.
create or replace function tests.demo_user(name text) returns uuid
language sql immutable set search_path = ''
as $$ select pg_catalog.md5('user-' || name || '@demo.local')::uuid $$;

-- What a statement raises, as '<sqlstate> <constraint>' (or just '<sqlstate>' when the error names
-- no constraint), or 'no error'. Runs as the current role; the statement is rolled back either way
-- only when it fails.
create or replace function tests.error_of(statement text) returns text
language plpgsql
as $$
declare
  code text;
  rule text;
begin
  execute statement;
  return 'no error';
exception when others then
  get stacked diagnostics code = returned_sqlstate, rule = constraint_name;
  return pg_catalog.btrim(code || ' ' || coalesce(rule, ''));
end
$$;

-- How many rows a statement inserted, updated or deleted (as the current role).
create or replace function tests.rows_affected(statement text) returns bigint
language plpgsql
as $$
declare
  n bigint;
begin
  execute statement;
  get diagnostics n = row_count;
  return n;
end
$$;

-- Acts as anon, then checks that anon holds no privilege on each table: select, insert, update
-- and delete each fail with "permission denied" (4 pgTAP tests per table). Each target is
-- 'table.column', the column being one that the update names. The role stays anon afterwards.
create or replace function tests.anon_is_refused(variadic targets text[]) returns setof text
language plpgsql
as $$
begin
  perform tests.act_as_anon();
  return query
  select extensions.throws_ok(pg_catalog.format(statement, t, col), '42501',
      pg_catalog.format('permission denied for table %s', t), pg_catalog.format('anon cannot %s %s', command, t))
  from (select pg_catalog.split_part(target, '.', 1), pg_catalog.split_part(target, '.', 2)
        from pg_catalog.unnest(targets) target) as tables (t, col),
    (values
      ('select', 'select * from public.%I'),
      ('insert into', 'insert into public.%I default values'),
      ('update', 'update public.%I set %2$I = %2$I'),
      ('delete from', 'delete from public.%I')
    ) as c (command, statement);
end
$$;

-- Fixture builders. Security definer (they create rows whoever the test acts as); every name is
-- schema-qualified because search_path is empty.

create or replace function tests.create_user(email text) returns uuid
language sql security definer set search_path = ''
as $$
  insert into auth.users (instance_id, id, aud, role, email, raw_app_meta_data, raw_user_meta_data,
    created_at, updated_at)
  values ('00000000-0000-0000-0000-000000000000', pg_catalog.md5('user-' || email)::uuid,
    'authenticated', 'authenticated', email, '{"provider": "email", "providers": ["email"]}', '{}',
    pg_catalog.now(), pg_catalog.now())
  returning id
$$;
comment on function tests.create_user(text) is 'A new account (id = md5(''user-'' || email)); returns its id.';

create or replace function tests.make_station(name text default null) returns uuid
language sql security definer set search_path = ''
as $$
  insert into public.stations (name, address)
  values (coalesce(name, 'Test station ' || pg_catalog.gen_random_uuid()), 'Test address')
  returning id
$$;

create or replace function tests.make_team(name text default null) returns uuid
language sql security definer set search_path = ''
as $$
  insert into public.teams (name, chamber)
  values (coalesce(name, 'Test team ' || pg_catalog.gen_random_uuid()), 'Test chamber')
  returning id
$$;

-- The theme month of a date's calendar month, made when missing.
create or replace function tests.make_theme_month(month date) returns uuid
language plpgsql security definer set search_path = ''
as $$
declare
  first_day date := pg_catalog.date_trunc('month', month)::date;
  found_id uuid;
begin
  select t.id into found_id from public.theme_months t where t.month = first_day;
  if found_id is null then
    insert into public.theme_months (month, theme) values (first_day, 'Test theme ' || first_day)
    returning id into found_id;
  end if;
  return found_id;
end
$$;

create or replace function tests.make_person(display_name text default 'Test person', user_id uuid default null)
returns uuid
language sql security definer set search_path = ''
as $$
  insert into public.people (display_name, user_id) values (display_name, user_id) returning id
$$;

create or replace function tests.make_member(team_id uuid, person_id uuid, role text default 'member')
returns void
language sql security definer set search_path = ''
as $$
  insert into public.team_members (team_id, person_id, role) values (team_id, person_id, role)
$$;

-- A new account, the person it signs in as, and that person's membership of a team; returns the
-- account's id.
create or replace function tests.make_volunteer(email text, team_id uuid, role text default 'member')
returns uuid
language plpgsql security definer set search_path = ''
as $$
declare
  new_user uuid := tests.create_user(email);
begin
  perform tests.make_member(team_id, tests.make_person(email, new_user), role);
  return new_user;
end
$$;

-- An event of a team at a station, starting at started_at and lasting hours; its theme month is
-- made when missing. Each participant gives participant_hours (default: the whole event).
create or replace function tests.make_event(
  team_id uuid,
  station_id uuid,
  started_at timestamptz,
  hours numeric default 2,
  participants uuid[] default '{}',
  participant_hours numeric default null,
  people_served integer default 10,
  funds_fen bigint default 0,
  materials_fen bigint default 0,
  recorded_by uuid default null,
  id uuid default null
) returns uuid
language plpgsql security definer set search_path = ''
as $$
declare
  event_id uuid := coalesce(id, pg_catalog.gen_random_uuid());
begin
  insert into public.service_events (id, station_id, team_id, theme_month_id, started_at, ended_at, title,
    people_served, funds_fen, materials_fen, materials_description, recorded_by, person_in_charge)
  values (event_id, station_id, team_id,
    tests.make_theme_month((started_at at time zone 'Asia/Shanghai')::date),
    started_at, started_at + hours * interval '1 hour', 'Test event', people_served, funds_fen,
    materials_fen, case when materials_fen > 0 then 'Test materials' else '' end,
    coalesce(recorded_by, auth.uid(), pg_catalog.md5('user-admin@demo.local')::uuid),
    -- The push's choice among the participants; with none, the team's leader (the insert's default).
    private.person_in_charge_for(null, team_id, (
      select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('person_id', p, 'hours', coalesce(participant_hours, hours)))
      from pg_catalog.unnest(participants) p)));
  insert into public.event_participants (event_id, person_id, hours)
  select event_id, p, coalesce(participant_hours, hours) from pg_catalog.unnest(participants) p;
  return event_id;
end
$$;

-- Separate, committed transactions (see pull.test.sql): a connection string to this very
-- database, as the superuser that runs the tests.
create or replace function tests.loopback() returns text
language sql stable set search_path = ''
as $$
  select pg_catalog.format('host=%s port=%s dbname=%s user=%s',
    coalesce(nullif(pg_catalog.split_part(pg_catalog.current_setting('unix_socket_directories'), ',', 1), ''), '127.0.0.1'),
    pg_catalog.current_setting('port'), pg_catalog.current_database(), session_user)
$$;

-- Runs statements in a separate session, committed when this returns. A lock wait there on this
-- session would never end (PostgreSQL cannot see that deadlock), so it times out instead.
create or replace function tests.run_committed(statements text) returns void
language plpgsql
as $$
begin
  perform extensions.dblink_exec(tests.loopback(),
    'set lock_timeout = ''20s''; set statement_timeout = ''60s''; ' || statements);
end
$$;

-- The helpers that only make fixtures or read are for every test role; the ones that open
-- connections are for the superuser running the tests only.
revoke execute on function tests.loopback(), tests.run_committed(text) from public;

-- push_event_changes takes a batch whole when it can (one statement per kind of write) and falls
-- back to one change at a time when any change is refused. This pushes a batch down the
-- one-at-a-time path, by adding a malformed change (rejected) and leaving its outcome out, so
-- that tests can hold both paths to the same contract.
create or replace function tests.push_one_by_one(changes jsonb) returns jsonb
language plpgsql
as $$
declare
  outcomes jsonb;
begin
  outcomes := public.push_event_changes(changes || '[{"op": "upsert", "note": "forces the one-at-a-time path"}]'::jsonb);
  if outcomes -> -1 ->> 'status' is distinct from 'rejected' then
    raise exception 'tests.push_one_by_one: the marker change was not rejected: %', outcomes -> -1;
  end if;
  return outcomes - (jsonb_array_length(outcomes) - 1);
end
$$;
