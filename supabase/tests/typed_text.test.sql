-- Text people type: trimmed of Unicode whitespace, and refused when it holds control or format
-- characters (<table>_<column>_characters, 23514); notes keep their line breaks. Tried on every
-- typed column, directly and through the push (both of its paths).
--
-- Writes run as the test runner unless said otherwise: the rules hold for every writer.
begin;
set local search_path = public, extensions;
select plan(48);

-- What an update of one column of a seed row raises, and the value it stored.
create function pg_temp.try(table_name text, column_name text, row_id uuid, value text) returns text
language sql
as $$ select tests.error_of(format('update public.%I set %I = %L where id = %L', table_name, column_name, value, row_id)) $$;
create function pg_temp.stored(table_name text, column_name text, row_id uuid) returns text
language plpgsql
as $$
declare
  value text;
begin
  execute format('select %I from public.%I where id = %L', column_name, table_name, row_id) into value;
  return value;
end
$$;

-- ---------------------------------------------------------------------------------------------
-- Titles that look blank are blank: ideographic space (what Chinese input methods type), no-break
-- space, tab, newline, the other Unicode spaces.
select is(pg_temp.try('service_events', 'title', md5('event-1')::uuid, E'\u3000\u3000'),
  '23514 service_events_title_length', 'a title of ideographic spaces is blank');
select is(pg_temp.try('service_events', 'title', md5('event-1')::uuid, E'\u00A0\t\n\r\u2003\u202F\u205F'),
  '23514 service_events_title_length', 'a title of no-break spaces, tabs, line breaks and other spaces is blank');
select is(pg_temp.try('service_events', 'title', md5('event-1')::uuid, E'\u200B'),
  '23514 service_events_title_characters', 'a title of a zero-width space is refused (a format character)');

-- Whitespace around the text is trimmed, inside it stays.
select is(pg_temp.try('service_events', 'title', md5('event-1')::uuid, E'\u3000 \t社区 义诊\u00A0\n'), 'no error',
  'a title with spaces around it is taken');
select is(pg_temp.stored('service_events', 'title', md5('event-1')::uuid), '社区 义诊',
  '...and stored without them');
select is(pg_temp.try('service_events', 'note', md5('event-1')::uuid, E'\n  第一行\n第二行\r\n第三行 \u3000'), 'no error',
  'a note with line breaks is taken');
select is(pg_temp.stored('service_events', 'note', md5('event-1')::uuid), E'第一行\n第二行\r\n第三行',
  '...trimmed at its ends, its line breaks kept');

-- Control and format characters inside the text are refused.
select is(pg_temp.try('service_events', 'title', md5('event-1')::uuid, E'社区\t义诊'),
  '23514 service_events_title_characters', 'a title cannot hold a tab');
select is(pg_temp.try('service_events', 'title', md5('event-1')::uuid, E'社区\n义诊'),
  '23514 service_events_title_characters', 'a title cannot hold a line break');
select is(pg_temp.try('service_events', 'title', md5('event-1')::uuid, E'社区\u0007义诊'),
  '23514 service_events_title_characters', 'a title cannot hold a control character');
select is(pg_temp.try('service_events', 'title', md5('event-1')::uuid, E'社区\u202E诊义'),
  '23514 service_events_title_characters', 'a title cannot hold a right-to-left override');
select is(pg_temp.try('service_events', 'title', md5('event-1')::uuid, E'社\u200B区'),
  '23514 service_events_title_characters', 'a title cannot hold a zero-width space');
select is(pg_temp.try('service_events', 'title', md5('event-1')::uuid, E'社区\u0085义诊'),
  '23514 service_events_title_characters', 'a title cannot hold a next-line control');
select is(pg_temp.try('service_events', 'title', md5('event-1')::uuid, E'社区\uFEFF义诊'),
  '23514 service_events_title_characters', 'a title cannot hold a byte order mark');
select is(pg_temp.try('service_events', 'title', md5('event-1')::uuid, E'社区\U000E0041义诊'),
  '23514 service_events_title_characters', 'a title cannot hold a tag character (outside the basic plane)');
select is(pg_temp.try('service_events', 'note', md5('event-1')::uuid, E'第一行\t第二行'),
  '23514 service_events_note_characters', 'a note cannot hold a tab');
select is(pg_temp.try('service_events', 'note', md5('event-1')::uuid, E'第一行\u2066第二行'),
  '23514 service_events_note_characters', 'a note cannot hold a bidirectional isolate');
select is(pg_temp.try('service_events', 'materials_description', md5('event-1')::uuid, E'米\n油'),
  '23514 service_events_materials_description_characters', 'a materials description cannot hold a line break');
select is(pg_temp.try('service_events', 'materials_description', md5('event-1')::uuid, E'米\u00AD油'),
  '23514 service_events_materials_description_characters', 'a materials description cannot hold a soft hyphen');

-- The zero-width joiner joins emoji between two visible characters; anywhere else it is refused.
select is(pg_temp.try('service_events', 'title', md5('event-1')::uuid, E'\U0001F468\u200D\U0001F469\u200D\U0001F467 亲子活动'),
  'no error', 'a title with a family emoji (joined by zero-width joiners) is taken');
select is(pg_temp.try('service_events', 'title', md5('event-1')::uuid, E'亲子活动\u200D'),
  '23514 service_events_title_characters', 'a zero-width joiner at the end is refused');
select is(pg_temp.try('service_events', 'title', md5('event-1')::uuid, E'亲子 \u200D活动'),
  '23514 service_events_title_characters', 'a zero-width joiner after a space is refused');
select is(pg_temp.try('service_events', 'title', md5('event-1')::uuid, E'亲子\u200D\u200D活动'),
  '23514 service_events_title_characters', 'two zero-width joiners in a row are refused');

-- The characters refused are exactly Unicode's control (Cc) and format (Cf) characters, the
-- joiner aside (Unicode 17, as \p{Cc} and \p{Cf} list them; test/unit/validation.test.ts holds
-- the form's list to the same). Every character of the basic plane is tried, and the bounds of
-- the ranges beyond it.
create function pg_temp.ranges_refused(code_points integer[]) returns text
language sql
as $$
  with refused as (
    select cp from unnest(code_points) cp
    where 'a' || chr(cp) || 'b' ~ private.hidden_character_pattern(false)
  ), runs as (select cp, cp - row_number() over (order by cp) as run from refused)
  select string_agg(case when low = high then to_hex(low) else to_hex(low) || '-' || to_hex(high) end, ' ' order by low)
  from (select min(cp) as low, max(cp) as high from runs group by run) r
$$;
select is(pg_temp.ranges_refused(array(select cp from generate_series(1, 65535) cp
    where cp not between 55296 and 57343 and cp <> 8205)),
  '1-1f 7f-9f ad 600-605 61c 6dd 70f 890-891 8e2 180e 200b-200c 200e-200f 202a-202e 2060-2064 2066-206f feff fff9-fffb',
  'in the basic plane, exactly the control and format characters are refused');
select is(pg_temp.ranges_refused(array[x'110bc', x'110bd', x'110be', x'110cc', x'110cd', x'110ce', x'1342f', x'13430',
    x'1343f', x'13440', x'1bc9f', x'1bca0', x'1bca3', x'1bca4', x'1d172', x'1d173', x'1d17a', x'1d17b', x'1f600',
    x'e0000', x'e0001', x'e0002', x'e001f', x'e0020', x'e007f', x'e0080']::integer[]),
  '110bd 110cd 13430 1343f 1bca0 1bca3 1d173 1d17a e0001 e0020 e007f',
  'beyond it, the format characters'' ranges are refused to their bounds');

-- ---------------------------------------------------------------------------------------------
-- Reference data: every typed column, trimmed and checked.
select is(pg_temp.try('stations', 'name', md5('station-1')::uuid, E'\u3000'), '23514 stations_name_length',
  'a station''s name of an ideographic space is blank');
select is(pg_temp.try('stations', 'name', md5('station-1')::uuid, E'五华区\u202E站'), '23514 stations_name_characters',
  'a station''s name cannot hold an override');
select is(pg_temp.try('stations', 'address', md5('station-1')::uuid, E'华山路\u200B1号'), '23514 stations_address_characters',
  'a station''s address cannot hold a zero-width space');
select is(pg_temp.try('teams', 'name', md5('team-1')::uuid, E'\u00A0\u3000'), '23514 teams_name_length',
  'a team''s name of no-break and ideographic spaces is blank');
select is(pg_temp.try('teams', 'name', md5('team-1')::uuid, E'浙江\u001B商会'), '23514 teams_name_characters',
  'a team''s name cannot hold an escape character');
select is(pg_temp.try('teams', 'chamber', md5('team-1')::uuid, E'浙江\u2060商会'), '23514 teams_chamber_characters',
  'a chamber''s name cannot hold a word joiner');
select is(pg_temp.try('theme_months', 'theme', md5('month-1')::uuid, E'\t'), '23514 theme_months_theme_length',
  'a theme of a tab is blank');
select is(pg_temp.try('theme_months', 'theme', md5('month-1')::uuid, E'学雷锋\u061C月'), '23514 theme_months_theme_characters',
  'a theme cannot hold an Arabic letter mark');
select is(pg_temp.try('people', 'display_name', md5('person-3')::uuid, E'\u3000'), '23514 people_display_name_length',
  'a person''s name of an ideographic space is blank');
select is(pg_temp.try('people', 'display_name', md5('person-3')::uuid, E'张\u200E三'), '23514 people_display_name_characters',
  'a person''s name cannot hold a left-to-right mark');
select is(pg_temp.try('people', 'display_name', md5('person-3')::uuid, E'\u3000张三\u3000'), 'no error',
  'a person''s name with ideographic spaces around it is taken');
select is(pg_temp.stored('people', 'display_name', md5('person-3')::uuid), '张三', '...and stored trimmed');
select is(tests.error_of($$insert into public.stations (name) values (E'\u3000五华区站 ')$$), 'no error',
  'a new station''s name with spaces around it is taken');
select ok(exists (select 1 from public.stations where name = '五华区站'), '...and stored trimmed');

-- ---------------------------------------------------------------------------------------------
-- Through the push, as a volunteer: the same rules, named in the change's outcome.
create function pg_temp.push_title(push text, title text, note text default '') returns jsonb
language plpgsql
as $$
declare
  outcomes jsonb;
begin
  perform tests.act_as(tests.demo_user('volunteer'));
  execute format('select %s($1)', push) into outcomes using jsonb_build_array(jsonb_build_object(
    'change_id', gen_random_uuid(), 'event_id', gen_random_uuid(), 'op', 'upsert',
    'event', jsonb_build_object('station_id', md5('station-1')::uuid, 'team_id', md5('team-1')::uuid,
      'theme_month_id', md5('month-3')::uuid, 'started_at', '2023-03-20T09:00:00+08:00',
      'ended_at', '2023-03-20T12:00:00+08:00', 'title', title, 'note', note, 'people_served', 1,
      'funds_fen', 0, 'materials_fen', 0, 'materials_description', '',
      'participants', jsonb_build_array(jsonb_build_object('person_id', md5('person-2')::uuid, 'hours', 1)))));
  perform tests.reset_role();
  return (outcomes -> 0) - 'change_id' - 'event_id' - 'message' - 'revision';
end
$$;

select is(pg_temp.push_title('public.push_event_changes', E'\u3000'),
  '{"status": "rejected", "code": "23514", "rule": "service_events_title_length"}'::jsonb,
  'whole batch: a push of a title of an ideographic space is rejected as blank');
select is(pg_temp.push_title('tests.push_one_by_one', E'\u3000'),
  '{"status": "rejected", "code": "23514", "rule": "service_events_title_length"}'::jsonb,
  'one at a time: the same');
select is(pg_temp.push_title('public.push_event_changes', E'义诊\u202E'),
  '{"status": "rejected", "code": "23514", "rule": "service_events_title_characters"}'::jsonb,
  'whole batch: a pushed title with an override is rejected');
select is(pg_temp.push_title('tests.push_one_by_one', E'义诊\u202E'),
  '{"status": "rejected", "code": "23514", "rule": "service_events_title_characters"}'::jsonb,
  'one at a time: the same');
select is(pg_temp.push_title('public.push_event_changes', '义诊', E'备注\u0001'),
  '{"status": "rejected", "code": "23514", "rule": "service_events_note_characters"}'::jsonb,
  'whole batch: a pushed note with a control character is rejected');
select is(pg_temp.push_title('tests.push_one_by_one', '义诊', E'备注\u0001'),
  '{"status": "rejected", "code": "23514", "rule": "service_events_note_characters"}'::jsonb,
  'one at a time: the same');
select is(pg_temp.push_title('public.push_event_changes', E' 义诊\u3000', E'第一行\n第二行'),
  '{"status": "applied"}'::jsonb, 'whole batch: a pushed title with spaces around it and a note of two lines are applied');
select is(pg_temp.push_title('tests.push_one_by_one', E' 义诊\u3000', E'第一行\n第二行'),
  '{"status": "applied"}'::jsonb, 'one at a time: the same');
select is((select count(*) from public.service_events where title = '义诊' and note = E'第一行\n第二行'), 2::bigint,
  'both pushed events are stored trimmed, with the note''s line break');

select * from finish();
rollback;
