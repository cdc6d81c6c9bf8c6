-- The totals per station x theme month (station_month_totals, station_month_volunteers) are kept
-- by triggers in the same transaction as every write to events and participants. First, exact
-- expectations for each kind of write; then a long, seeded random sequence of writes (single and
-- multi-row statements, on fresh and seed events) after each of which the maintained totals must
-- equal a recomputation from the events (private.totals_drift() is empty); last,
-- public.program_totals() against a recomputation, volunteers counted once however many stations
-- and months they served in. Writes run as the test runner: the triggers are the same for every
-- writer, and the policies are tested elsewhere.
begin;
set local search_path = public, extensions;
select plan(26);

-- The totals of one key as a comparable value (zeros when it has no totals row).
create function pg_temp.totals_of(station uuid, month uuid) returns jsonb
language sql
as $$
  select coalesce((select jsonb_build_object('events', t.events, 'volunteers', t.volunteers,
      'volunteer_hours', t.volunteer_hours, 'people_served', t.people_served, 'funds_fen', t.funds_fen,
      'materials_fen', t.materials_fen)
    from public.station_month_totals t where t.station_id = station and t.theme_month_id = month),
    '{"events": 0, "volunteers": 0, "volunteer_hours": 0, "people_served": 0, "funds_fen": 0, "materials_fen": 0}'::jsonb)
$$;

create function pg_temp.expect(events int, volunteers int, volunteer_hours numeric, people_served int,
  funds_fen int, materials_fen int) returns jsonb
language sql
as $$
  select jsonb_build_object('events', events, 'volunteers', volunteers, 'volunteer_hours', volunteer_hours,
    'people_served', people_served, 'funds_fen', funds_fen, 'materials_fen', materials_fen)
$$;

select is_empty($$select * from private.totals_drift()$$, 'the seeded totals equal a recomputation from the events');

-- ---------------------------------------------------------------------------------------------
-- Exact expectations. Two new stations (so their keys start empty) and three new volunteers of
-- team 1 (so the program-wide count of distinct volunteers moves by exactly them).
select tests.make_station('Totals station A') as station_a \gset
select tests.make_station('Totals station B') as station_b \gset
select tests.make_person('Volunteer A') as person_a \gset
select tests.make_person('Volunteer B') as person_b \gset
select tests.make_person('Volunteer C') as person_c \gset
select tests.make_member(md5('team-1')::uuid, :'person_a');
select tests.make_member(md5('team-1')::uuid, :'person_b');
select tests.make_member(md5('team-1')::uuid, :'person_c');
select to_jsonb(p) as program_before from public.program_totals() p \gset

-- One event with two volunteers: one event, their hours, two volunteers, its figures.
select tests.make_event(md5('team-1')::uuid, :'station_a', '2023-01-10 09:00+08', 3,
  array[:'person_a', :'person_b']::uuid[], participant_hours => 2, people_served => 10, funds_fen => 500,
  materials_fen => 300, id => md5('totals-event-1')::uuid);
select is(pg_temp.totals_of(:'station_a', md5('month-1')::uuid), pg_temp.expect(1, 2, 4, 10, 500, 300),
  'inserting an event adds one event, its hours, its new volunteers and its figures');

-- A second event at the same key sharing one volunteer: that volunteer is counted once.
select tests.make_event(md5('team-1')::uuid, :'station_a', '2023-01-11 09:00+08', 2,
  array[:'person_b', :'person_c']::uuid[], participant_hours => 1.5, people_served => 5, funds_fen => 100,
  id => md5('totals-event-2')::uuid);
select is(pg_temp.totals_of(:'station_a', md5('month-1')::uuid), pg_temp.expect(2, 3, 7, 15, 600, 300),
  'a volunteer in two events of one station and month is one volunteer; hours add up');

-- Participants: new hours, removal (the volunteer stays while in another event there), addition.
update public.event_participants set hours = 0.5 where event_id = md5('totals-event-2')::uuid and person_id = :'person_c';
select is(pg_temp.totals_of(:'station_a', md5('month-1')::uuid), pg_temp.expect(2, 3, 6, 15, 600, 300),
  'changing a participant''s hours changes the hours');
delete from public.event_participants where event_id = md5('totals-event-2')::uuid and person_id = :'person_b';
select is(pg_temp.totals_of(:'station_a', md5('month-1')::uuid), pg_temp.expect(2, 3, 4.5, 15, 600, 300),
  'removing a volunteer who also served in another event there removes hours, not the volunteer');
delete from public.event_participants where event_id = md5('totals-event-2')::uuid and person_id = :'person_c';
select is(pg_temp.totals_of(:'station_a', md5('month-1')::uuid), pg_temp.expect(2, 2, 4, 15, 600, 300),
  'removing a volunteer''s only participation there removes the volunteer');
insert into public.event_participants values (md5('totals-event-2')::uuid, :'person_c', 2);
select is(pg_temp.totals_of(:'station_a', md5('month-1')::uuid), pg_temp.expect(2, 3, 6, 15, 600, 300),
  'adding a participant adds the volunteer and the hours');

-- Edits of the event's own figures.
update public.service_events set people_served = 25, funds_fen = 0, materials_fen = 700, materials_description = 'Rice'
where id = md5('totals-event-1')::uuid;
select is(pg_temp.totals_of(:'station_a', md5('month-1')::uuid), pg_temp.expect(2, 3, 6, 30, 100, 700),
  'editing an event''s figures changes the figures, not the counts');

-- Moving an event to another station moves everything of it, participants included.
update public.service_events set station_id = :'station_b' where id = md5('totals-event-2')::uuid;
select is(pg_temp.totals_of(:'station_a', md5('month-1')::uuid), pg_temp.expect(1, 2, 4, 25, 0, 700),
  'moving an event to another station takes it out of the old station''s totals');
select is(pg_temp.totals_of(:'station_b', md5('month-1')::uuid), pg_temp.expect(1, 1, 2, 5, 100, 0),
  '...and into the new station''s');

-- Program-wide, each volunteer counts once across stations and months: A, B and C are three
-- more volunteers, though B served at two stations.
update public.event_participants set person_id = :'person_b'
where event_id = md5('totals-event-2')::uuid and person_id = :'person_c';
insert into public.event_participants values (md5('totals-event-2')::uuid, :'person_c', 1);
select is((select volunteers from public.program_totals()), (:'program_before'::jsonb ->> 'volunteers')::bigint + 3,
  'program totals count each new volunteer once, whatever number of stations they served at');
select is(pg_temp.totals_of(:'station_b', md5('month-1')::uuid), pg_temp.expect(1, 2, 3, 5, 100, 0),
  'swapping the person of a participation moves the tally from one volunteer to the other');

-- Moving an event to another month (its date and theme month) moves it between keys.
update public.service_events set theme_month_id = md5('month-2')::uuid,
  started_at = '2023-02-10 09:00+08', ended_at = '2023-02-10 12:00+08'
where id = md5('totals-event-1')::uuid;
select is(pg_temp.totals_of(:'station_a', md5('month-1')::uuid), pg_temp.expect(0, 0, 0, 0, 0, 0),
  'moving an event to another month empties the old key');
select is(pg_temp.totals_of(:'station_a', md5('month-2')::uuid), pg_temp.expect(1, 2, 4, 25, 0, 700),
  '...and fills the new one');
select is((select count(*) from public.station_month_volunteers where station_id = :'station_a' and theme_month_id = md5('month-1')::uuid),
  0::bigint, 'no volunteer tally is left behind at the old key');

-- A soft delete takes the event and its participants out of the totals; the tombstone stays.
update public.service_events set deleted_at = now() where id = md5('totals-event-2')::uuid;
select is(pg_temp.totals_of(:'station_b', md5('month-1')::uuid), pg_temp.expect(0, 0, 0, 0, 0, 0),
  'deleting an event takes it and its volunteers out of the totals');
-- ...and later changes to the deleted event's participants do not bring them back.
delete from public.event_participants where event_id = md5('totals-event-2')::uuid;
select is(pg_temp.totals_of(:'station_b', md5('month-1')::uuid), pg_temp.expect(0, 0, 0, 0, 0, 0),
  'removing the participants of a deleted event changes nothing');

-- One statement writing several events (the triggers run once per statement, over all its rows).
select tests.make_event(md5('team-1')::uuid, :'station_a', '2023-03-10 09:00+08', 2, array[:'person_a']::uuid[],
  people_served => 1, id => md5('totals-event-3')::uuid);
select tests.make_event(md5('team-1')::uuid, :'station_b', '2023-03-11 09:00+08', 2, array[:'person_a']::uuid[],
  people_served => 2, id => md5('totals-event-4')::uuid);
update public.service_events set station_id = case when station_id = :'station_a'::uuid then :'station_b'::uuid else :'station_a'::uuid end
where id in (md5('totals-event-3')::uuid, md5('totals-event-4')::uuid);
select is(jsonb_build_array(pg_temp.totals_of(:'station_a', md5('month-3')::uuid), pg_temp.totals_of(:'station_b', md5('month-3')::uuid)),
  jsonb_build_array(pg_temp.expect(1, 1, 2, 2, 0, 0), pg_temp.expect(1, 1, 2, 1, 0, 0)),
  'one statement swapping the stations of two events moves each one''s figures');
select is_empty($$select * from private.totals_drift()$$, 'no drift after the exact expectations');

-- ---------------------------------------------------------------------------------------------
-- A seeded random sequence of 400 writes over all events (the seed's and new ones): inserts of
-- one to three events with participants, edits of figures, moves between stations and between
-- months, participants added, removed, swapped and given new hours, soft deletes; single and
-- multi-row statements. After each write the drift is logged.
create temporary table drift_log (step integer, op text, drift bigint);

-- A random integer in [0, n).
create function pg_temp.pick(n bigint) returns bigint
language sql volatile
as $$ select floor(random() * n)::bigint $$;
-- A random live event, a random station, a random member of a team not in an event, random hours
-- (quarter hours, at most max_hours): every choice in an order that does not depend on the
-- random ids of this file's fixtures, so setseed() fixes the whole run.
create function pg_temp.random_live_event() returns uuid
language sql volatile
as $$
  select id from public.service_events where deleted_at is null order by id
  offset pg_temp.pick((select count(*) from public.service_events where deleted_at is null)) limit 1
$$;
create function pg_temp.random_station() returns uuid
language sql volatile
as $$ select id from public.stations order by name offset pg_temp.pick((select count(*) from public.stations)) limit 1 $$;
create function pg_temp.random_newcomer(event uuid) returns uuid
language sql volatile
as $$
  with candidates as (
    select m.person_id, p.display_name from public.team_members m
    join public.service_events e on e.team_id = m.team_id
    join public.people p on p.id = m.person_id
    where e.id = event
      and m.person_id not in (select ep.person_id from public.event_participants ep where ep.event_id = event)
  )
  select person_id from candidates order by display_name, person_id
  offset pg_temp.pick((select count(*) from candidates)) limit 1
$$;
create function pg_temp.random_hours(max_hours numeric) returns numeric
language sql volatile
as $$ select least(max_hours, 0.25 + floor(random() * max_hours * 4) / 4) $$;
create function pg_temp.duration_hours(event uuid) returns numeric
language sql stable
as $$ select extract(epoch from ended_at - started_at) / 3600 from public.service_events where id = event $$;

do $$
declare
  ops constant text[] := array['insert', 'edit figures', 'move station', 'move month', 'move and edit',
    'add participant', 'remove participant', 'change hours', 'swap participant', 'soft delete'];
  op text;
  ids uuid[];
  targets uuid[] := '{}';
  hours numeric[];
  people uuid[];
  event uuid;
  person uuid;
  month_no integer;
  day_no integer;
  n integer;
begin
  perform setseed(0.20261127);
  for step in 1..400 loop
    op := ops[1 + pg_temp.pick(array_length(ops, 1))::integer];
    ids := '{}';
    case op
    when 'insert' then
      -- One to three new events of random teams, stations and dates, then their participants,
      -- each in one statement.
      for i in 0..pg_temp.pick(3) loop
        ids := ids || md5('totals-random-' || step || '-' || i)::uuid;
      end loop;
      insert into public.service_events (id, station_id, team_id, theme_month_id, started_at, ended_at, title,
        people_served, funds_fen, materials_fen, materials_description, recorded_by)
      select r.id, r.station_id, r.team_id, md5('month-' || r.month_no)::uuid, r.started_at,
        r.started_at + r.duration * interval '1 hour', 'Random event', r.people_served, r.funds_fen,
        r.materials_fen, case when r.materials_fen > 0 then 'Goods' else '' end, tests.demo_user('admin')
      from (
        select c.*, make_timestamptz(2023, c.month_no, c.day_no, c.hour_no, 0, 0, 'Asia/Shanghai') as started_at
        from (
          select x.id, x.ord, pg_temp.random_station() as station_id, md5('team-' || (1 + pg_temp.pick(64)))::uuid as team_id,
            (1 + pg_temp.pick(12))::integer as month_no, (1 + pg_temp.pick(28))::integer as day_no,
            (7 + pg_temp.pick(12))::integer as hour_no, 1 + pg_temp.pick(8) as duration,
            pg_temp.pick(60) as people_served, pg_temp.pick(1000) * 100 as funds_fen,
            case when random() < 0.5 then pg_temp.pick(1000) * 100 else 0 end as materials_fen
          from unnest(ids) with ordinality as x (id, ord)
          order by x.ord
        ) c
      ) r;
      -- Zero to four participants each, members of the event's team, all in one statement.
      targets := '{}'; people := '{}'; hours := '{}';
      foreach event in array ids loop
        for i in 1..pg_temp.pick(5) loop
          person := pg_temp.random_newcomer(event);
          continue when person is null;
          targets := targets || event;
          people := people || person;
          hours := hours || pg_temp.random_hours(pg_temp.duration_hours(event));
        end loop;
      end loop;
      insert into public.event_participants (event_id, person_id, hours)
      select distinct on (t.event_id, t.person_id) t.event_id, t.person_id, t.hours
      from unnest(targets, people, hours) as t (event_id, person_id, hours)
      order by t.event_id, t.person_id;
      targets := '{}';
    when 'edit figures' then
      for i in 0..pg_temp.pick(3) loop
        ids := ids || pg_temp.random_live_event();
      end loop;
      update public.service_events set people_served = pg_temp.pick(80), funds_fen = pg_temp.pick(500) * 100,
        materials_fen = 0, materials_description = ''
      where id = any(ids);
    when 'move station' then
      -- One to three events, each to a station chosen in a fixed order, in one statement.
      for i in 0..pg_temp.pick(3) loop
        ids := ids || pg_temp.random_live_event();
        targets := targets || pg_temp.random_station();
      end loop;
      update public.service_events e set station_id = t.station_id
      from (select distinct on (id) id, station_id from unnest(ids, targets) as u (id, station_id)) t
      where e.id = t.id;
      targets := '{}';
    when 'move month', 'move and edit' then
      event := pg_temp.random_live_event();
      month_no := 1 + pg_temp.pick(12);
      day_no := 1 + pg_temp.pick(28);
      update public.service_events e
      set theme_month_id = md5('month-' || month_no)::uuid,
        started_at = make_timestamptz(2023, month_no, day_no, 8, 0, 0, 'Asia/Shanghai'),
        ended_at = make_timestamptz(2023, month_no, day_no, 8, 0, 0, 'Asia/Shanghai') + (e.ended_at - e.started_at),
        station_id = case when op = 'move and edit' then pg_temp.random_station() else e.station_id end,
        people_served = case when op = 'move and edit' then e.people_served + 1 else e.people_served end
      where e.id = event;
    when 'add participant' then
      event := pg_temp.random_live_event();
      person := pg_temp.random_newcomer(event);
      if person is not null then
        insert into public.event_participants values (event, person, pg_temp.random_hours(pg_temp.duration_hours(event)));
      end if;
    when 'remove participant' then
      event := pg_temp.random_live_event();
      delete from public.event_participants p
      where p.event_id = event and p.person_id = (select person_id from public.event_participants
        where event_id = event order by person_id offset pg_temp.pick(
          (select count(*) from public.event_participants where event_id = event)) limit 1);
    when 'change hours' then
      -- New hours for every participant of one to three events, in one statement.
      for i in 0..pg_temp.pick(3) loop
        ids := ids || pg_temp.random_live_event();
      end loop;
      update public.event_participants p
      set hours = least(pg_temp.duration_hours(p.event_id), 0.25 + ((p.hours * 4)::integer + 5) % 32 / 4.0)
      where p.event_id = any(ids);
    when 'swap participant' then
      event := pg_temp.random_live_event();
      person := pg_temp.random_newcomer(event);
      if person is not null then
        update public.event_participants p set person_id = person
        where p.event_id = event and p.person_id = (select person_id from public.event_participants
          where event_id = event order by person_id limit 1);
      end if;
    when 'soft delete' then
      for i in 0..pg_temp.pick(2) loop
        ids := ids || pg_temp.random_live_event();
      end loop;
      update public.service_events set deleted_at = now() where id = any(ids);
    end case;
    insert into drift_log values (step, op, (select count(*) from private.totals_drift()));
  end loop;
end
$$;

select is((select count(*) from drift_log), 400::bigint, 'the random sequence ran 400 writes');
select is((select count(distinct op) from drift_log), 10::bigint, 'every kind of write was made');
select is((select min(step) from drift_log where drift > 0), null,
  'after every write of the random sequence the totals equal a recomputation (first drifting step, if any)');
select is_empty($$select * from private.totals_drift()$$, 'no drift at the end of the random sequence');
select ok((select count(*) from public.service_events where deleted_at is not null) > 20,
  'the sequence deleted a fair number of events (it exercised deletes, not just inserts)');

-- Program totals equal a recomputation from the events, distinct volunteers exact.
select results_eq($$select teams, volunteers, stations, events, volunteer_hours, people_served, funds_fen, materials_fen
    from public.program_totals()$$,
  $$select (select count(*) from public.teams), (select count(distinct p.person_id) from public.event_participants p
      join public.service_events e on e.id = p.event_id where e.deleted_at is null),
    (select count(*) from public.stations), count(*),
    (select coalesce(sum(p.hours), 0) from public.event_participants p join public.service_events e on e.id = p.event_id
      where e.deleted_at is null),
    sum(people_served), sum(funds_fen)::bigint, sum(materials_fen)::bigint
    from public.service_events where deleted_at is null$$,
  'program totals equal a recomputation from the events');
select results_eq($$select volunteers, events from public.program_totals('2023-03-01', '2023-05-01')$$,
  $$select count(distinct p.person_id), count(distinct e.id)
    from public.service_events e left join public.event_participants p on p.event_id = e.id
    where e.deleted_at is null and e.theme_month_id in (select id from public.theme_months where month between '2023-03-01' and '2023-05-01')$$,
  'program totals over a range of months count that range''s events and distinct volunteers');

select * from finish();
rollback;
