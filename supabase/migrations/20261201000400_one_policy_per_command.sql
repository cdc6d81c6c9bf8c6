-- One permissive policy per table, command and role: `supabase db advisors` warned of multiple
-- permissive policies on service_events and program_roles (each is evaluated for every row, so
-- two policies cost two checks). The rules are those of the policies they replace, joined by
-- `or`. (people and team_members: see the memberships migration.)

drop policy "members read their teams' events" on public.service_events;
drop policy "coordinators read all events" on public.service_events;
drop policy "volunteers record events for their teams" on public.service_events;
drop policy "admins record events" on public.service_events;
drop policy "volunteers edit events they recorded" on public.service_events;
drop policy "leaders edit their teams' events" on public.service_events;
drop policy "admins edit events" on public.service_events;

-- Events: team members read their team's events, coordinators all. Volunteers record events for
-- their own teams, as themselves; admins record any. Volunteers edit (and soft-delete) what they
-- recorded for their teams, leaders every event of their teams, admins any. No one hard-deletes.
create policy "team members and coordinators read events" on public.service_events
  for select to authenticated
  using (team_id in (select private.my_team_ids()) or (select private.is_coordinator()));
create policy "volunteers record their teams' events, admins any" on public.service_events
  for insert to authenticated
  with check ((recorded_by = (select auth.uid()) and team_id in (select private.my_team_ids()))
    or (select private.is_admin()));
create policy "recorders, leaders and admins edit events" on public.service_events
  for update to authenticated
  using ((recorded_by = (select auth.uid()) and team_id in (select private.my_team_ids()))
    or team_id in (select private.my_led_team_ids()) or (select private.is_admin()))
  with check ((recorded_by = (select auth.uid()) and team_id in (select private.my_team_ids()))
    or team_id in (select private.my_led_team_ids()) or (select private.is_admin()));

drop policy "users read their own program role" on public.program_roles;
drop policy "admins read program roles" on public.program_roles;

create policy "users read their own program role, admins all" on public.program_roles
  for select to authenticated
  using (user_id = (select auth.uid()) or (select private.is_admin()));

-- (No function is made here; kept as in every migration.)
revoke execute on all functions in schema private from public;
