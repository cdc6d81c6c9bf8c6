-- public.push_event_changes(changes): the idempotent push of a batch of event changes.
--
-- The function takes a batch whole when every change in it can be applied (one statement per kind
-- of write), and falls back to one change at a time when any change is refused, so that only that
-- change is rejected. Both paths must keep the same contract, so the lifecycle below runs twice:
-- through push_event_changes with batches that take the whole-batch path, and through
-- tests.push_one_by_one, which adds a malformed change to each batch to force the other path.
--
-- Pushes run as volunteer@demo.local (person-2, a member of team 1) unless said otherwise;
-- totals are read as the test runner.
begin;
set local search_path = public, extensions;
-- The whole-batch path says it reuses its work table; that notice is not a test's business.
set local client_min_messages = warning;
select plan(87);

-- A change as the phone sends it.
create function pg_temp.change(change_id uuid, event_id uuid, op text, base_revision bigint default null,
  fields jsonb default null) returns jsonb
language sql
as $$
  select jsonb_strip_nulls(jsonb_build_object('change_id', change_id, 'event_id', event_id, 'op', op,
    'base_revision', base_revision, 'event', fields))
$$;

-- An event's fields as the phone sends them: team 1 at station 1, 20 March 2023 from 09:00 to
-- 12:00 in Kunming, with the given changes.
create function pg_temp.fields(overrides jsonb default '{}') returns jsonb
language sql
as $$
  select jsonb_build_object('station_id', md5('station-1')::uuid, 'team_id', md5('team-1')::uuid,
    'theme_month_id', md5('month-3')::uuid, 'started_at', '2023-03-20T09:00:00+08:00',
    'ended_at', '2023-03-20T12:00:00+08:00', 'title', 'Pushed event', 'note', '', 'people_served', 12,
    'funds_fen', 10000, 'materials_fen', 0, 'materials_description', '',
    'participants', jsonb_build_array(jsonb_build_object('person_id', md5('person-2')::uuid, 'hours', 3),
      jsonb_build_object('person_id', md5('person-3')::uuid, 'hours', 2.5))) || overrides
$$;

-- The totals of station 1 in March 2023, as the test runner sees them (zeros when there is no
-- totals row yet).
create function pg_temp.march_totals() returns jsonb
language plpgsql
as $$
declare
  acting_as jsonb := nullif(current_setting('request.jwt.claims', true), '')::jsonb;
  totals jsonb;
begin
  perform tests.reset_role();
  select jsonb_build_object('events', t.events, 'volunteers', t.volunteers, 'volunteer_hours', t.volunteer_hours,
      'people_served', t.people_served, 'funds_fen', t.funds_fen, 'materials_fen', t.materials_fen)
  into totals from public.station_month_totals t
  where t.station_id = md5('station-1')::uuid and t.theme_month_id = md5('month-3')::uuid;
  if acting_as ->> 'sub' is not null then
    perform tests.act_as((acting_as ->> 'sub')::uuid);
  end if;
  return coalesce(totals, '{"events": 0, "volunteers": 0, "volunteer_hours": 0, "people_served": 0,
    "funds_fen": 0, "materials_fen": 0}'::jsonb);
end
$$;

-- The lifecycle of one event through one path: create, resend, edit, stale edit, delete, and
-- what comes after a delete. push is the function that pushes a batch.
create function pg_temp.push_lifecycle(push text) returns setof text
language plpgsql
as $$
declare
  ev uuid := md5('push-lifecycle-' || push)::uuid;
  id_of_create uuid := md5('push-create-' || push)::uuid;
  outcomes jsonb;
  created bigint;
  edited bigint;
  deleted bigint;
  before_create jsonb;
  after_create jsonb;
  after_edit jsonb;
begin
  perform tests.act_as(tests.demo_user('volunteer'));
  before_create := pg_temp.march_totals();

  -- A new event: applied, recorded as the pusher's, with its participants, in the totals.
  execute format('select %s($1)', push) into outcomes
  using jsonb_build_array(pg_temp.change(id_of_create, ev, 'upsert', null, pg_temp.fields()));
  return next is(outcomes -> 0 ->> 'status', 'applied', push || ': a new event is applied');
  created := (outcomes -> 0 ->> 'revision')::bigint;
  return next is(created, (select revision from public.service_events where id = ev),
    push || ': the outcome carries the event''s revision');
  return next is((select recorded_by from public.service_events where id = ev), tests.demo_user('volunteer'),
    push || ': the event is recorded as the pusher''s');
  return next set_eq(format('select person_id, hours from public.event_participants where event_id = %L', ev),
    format($q$values (%L::uuid, 3.00), (%L::uuid, 2.50)$q$, md5('person-2')::uuid, md5('person-3')::uuid),
    push || ': the event''s participants are stored');
  return next results_eq(format('select event_id, revision from public.sync_changes where change_id = %L', id_of_create),
    format('values (%L::uuid, %s::bigint)', ev, created), push || ': the change is recorded as applied');
  after_create := pg_temp.march_totals();
  return next is(jsonb_build_array((after_create ->> 'events')::int - (before_create ->> 'events')::int,
      (after_create ->> 'people_served')::int - (before_create ->> 'people_served')::int,
      (after_create ->> 'volunteer_hours')::numeric - (before_create ->> 'volunteer_hours')::numeric),
    '[1, 12, 5.5]'::jsonb, push || ': the totals count the event once, its people served and its hours');

  -- The same change again (the response was lost): a duplicate, not a second event.
  execute format('select %s($1)', push) into outcomes
  using jsonb_build_array(pg_temp.change(id_of_create, ev, 'upsert', null, pg_temp.fields()));
  return next is((outcomes -> 0) - 'event_id' - 'change_id', jsonb_build_object('status', 'duplicate', 'revision', created),
    push || ': a resent change is a duplicate with the revision it got');
  return next is((select count(*) from public.sync_changes where event_id = ev), 1::bigint,
    push || ': a resent change is not recorded twice');
  return next is((select revision from public.service_events where id = ev), created,
    push || ': a resent change does not write the event again');
  return next is(pg_temp.march_totals(), after_create, push || ': a resent change does not count twice in the totals');

  -- An edit based on the current revision: applied, and the participants are replaced (one
  -- removed, one added, one with new hours).
  execute format('select %s($1)', push) into outcomes
  using jsonb_build_array(pg_temp.change(md5('push-edit-' || push)::uuid, ev, 'upsert', created,
    pg_temp.fields(jsonb_build_object('title', 'Edited on the phone', 'people_served', 20,
      'participants', jsonb_build_array(jsonb_build_object('person_id', md5('person-2')::uuid, 'hours', 3),
        jsonb_build_object('person_id', md5('person-4')::uuid, 'hours', 2))))));
  return next is(outcomes -> 0 ->> 'status', 'applied', push || ': an edit of the current revision is applied');
  edited := (outcomes -> 0 ->> 'revision')::bigint;
  return next cmp_ok(edited, '>', created, push || ': the edit gets a new revision');
  return next is((select title from public.service_events where id = ev), 'Edited on the phone',
    push || ': the edit is stored');
  return next set_eq(format('select person_id, hours from public.event_participants where event_id = %L', ev),
    format($q$values (%L::uuid, 3.00), (%L::uuid, 2.00)$q$, md5('person-2')::uuid, md5('person-4')::uuid),
    push || ': the participants are replaced by the pushed list');
  after_edit := pg_temp.march_totals();
  return next is(jsonb_build_array((after_edit ->> 'events')::int - (before_create ->> 'events')::int,
      (after_edit ->> 'people_served')::int - (before_create ->> 'people_served')::int,
      (after_edit ->> 'volunteer_hours')::numeric - (before_create ->> 'volunteer_hours')::numeric),
    '[1, 20, 5]'::jsonb, push || ': the totals follow the edit');

  -- An edit based on an old revision: a conflict carrying the server's row, not applied.
  execute format('select %s($1)', push) into outcomes
  using jsonb_build_array(pg_temp.change(md5('push-stale-' || push)::uuid, ev, 'upsert', created,
    pg_temp.fields(jsonb_build_object('title', 'Stale edit'))));
  return next is(outcomes -> 0 ->> 'status' || ' ' || (outcomes -> 0 ->> 'reason'), 'conflict changed',
    push || ': an edit of an old revision is a conflict (changed)');
  return next is(jsonb_build_array(outcomes -> 0 -> 'server' -> 'revision', outcomes -> 0 -> 'server' -> 'title'),
    jsonb_build_array(edited, 'Edited on the phone'), push || ': the conflict carries the server''s row');
  return next is((outcomes -> 0 -> 'server') - 'participants',
    (select to_jsonb(e) - 'change_xid' from public.service_events e where e.id = ev),
    push || ': the server row is the event as stored, every column, nulls included');
  return next is(outcomes -> 0 -> 'server' -> 'participants',
    (select jsonb_agg(jsonb_build_object('person_id', p.person_id, 'hours', p.hours) order by p.person_id)
     from public.event_participants p where p.event_id = ev),
    push || ': ...and its participants, ordered by person');
  return next is((select title from public.service_events where id = ev), 'Edited on the phone',
    push || ': the stale edit is not applied');
  return next is_empty(format('select 1 from public.sync_changes where change_id = %L', md5('push-stale-' || push)::uuid),
    push || ': a conflict is not recorded as applied (it can be resolved and pushed again)');
  -- A create of an id that exists (two phones made the same id, or a lost create then an edit):
  -- also a conflict, never an overwrite.
  execute format('select %s($1)', push) into outcomes
  using jsonb_build_array(pg_temp.change(md5('push-recreate-' || push)::uuid, ev, 'upsert', null, pg_temp.fields()));
  return next is(outcomes -> 0 ->> 'status' || ' ' || (outcomes -> 0 ->> 'reason'), 'conflict changed',
    push || ': a create of an existing event is a conflict');

  -- A delete: a tombstone (deleted_at set, new revision), and the event leaves the totals.
  execute format('select %s($1)', push) into outcomes
  using jsonb_build_array(pg_temp.change(md5('push-delete-' || push)::uuid, ev, 'delete', edited));
  return next is(outcomes -> 0 ->> 'status', 'applied', push || ': a delete of the current revision is applied');
  deleted := (outcomes -> 0 ->> 'revision')::bigint;
  return next ok((select deleted_at is not null and revision = deleted and deleted > edited
      from public.service_events where id = ev),
    push || ': the deleted event stays as a tombstone with a new revision');
  return next is(pg_temp.march_totals(), before_create,
    push || ': the deleted event no longer counts in the totals');

  -- After a delete: an edit is a conflict (deleted); deleting again is applied and changes nothing.
  execute format('select %s($1)', push) into outcomes
  using jsonb_build_array(pg_temp.change(md5('push-edit-deleted-' || push)::uuid, ev, 'upsert', deleted,
    pg_temp.fields()));
  return next is(outcomes -> 0 ->> 'status' || ' ' || (outcomes -> 0 ->> 'reason'), 'conflict deleted',
    push || ': an edit of a deleted event is a conflict (deleted)');
  return next ok(outcomes -> 0 -> 'server' ->> 'deleted_at' is not null,
    push || ': the conflict carries the tombstone');
  execute format('select %s($1)', push) into outcomes
  using jsonb_build_array(pg_temp.change(md5('push-delete-again-' || push)::uuid, ev, 'delete', edited));
  return next is((outcomes -> 0) - 'event_id' - 'change_id', jsonb_build_object('status', 'applied', 'revision', deleted),
    push || ': deleting a deleted event again is applied without a new revision');

  -- Changes to events the server does not have.
  execute format('select %s($1)', push) into outcomes
  using jsonb_build_array(pg_temp.change(md5('push-delete-missing-' || push)::uuid, md5('push-missing-1')::uuid, 'delete', 1),
    pg_temp.change(md5('push-edit-missing-' || push)::uuid, md5('push-missing-2')::uuid, 'upsert', 1, pg_temp.fields()));
  return next is(jsonb_build_array(outcomes -> 0 ->> 'status', outcomes -> 0 ->> 'reason',
      outcomes -> 1 ->> 'status', outcomes -> 1 ->> 'reason'),
    '["conflict", "missing", "conflict", "missing"]'::jsonb,
    push || ': a delete or an edit of an event the server does not have is a conflict (missing)');
  return next is_empty(format('select 1 from public.service_events where id = %L', md5('push-missing-2')::uuid),
    push || ': an edit of a missing event does not create it');

  perform tests.reset_role();
end
$$;

select * from pg_temp.push_lifecycle('public.push_event_changes');
select * from pg_temp.push_lifecycle('tests.push_one_by_one');

-- ---------------------------------------------------------------------------------------------
-- A batch in which some changes are refused: each refused change is rejected with its SQLSTATE and
-- rule, leaves nothing behind, and the rest of the batch is applied.
select tests.act_as(tests.demo_user('volunteer'));
select public.push_event_changes(jsonb_build_array(
  pg_temp.change(md5('mixed-1')::uuid, md5('mixed-event-1')::uuid, 'upsert', null, pg_temp.fields()),
  pg_temp.change(md5('mixed-2')::uuid, md5('mixed-event-2')::uuid, 'upsert', null,
    pg_temp.fields('{"ended_at": "2023-03-20T08:00:00+08:00"}')),
  pg_temp.change(md5('mixed-3')::uuid, md5('mixed-event-3')::uuid, 'upsert', null,
    pg_temp.fields(jsonb_build_object('team_id', md5('team-2')::uuid,
      'participants', jsonb_build_array(jsonb_build_object('person_id', md5('person-12')::uuid, 'hours', 1))))),
  pg_temp.change(md5('mixed-4')::uuid, md5('mixed-event-4')::uuid, 'upsert', null,
    pg_temp.fields('{"participants": []}')),
  pg_temp.change(md5('mixed-5')::uuid, md5('mixed-event-5')::uuid, 'upsert', null,
    pg_temp.fields(jsonb_build_object('participants',
      jsonb_build_array(jsonb_build_object('person_id', md5('person-12')::uuid, 'hours', 1))))),
  jsonb_build_object('change_id', 'not-a-uuid', 'event_id', md5('mixed-event-6')::uuid, 'op', 'upsert',
    'event', pg_temp.fields()),
  pg_temp.change(md5('mixed-7')::uuid, md5('mixed-event-7')::uuid, 'frobnicate'),
  pg_temp.change(md5('mixed-8')::uuid, md5('event-1')::uuid, 'upsert',
    (select revision from public.service_events where id = md5('event-1')::uuid),
    pg_temp.fields(jsonb_build_object('station_id', md5('station-2')::uuid, 'theme_month_id', md5('month-1')::uuid,
      'started_at', '2023-01-08T10:00:00+08:00', 'ended_at', '2023-01-08T13:00:00+08:00'))),
  pg_temp.change(md5('mixed-9')::uuid, md5('event-4')::uuid, 'delete',
    (select revision from public.service_events where id = md5('event-4')::uuid)),
  pg_temp.change(md5('mixed-10')::uuid, md5('mixed-event-10')::uuid, 'upsert', null,
    pg_temp.fields('{"title": "Also applied"}'))
)) as mixed \gset
select is(:'mixed'::jsonb -> 0 ->> 'status', 'applied', 'mixed batch: a valid change before refused ones is applied');
select is((:'mixed'::jsonb -> 1) - 'change_id' - 'event_id' - 'message',
  '{"status": "rejected", "code": "23514", "rule": "service_events_ends_after_start"}'::jsonb,
  'mixed batch: an invalid event is rejected with its SQLSTATE and rule');
select is((:'mixed'::jsonb -> 2) - 'change_id' - 'event_id' - 'message',
  '{"status": "rejected", "code": "42501", "rule": "service_events_team_policy"}'::jsonb,
  'mixed batch: an event for another team is rejected by RLS (42501), with a rule the app translates');
select is((:'mixed'::jsonb -> 3) - 'change_id' - 'event_id' - 'message',
  '{"status": "rejected", "code": "23514", "rule": "service_events_has_participants"}'::jsonb,
  'mixed batch: an event without participants is rejected');
select is((:'mixed'::jsonb -> 4) - 'change_id' - 'event_id' - 'message',
  '{"status": "rejected", "code": "23514", "rule": "event_participants_team_member"}'::jsonb,
  'mixed batch: an event with a participant from another team is rejected');
select is((:'mixed'::jsonb -> 5) - 'event_id' - 'message',
  '{"change_id": "not-a-uuid", "status": "rejected", "code": "22023", "rule": "sync_change_shape"}'::jsonb,
  'mixed batch: a change with a malformed id is rejected as malformed, not a failed batch');
select is((:'mixed'::jsonb -> 6) - 'change_id' - 'event_id' - 'message',
  '{"status": "rejected", "code": "22023", "rule": "sync_change_shape"}'::jsonb,
  'mixed batch: a change with an unknown op is rejected');
select is((:'mixed'::jsonb -> 7) - 'change_id' - 'event_id' - 'message',
  '{"status": "rejected", "code": "42501", "rule": "service_events_edit_policy"}'::jsonb,
  'mixed batch: an edit of a team event someone else recorded is rejected (42501)');
select is((:'mixed'::jsonb -> 8) ->> 'status' || ' ' || (:'mixed'::jsonb -> 8 ->> 'reason'), 'conflict missing',
  'mixed batch: a change to another team''s event finds nothing (it is not visible)');
select is(:'mixed'::jsonb -> 9 ->> 'status', 'applied', 'mixed batch: a valid change after refused ones is applied');
select is(jsonb_array_length(:'mixed'::jsonb), 10, 'mixed batch: one outcome per change');
select tests.reset_role();
select set_eq($$select id from public.service_events where id::text like any (array[
      md5('mixed-event-1')::uuid::text, md5('mixed-event-2')::uuid::text, md5('mixed-event-3')::uuid::text,
      md5('mixed-event-4')::uuid::text, md5('mixed-event-5')::uuid::text, md5('mixed-event-6')::uuid::text,
      md5('mixed-event-7')::uuid::text, md5('mixed-event-10')::uuid::text])$$,
  $$values (md5('mixed-event-1')::uuid), (md5('mixed-event-10')::uuid)$$,
  'mixed batch: only the applied events exist (a rejected change leaves no event behind)');
select set_eq($$select change_id from public.sync_changes where change_id::text like any (array[
      md5('mixed-1')::uuid::text, md5('mixed-2')::uuid::text, md5('mixed-3')::uuid::text, md5('mixed-4')::uuid::text,
      md5('mixed-5')::uuid::text, md5('mixed-7')::uuid::text, md5('mixed-8')::uuid::text, md5('mixed-9')::uuid::text,
      md5('mixed-10')::uuid::text])$$,
  $$values (md5('mixed-1')::uuid), (md5('mixed-10')::uuid)$$,
  'mixed batch: only the applied changes are recorded (rejected ones can be fixed and pushed again)');
select is((select deleted_at from public.service_events where id = md5('event-4')::uuid), null,
  'mixed batch: another team''s event is untouched');

-- A leader may edit any event of the team through the push, including ones others recorded.
select tests.act_as(tests.demo_user('leader'));
select is(public.push_event_changes(jsonb_build_array(pg_temp.change(md5('leader-edit')::uuid, md5('event-1')::uuid, 'upsert',
    (select revision from public.service_events where id = md5('event-1')::uuid),
    pg_temp.fields(jsonb_build_object('station_id', md5('station-2')::uuid, 'theme_month_id', md5('month-1')::uuid,
      'started_at', '2023-01-08T10:00:00+08:00', 'ended_at', '2023-01-08T13:00:00+08:00',
      'title', 'Corrected by the leader'))))) -> 0 ->> 'status',
  'applied', 'a leader''s push edits an event of their team that someone else recorded');

-- ---------------------------------------------------------------------------------------------
-- Batches as a whole.
select tests.act_as(tests.demo_user('volunteer'));
-- Several new events in one batch take the whole-batch path and all apply.
select is((select jsonb_agg(o ->> 'status') from jsonb_array_elements(public.push_event_changes(jsonb_build_array(
    pg_temp.change(md5('together-1')::uuid, md5('together-event-1')::uuid, 'upsert', null, pg_temp.fields()),
    pg_temp.change(md5('together-2')::uuid, md5('together-event-2')::uuid, 'upsert', null,
      pg_temp.fields(jsonb_build_object('station_id', md5('station-5')::uuid, 'title', 'Elsewhere'))),
    pg_temp.change(md5('together-3')::uuid, md5('together-event-3')::uuid, 'upsert', null,
      pg_temp.fields(jsonb_build_object('theme_month_id', md5('month-4')::uuid,
        'started_at', '2023-04-02T09:00:00+08:00', 'ended_at', '2023-04-02T12:00:00+08:00')))))) o),
  '["applied", "applied", "applied"]'::jsonb, 'a batch of new events is applied whole');
-- The same change twice in one batch: applied once, then a duplicate.
select is((select jsonb_agg(o ->> 'status') from jsonb_array_elements(public.push_event_changes(jsonb_build_array(
    pg_temp.change(md5('twice')::uuid, md5('twice-event')::uuid, 'upsert', null, pg_temp.fields()),
    pg_temp.change(md5('twice')::uuid, md5('twice-event')::uuid, 'upsert', null, pg_temp.fields())))) o),
  '["applied", "duplicate"]'::jsonb, 'the same change twice in a batch is applied once');
select is((select count(*) from public.event_participants where event_id = md5('twice-event')::uuid), 2::bigint,
  'the change sent twice made one event with its two participants');
select is(public.push_event_changes('[]'), '[]'::jsonb, 'an empty batch is answered with no outcomes');

-- A change id another user already used: rejected (not taken for that user's change, and nothing
-- of the other user's is revealed: the answer is that of any id used before for something else).
select tests.act_as(tests.demo_user('volunteer2'));
select is((public.push_event_changes(jsonb_build_array(pg_temp.change(md5('together-1')::uuid, md5('collision-event')::uuid,
    'upsert', null, pg_temp.fields(jsonb_build_object('team_id', md5('team-2')::uuid,
      'participants', jsonb_build_array(jsonb_build_object('person_id', md5('person-12')::uuid, 'hours', 1))))))) -> 0)
    - 'change_id' - 'event_id' - 'message',
  '{"status": "rejected", "code": "22023", "rule": "sync_change_id_reused"}'::jsonb,
  'a change id already used by someone else is rejected, not answered as a duplicate');
select tests.reset_role();
select is_empty($$select 1 from public.service_events where id = md5('collision-event')::uuid$$,
  'the colliding change wrote nothing');

-- Batches that are not a list of at most 500 changes are refused whole (22023).
select tests.act_as(tests.demo_user('volunteer'));
select throws_ok(format('select public.push_event_changes(%L)',
    (select jsonb_agg(pg_temp.change(gen_random_uuid(), gen_random_uuid(), 'delete', 1)) from generate_series(1, 501))),
  '22023', 'changes must be an array of at most 500 changes', 'a batch of 501 changes is refused');
select is(jsonb_array_length(public.push_event_changes(
    (select jsonb_agg(pg_temp.change(gen_random_uuid(), gen_random_uuid(), 'delete', 1)) from generate_series(1, 500)))),
  500, 'a batch of 500 changes is taken');
select throws_ok($$select public.push_event_changes('{"change_id": "x"}')$$, '22023',
  'changes must be an array of at most 500 changes', 'a batch that is not an array is refused');

-- ---------------------------------------------------------------------------------------------
-- An edit that shortens an event and lowers its participants' hours to fit is valid as a whole:
-- both paths must lower the hours before the event's duration is checked against them.
select tests.reset_role();
select tests.make_event(md5('team-1')::uuid, md5('station-1')::uuid, '2023-03-21 09:00+08', 4,
  array[md5('person-2')::uuid], recorded_by => tests.demo_user('volunteer'), id => md5('shrink-whole')::uuid);
select tests.make_event(md5('team-1')::uuid, md5('station-1')::uuid, '2023-03-22 09:00+08', 4,
  array[md5('person-2')::uuid], recorded_by => tests.demo_user('volunteer'), id => md5('shrink-one')::uuid);
select tests.act_as(tests.demo_user('volunteer'));
select is(public.push_event_changes(jsonb_build_array(pg_temp.change(md5('shrink-whole-change')::uuid,
    md5('shrink-whole')::uuid, 'upsert', (select revision from public.service_events where id = md5('shrink-whole')::uuid),
    pg_temp.fields(jsonb_build_object('started_at', '2023-03-21T09:00:00+08:00', 'ended_at', '2023-03-21T11:00:00+08:00',
      'participants', jsonb_build_array(jsonb_build_object('person_id', md5('person-2')::uuid, 'hours', 2))))))) -> 0 ->> 'status',
  'applied', 'whole batch: an event shortened together with its participants'' hours is applied');
select is(tests.push_one_by_one(jsonb_build_array(pg_temp.change(md5('shrink-one-change')::uuid,
    md5('shrink-one')::uuid, 'upsert', (select revision from public.service_events where id = md5('shrink-one')::uuid),
    pg_temp.fields(jsonb_build_object('started_at', '2023-03-22T09:00:00+08:00', 'ended_at', '2023-03-22T11:00:00+08:00',
      'participants', jsonb_build_array(jsonb_build_object('person_id', md5('person-2')::uuid, 'hours', 2))))))) -> 0 ->> 'status',
  'applied', 'one at a time: an event shortened together with its participants'' hours is applied');

-- After all of the above, the maintained totals still equal a recomputation from the events.
select tests.reset_role();
select is_empty($$select * from private.totals_drift()$$, 'the totals have not drifted');

select * from finish();
rollback;
