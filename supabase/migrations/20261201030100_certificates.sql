-- 志愿服务记录证明 (办法 Art. 14-17 and the 2015 sample, 民发〔2015〕149号): a volunteer asks for a
-- certificate of their service with one recording unit over a period; a leader of that unit's
-- teams or a coordinator issues it, online, free of charge, from the confirmed records only; anyone
-- holding the certificate checks it through one function, without signing in.
--
-- - The counting rule lives here once: private.counts_toward_certified_hours (a record counts
--   when it is not deleted and its current version is confirmed), used by
--   private.certified_service, which every certificate is built from. The phone holds the same
--   rule in src/domain/service-record.ts (test/integration/certified-hours.test.ts holds the two
--   to the same answers).
-- - One certificate per recording unit ("谁记录谁证明": the teams' recording_unit). Numbers run per
--   issuer (the unit) and year without gaps or duplicates: each issue takes the counter row of
--   its issuer and year (insert ... on conflict do update), which stays locked until the issue
--   commits, so concurrent issuers wait for each other, and a failed issue rolls its number back.
-- - A certificate is a snapshot: the holder's name, ID type and masked number and volunteer
--   number, each event counted (date, activity, service content, hours, revision), the exact sum
--   of their hours, the period, the issuer, its person in charge, the handler, a contact, notes.
--   Its content hash (SHA-256 of the content and a random salt) is printed in its QR code with its
--   number. It never changes afterwards, except to be revoked with a reason; a reissue revokes the
--   old one and names it.
-- - public.verify_certificate(number, hash) is all that anon may call: it answers only the status
--   (valid or revoked), the masked name, the hours, the period, the issuer and the issue date, and
--   nothing for a number whose hash does not match.

-- ---------------------------------------------------------------------------------------------
-- The rule, and the service it counts.
create function private.counts_toward_certified_hours(deleted_at timestamptz, confirmed_at timestamptz) returns boolean
language sql immutable parallel safe set search_path = ''
as $$ select deleted_at is null and confirmed_at is not null $$;
comment on function private.counts_toward_certified_hours(timestamptz, timestamptz) is
  'Which records count toward certified hours: on record (not deleted) and confirmed in their current version.';

-- The person's service that counts, with one recording unit, on the dates from and to (inclusive,
-- in Kunming), oldest first. Security definer: the issuer may not read every event it certifies
-- (the callers check who may issue first).
create function private.certified_service(p_person_id uuid, p_recording_unit text, p_from date, p_to date)
returns table (event_id uuid, revision bigint, team_id uuid, service_date date, title text, service_content text,
  place text, hours numeric)
language sql stable security definer set search_path = ''
as $$
  select e.id, e.revision, e.team_id, (e.started_at at time zone 'Asia/Shanghai')::date, e.title, e.service_content,
    e.place, p.hours
  from public.event_participants p
  join public.service_events e on e.id = p.event_id
  join public.teams t on t.id = e.team_id
  where p.person_id = p_person_id and t.recording_unit = p_recording_unit
    and private.counts_toward_certified_hours(e.deleted_at, e.confirmed_at)
    and (e.started_at at time zone 'Asia/Shanghai')::date between p_from and p_to
  order by 4, 1
$$;

-- As src/domain/privacy.ts: the first character and a star for each other one; an ID number's
-- first four and last four characters (shorter ones: the first only).
create function private.mask_name(name text) returns text
language sql immutable parallel safe set search_path = ''
as $$ select pg_catalog.left(name, 1) || pg_catalog.repeat('*', greatest(1, char_length(name) - 1)) $$;

create function private.mask_id_number(id_number text) returns text
language sql immutable parallel safe set search_path = ''
as $$
  select case when id_number = '' then ''
    when char_length(id_number) <= 8 then pg_catalog.left(id_number, 1) || pg_catalog.repeat('*', char_length(id_number) - 1)
    else pg_catalog.left(id_number, 4) || pg_catalog.repeat('*', char_length(id_number) - 8) || pg_catalog.right(id_number, 4) end
$$;

-- The recording units of the teams the caller leads now; and whether the caller may certify for
-- a unit: a coordinator, or the leader of every team that has it.
create function private.my_led_recording_units() returns setof text
language sql stable security definer set search_path = ''
as $$ select t.recording_unit from public.teams t where t.id in (select private.my_led_team_ids()) $$;

create function private.may_certify_for(p_recording_unit text) returns boolean
language sql stable security definer set search_path = ''
as $$
  select private.is_coordinator() or (
    exists (select from public.teams t where t.recording_unit = p_recording_unit)
    and not exists (select from public.teams t where t.recording_unit = p_recording_unit
      and t.id not in (select private.my_led_team_ids())))
$$;

grant execute on function private.counts_toward_certified_hours(timestamptz, timestamptz),
  private.certified_service(uuid, text, date, date), private.mask_name(text), private.mask_id_number(text),
  private.my_led_recording_units(), private.may_certify_for(text)
  to authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- Requests.
create table public.certificate_requests (
  id uuid primary key default gen_random_uuid(),
  person_id uuid not null references public.people (id) on delete cascade,
  requested_by uuid not null default auth.uid() references auth.users (id) on delete cascade,
  recording_unit text not null,
  period_start date not null,
  period_end date not null,
  note text not null default '',
  requested_at timestamptz not null default now(),
  status text not null default 'pending' constraint certificate_requests_status check (status in ('pending', 'issued', 'declined')),
  decided_at timestamptz,
  decided_by uuid references auth.users (id),
  decline_reason text,
  constraint certificate_requests_period check (period_start <= period_end and period_start >= date '2000-01-01'),
  constraint certificate_requests_note_length check (char_length(note) <= 500),
  constraint certificate_requests_note_characters check (note !~ private.hidden_character_pattern(true)),
  constraint certificate_requests_decline_reason_length check (char_length(decline_reason) between 1 and 500),
  constraint certificate_requests_decline_reason_characters check (decline_reason !~ private.hidden_character_pattern(true))
);
comment on table public.certificate_requests is
  'A volunteer''s request for a certificate of their service with one recording unit over a period.';
create index certificate_requests_person_id_idx on public.certificate_requests (person_id, requested_at desc);
create index certificate_requests_requested_by_idx on public.certificate_requests (requested_by);
create index certificate_requests_recording_unit_idx on public.certificate_requests (recording_unit, requested_at desc);
create index certificate_requests_decided_by_idx on public.certificate_requests (decided_by);

-- ---------------------------------------------------------------------------------------------
-- Certificates and their numbers.

-- A certificate's items: a non-empty array of objects, each with hours above zero.
create function private.are_certificate_items(items jsonb) returns boolean
language sql immutable parallel safe set search_path = ''
as $$
  select pg_catalog.jsonb_typeof(items) = 'array' and pg_catalog.jsonb_array_length(items) > 0
    and not exists (select from pg_catalog.jsonb_array_elements(items) i
      where case when pg_catalog.jsonb_typeof(i -> 'hours') = 'number' then (i ->> 'hours')::numeric <= 0 else true end)
$$;

-- The exact sum of the items' hours.
create function private.items_hours(items jsonb) returns numeric
language sql immutable parallel safe set search_path = ''
as $$ select coalesce(sum((i ->> 'hours')::numeric), 0) from pg_catalog.jsonb_array_elements(items) i $$;

grant execute on function private.are_certificate_items(jsonb), private.items_hours(jsonb) to authenticated, service_role;

create table public.certificate_counters (
  issuer text not null,
  year integer not null,
  last_serial integer not null,
  primary key (issuer, year)
);
comment on table public.certificate_counters is
  'The last certificate number of each issuer and year; its row is locked by each issue until it commits.';

create table public.certificates (
  id uuid primary key default gen_random_uuid(),
  -- YYYY-NNNN: unique per issuer and year, with no gaps.
  certificate_no text not null,
  issuer text not null,
  year integer not null,
  serial integer not null,
  person_id uuid not null references public.people (id),
  request_id uuid references public.certificate_requests (id),
  -- The certificate this one reissues (each at most once).
  replaces uuid unique references public.certificates (id),
  holder_name text not null,
  id_type text not null,
  id_number_masked text not null,
  volunteer_number text not null,
  period_start date not null,
  period_end date not null,
  -- [{event_id, revision, date, title, service_content, hours}], oldest first.
  items jsonb not null,
  total_hours numeric(8, 2) not null,
  issuer_person_in_charge text not null,
  handler text not null,
  contact text not null,
  notes text not null default '',
  issued_at timestamptz not null default now(),
  issued_by uuid not null references auth.users (id),
  salt bytea not null default extensions.gen_random_bytes(16),
  -- Hex SHA-256 of the content (private.certificate_content) and the salt.
  content_hash text not null,
  revoked_at timestamptz,
  revoked_by uuid references auth.users (id),
  revoke_reason text,
  unique (issuer, year, serial),
  unique (certificate_no, content_hash),
  constraint certificates_person_in_charge_length check (char_length(issuer_person_in_charge) between 1 and 50),
  constraint certificates_person_in_charge_characters check (issuer_person_in_charge !~ private.hidden_character_pattern(false)),
  constraint certificates_handler_length check (char_length(handler) between 1 and 50),
  constraint certificates_handler_characters check (handler !~ private.hidden_character_pattern(false)),
  constraint certificates_contact_format check (private.is_phone_number(contact)),
  constraint certificates_notes_length check (char_length(notes) <= 500),
  constraint certificates_notes_characters check (notes !~ private.hidden_character_pattern(true)),
  constraint certificates_revoke_reason_length check (char_length(revoke_reason) between 1 and 500),
  constraint certificates_revoke_reason_characters check (revoke_reason !~ private.hidden_character_pattern(true)),
  constraint certificates_items_format check (private.are_certificate_items(items)),
  constraint certificates_total_is_sum check (total_hours = private.items_hours(items))
);
comment on table public.certificates is
  '志愿服务记录证明: a snapshot of a volunteer''s confirmed service with one recording unit, numbered per issuer and year, sealed by a content hash; revocable with a reason.';
create index certificates_person_id_idx on public.certificates (person_id, issued_at desc);
create index certificates_issuer_idx on public.certificates (issuer, issued_at desc);
create index certificates_request_id_idx on public.certificates (request_id);
create index certificates_issued_by_idx on public.certificates (issued_by);
create index certificates_revoked_by_idx on public.certificates (revoked_by);

alter table public.certificate_requests add column certificate_id uuid references public.certificates (id);
create index certificate_requests_certificate_id_idx on public.certificate_requests (certificate_id);

-- What a certificate says, as one canonical JSON value (jsonb orders its keys): everything
-- printed on it. Its hash, with the salt, is the certificate's seal.
create function private.certificate_content(c public.certificates) returns jsonb
language sql immutable set search_path = ''
as $$
  select pg_catalog.jsonb_build_object(
    'certificate_no', c.certificate_no, 'issuer', c.issuer, 'replaces', c.replaces,
    'holder_name', c.holder_name, 'id_type', c.id_type, 'id_number_masked', c.id_number_masked,
    'volunteer_number', c.volunteer_number, 'period_start', c.period_start, 'period_end', c.period_end,
    'items', c.items, 'total_hours', c.total_hours, 'issuer_person_in_charge', c.issuer_person_in_charge,
    'handler', c.handler, 'contact', c.contact, 'notes', c.notes,
    'issued_on', (c.issued_at at time zone 'Asia/Shanghai')::date)
$$;

create function private.certificate_hash(c public.certificates) returns text
language sql immutable set search_path = ''
as $$
  select pg_catalog.encode(pg_catalog.sha256(
    pg_catalog.convert_to(private.certificate_content(c)::text || pg_catalog.encode(c.salt, 'hex'), 'UTF8')), 'hex')
$$;
grant execute on function private.certificate_content(public.certificates), private.certificate_hash(public.certificates)
  to authenticated, service_role;

-- Seals a new certificate (the number and hash are the server's); afterwards only its
-- revocation may be written, once.
create function private.seal_certificate() returns trigger
language plpgsql security invoker set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    new.certificate_no := new.year || '-' || pg_catalog.lpad(new.serial::text, 4, '0');
    new.content_hash := private.certificate_hash(new);
    return new;
  end if;
  if old.revoked_at is not null
      or (pg_catalog.to_jsonb(new) - '{revoked_at,revoked_by,revoke_reason}'::text[])
        is distinct from (pg_catalog.to_jsonb(old) - '{revoked_at,revoked_by,revoke_reason}'::text[]) then
    raise exception using errcode = '23514', constraint = 'certificates_sealed',
      message = 'an issued certificate does not change; revoke it and issue another';
  end if;
  return new;
end
$$;
grant execute on function private.seal_certificate() to authenticated, service_role;
create trigger a_seal before insert or update on public.certificates
  for each row execute function private.seal_certificate();

-- ---------------------------------------------------------------------------------------------
-- Who reads what. Nobody writes these tables through the API: the functions below do, after
-- their checks. The holder reads their requests and certificates; leaders those of their teams'
-- recording units; coordinators all. Counters are read by nobody.
alter table public.certificate_requests enable row level security;
alter table public.certificates enable row level security;
alter table public.certificate_counters enable row level security;
revoke all on public.certificate_requests, public.certificates, public.certificate_counters from anon;
revoke insert, update, delete, truncate on public.certificate_requests, public.certificates from authenticated, service_role;
revoke all on public.certificate_counters from authenticated, service_role;

create policy "holders, leaders and coordinators read certificate requests" on public.certificate_requests
  for select to authenticated
  using (person_id = (select private.my_person_id()) or recording_unit in (select private.my_led_recording_units())
    or (select private.is_coordinator()));
create policy "holders, leaders and coordinators read certificates" on public.certificates
  for select to authenticated
  using (person_id = (select private.my_person_id()) or issuer in (select private.my_led_recording_units())
    or (select private.is_coordinator()));

-- ---------------------------------------------------------------------------------------------
-- The volunteer asks: for a unit they served with (any record of theirs in one of its teams), for
-- a period that has ended by today.
create function public.request_certificate(p_recording_unit text, p_period_start date, p_period_end date,
  p_note text default '')
returns jsonb
language plpgsql volatile security definer set search_path = ''
as $$
declare
  me uuid := private.my_person_id();
  request public.certificate_requests;
begin
  if me is null then
    raise exception using errcode = '42501', constraint = 'person_profiles_own_person',
      message = 'this account is not linked to a volunteer';
  elsif not exists (
    select from public.event_participants p
    join public.service_events e on e.id = p.event_id and e.deleted_at is null
    join public.teams t on t.id = e.team_id
    where p.person_id = me and t.recording_unit = p_recording_unit
  ) then
    raise exception using errcode = '23514', constraint = 'certificate_requests_recording_unit',
      message = 'you have no service recorded by this unit';
  elsif p_period_end > (now() at time zone 'Asia/Shanghai')::date then
    raise exception using errcode = '23514', constraint = 'certificate_requests_period',
      message = 'the period must have ended by today';
  end if;
  insert into public.certificate_requests (person_id, requested_by, recording_unit, period_start, period_end, note)
  values (me, (select auth.uid()), p_recording_unit, p_period_start, p_period_end,
    pg_catalog.btrim(coalesce(p_note, ''), private.whitespace()))
  returning * into request;
  return pg_catalog.to_jsonb(request);
end
$$;
comment on function public.request_certificate(text, date, date, text) is
  'The caller asks for a certificate of their service with a recording unit over a period.';

-- The request, locked, if the caller may decide it (22023 when unknown or not theirs to see).
create function private.pending_certificate_request(p_request_id uuid) returns public.certificate_requests
language plpgsql volatile security definer set search_path = ''
as $$
declare
  request public.certificate_requests;
begin
  select * into request from public.certificate_requests r where r.id = p_request_id for update;
  if request.id is null then
    raise exception using errcode = '22023', constraint = 'certificate_requests_unknown',
      message = 'there is no such certificate request';
  elsif not private.may_certify_for(request.recording_unit) then
    raise exception using errcode = '42501', constraint = 'certificates_issuer_policy',
      message = 'only the recording unit''s team leaders or a coordinator issue its certificates';
  elsif request.status <> 'pending' then
    raise exception using errcode = '23514', constraint = 'certificate_requests_decided',
      message = 'the request is decided already';
  end if;
  return request;
end
$$;

-- Writes a certificate of a person's confirmed service with a unit over a period: the next number
-- of the issuer's year (the counter row stays locked until the caller's transaction ends), the
-- holder as their profile says now, the items and their exact sum, sealed. details: {person_in_charge,
-- handler, contact, notes}; each checked by the table's rules.
create function private.write_certificate(p_person_id uuid, p_recording_unit text, p_from date, p_to date,
  p_details jsonb, p_request_id uuid, p_replaces uuid)
returns public.certificates
language plpgsql volatile security definer set search_path = ''
as $$
declare
  issued public.certificates;
  service jsonb;
  holder record;
  issue_year integer := extract(year from now() at time zone 'Asia/Shanghai')::integer;
  next_serial integer;
begin
  select coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('event_id', s.event_id, 'revision', s.revision,
      'date', s.service_date, 'title', s.title, 'service_content', s.service_content, 'hours', s.hours)
      order by s.service_date, s.event_id), '[]')
  into service
  from private.certified_service(p_person_id, p_recording_unit, p_from, p_to) s;
  if pg_catalog.jsonb_array_length(service) = 0 then
    raise exception using errcode = '23514', constraint = 'certificates_no_certified_service',
      message = 'no confirmed service of this volunteer with this unit in the period';
  end if;
  select p.display_name, coalesce(i.id_type, 'resident_id') as id_type, coalesce(i.id_number, '') as id_number,
    coalesce(f.volunteer_number, '') as volunteer_number
  into holder
  from public.people p
  left join public.person_identities i on i.person_id = p.id
  left join public.person_profiles f on f.person_id = p.id
  where p.id = p_person_id;
  if holder.id_number = '' then
    raise exception using errcode = '23514', constraint = 'certificates_holder_id_number',
      message = 'the volunteer''s ID number is missing from their profile';
  end if;

  insert into public.certificate_counters as c (issuer, year, last_serial) values (p_recording_unit, issue_year, 1)
  on conflict (issuer, year) do update set last_serial = c.last_serial + 1
  returning c.last_serial into next_serial;

  insert into public.certificates (issuer, year, serial, person_id, request_id, replaces, holder_name, id_type,
    id_number_masked, volunteer_number, period_start, period_end, items, total_hours, issuer_person_in_charge,
    handler, contact, notes, issued_by, certificate_no, content_hash)
  values (p_recording_unit, issue_year, next_serial, p_person_id, p_request_id, p_replaces, holder.display_name,
    holder.id_type, private.mask_id_number(holder.id_number), holder.volunteer_number, p_from, p_to, service,
    private.items_hours(service),
    pg_catalog.btrim(coalesce(p_details ->> 'person_in_charge', ''), private.whitespace()),
    pg_catalog.btrim(coalesce(p_details ->> 'handler', ''), private.whitespace()),
    pg_catalog.regexp_replace(coalesce(p_details ->> 'contact', ''), '[' || private.whitespace() || ']', '', 'g'),
    pg_catalog.btrim(coalesce(p_details ->> 'notes', ''), private.whitespace()),
    (select auth.uid()), '', '')
  returning * into issued;
  return issued;
end
$$;

grant execute on function private.pending_certificate_request(uuid),
  private.write_certificate(uuid, text, date, date, jsonb, uuid, uuid) to authenticated, service_role;

-- A leader of the unit's teams or a coordinator issues the requested certificate.
create function public.issue_certificate(p_request_id uuid, p_details jsonb) returns jsonb
language plpgsql volatile security definer set search_path = ''
as $$
declare
  request public.certificate_requests := private.pending_certificate_request(p_request_id);
  issued public.certificates;
begin
  issued := private.write_certificate(request.person_id, request.recording_unit, request.period_start,
    request.period_end, p_details, request.id, null);
  update public.certificate_requests r
  set status = 'issued', decided_at = now(), decided_by = (select auth.uid()), certificate_id = issued.id
  where r.id = request.id;
  return pg_catalog.to_jsonb(issued) - 'salt';
end
$$;
comment on function public.issue_certificate(uuid, jsonb) is
  'Issues the certificate a volunteer asked for, from their confirmed service; details: person_in_charge, handler, contact, notes.';

-- Declined, with a reason the volunteer reads.
create function public.decline_certificate_request(p_request_id uuid, p_reason text) returns jsonb
language plpgsql volatile security definer set search_path = ''
as $$
declare
  request public.certificate_requests := private.pending_certificate_request(p_request_id);
begin
  update public.certificate_requests r
  set status = 'declined', decided_at = now(), decided_by = (select auth.uid()),
    decline_reason = coalesce(pg_catalog.btrim(p_reason, private.whitespace()), '')
  where r.id = request.id
  returning * into request;
  return pg_catalog.to_jsonb(request);
end
$$;

-- The certificate, locked, if the caller may revoke or reissue it and it is still valid.
create function private.valid_certificate(p_certificate_id uuid) returns public.certificates
language plpgsql volatile security definer set search_path = ''
as $$
declare
  found public.certificates;
begin
  select * into found from public.certificates c where c.id = p_certificate_id for update;
  if found.id is null then
    raise exception using errcode = '22023', constraint = 'certificates_unknown', message = 'there is no such certificate';
  elsif not private.may_certify_for(found.issuer) then
    raise exception using errcode = '42501', constraint = 'certificates_issuer_policy',
      message = 'only the recording unit''s team leaders or a coordinator revoke its certificates';
  elsif found.revoked_at is not null then
    raise exception using errcode = '23514', constraint = 'certificates_revoked', message = 'the certificate is revoked already';
  end if;
  return found;
end
$$;
grant execute on function private.valid_certificate(uuid) to authenticated, service_role;

-- Revoked with a reason: it stays, and its verification says revoked.
create function public.revoke_certificate(p_certificate_id uuid, p_reason text) returns jsonb
language plpgsql volatile security definer set search_path = ''
as $$
declare
  revoked public.certificates := private.valid_certificate(p_certificate_id);
begin
  update public.certificates c
  set revoked_at = now(), revoked_by = (select auth.uid()),
    revoke_reason = coalesce(pg_catalog.btrim(p_reason, private.whitespace()), '')
  where c.id = revoked.id
  returning * into revoked;
  return pg_catalog.to_jsonb(revoked) - 'salt';
end
$$;

-- Reissued: the old one is revoked with the reason, and a new one (the next number, the
-- confirmed service as it stands now) names it.
create function public.reissue_certificate(p_certificate_id uuid, p_reason text, p_details jsonb) returns jsonb
language plpgsql volatile security definer set search_path = ''
as $$
declare
  old public.certificates := private.valid_certificate(p_certificate_id);
  issued public.certificates;
begin
  update public.certificates c
  set revoked_at = now(), revoked_by = (select auth.uid()),
    revoke_reason = coalesce(pg_catalog.btrim(p_reason, private.whitespace()), '')
  where c.id = old.id;
  issued := private.write_certificate(old.person_id, old.issuer, old.period_start, old.period_end, p_details,
    old.request_id, old.id);
  return pg_catalog.to_jsonb(issued) - 'salt';
end
$$;

-- ---------------------------------------------------------------------------------------------
-- Verification, for anyone: the certificate's number and hash, or nothing. Security definer:
-- anon holds no grant on any table; this answers only the fields the verification page shows.
create function public.verify_certificate(p_certificate_no text, p_hash text) returns jsonb
language sql stable security definer set search_path = ''
as $$
  select pg_catalog.jsonb_build_object(
    'status', case when c.revoked_at is null then 'valid' else 'revoked' end,
    'holder_name', private.mask_name(c.holder_name), 'total_hours', c.total_hours,
    'period_start', c.period_start, 'period_end', c.period_end, 'issuer', c.issuer,
    'issued_on', (c.issued_at at time zone 'Asia/Shanghai')::date)
  from public.certificates c
  where c.certificate_no = p_certificate_no and c.content_hash = pg_catalog.lower(p_hash)
$$;
comment on function public.verify_certificate(text, text) is
  'Anyone checks a certificate by its number and hash: status, masked name, hours, period, issuer, issue date; null when they do not match.';

revoke execute on function public.request_certificate(text, date, date, text), public.issue_certificate(uuid, jsonb),
  public.decline_certificate_request(uuid, text), public.revoke_certificate(uuid, text),
  public.reissue_certificate(uuid, text, jsonb), public.verify_certificate(text, text) from anon, public;
grant execute on function public.request_certificate(text, date, date, text), public.issue_certificate(uuid, jsonb),
  public.decline_certificate_request(uuid, text), public.revoke_certificate(uuid, text),
  public.reissue_certificate(uuid, text, jsonb) to authenticated, service_role;
grant execute on function public.verify_certificate(text, text) to anon, authenticated, service_role;

-- Functions in private run only where granted above: some are security definer. (Default
-- privileges per schema cannot take away PUBLIC's execute right, so each migration revokes it.)
revoke execute on all functions in schema private from public;
