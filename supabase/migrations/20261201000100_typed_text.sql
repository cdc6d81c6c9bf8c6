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
-- mathematical space, ideographic space. (Immutable without arguments: PostgreSQL works the
-- value out once per statement plan, not once per row.)
create function private.whitespace() returns text
language sql immutable parallel safe set search_path = ''
as $$
  select E'\u0009\u000A\u000B\u000C\u000D\u0020\u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006'
    || E'\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000'
$$;
comment on function private.whitespace() is 'The characters trimmed from typed text (Unicode White_Space).';

-- A regular expression that finds control (Cc) and format (Cf) characters: zero-width spaces and
-- joiners, bidirectional marks, embeddings, overrides and isolates, the soft hyphen, the byte
-- order mark, tags... The one exception is the zero-width joiner (U+200D) between two visible
-- characters, which joins emoji such as a family or a profession into one; anywhere else it is
-- found too. Line feeds and carriage returns are not found when line_breaks is true.
create function private.hidden_character_pattern(line_breaks boolean) returns text
language sql immutable parallel safe set search_path = ''
as $$
  select '[' || case when line_breaks then E'\u0001-\u0009\u000B\u000C\u000E-\u001F' else E'\u0001-\u001F' end
    || E'\u007F-\u009F\u00AD\u0600-\u0605\u061C\u06DD\u070F\u0890\u0891\u08E2\u180E\u200B\u200C\u200E\u200F'
    || E'\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF\uFFF9-\uFFFB\U000110BD\U000110CD\U00013430-\U0001343F'
    || E'\U0001BCA0-\U0001BCA3\U0001D173-\U0001D17A\U000E0001\U000E0020-\U000E007F]'
    -- A joiner not between two visible characters: at either end, or next to whitespace or to
    -- a control or format character (another joiner included).
    || E'|(?<![^\u0001-\u0020\u007F-\u00A0\u1680\u2000-\u200F\u2028-\u202F\u205F-\u206F\u3000\uFEFF])\u200D'
    || E'|\u200D(?![^\u0001-\u0020\u007F-\u00A0\u1680\u2000-\u200F\u2028-\u202F\u205F-\u206F\u3000\uFEFF])'
$$;
comment on function private.hidden_character_pattern(boolean) is
  'A regular expression finding control and format characters in typed text (line breaks allowed when asked).';
grant execute on function private.whitespace(), private.hidden_character_pattern(boolean)
  to anon, authenticated, service_role;

-- Trims the typed columns of the row (a missing one becomes '', so that the column's length
-- rule names what is wrong rather than a bare not-null violation). One function for the five
-- tables; PL/pgSQL compiles it once per table.
create function private.trim_typed_text() returns trigger
language plpgsql security invoker set search_path = ''
as $$
begin
  case tg_table_name
  when 'service_events' then
    new.title := pg_catalog.btrim(coalesce(new.title, ''), private.whitespace());
    new.note := pg_catalog.btrim(coalesce(new.note, ''), private.whitespace());
    new.materials_description := pg_catalog.btrim(coalesce(new.materials_description, ''), private.whitespace());
  when 'stations' then
    new.name := pg_catalog.btrim(coalesce(new.name, ''), private.whitespace());
    new.address := pg_catalog.btrim(coalesce(new.address, ''), private.whitespace());
  when 'teams' then
    new.name := pg_catalog.btrim(coalesce(new.name, ''), private.whitespace());
    new.chamber := pg_catalog.btrim(coalesce(new.chamber, ''), private.whitespace());
  when 'theme_months' then
    new.theme := pg_catalog.btrim(coalesce(new.theme, ''), private.whitespace());
  when 'people' then
    new.display_name := pg_catalog.btrim(coalesce(new.display_name, ''), private.whitespace());
  end case;
  return new;
end
$$;
grant execute on function private.trim_typed_text() to authenticated, service_role;

-- Named "a_..." so that they run before the other row triggers of their tables (triggers of one
-- kind fire in name order): every rule then sees the trimmed text.
create trigger a_trim_typed_text before insert or update on public.service_events
  for each row execute function private.trim_typed_text();
create trigger a_trim_typed_text before insert or update on public.stations
  for each row execute function private.trim_typed_text();
create trigger a_trim_typed_text before insert or update on public.teams
  for each row execute function private.trim_typed_text();
create trigger a_trim_typed_text before insert or update on public.theme_months
  for each row execute function private.trim_typed_text();
create trigger a_trim_typed_text before insert or update on public.people
  for each row execute function private.trim_typed_text();

-- Not valid: rows written before these rules keep their text until they are next edited (a
-- migration must not fail on a live project's data); every new or edited row is checked.
alter table public.service_events
  add constraint service_events_title_characters check (title !~ private.hidden_character_pattern(false)) not valid,
  add constraint service_events_note_characters check (note !~ private.hidden_character_pattern(true)) not valid,
  add constraint service_events_materials_description_characters
    check (materials_description !~ private.hidden_character_pattern(false)) not valid;
alter table public.stations
  add constraint stations_name_characters check (name !~ private.hidden_character_pattern(false)) not valid,
  add constraint stations_address_characters check (address !~ private.hidden_character_pattern(false)) not valid;
alter table public.teams
  add constraint teams_name_characters check (name !~ private.hidden_character_pattern(false)) not valid,
  add constraint teams_chamber_characters check (chamber !~ private.hidden_character_pattern(false)) not valid;
alter table public.theme_months
  add constraint theme_months_theme_characters check (theme !~ private.hidden_character_pattern(false)) not valid;
alter table public.people
  add constraint people_display_name_characters check (display_name !~ private.hidden_character_pattern(false)) not valid;

-- Functions in private run only where granted above. (Default privileges per schema cannot take
-- away PUBLIC's execute right, so each migration revokes it.)
revoke execute on all functions in schema private from public;
