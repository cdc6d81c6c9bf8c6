-- Complete records (《志愿服务记录与证明出具办法（试行）》 Art. 7): each service event also holds
-- its place (地点), what the volunteers did (服务内容, apart from the free note), the person in
-- charge (活动负责人, one of the participants) and the organizing unit (活动组织单位), and when it
-- was recorded (for Art. 11: recorded within 10 working days). Teams get the unit that records
-- their service (recording_unit, by default their chamber).
--
-- Older app versions push events without these fields, and must go on working: whatever a write
-- leaves out gets its default here (the station's address, the title, the team's recording
-- unit, the time of recording), and the push picks the person in charge from the participants
-- (the team's current leader when taking part, else whoever gave the most hours, ties to the
-- lowest person id). An edit that leaves a field out keeps its value. Existing rows are filled the
-- same way; their revisions stay as they were, so that no change queued on a phone turns into a
-- conflict (a phone that wants the new fields of events it already has pulls from the start).

-- ---------------------------------------------------------------------------------------------
-- Teams: the recording unit.
alter table public.teams add column recording_unit text;
comment on column public.teams.recording_unit is
  'The unit that records the team''s service and certifies it (活动组织单位 of its events); by default its chamber.';

-- A new team's recording unit is its chamber (or its name when it has none) unless given; typed
-- text is trimmed like the other columns (after a_trim_typed_text, which trims name and chamber).
create function private.fill_recording_unit() returns trigger
language plpgsql security invoker set search_path = ''
as $$
begin
  new.recording_unit := pg_catalog.btrim(new.recording_unit, private.whitespace());
  if tg_op = 'INSERT' and coalesce(new.recording_unit, '') = '' then
    new.recording_unit := coalesce(nullif(new.chamber, ''), new.name);
  elsif new.recording_unit is null then
    new.recording_unit := '';
  end if;
  return new;
end
$$;
grant execute on function private.fill_recording_unit() to authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- Events: the new columns.
alter table public.service_events
  add column place text,
  add column service_content text,
  add column person_in_charge uuid references public.people (id),
  add column organizing_unit text,
  add column recorded_at timestamptz;
comment on column public.service_events.place is 'Where the service took place (地点); by default the station''s address.';
comment on column public.service_events.service_content is 'What the volunteers did (服务内容); by default the title.';
comment on column public.service_events.person_in_charge is 'The person in charge (活动负责人), one of the participants.';
comment on column public.service_events.organizing_unit is 'The organizing unit (活动组织单位); by default the team''s recording unit.';
comment on column public.service_events.recorded_at is
  'When the event was recorded (on the phone, offline included), between its start and its arrival on the server.';
create index service_events_person_in_charge_idx on public.service_events (person_in_charge);

-- The person in charge of an event with these participants ([{person_id, hours}]): `kept` when
-- it is one of them (an edit keeps its person in charge), else the team's current leader when
-- taking part, else whoever gave the most hours, ties to the lowest person id. Security definer:
-- reads the team's roles whoever asks (the caller's policies decide what they may write).
create function private.person_in_charge_for(kept uuid, team uuid, participants jsonb) returns uuid
language sql stable security definer set search_path = ''
as $$
  select (x ->> 'person_id')::uuid
  from pg_catalog.jsonb_array_elements(participants) x
  left join public.team_members m on m.team_id = team and m.person_id = (x ->> 'person_id')::uuid
    and m.role = 'leader' and m.left_at is null
  order by (x ->> 'person_id')::uuid is not distinct from kept desc, m.person_id is not null desc,
    (x ->> 'hours')::numeric desc, (x ->> 'person_id')::uuid
  limit 1
$$;
grant execute on function private.person_in_charge_for(uuid, uuid, jsonb) to authenticated, service_role;

-- The fill of the existing rows (before the rules below, which then hold for every later write).
-- With the tables' triggers off: the figures and revisions do not change, nothing is re-checked
-- that was accepted before. The not-valid character rules are dropped meanwhile and added again
-- as they were: an update re-checks every rule of the row, and an old row may break one.
alter table public.teams disable trigger user;
alter table public.teams drop constraint teams_name_characters, drop constraint teams_chamber_characters;
update public.teams set recording_unit = pg_catalog.left(coalesce(
  nullif(pg_catalog.btrim(chamber, private.whitespace()), ''), pg_catalog.btrim(name, private.whitespace())), 100);
alter table public.teams
  add constraint teams_name_characters check (name !~ private.hidden_character_pattern(false)) not valid,
  add constraint teams_chamber_characters check (chamber !~ private.hidden_character_pattern(false)) not valid;
alter table public.teams enable trigger user;

alter table public.service_events disable trigger user;
alter table public.service_events drop constraint service_events_title_characters,
  drop constraint service_events_note_characters, drop constraint service_events_materials_description_characters;
update public.service_events e set
  place = s.address,
  service_content = pg_catalog.left(coalesce(nullif(pg_catalog.btrim(e.title, private.whitespace()), ''), e.title), 500),
  organizing_unit = t.recording_unit,
  recorded_at = least(greatest(e.created_at, e.started_at), pg_catalog.now()),
  -- From the participants; an event with none (possible only for rows written before the rule
  -- of at least one participant) gets the team's leader, or the person who recorded it.
  person_in_charge = coalesce(
    private.person_in_charge_for(null, e.team_id, (
      select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('person_id', p.person_id, 'hours', p.hours))
      from public.event_participants p where p.event_id = e.id)),
    (select m.person_id from public.team_members m where m.team_id = e.team_id
     order by m.left_at is null desc, m.role = 'leader' desc, m.joined_at, m.person_id limit 1),
    (select p.id from public.people p where p.user_id = e.recorded_by))
from public.stations s, public.teams t
where s.id = e.station_id and t.id = e.team_id;
alter table public.service_events
  add constraint service_events_title_characters check (title !~ private.hidden_character_pattern(false)) not valid,
  add constraint service_events_note_characters check (note !~ private.hidden_character_pattern(true)) not valid,
  add constraint service_events_materials_description_characters
    check (materials_description !~ private.hidden_character_pattern(false)) not valid;
alter table public.service_events enable trigger user;

-- ---------------------------------------------------------------------------------------------
-- The rules, for every later write. (Not valid, as the typed-text rules: the fill copied text
-- written before those rules.)
alter table public.teams
  alter column recording_unit set not null,
  add constraint teams_recording_unit_length check (char_length(recording_unit) between 1 and 100) not valid,
  add constraint teams_recording_unit_characters check (recording_unit !~ private.hidden_character_pattern(false)) not valid;
alter table public.service_events
  alter column place set not null,
  alter column service_content set not null,
  alter column person_in_charge set not null,
  alter column organizing_unit set not null,
  alter column recorded_at set not null,
  add constraint service_events_place_length check (char_length(place) <= 200) not valid,
  add constraint service_events_place_characters check (place !~ private.hidden_character_pattern(false)) not valid,
  add constraint service_events_service_content_length check (char_length(service_content) between 1 and 500) not valid,
  -- Like the note, what the volunteers did may run over several lines.
  add constraint service_events_service_content_characters
    check (service_content !~ private.hidden_character_pattern(true)) not valid,
  add constraint service_events_organizing_unit_length check (char_length(organizing_unit) between 1 and 100) not valid,
  add constraint service_events_organizing_unit_characters
    check (organizing_unit !~ private.hidden_character_pattern(false)) not valid;

create trigger b_fill_recording_unit before insert or update on public.teams
  for each row execute function private.fill_recording_unit();

-- The new columns of a written event: typed text trimmed as a_trim_typed_text trims the others;
-- on insert, what is missing gets its default, and the time of recording is kept between the
-- start and now; on update, a missing text is blank (its rule names it) and the time of recording
-- stays. Named "b_..." to run after a_trim_typed_text and before the rules of
-- service_events_check. Security definer: reads the station and team whatever the caller's
-- policies (who may write is the policies' business).
create function private.fill_record_columns() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  new.place := pg_catalog.btrim(new.place, private.whitespace());
  new.service_content := pg_catalog.btrim(new.service_content, private.whitespace());
  new.organizing_unit := pg_catalog.btrim(new.organizing_unit, private.whitespace());
  if tg_op = 'INSERT' then
    if new.place is null then
      select s.address into new.place from public.stations s where s.id = new.station_id;
    end if;
    if new.service_content is null then
      -- A copy of a title that its rules refuse would be named first (rules are checked in name
      -- order, service_content before title): the title's rules are named here instead.
      if char_length(new.title) not between 1 and 100 then
        raise exception using errcode = '23514', constraint = 'service_events_title_length',
          message = 'the title must be 1 to 100 characters';
      elsif new.title ~ private.hidden_character_pattern(false) then
        raise exception using errcode = '23514', constraint = 'service_events_title_characters',
          message = 'the title holds control or format characters';
      end if;
      new.service_content := new.title;
    end if;
    if new.organizing_unit is null then
      select t.recording_unit into new.organizing_unit from public.teams t where t.id = new.team_id;
    end if;
    -- A direct insert that names no one: the team's current leader (who must then take part,
    -- checked at commit). The push names the person in charge from the participants.
    if new.person_in_charge is null then
      select m.person_id into new.person_in_charge from public.team_members m
      where m.team_id = new.team_id and m.role = 'leader' and m.left_at is null
      order by m.joined_at, m.person_id limit 1;
    end if;
    new.recorded_at := least(greatest(coalesce(new.recorded_at, pg_catalog.now()), new.started_at), pg_catalog.now());
  else
    new.recorded_at := old.recorded_at;
  end if;
  -- Missing: named, as the other missing values are (a missing station or team is named later).
  new.place := coalesce(new.place, '');
  new.service_content := coalesce(new.service_content, '');
  new.organizing_unit := coalesce(new.organizing_unit, '');
  if new.person_in_charge is null then
    raise exception using errcode = '22023', constraint = 'service_events_person_in_charge_format',
      message = 'the person in charge is missing';
  end if;
  return new;
end
$$;
grant execute on function private.fill_record_columns() to authenticated, service_role;
create trigger b_fill_record_columns before insert or update on public.service_events
  for each row execute function private.fill_record_columns();

-- The person in charge takes part in the event: checked at commit (an event and its participants
-- are written by separate statements), for every write through the API, when the person in
-- charge is set and when a participant leaves. An event with no participant at all is
-- service_events_has_participants' to name.
create function private.check_person_in_charge() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  checked_event uuid;
begin
  if pg_catalog.current_setting('role') not in ('anon', 'authenticated', 'service_role') then
    return null;
  end if;
  if tg_table_name = 'service_events' then
    checked_event := new.id;
  else
    checked_event := old.event_id;
  end if;
  if exists (
    select 1 from public.service_events e
    where e.id = checked_event and e.deleted_at is null
      and exists (select 1 from public.event_participants p where p.event_id = e.id)
      and not exists (select 1 from public.event_participants p where p.event_id = e.id and p.person_id = e.person_in_charge)
  ) then
    raise exception using errcode = '23514', constraint = 'service_events_person_in_charge_participant',
      message = 'the person in charge must be one of the participants';
  end if;
  return null;
end
$$;
grant execute on function private.check_person_in_charge() to authenticated, service_role;
create constraint
  trigger service_events_person_in_charge_participant after insert or update of person_in_charge on public.service_events
  deferrable initially deferred
  for each row execute function private.check_person_in_charge();
create constraint
  trigger service_events_person_in_charge_participant after delete on public.event_participants
  deferrable initially deferred
  for each row execute function private.check_person_in_charge();

-- Users write the new fields; the time of recording only with a new event.
grant insert (place, service_content, person_in_charge, organizing_unit, recorded_at) on public.service_events to authenticated;
grant update (place, service_content, person_in_charge, organizing_unit) on public.service_events to authenticated;

-- ---------------------------------------------------------------------------------------------
-- The push reads the new fields. An upsert's fields as an event row, now also naming an
-- unreadable person in charge or time of recording.
create or replace function private.event_of(fields jsonb) returns public.service_events
language plpgsql stable security invoker set search_path = ''
as $$
declare
  field_name text;
  too_large boolean;
begin
  if jsonb_typeof(fields) is distinct from 'object' then
    raise exception using errcode = '22023', constraint = 'sync_change_shape',
      message = 'an upsert needs the event''s fields';
  end if;
  begin
    return jsonb_populate_record(null::public.service_events, fields);
  exception when data_exception then
    -- Which value could not be read: each alone, in the order of the form.
    foreach field_name in array array['station_id', 'team_id', 'theme_month_id', 'started_at', 'ended_at',
      'people_served', 'funds_fen', 'materials_fen', 'person_in_charge', 'recorded_at'] loop
      begin
        perform jsonb_populate_record(null::public.service_events, jsonb_build_object(field_name, fields -> field_name));
        continue;
      exception when numeric_value_out_of_range then
        too_large := true;
      when data_exception then
        too_large := false;
      end;
      case
      when field_name = 'station_id' then
        raise exception using errcode = '22023', constraint = 'service_events_station_id_format',
          message = 'the station cannot be read';
      when field_name = 'team_id' then
        raise exception using errcode = '22023', constraint = 'service_events_team_id_format',
          message = 'the team cannot be read';
      when field_name = 'theme_month_id' then
        raise exception using errcode = '22023', constraint = 'service_events_theme_month_id_format',
          message = 'the theme month cannot be read';
      when field_name = 'started_at' then
        raise exception using errcode = '22023', constraint = 'service_events_started_at_format',
          message = 'the start is not a time';
      when field_name = 'ended_at' then
        raise exception using errcode = '22023', constraint = 'service_events_ended_at_format',
          message = 'the end is not a time';
      when field_name = 'people_served' and too_large then
        raise exception using errcode = '23514', constraint = 'service_events_people_served_range',
          message = 'the number of people served is too large';
      when field_name = 'people_served' then
        raise exception using errcode = '22023', constraint = 'service_events_people_served_format',
          message = 'the number of people served is not a whole number';
      when field_name = 'funds_fen' and too_large then
        raise exception using errcode = '23514', constraint = 'service_events_funds_range',
          message = 'the funds are too large';
      when field_name = 'funds_fen' then
        raise exception using errcode = '22023', constraint = 'service_events_funds_format',
          message = 'the funds are not a whole number of fen';
      when field_name = 'materials_fen' and too_large then
        raise exception using errcode = '23514', constraint = 'service_events_materials_range',
          message = 'the value of the materials is too large';
      when field_name = 'materials_fen' then
        raise exception using errcode = '22023', constraint = 'service_events_materials_format',
          message = 'the value of the materials is not a whole number of fen';
      when field_name = 'person_in_charge' then
        raise exception using errcode = '22023', constraint = 'service_events_person_in_charge_format',
          message = 'the person in charge cannot be read';
      else
        raise exception using errcode = '22023', constraint = 'service_events_recorded_at_format',
          message = 'the time of recording is not a time';
      end case;
    end loop;
    -- Another key that no column of the form takes (the id, a revision...).
    raise exception using errcode = '22023', constraint = 'sync_change_shape',
      message = 'the event''s fields cannot be read';
  end;
end
$$;

-- Writes one change of an event (upsert or delete) after checking it against the server's row:
-- the part of the push that each change goes through on the one-at-a-time path (and that the
-- ledger's approved adjustments reuse, naming who asked for a new event as its recorder; the
-- caller records it otherwise). Returns the outcome without the change's ids:
-- {status: 'applied', revision} or {status: 'conflict', reason[, server]}; raises on a refusal.
create function private.write_event_change(pushed_event_id uuid, op text, base_revision bigint, fields jsonb,
  recorder uuid default null)
returns jsonb
language plpgsql security invoker set search_path = ''
as $$
declare
  pushed public.service_events;
  current_row public.service_events;
  applied_revision bigint;
begin
  select * into current_row from public.service_events e where e.id = pushed_event_id;
  if current_row.id is null and (op = 'delete' or base_revision is not null) then
    return jsonb_build_object('status', 'conflict', 'reason', 'missing');
  elsif current_row.deleted_at is not null and op = 'delete' then
    return jsonb_build_object('status', 'applied', 'revision', current_row.revision);
  elsif current_row.id is not null
      and (current_row.deleted_at is not null or base_revision is distinct from current_row.revision) then
    return jsonb_build_object('status', 'conflict',
      'reason', case when current_row.deleted_at is not null then 'deleted' else 'changed' end,
      'server', private.event_json(current_row));
  elsif op = 'delete' then
    update public.service_events e set deleted_at = now() where e.id = pushed_event_id
    returning e.revision into applied_revision;
    if not found then
      raise exception using errcode = '42501', constraint = 'service_events_edit_policy',
        message = 'not allowed to delete this event';
    end if;
    return jsonb_build_object('status', 'applied', 'revision', applied_revision);
  end if;

  pushed := private.event_of(fields);
  perform private.check_participants(fields -> 'participants');
  if current_row.id is null then
    insert into public.service_events (id, station_id, team_id, theme_month_id, started_at, ended_at,
      title, note, people_served, funds_fen, materials_fen, materials_description,
      place, service_content, person_in_charge, organizing_unit, recorded_at, recorded_by)
    values (pushed_event_id, pushed.station_id, pushed.team_id, pushed.theme_month_id, pushed.started_at,
      pushed.ended_at, pushed.title, pushed.note, pushed.people_served, pushed.funds_fen,
      pushed.materials_fen, pushed.materials_description, pushed.place, pushed.service_content,
      coalesce(pushed.person_in_charge, private.person_in_charge_for(null, pushed.team_id, fields -> 'participants')),
      pushed.organizing_unit, pushed.recorded_at, coalesce(recorder, (select auth.uid())));
  else
    -- Participants who leave or give fewer hours go first, so that a shorter event is checked
    -- against the hours it will have (hours may not exceed the event's duration).
    delete from public.event_participants p
    where p.event_id = pushed_event_id
      and p.person_id not in (
        select (x ->> 'person_id')::uuid from jsonb_array_elements(fields -> 'participants') x);
    update public.event_participants p set hours = x.hours
    from jsonb_to_recordset(fields -> 'participants') as x (person_id uuid, hours numeric)
    where p.event_id = pushed_event_id and p.person_id = x.person_id and x.hours < p.hours;
    -- A field left out (an older app) keeps its value.
    update public.service_events e
    set station_id = pushed.station_id, team_id = pushed.team_id, theme_month_id = pushed.theme_month_id,
      started_at = pushed.started_at, ended_at = pushed.ended_at, title = pushed.title, note = pushed.note,
      people_served = pushed.people_served, funds_fen = pushed.funds_fen, materials_fen = pushed.materials_fen,
      materials_description = pushed.materials_description,
      place = coalesce(pushed.place, e.place), service_content = coalesce(pushed.service_content, e.service_content),
      organizing_unit = coalesce(pushed.organizing_unit, e.organizing_unit),
      person_in_charge = coalesce(pushed.person_in_charge,
        private.person_in_charge_for(e.person_in_charge, pushed.team_id, fields -> 'participants'))
    where e.id = pushed_event_id;
    if not found then
      raise exception using errcode = '42501', constraint = 'service_events_edit_policy',
        message = 'not allowed to edit this event';
    end if;
  end if;
  insert into public.event_participants as p (event_id, person_id, hours)
  select pushed_event_id, x.person_id, x.hours
  from jsonb_to_recordset(fields -> 'participants') as x (person_id uuid, hours numeric)
  on conflict on constraint event_participants_pkey do update set hours = excluded.hours
    where p.hours is distinct from excluded.hours;
  select e.revision into applied_revision from public.service_events e where e.id = pushed_event_id;
  return jsonb_build_object('status', 'applied', 'revision', applied_revision);
end
$$;
grant execute on function private.write_event_change(uuid, text, bigint, jsonb, uuid) to authenticated, service_role;

-- Applies one change; returns its outcome. Permanent failures, malformed input included, come
-- back as 'rejected' with a rule name, so that they never block the rest of the batch.
create or replace function private.apply_event_change(change jsonb) returns jsonb
language plpgsql security invoker set search_path = ''
as $$
declare
  pushed_change_id uuid;
  pushed_event_id uuid;
  op text;
  payload_hash bytea;
  verdict text;
  outcome jsonb;
  failed_code text;
  failed_rule text;
  failed_message text;
begin
  -- Read as the fast path reads them (a value it cannot read is named sync_change_shape below).
  pushed_change_id := (change ->> 'change_id')::uuid;
  pushed_event_id := (change ->> 'event_id')::uuid;
  op := change ->> 'op';
  if pushed_change_id is null or pushed_event_id is null or op is null or op not in ('upsert', 'delete') then
    raise exception using errcode = '22023', constraint = 'sync_change_shape',
      message = 'a change needs change_id, event_id and op (upsert or delete)';
  end if;
  payload_hash := private.change_hash(change);

  select v.verdict, jsonb_build_object('status', 'duplicate', 'revision', v.revision) into verdict, outcome
  from private.change_verdicts(array[pushed_change_id], array[pushed_event_id], array[payload_hash]) v;
  if verdict = 'reused' then
    raise exception using errcode = '22023', constraint = 'sync_change_id_reused',
      message = 'this change id was used before for another change; a new change needs a new id';
  elsif verdict is null then
    outcome := private.write_event_change(pushed_event_id, op, (change ->> 'base_revision')::bigint, change -> 'event');
    if outcome ->> 'status' = 'applied' then
      perform private.record_changes(array[pushed_change_id], array[pushed_event_id],
        array[(outcome ->> 'revision')::bigint], array[payload_hash]);
    end if;
  end if;
  return jsonb_build_object('change_id', pushed_change_id, 'event_id', pushed_event_id) || outcome;
exception when others then
  get stacked diagnostics failed_code = returned_sqlstate, failed_rule = constraint_name,
    failed_message = message_text;
  -- Deadlock, serialization, lack of resources, shutdown: worth retrying, so fail the batch.
  if left(failed_code, 2) in ('40', '53', '55', '57', '58', '08') then
    raise;
  end if;
  -- Refusals that name no rule of their own: a row-level security check on the event (its team
  -- is not one the caller may write for), and values that cannot be read (malformed: 22023).
  if coalesce(failed_rule, '') = '' and failed_code = '42501' then
    failed_rule := 'service_events_team_policy';
  elsif coalesce(failed_rule, '') = '' and left(failed_code, 2) = '22' then
    failed_code := '22023';
    failed_rule := 'sync_change_shape';
  end if;
  return jsonb_build_object('change_id', change ->> 'change_id', 'event_id', change ->> 'event_id',
    'status', 'rejected', 'code', failed_code, 'rule', failed_rule, 'message', failed_message);
end
$$;

-- The whole-batch path writes the new fields as the one-at-a-time path does (defaults on
-- insert, kept values on edit). Otherwise as in the push-hardening migration.
create or replace function private.apply_event_changes_together(changes jsonb) returns jsonb
language plpgsql security invoker set search_path = ''
as $$
declare
  create_ids uuid[];
  edit_ids uuid[];
  delete_ids uuid[];
  written integer;
  outcomes jsonb;
begin
  -- The batch, one row per change, with the outcome as it is decided. (The string below tells
  -- plpgsql_check, the static checker of `supabase db lint`, about this temporary table; at run
  -- time it does nothing.)
  perform 'PRAGMA:TABLE: pushed_changes (ord bigint, change_id uuid, event_id uuid, op text, base_revision bigint, fields jsonb, payload_hash bytea, status text, reason text, revision bigint, server jsonb)';
  create temporary table if not exists pg_temp.pushed_changes (
    ord bigint, change_id uuid, event_id uuid, op text, base_revision bigint, fields jsonb, payload_hash bytea,
    status text, reason text, revision bigint, server jsonb
  ) on commit drop;
  truncate pg_temp.pushed_changes;

  insert into pg_temp.pushed_changes (ord, change_id, event_id, op, base_revision, fields, payload_hash)
  select c.ord, (c.value ->> 'change_id')::uuid, (c.value ->> 'event_id')::uuid, c.value ->> 'op',
    (c.value ->> 'base_revision')::bigint, c.value -> 'event', private.change_hash(c.value)
  from jsonb_array_elements(changes) with ordinality as c (value, ord);

  if exists (select 1 from pg_temp.pushed_changes where change_id is null or event_id is null
               or op is null or op not in ('upsert', 'delete')
               or (op = 'upsert' and (jsonb_typeof(fields -> 'participants') is distinct from 'array'
                                      or jsonb_array_length(fields -> 'participants') = 0)))
     or (select count(distinct event_id) <> count(*) or count(distinct change_id) <> count(*) from pg_temp.pushed_changes) then
    raise exception using errcode = '22023', message = 'batch needs change-by-change handling';
  end if;

  -- Changes already applied: resends are duplicates; an id used before for anything else is
  -- refused, change by change.
  update pg_temp.pushed_changes c set status = v.verdict, revision = v.revision
  from private.change_verdicts(
    (select array_agg(p.change_id) from pg_temp.pushed_changes p),
    (select array_agg(p.event_id) from pg_temp.pushed_changes p),
    (select array_agg(p.payload_hash) from pg_temp.pushed_changes p)) v
  where v.change_id = c.change_id;
  if exists (select 1 from pg_temp.pushed_changes where status = 'reused') then
    raise exception using errcode = '22023', message = 'batch needs change-by-change handling';
  end if;

  -- Outcomes decided before writing: conflicts, and deletes of what is already deleted.
  update pg_temp.pushed_changes c set
    status = case
      when e.id is null and (c.op = 'delete' or c.base_revision is not null) then 'conflict'
      when e.deleted_at is not null and c.op = 'delete' then 'applied'
      when e.id is not null and (e.deleted_at is not null or c.base_revision is distinct from e.revision) then 'conflict'
    end,
    reason = case
      when e.id is null and (c.op = 'delete' or c.base_revision is not null) then 'missing'
      when e.deleted_at is not null and c.op = 'delete' then null
      when e.deleted_at is not null then 'deleted'
      when e.id is not null and c.base_revision is distinct from e.revision then 'changed'
    end,
    revision = case when e.deleted_at is not null and c.op = 'delete' then e.revision end
  from pg_temp.pushed_changes c2
  left join public.service_events e on e.id = c2.event_id
  where c.change_id = c2.change_id and c.status is null;
  update pg_temp.pushed_changes c set server = private.event_json(e)
  from public.service_events e where e.id = c.event_id and c.status = 'conflict';

  select array_agg(event_id) filter (where status is null and op = 'upsert' and base_revision is null),
    array_agg(event_id) filter (where status is null and op = 'upsert' and base_revision is not null),
    array_agg(event_id) filter (where status is null and op = 'delete')
  into create_ids, edit_ids, delete_ids
  from pg_temp.pushed_changes;

  insert into public.service_events (id, station_id, team_id, theme_month_id, started_at, ended_at,
    title, note, people_served, funds_fen, materials_fen, materials_description,
    place, service_content, person_in_charge, organizing_unit, recorded_at)
  select c.event_id, r.station_id, r.team_id, r.theme_month_id, r.started_at, r.ended_at,
    r.title, coalesce(r.note, ''), r.people_served, r.funds_fen, r.materials_fen, coalesce(r.materials_description, ''),
    r.place, r.service_content,
    coalesce(r.person_in_charge, private.person_in_charge_for(null, r.team_id, c.fields -> 'participants')),
    r.organizing_unit, r.recorded_at
  from pg_temp.pushed_changes c, jsonb_populate_record(null::public.service_events, c.fields) r
  where c.event_id = any(create_ids)
  order by c.event_id;

  -- Participants who leave or give fewer hours go first, so that a shorter event is checked
  -- against the hours it will have (hours may not exceed the event's duration).
  delete from public.event_participants p
  using pg_temp.pushed_changes c
  where c.event_id = any(edit_ids) and p.event_id = c.event_id
    and p.person_id not in (select (x ->> 'person_id')::uuid from jsonb_array_elements(c.fields -> 'participants') x);
  update public.event_participants p set hours = x.hours
  from pg_temp.pushed_changes c, jsonb_to_recordset(c.fields -> 'participants') as x (person_id uuid, hours numeric)
  where c.event_id = any(edit_ids) and p.event_id = c.event_id and p.person_id = x.person_id and x.hours < p.hours;

  update public.service_events e
  set station_id = r.station_id, team_id = r.team_id, theme_month_id = r.theme_month_id,
    started_at = r.started_at, ended_at = r.ended_at, title = r.title, note = coalesce(r.note, ''),
    people_served = r.people_served, funds_fen = r.funds_fen, materials_fen = r.materials_fen,
    materials_description = coalesce(r.materials_description, ''),
    place = coalesce(r.place, e.place), service_content = coalesce(r.service_content, e.service_content),
    organizing_unit = coalesce(r.organizing_unit, e.organizing_unit),
    person_in_charge = coalesce(r.person_in_charge,
      private.person_in_charge_for(e.person_in_charge, r.team_id, c.fields -> 'participants'))
  from pg_temp.pushed_changes c, jsonb_populate_record(null::public.service_events, c.fields) r
  where c.event_id = any(edit_ids) and e.id = c.event_id;
  get diagnostics written = row_count;
  if written <> coalesce(cardinality(edit_ids), 0) then
    raise exception using errcode = '42501', constraint = 'service_events_edit_policy',
      message = 'not allowed to edit this event';
  end if;

  update public.service_events e set deleted_at = now() where e.id = any(delete_ids);
  get diagnostics written = row_count;
  if written <> coalesce(cardinality(delete_ids), 0) then
    raise exception using errcode = '42501', constraint = 'service_events_edit_policy',
      message = 'not allowed to delete this event';
  end if;

  insert into public.event_participants as p (event_id, person_id, hours)
  select c.event_id, x.person_id, x.hours
  from pg_temp.pushed_changes c, jsonb_to_recordset(c.fields -> 'participants') as x (person_id uuid, hours numeric)
  where c.event_id = any(create_ids) or c.event_id = any(edit_ids)
  order by c.event_id, x.person_id
  on conflict on constraint event_participants_pkey do update set hours = excluded.hours
    where p.hours is distinct from excluded.hours;

  update pg_temp.pushed_changes c set status = 'applied', revision = e.revision
  from public.service_events e
  where e.id = c.event_id and c.status is null;

  perform private.record_changes(array_agg(change_id), array_agg(event_id), array_agg(revision), array_agg(payload_hash))
  from pg_temp.pushed_changes where status = 'applied';

  -- Absent keys rather than nulls, as apply_event_change answers; the server row keeps its nulls.
  select jsonb_agg(jsonb_strip_nulls(jsonb_build_object('change_id', change_id, 'event_id', event_id,
      'status', status, 'revision', revision, 'reason', reason))
    || case when server is null then '{}'::jsonb else jsonb_build_object('server', server) end
    order by ord)
  into outcomes from pg_temp.pushed_changes;
  truncate pg_temp.pushed_changes;
  return coalesce(outcomes, '[]'::jsonb);
end
$$;

-- Functions in private run only where granted above: some are security definer. (Default
-- privileges per schema cannot take away PUBLIC's execute right, so each migration revokes it.)
revoke execute on all functions in schema private from public;
