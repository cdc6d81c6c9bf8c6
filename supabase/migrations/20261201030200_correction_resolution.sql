-- How a correction request (异议, 办法 Art. 12-13) ends: a leader of the event's team, or a
-- coordinator, checks the record and either corrects it, through the normal path (an edit pushed
-- like any other, under the ledger's rules: in a closed month that is an adjustment request),
-- and marks the request resolved, or declines it with a reason the volunteer reads. A request is
-- marked resolved only once the event was changed after it was made: "corrected" is a fact the
-- audit trail shows, not a word. Each request keeps the revision its event had when it was made
-- (event_revision); a correction is an edit, delete or change of participants in the trail with
-- a later revision (a confirmation alone is none). Revisions, not clocks: they order the writes. The decision is written by public.resolve_correction_request
-- alone; the ledger's audit trigger on correction_requests records it (resolve or decline) with
-- who and when, next to the request itself, and my_requests() carries it to the volunteer's phone.

alter table public.correction_requests drop constraint correction_requests_status,
  add constraint correction_requests_status check (status in ('pending', 'resolved', 'declined')),
  add constraint correction_requests_resolution_length check (char_length(resolution) between 1 and 500),
  add constraint correction_requests_resolution_characters check (resolution !~ private.hidden_character_pattern(true));

alter table public.correction_requests add column event_revision bigint;
comment on column public.correction_requests.event_revision is 'The revision of the event when the request was made.';
update public.correction_requests r set event_revision = e.revision from public.service_events e where e.id = r.event_id;
alter table public.correction_requests alter column event_revision set not null;

create function private.stamp_correction_request_revision() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  select e.revision into new.event_revision from public.service_events e where e.id = new.event_id;
  return new;
end
$$;
grant execute on function private.stamp_correction_request_revision() to authenticated, service_role;
create trigger correction_requests_event_revision before insert on public.correction_requests
  for each row execute function private.stamp_correction_request_revision();

-- p_corrected: the record was corrected (the note says how, optional), or declined (the reason
-- is required). Security definer: no API role writes requests; the checks come first.
create function public.resolve_correction_request(p_request_id uuid, p_corrected boolean, p_note text default null)
returns jsonb
language plpgsql volatile security definer set search_path = ''
as $$
declare
  request public.correction_requests;
  decision text := nullif(pg_catalog.btrim(coalesce(p_note, ''), private.whitespace()), '');
begin
  select * into request from public.correction_requests r where r.id = p_request_id for update;
  if request.id is null then
    raise exception using errcode = '22023', constraint = 'correction_requests_unknown',
      message = 'there is no such correction request';
  elsif not (request.team_id in (select private.my_led_team_ids()) or private.is_coordinator()) then
    raise exception using errcode = '42501', constraint = 'correction_requests_resolver_policy',
      message = 'only a leader of the event''s team or a coordinator resolves a correction request';
  elsif request.status <> 'pending' then
    raise exception using errcode = '23514', constraint = 'correction_requests_decided',
      message = 'the request is resolved already';
  elsif p_corrected is null then
    raise exception using errcode = '22023', constraint = 'correction_requests_format',
      message = 'say whether the record was corrected';
  elsif not p_corrected and decision is null then
    raise exception using errcode = '23514', constraint = 'correction_requests_resolution_length',
      message = 'a declined request needs a reason';
  elsif p_corrected and not exists (
    select from public.audit_trail a
    where a.event_id = request.event_id and a.subject = 'event' and a.action in ('edit', 'delete', 'participants')
      and a.revision > request.event_revision
  ) then
    raise exception using errcode = '23514', constraint = 'correction_requests_not_corrected',
      message = 'the event has not been changed since the request: correct it first (and let it sync), or decline';
  end if;
  update public.correction_requests r
  set status = case when p_corrected then 'resolved' else 'declined' end, resolved_at = now(),
    resolved_by = (select auth.uid()), resolution = decision
  where r.id = request.id
  returning * into request;
  return pg_catalog.to_jsonb(request);
end
$$;
comment on function public.resolve_correction_request(uuid, boolean, text) is
  'A leader of the team or a coordinator marks a correction request resolved (the event was changed since) or declines it with a reason.';
revoke execute on function public.resolve_correction_request(uuid, boolean, text) from anon, public;
grant execute on function public.resolve_correction_request(uuid, boolean, text) to authenticated, service_role;

-- Functions in private run only where granted above: some are security definer. (Default
-- privileges per schema cannot take away PUBLIC's execute right, so each migration revokes it.)
revoke execute on all functions in schema private from public;
