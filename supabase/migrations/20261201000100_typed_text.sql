-- Text that people type (event titles, notes and materials, the names of stations, teams and
-- people, addresses, chambers, themes) is trimmed of Unicode whitespace and refused when it holds
-- control or format characters. Why: a title of an ideographic space (U+3000, what Chinese input
-- methods type), a zero-width space, a tab or a no-break space looked blank but passed the
-- length rules (btrim strips ASCII spaces only); control characters and bidirectional overrides
-- were stored and shown to everyone. Notes keep their line breaks.
--
-- The same characters are listed in src/domain/validation.ts, so that the form trims and refuses
-- exactly as the database does. Each column has its rule, named <table>_<column>_characters.

-- Unicode White_Space: tab to carriage return, space, next line, no-break space, ogham space,
-- the en quad to hair spaces, line and paragraph separators, narrow no-break space, medium
-- mathematical space, ideographic space.
create function private.trim_space(value text) returns text
language sql immutable parallel safe set search_path = ''
as $$
  select pg_catalog.btrim(coalesce(value, ''),
    E'\u0009\u000A\u000B\u000C\u000D\u0020\u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006'
    || E'\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000')
$$;
comment on function private.trim_space(text) is 'The text without Unicode whitespace at either end; '''' for null.';

-- Control (Cc) and format (Cf) characters: zero-width spaces and joiners, bidirectional marks,
-- embeddings, overrides and isolates, the soft hyphen, the byte order mark, tags... The one
-- exception is the zero-width joiner (U+200D) between two visible characters, which joins emoji
-- such as a family or a profession into one; anywhere else it is refused too. Line feeds and
-- carriage returns pass when line_breaks is true.
create function private.has_hidden_characters(value text, line_breaks boolean default false) returns boolean
language sql immutable parallel safe set search_path = ''
as $$
  select value ~ (
    '[' || case when line_breaks then E'\u0001-\u0009\u000B\u000C\u000E-\u001F' else E'\u0001-\u001F' end
    || E'\u007F-\u009F\u00AD\u0600-\u0605\u061C\u06DD\u070F\u0890\u0891\u08E2\u180E\u200B\u200C\u200E\u200F'
    || E'\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF\uFFF9-\uFFFB\U000110BD\U000110CD\U00013430-\U0001343F'
    || E'\U0001BCA0-\U0001BCA3\U0001D173-\U0001D17A\U000E0001\U000E0020-\U000E007F]'
    -- A joiner not between two visible characters: at either end, or next to whitespace or to
    -- a control or format character (another joiner included).
    || E'|(?<![^\u0001-\u0020\u007F-\u00A0\u1680\u2000-\u200F\u2028-\u202F\u205F-\u206F\u3000\uFEFF])\u200D'
    || E'|\u200D(?![^\u0001-\u0020\u007F-\u00A0\u1680\u2000-\u200F\u2028-\u202F\u205F-\u206F\u3000\uFEFF])')
$$;
comment on function private.has_hidden_characters(text, boolean) is
  'Whether the text holds a control or format character (line breaks allowed when asked).';
grant execute on function private.trim_space(text), private.has_hidden_characters(text, boolean)
  to anon, authenticated, service_role;

-- Trims the typed columns named as the trigger's arguments (a missing one becomes '', so that
-- the column's length rule names what is wrong rather than a bare not-null violation).
create function private.trim_typed_text() returns trigger
language plpgsql security invoker set search_path = ''
as $$
declare
  trimmed jsonb := '{}';
  row_as_json jsonb := pg_catalog.to_jsonb(new);
  column_name text;
begin
  foreach column_name in array tg_argv loop
    trimmed := trimmed || pg_catalog.jsonb_build_object(column_name, private.trim_space(row_as_json ->> column_name));
  end loop;
  return pg_catalog.jsonb_populate_record(new, trimmed);
end
$$;
grant execute on function private.trim_typed_text() to authenticated, service_role;

-- Named "a_..." so that they run before the other row triggers of their tables (triggers of one
-- kind fire in name order): every rule then sees the trimmed text.
create trigger a_trim_typed_text before insert or update on public.service_events
  for each row execute function private.trim_typed_text('title', 'note', 'materials_description');
create trigger a_trim_typed_text before insert or update on public.stations
  for each row execute function private.trim_typed_text('name', 'address');
create trigger a_trim_typed_text before insert or update on public.teams
  for each row execute function private.trim_typed_text('name', 'chamber');
create trigger a_trim_typed_text before insert or update on public.theme_months
  for each row execute function private.trim_typed_text('theme');
create trigger a_trim_typed_text before insert or update on public.people
  for each row execute function private.trim_typed_text('display_name');

-- Not valid: rows written before these rules keep their text until they are next edited (a
-- migration must not fail on a live project's data); every new or edited row is checked.
alter table public.service_events
  add constraint service_events_title_characters check (not private.has_hidden_characters(title)) not valid,
  add constraint service_events_note_characters check (not private.has_hidden_characters(note, true)) not valid,
  add constraint service_events_materials_description_characters
    check (not private.has_hidden_characters(materials_description)) not valid;
alter table public.stations
  add constraint stations_name_characters check (not private.has_hidden_characters(name)) not valid,
  add constraint stations_address_characters check (not private.has_hidden_characters(address)) not valid;
alter table public.teams
  add constraint teams_name_characters check (not private.has_hidden_characters(name)) not valid,
  add constraint teams_chamber_characters check (not private.has_hidden_characters(chamber)) not valid;
alter table public.theme_months
  add constraint theme_months_theme_characters check (not private.has_hidden_characters(theme)) not valid;
alter table public.people
  add constraint people_display_name_characters check (not private.has_hidden_characters(display_name)) not valid;

-- Functions in private run only where granted above. (Default privileges per schema cannot take
-- away PUBLIC's execute right, so each migration revokes it.)
revoke execute on all functions in schema private from public;
