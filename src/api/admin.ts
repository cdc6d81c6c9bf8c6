// Writes to reference data that only work online (they change what everyone sees, so they go
// straight to the server under its row-level security): stations, teams and theme months for
// coordinators, and a team's roster for its leader. Typed text is trimmed and checked here as the
// database trims and checks it, so that a refusal needs no round trip.
import type { Person, Station, Team, TeamRole, ThemeMonth } from '../domain/types'
import { textRule, trimText, type TextColumn } from '../domain/validation'
import { AdminWriteError, check, checkDone, client } from './online'

export { AdminWriteError } from './online'

/** Typed text as the database stores it (trimmed); refused with the database's rule when it would be. */
function typed(column: TextColumn, text: string): string {
  const rule = textRule(column, text)
  if (rule) throw new AdminWriteError(`refused by ${rule}`, '23514', rule)
  return trimText(text)
}

export async function saveStation(fields: Omit<Station, 'id'>, id?: string): Promise<Station> {
  const station = { name: typed('stations_name', fields.name), address: typed('stations_address', fields.address) }
  const supabase = await client()
  const query = id
    ? supabase.from('stations').update(station).eq('id', id)
    : supabase.from('stations').insert(station)
  return check(await query.select('id, name, address').single())
}

export async function deleteStation(id: string): Promise<void> {
  checkDone(await (await client()).from('stations').delete().eq('id', id))
}

export async function saveTeam(fields: Omit<Team, 'id'>, id?: string): Promise<Team> {
  const team = { name: typed('teams_name', fields.name), chamber: typed('teams_chamber', fields.chamber) }
  const supabase = await client()
  const query = id ? supabase.from('teams').update(team).eq('id', id) : supabase.from('teams').insert(team)
  return check(await query.select('id, name, chamber').single())
}

export async function deleteTeam(id: string): Promise<void> {
  checkDone(await (await client()).from('teams').delete().eq('id', id))
}

export async function saveThemeMonth(fields: Omit<ThemeMonth, 'id'>, id?: string): Promise<ThemeMonth> {
  const month = { month: fields.month, theme: typed('theme_months_theme', fields.theme) }
  const supabase = await client()
  const query = id
    ? supabase.from('theme_months').update(month).eq('id', id)
    : supabase.from('theme_months').insert(month)
  return check(await query.select('id, month, theme, named').single())
}

/** Makes the theme months of a year that do not exist yet (to be named); resolves to those made. */
export async function createThemeMonths(year: number): Promise<ThemeMonth[]> {
  const result = await (await client()).rpc('create_theme_months', { year }).select('id, month, theme, named')
  return check({ data: result.data as ThemeMonth[] | null, error: result.error })
}

export async function deleteThemeMonth(id: string): Promise<void> {
  checkDone(await (await client()).from('theme_months').delete().eq('id', id))
}

/**
 * A new person in a team. The id is made here so that the membership can be inserted next
 * without reading the person back (RLS lets a member see people only once they are in the team).
 */
export async function addTeamMember(teamId: string, displayName: string, role: TeamRole): Promise<Person> {
  const person: Person = { id: crypto.randomUUID(), display_name: typed('people_display_name', displayName), user_id: null }
  checkDone(await (await client()).from('people').insert({ id: person.id, display_name: person.display_name }))
  checkDone(await (await client()).from('team_members').insert({ team_id: teamId, person_id: person.id, role }))
  return person
}

export async function renamePerson(personId: string, displayName: string): Promise<void> {
  const name = typed('people_display_name', displayName)
  checkDone(await (await client()).from('people').update({ display_name: name }).eq('id', personId))
}

export async function setMemberRole(teamId: string, personId: string, role: TeamRole): Promise<void> {
  checkDone(await (await client()).from('team_members').update({ role }).eq('team_id', teamId).eq('person_id', personId))
}

/**
 * Ends a membership. The database keeps it as a former one, so that the team's past events still
 * name the person and no other team can take them as a newcomer; the server stamps the time.
 */
export async function removeTeamMember(teamId: string, personId: string): Promise<void> {
  checkDone(await (await client()).from('team_members').update({ left_at: new Date().toISOString() })
    .eq('team_id', teamId).eq('person_id', personId))
}

/** Takes a person's link to an account away (coordinators only, people_user_id_managed). */
export async function unlinkAccount(personId: string): Promise<void> {
  checkDone(await (await client()).from('people').update({ user_id: null }).eq('id', personId))
}
