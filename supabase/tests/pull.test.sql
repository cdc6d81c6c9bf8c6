-- public.pull_event_changes(after, max_rows): events changed after a cursor, oldest first, in
-- pages, tombstones and participants included, under the caller's RLS.
--
-- Why part of this file writes committed rows: a pull returns only rows whose writing
-- transaction is below the snapshot's xmin, i.e. rows of transactions that have finished (so that
-- a slow writer's rows are never skipped by a cursor that has moved past them). A pgTAP file runs
-- inside one transaction, and its own writes are never returned to it. And as soon as this
-- transaction has a transaction id (pgTAP's plan() writes to temporary tables, which takes one),
-- it holds back the xmin of every snapshot, so rows committed elsewhere after that are withheld
-- too. Hence part 1 runs BEFORE plan(), while this transaction has no transaction id yet: it
-- writes its fixtures through dblink in separate, committed transactions (its own station, team,
-- theme month and account, so the seed is untouched), pulls between the writes, keeps what it
-- saw in a transaction-local setting, and removes every row it committed before it ends (also if
-- it fails; a leftover from a crashed run is removed at its start). The assertions on what it saw
-- come after plan(). Part 2 pulls the seed (committed long before) inside this transaction, and
-- checks that this transaction's own, uncommitted writes are withheld. For the same reason, no
-- other transaction may be open on the database while this file runs (do not run the test files
-- in parallel against one database).
begin;
set local search_path = public, extensions;

-- ---------------------------------------------------------------------------------------------
-- Part 1, before plan(): committed writes and the pulls between them.
do $pull$
declare
  -- Removes every row the scenario commits. session_replication_role = replica skips triggers
  -- (the refusal of hard deletes, and the totals maintenance, whose rows are deleted directly).
  cleanup constant text := $sql$
    begin;
    set local session_replication_role = replica;
    delete from public.sync_changes where event_id in (select id from public.service_events where team_id = md5('pull-team')::uuid);
    delete from public.event_participants where event_id in (select id from public.service_events where team_id = md5('pull-team')::uuid);
    delete from public.service_events where team_id = md5('pull-team')::uuid;
    delete from public.station_month_volunteers where station_id in (md5('pull-station')::uuid, md5('pull-station-2')::uuid);
    delete from public.station_month_totals where station_id in (md5('pull-station')::uuid, md5('pull-station-2')::uuid);
    delete from public.team_members where team_id = md5('pull-team')::uuid;
    delete from public.people where id in (md5('pull-person-1')::uuid, md5('pull-person-2')::uuid);
    delete from public.teams where id = md5('pull-team')::uuid;
    delete from public.stations where id in (md5('pull-station')::uuid, md5('pull-station-2')::uuid);
    delete from public.theme_months where id = md5('pull-month')::uuid;
    delete from auth.users where id = md5('user-pull-leader@tests.local')::uuid;
    commit;
  $sql$;
  leader constant uuid := md5('user-pull-leader@tests.local')::uuid;
  seen jsonb := '{}';
  first_cursor text;
  edits_cursor text;
  participants_cursor text;
  commit_cursor text;
begin
  if pg_current_xact_id_if_assigned() is not null then
    raise exception 'pull.test.sql part 1 must run before this transaction writes anything';
  end if;
  perform tests.run_committed(cleanup);
  begin
    -- The fixtures: a team of two (its leader signs in) at its own station, in December 2022.
    perform tests.run_committed($sql$ do $inner$ begin
      perform tests.create_user('pull-leader@tests.local');
      insert into public.stations (id, name) values (md5('pull-station')::uuid, 'Pull test station'),
        (md5('pull-station-2')::uuid, 'Pull test station 2');
      insert into public.teams (id, name) values (md5('pull-team')::uuid, 'Pull test team');
      insert into public.theme_months (id, month, theme) values (md5('pull-month')::uuid, '2022-12-01', 'Pull test month');
      insert into public.people (id, display_name, user_id) values
        (md5('pull-person-1')::uuid, 'Pull leader', md5('user-pull-leader@tests.local')::uuid),
        (md5('pull-person-2')::uuid, 'Pull member', null);
      insert into public.team_members (team_id, person_id, role) values
        (md5('pull-team')::uuid, md5('pull-person-1')::uuid, 'leader'),
        (md5('pull-team')::uuid, md5('pull-person-2')::uuid, 'member');
    end $inner$ $sql$);
    -- Two events, each committed in its own transaction; the first with both members.
    perform tests.run_committed($sql$ do $inner$ begin
      perform tests.make_event(md5('pull-team')::uuid, md5('pull-station')::uuid, '2022-12-05 09:00+08', 3,
        array[md5('pull-person-1')::uuid, md5('pull-person-2')::uuid], participant_hours => 2,
        recorded_by => md5('user-pull-leader@tests.local')::uuid, id => md5('pull-event-1')::uuid);
    end $inner$ $sql$);
    perform tests.run_committed($sql$ do $inner$ begin
      perform tests.make_event(md5('pull-team')::uuid, md5('pull-station')::uuid, '2022-12-06 09:00+08', 2,
        array[md5('pull-person-1')::uuid], recorded_by => md5('user-pull-leader@tests.local')::uuid,
        id => md5('pull-event-2')::uuid);
    end $inner$ $sql$);

    -- The leader's first pulls: all at once, then one change per page.
    perform tests.act_as(leader);
    seen := seen || jsonb_build_object('first', public.pull_event_changes(null, 10));
    seen := seen || jsonb_build_object('page_1', public.pull_event_changes(null, 1));
    seen := seen || jsonb_build_object('page_2', public.pull_event_changes(seen -> 'page_1' ->> 'cursor', 1));
    seen := seen || jsonb_build_object('page_3', public.pull_event_changes(seen -> 'page_2' ->> 'cursor', 1));
    perform tests.reset_role();
    first_cursor := seen -> 'first' ->> 'cursor';

    -- An edit of the first event and a delete of the second, each committed.
    perform tests.run_committed($sql$
      update public.service_events set title = 'Edited after the first pull' where id = md5('pull-event-1')::uuid;
    $sql$);
    perform tests.run_committed($sql$
      update public.service_events set deleted_at = now() where id = md5('pull-event-2')::uuid;
    $sql$);

    perform tests.act_as(leader);
    seen := seen || jsonb_build_object('after_edits', public.pull_event_changes(first_cursor, 10));
    edits_cursor := seen -> 'after_edits' ->> 'cursor';
    perform tests.reset_role();

    -- A change to the first event's participants alone (one removed), committed.
    perform tests.run_committed($sql$
      delete from public.event_participants where event_id = md5('pull-event-1')::uuid and person_id = md5('pull-person-2')::uuid;
    $sql$);
    perform tests.act_as(leader);
    seen := seen || jsonb_build_object('after_participants', public.pull_event_changes(edits_cursor, 10));
    participants_cursor := seen -> 'after_participants' ->> 'cursor';
    seen := seen || jsonb_build_object('unchanged', public.pull_event_changes(participants_cursor, 10));
    perform tests.act_as(tests.demo_user('volunteer'));
    seen := seen || jsonb_build_object('other_team', public.pull_event_changes(first_cursor, 10));
    perform tests.act_as(tests.demo_user('coordinator'));
    seen := seen || jsonb_build_object('coordinator', public.pull_event_changes(first_cursor, 10));
    perform tests.reset_role();

    -- A slow writer: a transaction that took its revision first but commits last. While it is
    -- open, a later transaction's committed event must be withheld, or the cursor would pass the
    -- slow writer's event and skip it for good. (The later one is at another station: writers to
    -- the same station and month wait for each other on the totals row.)
    perform extensions.dblink_connect('pull_slow_writer', tests.loopback());
    perform extensions.dblink_exec('pull_slow_writer', $sql$
      begin;
      do $inner$ begin
        perform tests.make_event(md5('pull-team')::uuid, md5('pull-station')::uuid, '2022-12-07 09:00+08', 2,
          array[md5('pull-person-2')::uuid], recorded_by => md5('user-pull-leader@tests.local')::uuid,
          id => md5('pull-event-slow')::uuid);
      end $inner$;
    $sql$);
    perform tests.run_committed($sql$ do $inner$ begin
      perform tests.make_event(md5('pull-team')::uuid, md5('pull-station-2')::uuid, '2022-12-08 09:00+08', 2,
        array[md5('pull-person-1')::uuid], recorded_by => md5('user-pull-leader@tests.local')::uuid,
        id => md5('pull-event-fast')::uuid);
    end $inner$ $sql$);
    perform tests.act_as(leader);
    seen := seen || jsonb_build_object('while_writing', public.pull_event_changes(participants_cursor, 10));
    perform tests.reset_role();
    perform extensions.dblink_exec('pull_slow_writer', 'commit');
    perform extensions.dblink_disconnect('pull_slow_writer');
    perform tests.act_as(leader);
    seen := seen || jsonb_build_object('after_commit', public.pull_event_changes(participants_cursor, 10));
    commit_cursor := seen -> 'after_commit' ->> 'cursor';
    perform tests.reset_role();

    -- A writer that takes its transaction id first but its revision last: the order of commits
    -- that are safe to page through is by transaction id, then revision.
    perform extensions.dblink_connect('pull_slow_writer', tests.loopback());
    perform extensions.dblink_exec('pull_slow_writer', $sql$
      begin;
      do $inner$ begin perform pg_current_xact_id(); end $inner$;
    $sql$);
    perform tests.run_committed($sql$ do $inner$ begin
      perform tests.make_event(md5('pull-team')::uuid, md5('pull-station-2')::uuid, '2022-12-09 09:00+08', 2,
        array[md5('pull-person-1')::uuid], recorded_by => md5('user-pull-leader@tests.local')::uuid,
        id => md5('pull-event-later-xid')::uuid);
    end $inner$ $sql$);
    perform extensions.dblink_exec('pull_slow_writer', $sql$
      do $inner$ begin
        perform tests.make_event(md5('pull-team')::uuid, md5('pull-station')::uuid, '2022-12-10 09:00+08', 2,
          array[md5('pull-person-2')::uuid], recorded_by => md5('user-pull-leader@tests.local')::uuid,
          id => md5('pull-event-earlier-xid')::uuid);
      end $inner$;
      commit;
    $sql$);
    perform extensions.dblink_disconnect('pull_slow_writer');
    perform tests.act_as(leader);
    seen := seen || jsonb_build_object('xid_page_1', public.pull_event_changes(commit_cursor, 1));
    seen := seen || jsonb_build_object('xid_page_2', public.pull_event_changes(seen -> 'xid_page_1' ->> 'cursor', 1));
    perform tests.reset_role();
    seen := seen || jsonb_build_object('revisions', (select jsonb_object_agg(title || ' ' || id, revision)
      from public.service_events where team_id = md5('pull-team')::uuid));
  exception when others then
    perform tests.reset_role();
    if 'pull_slow_writer' = any(coalesce(extensions.dblink_get_connections(), '{}')) then
      perform extensions.dblink_disconnect('pull_slow_writer');
    end if;
    perform tests.run_committed(cleanup);
    raise;
  end;
  perform tests.run_committed(cleanup);
  perform set_config('tests.pull_seen', seen::text, true);
end
$pull$;

select plan(46);

-- What part 1 saw, and the ids of a page's changes in order.
create function pg_temp.seen(key text) returns jsonb
language sql stable
as $$ select current_setting('tests.pull_seen')::jsonb -> key $$;
create function pg_temp.ids(page jsonb) returns jsonb
language sql immutable
as $$ select coalesce(jsonb_agg(c -> 'id' order by n), '[]'::jsonb) from jsonb_array_elements(page -> 'changes') with ordinality as x (c, n) $$;
create function pg_temp.ids_of(variadic names text[]) returns jsonb
language sql immutable
as $$ select jsonb_agg(to_jsonb(md5(n)::uuid) order by o) from unnest(names) with ordinality as x (n, o) $$;

-- Part 1: committed changes.
select is(pg_temp.ids(pg_temp.seen('first')), pg_temp.ids_of('pull-event-1', 'pull-event-2'),
  'a first pull returns the team''s events in the order they were committed');
select is(pg_temp.seen('first') -> 'has_more', 'false'::jsonb, 'a pull that returns less than a page has no more');
select is(pg_temp.seen('first') ->> 'cursor',
  split_part(pg_temp.seen('first') ->> 'cursor', ':', 1) || ':' || (pg_temp.seen('first') -> 'changes' -> 1 ->> 'revision'),
  'the cursor is the transaction id and revision of the last change returned');
select bag_eq($$select (p ->> 'person_id')::uuid, (p ->> 'hours')::numeric
    from jsonb_array_elements(pg_temp.seen('first') -> 'changes' -> 0 -> 'participants') p$$,
  $$values (md5('pull-person-1')::uuid, 2.00), (md5('pull-person-2')::uuid, 2.00)$$,
  'a change carries its event''s participants and their hours');
select ok(not (pg_temp.seen('first') -> 'changes' -> 0) ? 'change_xid', 'a change does not expose the transaction id column');
select is(pg_temp.seen('first') -> 'changes' -> 0 ->> 'title', 'Test event', 'a change carries the event''s columns');

select is(pg_temp.ids(pg_temp.seen('page_1')), pg_temp.ids_of('pull-event-1'), 'a page of one: the first change');
select is(pg_temp.seen('page_1') -> 'has_more', 'true'::jsonb, 'a full page says there may be more');
select is(pg_temp.ids(pg_temp.seen('page_2')), pg_temp.ids_of('pull-event-2'), 'the next page continues after the cursor');
select is(pg_temp.ids(pg_temp.seen('page_3')), '[]'::jsonb, 'the page after the last change is empty');
select is(pg_temp.seen('page_3') -> 'has_more', 'false'::jsonb, '...and says there is no more');
select is(pg_temp.seen('page_3') ->> 'cursor', pg_temp.seen('page_2') ->> 'cursor', '...and keeps the cursor where it was');

select is(pg_temp.ids(pg_temp.seen('after_edits')), pg_temp.ids_of('pull-event-1', 'pull-event-2'),
  'after an edit and a delete, a pull from the previous cursor returns just those two changes, in commit order');
select is(pg_temp.seen('after_edits') -> 'changes' -> 0 ->> 'title', 'Edited after the first pull', 'the edit is pulled');
select is(pg_temp.ids(pg_temp.seen('after_participants')), pg_temp.ids_of('pull-event-1'),
  'a change to an event''s participants alone is pulled as a change of the event');
select is(pg_temp.seen('after_participants') -> 'changes' -> 0 -> 'participants',
  jsonb_build_array(jsonb_build_object('person_id', md5('pull-person-1')::uuid, 'hours', 2.00)),
  '...carrying its new participant list');
select ok(pg_temp.seen('after_edits') -> 'changes' -> 1 ->> 'deleted_at' is not null, 'the delete is pulled as a tombstone');
select is(pg_temp.seen('after_edits') -> 'changes' -> 1 -> 'participants',
  jsonb_build_array(jsonb_build_object('person_id', md5('pull-person-1')::uuid, 'hours', 2.00)),
  'the tombstone still carries its participants');
select cmp_ok((pg_temp.seen('after_edits') -> 'changes' -> 1 ->> 'revision')::bigint, '>',
  (pg_temp.seen('first') -> 'changes' -> 1 ->> 'revision')::bigint, 'the tombstone has a new revision');
select cmp_ok(pg_temp.seen('after_edits') ->> 'cursor', '<>', pg_temp.seen('first') ->> 'cursor', 'the cursor advances');
select is(pg_temp.seen('unchanged'), jsonb_build_object('changes', '[]'::jsonb, 'cursor', pg_temp.seen('after_participants') ->> 'cursor',
    'has_more', false),
  'with nothing changed since, a pull returns nothing new and the same cursor');
select is(pg_temp.ids(pg_temp.seen('other_team')), '[]'::jsonb, 'a volunteer of another team pulls none of these changes');
select is(pg_temp.ids(pg_temp.seen('coordinator')), pg_temp.ids_of('pull-event-2', 'pull-event-1'),
  'a coordinator pulls every team''s changes (each event once, at its latest change)');

select is(pg_temp.ids(pg_temp.seen('while_writing')), '[]'::jsonb,
  'while an older transaction is still writing, a later committed change is withheld');
select is(pg_temp.seen('while_writing') ->> 'cursor', pg_temp.seen('after_participants') ->> 'cursor',
  '...and the cursor does not move past the writer''s change');
select is(pg_temp.ids(pg_temp.seen('after_commit')), pg_temp.ids_of('pull-event-slow', 'pull-event-fast'),
  'once it commits, both changes are pulled, the slow writer''s first');
select cmp_ok((pg_temp.seen('after_commit') -> 'changes' -> 0 ->> 'revision')::bigint, '<',
  (pg_temp.seen('after_commit') -> 'changes' -> 1 ->> 'revision')::bigint,
  'the slow writer''s change has the smaller revision: a cursor on revisions alone would have skipped it');
select is(pg_temp.ids(pg_temp.seen('xid_page_1')) || pg_temp.ids(pg_temp.seen('xid_page_2')),
  pg_temp.ids_of('pull-event-earlier-xid', 'pull-event-later-xid'),
  'pages follow transaction order even where revisions run the other way');
select cmp_ok((pg_temp.seen('xid_page_1') -> 'changes' -> 0 ->> 'revision')::bigint, '>',
  (pg_temp.seen('xid_page_2') -> 'changes' -> 0 ->> 'revision')::bigint,
  '...(the earlier transaction''s change has the larger revision)');

-- ---------------------------------------------------------------------------------------------
-- Part 2: the seed, committed before this transaction began.

-- All of a caller's pages, concatenated: the ids in order, how many pages, whether ids repeat.
create function pg_temp.pull_all(page_size integer) returns jsonb
language plpgsql
as $$
declare
  page jsonb;
  cursor_at text;
  ids jsonb := '[]';
  pages integer := 0;
begin
  loop
    page := public.pull_event_changes(cursor_at, page_size);
    pages := pages + 1;
    ids := ids || pg_temp.ids(page);
    cursor_at := page ->> 'cursor';
    exit when not (page -> 'has_more')::boolean or pages > 1000;
  end loop;
  return jsonb_build_object('ids', ids, 'pages', pages, 'cursor', cursor_at);
end
$$;

select jsonb_agg(id order by change_xid, revision) as all_ids from public.service_events \gset
select jsonb_agg(id order by change_xid, revision) as team_1_ids from public.service_events where team_id = md5('team-1')::uuid \gset
select jsonb_agg(id order by change_xid, revision) as team_2_ids from public.service_events where team_id = md5('team-2')::uuid \gset
select count(*) as all_participants from public.event_participants \gset

select tests.act_as(tests.demo_user('volunteer'));
select is(pg_temp.ids(public.pull_event_changes(null, 1000)), :'team_1_ids'::jsonb,
  'a volunteer pulls exactly their team''s events');
select tests.act_as(tests.demo_user('leader'));
select is(pg_temp.ids(public.pull_event_changes(null, 1000)), :'team_1_ids'::jsonb,
  'a leader pulls exactly their team''s events');
select tests.act_as(tests.demo_user('volunteer2'));
select is(pg_temp.ids(public.pull_event_changes(null, 1000)), :'team_2_ids'::jsonb,
  'a volunteer of another team pulls exactly theirs');
select tests.act_as(md5('user-pull-leader@tests.local')::uuid);
select is(pg_temp.ids(public.pull_event_changes(null, 1000)), '[]'::jsonb,
  'an account in no team pulls nothing (the part 1 fixtures are gone)');
select tests.act_as(tests.demo_user('admin'));
select is(pg_temp.ids(public.pull_event_changes(null, 1000)), :'all_ids'::jsonb, 'an admin pulls every event');

select tests.act_as(tests.demo_user('coordinator'));
select is(pg_temp.ids(public.pull_event_changes(null, 1000)), :'all_ids'::jsonb,
  'a coordinator pulls every event, ordered by transaction and revision');
select is((select sum(jsonb_array_length(c -> 'participants'))
    from jsonb_array_elements(public.pull_event_changes(null, 1000) -> 'changes') c), :'all_participants'::bigint,
  'every participant of every event comes with the pull');
select is((select jsonb_object_agg(c ->> 'id', c -> 'participants')
    from jsonb_array_elements(public.pull_event_changes(null, 1000) -> 'changes') c),
  (select jsonb_object_agg(event_id, list) from (
    select event_id, jsonb_agg(jsonb_build_object('person_id', person_id, 'hours', hours) order by person_id) as list
    from public.event_participants group by event_id) l),
  'each event comes with exactly its participants and their hours, ordered by person');
select is(pg_temp.pull_all(50) - 'cursor',
  jsonb_build_object('ids', :'all_ids'::jsonb, 'pages', (jsonb_array_length(:'all_ids'::jsonb) + 49) / 50),
  'paging by 50 returns every event exactly once, in order, in as few pages as it takes');
select is(pg_temp.pull_all(62) -> 'pages', '4'::jsonb,
  'when the last page is exactly full, one more (empty) page says there is no more');
select is(public.pull_event_changes(pg_temp.pull_all(50) ->> 'cursor', 50),
  jsonb_build_object('changes', '[]'::jsonb, 'cursor', pg_temp.pull_all(50) ->> 'cursor', 'has_more', false),
  'a pull after the last cursor returns nothing new');
select is(jsonb_array_length(public.pull_event_changes(null, 0) -> 'changes'), 1, 'a page has at least one change');
select is(jsonb_array_length(public.pull_event_changes(null, 100000) -> 'changes'), jsonb_array_length(:'all_ids'::jsonb),
  'a page larger than the cap returns what there is (at most 1,000)');
-- A cursor whose revision is not a number is refused. (PostgreSQL reads a malformed transaction
-- id part as 0, which only makes the phone pull everything again: nothing is skipped.)
select throws_ok($$select public.pull_event_changes('123:not-a-revision', 10)$$, '22P02', null, 'a malformed cursor is refused');

-- A change to a seed event's participants alone gives the event a new revision (so that pulls
-- carry the new list), written by this transaction.
select tests.reset_role();
select revision as event_2_revision from public.service_events where id = md5('event-2')::uuid \gset
select tests.make_person('Pull newcomer') as pull_newcomer \gset
select tests.make_member(md5('team-1')::uuid, :'pull_newcomer');
select tests.act_as(tests.demo_user('leader'));
insert into public.event_participants values (md5('event-2')::uuid, :'pull_newcomer', 1);
select tests.reset_role();
select ok((select revision > :'event_2_revision'::bigint and change_xid = pg_current_xact_id()
    from public.service_events where id = md5('event-2')::uuid),
  'adding a participant gives the event a new revision in the adding transaction');

-- Writes of a transaction that has not committed (this one) are withheld, and the cursor stays
-- below them: the leader deletes event-1 and records a new event, then pulls.
select tests.act_as(tests.demo_user('leader'));
update public.service_events set deleted_at = now() where id = md5('event-1')::uuid;
insert into public.service_events (id, station_id, team_id, theme_month_id, started_at, ended_at, title)
values (md5('pull-uncommitted')::uuid, md5('station-1')::uuid, md5('team-1')::uuid, md5('month-3')::uuid,
  '2023-03-10 10:00+08', '2023-03-10 12:00+08', 'Not committed yet');
select is(pg_temp.ids(public.pull_event_changes(null, 1000)),
  (select jsonb_agg(e) from jsonb_array_elements(:'team_1_ids'::jsonb) e
    where e not in (to_jsonb(md5('event-1')::uuid), to_jsonb(md5('event-2')::uuid))),
  'changes of a transaction still in progress are withheld (the deleted event is neither shown deleted nor as it was)');
select cmp_ok(split_part(public.pull_event_changes(null, 1000) ->> 'cursor', ':', 1)::xid8, '<', pg_current_xact_id(),
  'the cursor stays below the transaction still in progress');

select * from finish();
rollback;
