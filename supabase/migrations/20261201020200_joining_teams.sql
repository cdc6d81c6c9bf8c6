-- Joining a team. Why: only seeded accounts could use the app; a new volunteer could sign up but
-- had no way into a team, and so saw nothing and could log nothing.
--
-- How: each team has one invite code (team_invites), reusable until it expires, which its
-- leaders show (as text and as a QR code of a link into the app) and renew when they like; a new
-- code ends the old one. A signed-in user asks to join with the code (request_to_join); the
-- team's leader, or a coordinator, approves or declines each request (decide_join_request).
-- Approval links the account to a person of the team: the account's own person when it has one
-- (a volunteer of another team), else a person the leader claims for it (someone already named
-- in the team's past events who has no account), else a new person with the name the newcomer
-- gave. Why approval rather than single-use codes that let anyone in at once: a code is shown to a
-- room or passed on, and a team's records are personal data (条例 Art. 20); the leader knows who
-- is in the team, and is the one who can tell that a newcomer is someone already in its events.
-- A guessed code (8 characters of 32 kinds, about 10^12) only ever yields a request that the
-- leader sees and declines; a wrong code tells nothing of any team.
--
-- Writes go through the three functions only (security definer, each checking who calls it);
-- the tables are read under row-level security. Refusals name their rule:
-- join_requests_code_unknown, join_requests_code_expired, join_requests_already_member,
-- join_requests_already_pending, join_requests_decided, join_requests_claim_other_team,
-- join_requests_claim_linked, join_requests_account_has_person, and the denials
-- join_requests_sign_in, join_requests_decide_policy and team_invites_manage_policy (42501). Each
-- refusal also names its rule in the detail: PostgREST passes an error's message and detail to
-- the app, not its constraint (src/api/online.ts reads both).

create table public.team_invites (
  team_id uuid primary key references public.teams (id) on delete cascade,
  code text not null unique constraint team_invites_code_format check (code ~ '^[A-HJ-NP-Z2-9]{8}$'),
  expires_at timestamptz not null,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now()
);
comment on table public.team_invites is
  'Each team''s invite code: reusable until it expires; a renewal replaces it (and so ends the old code).';

create table public.join_requests (
  id uuid primary key default gen_random_uuid(),
  team_id uuid not null references public.teams (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  display_name text not null
    constraint join_requests_display_name_length check (char_length(display_name) between 1 and 50)
    constraint join_requests_display_name_characters check (display_name !~ private.hidden_character_pattern(false)),
  status text not null default 'pending' constraint join_requests_status check (status in ('pending', 'approved', 'declined')),
  person_id uuid references public.people (id) on delete set null,
  decided_by uuid references auth.users (id) on delete set null,
  decided_at timestamptz,
  created_at timestamptz not null default now()
);
comment on table public.join_requests is
  'Requests of signed-in users to join a team, made with its invite code; its leader (or a coordinator) approves or declines each.';
comment on column public.join_requests.person_id is 'The person the account was linked to on approval.';
-- One pending request per account and team (join_requests_already_pending names it first).
create unique index join_requests_one_pending_idx on public.join_requests (team_id, user_id) where status = 'pending';
create index join_requests_user_id_idx on public.join_requests (user_id);
create index join_requests_team_status_idx on public.join_requests (team_id, status);

alter table public.team_invites enable row level security;
alter table public.join_requests enable row level security;
revoke all on public.team_invites, public.join_requests from anon;
revoke insert, update, delete, truncate on public.team_invites, public.join_requests from authenticated;

-- A team's invite: its current leaders and coordinators read it (members pass on the link they
-- were given; the code itself is for the leader to hand out and renew).
create policy "leaders and coordinators read invites" on public.team_invites
  for select to authenticated
  using (team_id in (select private.my_led_team_ids()) or (select private.is_coordinator()));
-- Requests: the user who asked, the team's current leaders, and coordinators.
create policy "requesters, leaders and coordinators read join requests" on public.join_requests
  for select to authenticated
  using (user_id = (select auth.uid()) or team_id in (select private.my_led_team_ids()) or (select private.is_coordinator()));

-- An invite code as typed: capitals, without spaces, hyphens or other separators.
create function private.normalized_invite_code(typed text) returns text
language sql immutable set search_path = ''
as $$ select pg_catalog.regexp_replace(pg_catalog.upper(coalesce(typed, '')), '[^A-Z0-9]', '', 'g') $$;

-- A new random code: 8 characters from 32 that cannot be mistaken for each other (no 0, O, 1, I).
-- 256 is a multiple of 32, so each character is uniform.
create function private.new_invite_code() returns text
language sql volatile set search_path = ''
as $$
  select pg_catalog.string_agg(pg_catalog.substr('ABCDEFGHJKLMNPQRSTUVWXYZ23456789', pg_catalog.get_byte(b.bytes, i) % 32 + 1, 1), '' order by i)
  from (select extensions.gen_random_bytes(8) as bytes) b, pg_catalog.generate_series(0, 7) i
$$;

-- Gives a team a new invite code, valid for valid_days days; the old code stops working.
-- Security definer: invites are written only here, by a current leader of the team or a
-- coordinator.
create function public.renew_team_invite(team_id uuid, valid_days integer default 14) returns public.team_invites
language plpgsql security definer set search_path = ''
as $$
declare
  renewed public.team_invites;
begin
  if renew_team_invite.team_id is null
    or not (renew_team_invite.team_id in (select private.my_led_team_ids()) or private.is_coordinator()) then
    raise exception using errcode = '42501', constraint = 'team_invites_manage_policy',
      detail = 'violates constraint "team_invites_manage_policy"',
      message = 'only the team''s leaders and coordinators manage its invite code';
  end if;
  if valid_days is null or valid_days not between 1 and 90 then
    raise exception using errcode = '23514', constraint = 'team_invites_valid_days_range',
      detail = 'violates constraint "team_invites_valid_days_range"',
      message = 'an invite code is valid for 1 to 90 days';
  end if;
  loop
    begin
      insert into public.team_invites as i (team_id, code, expires_at, created_by)
      values (renew_team_invite.team_id, private.new_invite_code(), pg_catalog.now() + valid_days * interval '1 day',
        (select auth.uid()))
      on conflict on constraint team_invites_pkey do update
        set code = excluded.code, expires_at = excluded.expires_at, created_by = excluded.created_by, created_at = pg_catalog.now()
      returning i.* into renewed;
      exit;
    exception when unique_violation then
      -- Another team has this code (one chance in about 10^12 per team): draw again.
    end;
  end loop;
  return renewed;
end
$$;
comment on function public.renew_team_invite(uuid, integer) is
  'A new invite code for a team (the old one stops working); its leaders and coordinators only.';

-- Asks to join the team whose invite code this is, under the name the newcomer goes by.
-- Security definer: the caller cannot read invites; only whether the code works is told.
create function public.request_to_join(code text, display_name text) returns public.join_requests
language plpgsql security definer set search_path = ''
as $$
declare
  me uuid := (select auth.uid());
  invite public.team_invites;
  made public.join_requests;
begin
  if me is null then
    raise exception using errcode = '42501', constraint = 'join_requests_sign_in',
      detail = 'violates constraint "join_requests_sign_in"', message = 'sign in to join a team';
  end if;
  select * into invite from public.team_invites i where i.code = private.normalized_invite_code(request_to_join.code);
  if invite.team_id is null then
    raise exception using errcode = '23514', constraint = 'join_requests_code_unknown',
      detail = 'violates constraint "join_requests_code_unknown"',
      message = 'no team has this invite code';
  elsif invite.expires_at <= pg_catalog.now() then
    raise exception using errcode = '23514', constraint = 'join_requests_code_expired',
      detail = 'violates constraint "join_requests_code_expired"',
      message = 'this invite code has expired: ask the team''s leader for a new one';
  end if;
  if exists (
    select 1 from public.team_members m join public.people p on p.id = m.person_id
    where p.user_id = me and m.team_id = invite.team_id and m.left_at is null
  ) then
    raise exception using errcode = '23514', constraint = 'join_requests_already_member',
      detail = 'violates constraint "join_requests_already_member"',
      message = 'you are already a member of this team';
  end if;
  if exists (
    select 1 from public.join_requests r where r.user_id = me and r.team_id = invite.team_id and r.status = 'pending'
  ) then
    raise exception using errcode = '23514', constraint = 'join_requests_already_pending',
      detail = 'violates constraint "join_requests_already_pending"',
      message = 'you have asked to join this team already: the leader has not decided yet';
  end if;
  insert into public.join_requests (team_id, user_id, display_name)
  values (invite.team_id, me, pg_catalog.btrim(coalesce(request_to_join.display_name, ''), private.whitespace()))
  returning * into made;
  return made;
exception when unique_violation then
  -- The same request sent twice at once: the other one was recorded.
  raise exception using errcode = '23514', constraint = 'join_requests_already_pending',
    detail = 'violates constraint "join_requests_already_pending"',
    message = 'you have asked to join this team already: the leader has not decided yet';
end
$$;
comment on function public.request_to_join(text, text) is
  'Asks to join the team of an invite code; the team''s leader approves or declines.';

-- Approves or declines a pending request; a current leader of its team or a coordinator only.
-- On approval the account is linked to a person of the team (see the top of this migration):
-- claim is a person of the team (a current or former member) without an account, for a
-- newcomer already named in the team's events. A former membership is taken up again.
-- Security definer: it links an account to a person (which no user may do directly) and makes
-- the membership; every check is made here, and a request of another team is refused as if
-- it did not exist.
create function public.decide_join_request(request_id uuid, approve boolean, claim uuid default null)
returns public.join_requests
language plpgsql security definer set search_path = ''
as $$
declare
  me uuid := (select auth.uid());
  request public.join_requests;
  own_person uuid;
  claimed public.people;
  chosen uuid;
begin
  select * into request from public.join_requests r where r.id = request_id for update;
  if request.id is null
    or not (request.team_id in (select private.my_led_team_ids()) or private.is_coordinator()) then
    raise exception using errcode = '42501', constraint = 'join_requests_decide_policy',
      detail = 'violates constraint "join_requests_decide_policy"',
      message = 'only the team''s leaders and coordinators decide its join requests';
  end if;
  if request.status <> 'pending' then
    raise exception using errcode = '23514', constraint = 'join_requests_decided',
      detail = 'violates constraint "join_requests_decided"',
      message = 'this request has been decided already';
  end if;
  if approve is null then
    raise exception using errcode = '22023', constraint = 'join_requests_decision_format',
      detail = 'violates constraint "join_requests_decision_format"',
      message = 'say whether the request is approved';
  end if;

  if approve then
    select p.id into own_person from public.people p where p.user_id = request.user_id for update;
    if own_person is not null then
      if claim is not null and claim <> own_person then
        raise exception using errcode = '23514', constraint = 'join_requests_account_has_person',
          detail = 'violates constraint "join_requests_account_has_person"',
          message = 'this account is already linked to a person, who joins the team';
      end if;
      chosen := own_person;
    elsif claim is not null then
      select * into claimed from public.people p where p.id = claim for update;
      if claimed.id is null or not exists (
        select 1 from public.team_members m where m.team_id = request.team_id and m.person_id = claim
      ) then
        raise exception using errcode = '23514', constraint = 'join_requests_claim_other_team',
          detail = 'violates constraint "join_requests_claim_other_team"',
          message = 'only a person of the team (a current or former member) can be claimed';
      elsif claimed.user_id is not null then
        raise exception using errcode = '23514', constraint = 'join_requests_claim_linked',
          detail = 'violates constraint "join_requests_claim_linked"',
          message = 'this person is already linked to an account';
      end if;
      update public.people p set user_id = request.user_id where p.id = claim;
      chosen := claim;
    else
      insert into public.people (display_name, user_id) values (request.display_name, request.user_id)
      returning id into chosen;
    end if;
    insert into public.team_members as m (team_id, person_id, role) values (request.team_id, chosen, 'member')
    on conflict on constraint team_members_pkey do update set left_at = null, role = 'member'
      where m.left_at is not null;
  end if;

  update public.join_requests r
  set status = case when approve then 'approved' else 'declined' end,
    person_id = chosen, decided_by = me, decided_at = pg_catalog.now()
  where r.id = request.id
  returning * into request;
  return request;
end
$$;
comment on function public.decide_join_request(uuid, boolean, uuid) is
  'Approves (linking the account to a person of the team) or declines a join request; the team''s leaders and coordinators only.';

revoke execute on function public.renew_team_invite(uuid, integer), public.request_to_join(text, text),
  public.decide_join_request(uuid, boolean, uuid) from public, anon;
grant execute on function public.renew_team_invite(uuid, integer), public.request_to_join(text, text),
  public.decide_join_request(uuid, boolean, uuid) to authenticated, service_role;
grant execute on function private.normalized_invite_code(text), private.new_invite_code() to authenticated, service_role;

-- Functions in private run only where granted above. (Default privileges per schema cannot take
-- away PUBLIC's execute right, so each migration revokes it.)
revoke execute on all functions in schema private from public;
