-- Row-level security is on for every table of the API, with one permissive policy per table,
-- command and role (`supabase db advisors` warns of multiple permissive policies: each one is
-- evaluated for every row). A policy for all commands counts for each of them.
begin;
set local search_path = public, extensions;
select plan(2);

select is_empty($$
    select c.relname from pg_catalog.pg_class c
    where c.relnamespace = 'public'::regnamespace and c.relkind = 'r' and not c.relrowsecurity$$,
  'every table in public has row-level security enabled');

select is_empty($$
    select p.tablename, command, role, count(*)
    from pg_catalog.pg_policies p,
      unnest(case when p.cmd = 'ALL' then array['SELECT', 'INSERT', 'UPDATE', 'DELETE'] else array[p.cmd] end) command,
      unnest(p.roles) role
    where p.schemaname = 'public' and p.permissive = 'PERMISSIVE'
    group by 1, 2, 3
    having count(*) > 1$$,
  'no table has two permissive policies for one command and role');

select * from finish();
rollback;
