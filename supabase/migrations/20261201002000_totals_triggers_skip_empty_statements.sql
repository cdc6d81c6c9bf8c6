-- The totals triggers return at once when their statement changed no rows.
--
-- Why: the triggers are statement-level, so they run for every INSERT, UPDATE or DELETE on
-- service_events and event_participants, also one that matched no row. A push of new events
-- runs eleven such statements per batch (the edit and delete paths, the update half of the
-- participants' ON CONFLICT, the revision bump the participants' trigger itself makes), and only
-- two of them change rows; each of the other nine still aggregated its empty transition tables
-- and, for the participants, ran the revision bump again. `npm run bench` measured totals
-- maintenance at about 35% of a push's time (issue 8, item 21: at most 30%). The bodies are
-- otherwise those of 20261127000300_totals.sql.

create or replace function private.maintain_totals_for_events() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  event_rows jsonb;
  participation_rows jsonb;
begin
  -- A statement that changed no rows (an UPDATE that matched none) has nothing to add.
  if not exists (select from new_rows) then
    return null;
  end if;
  if tg_op = 'INSERT' then
    select jsonb_agg(jsonb_build_object('sign', 1) || to_jsonb(n)) into event_rows
    from new_rows n where n.deleted_at is null;
  else
    select jsonb_agg(x) into event_rows from (
      select jsonb_build_object('sign', 1) || to_jsonb(n) as x from new_rows n where n.deleted_at is null
      union all
      select jsonb_build_object('sign', -1) || to_jsonb(o) from old_rows o where o.deleted_at is null
    ) changed;

    with moved as (
      select o.id, o.station_id as old_station, o.theme_month_id as old_month, o.deleted_at is null as was_active,
        n.station_id as new_station, n.theme_month_id as new_month, n.deleted_at is null as is_active
      from old_rows o join new_rows n using (id)
      where (o.station_id, o.theme_month_id, o.deleted_at is null)
        is distinct from (n.station_id, n.theme_month_id, n.deleted_at is null)
    )
    select jsonb_agg(x) into participation_rows from (
      select jsonb_build_object('sign', -1, 'station_id', m.old_station, 'theme_month_id', m.old_month,
        'person_id', p.person_id, 'hours', p.hours) as x
      from moved m join public.event_participants p on p.event_id = m.id where m.was_active
      union all
      select jsonb_build_object('sign', 1, 'station_id', m.new_station, 'theme_month_id', m.new_month,
        'person_id', p.person_id, 'hours', p.hours)
      from moved m join public.event_participants p on p.event_id = m.id where m.is_active
    ) moves;
  end if;

  -- Event figures first: they lock the keys in order before any per-volunteer row is touched.
  if event_rows is not null then
    perform private.apply_event_deltas(event_rows);
  end if;
  if participation_rows is not null then
    perform private.apply_participation_deltas(participation_rows);
  end if;
  return null;
end
$$;

create or replace function private.maintain_totals_for_participants() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  changed jsonb := '[]'::jsonb;
  participation_rows jsonb;
begin
  -- A statement that changed no rows has nothing to add, nor events to give a new revision.
  if tg_op = 'DELETE' then
    if not exists (select from old_rows) then
      return null;
    end if;
  elsif not exists (select from new_rows) then
    return null;
  end if;
  if tg_op in ('INSERT', 'UPDATE') then
    select changed || coalesce(jsonb_agg(jsonb_build_object('sign', 1, 'event_id', n.event_id,
      'person_id', n.person_id, 'hours', n.hours)), '[]') into changed from new_rows n;
  end if;
  if tg_op in ('UPDATE', 'DELETE') then
    select changed || coalesce(jsonb_agg(jsonb_build_object('sign', -1, 'event_id', o.event_id,
      'person_id', o.person_id, 'hours', o.hours)), '[]') into changed from old_rows o;
  end if;

  -- Events first, then totals: the same lock order as an edit of the event itself. An event
  -- already written by this transaction has a revision no one can have pulled yet, so it needs
  -- no new one (the push API writes the event before its participants).
  update public.service_events set updated_at = now()
  where deleted_at is null and change_xid <> pg_current_xact_id()
    and id in (select c.event_id from jsonb_to_recordset(changed) as c (event_id uuid));

  select jsonb_agg(jsonb_build_object('sign', c.sign, 'station_id', e.station_id,
    'theme_month_id', e.theme_month_id, 'person_id', c.person_id, 'hours', c.hours)
    order by e.station_id, e.theme_month_id)
  into participation_rows
  from jsonb_to_recordset(changed) as c (sign integer, event_id uuid, person_id uuid, hours numeric)
  join public.service_events e on e.id = c.event_id
  where e.deleted_at is null;
  if participation_rows is not null then
    perform private.apply_participation_deltas(participation_rows);
  end if;
  return null;
end
$$;

-- Functions in private run only where granted: some are security definer.
revoke execute on all functions in schema private from public;
