-- A team with members keeps a leader. Why: a leader could make themself a plain member, or end
-- their own membership, and leave the team with nobody who could manage its roster or correct
-- its events; nothing in the app could repair it. Now the last current leader of a team that
-- still has other current members can neither step down nor leave (team_members_team_has_leader):
-- another member becomes a leader first. A team may still start without a leader (a coordinator
-- makes it and adds people), and the last member may leave an empty team.

-- Security definer: the rule counts every current membership of the team, whoever asks, and
-- locks the team's row so that two leaders stepping down at once are decided one after the
-- other (the second then sees the first's change and is refused). FOR NO KEY UPDATE does not
-- wait for, nor block, new memberships (their foreign key takes FOR KEY SHARE).
create function private.check_team_keeps_leader() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if not (old.role = 'leader' and old.left_at is null) or (new.role = 'leader' and new.left_at is null) then
    return null;
  end if;
  perform 1 from public.teams t where t.id = old.team_id for no key update;
  if not exists (
    select 1 from public.team_members m
    where m.team_id = old.team_id and m.role = 'leader' and m.left_at is null
  ) and exists (
    select 1 from public.team_members m
    where m.team_id = old.team_id and m.left_at is null
  ) then
    raise exception using errcode = '23514', constraint = 'team_members_team_has_leader',
      message = 'a team with members needs a leader: make another member a leader first',
      detail = 'violates constraint "team_members_team_has_leader"';
  end if;
  return null;
end
$$;
grant execute on function private.check_team_keeps_leader() to authenticated, service_role;
-- After the row (and after every row of its statement): a statement that makes one member a
-- leader and another a member is judged by where it leaves the team.
create trigger team_members_team_has_leader after update of role, left_at on public.team_members
  for each row execute function private.check_team_keeps_leader();

-- Functions in private run only where granted above: some are security definer. (Default
-- privileges per schema cannot take away PUBLIC's execute right, so each migration revokes it.)
revoke execute on all functions in schema private from public;
