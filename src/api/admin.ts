// Writes to reference data that only work online (they change what everyone sees, so they go
// straight to the server under its row-level security): stations, teams and theme months for
// coordinators, and a team's roster for its leader.
import type { Person, Station, Team, TeamRole, ThemeMonth } from '../domain/types'

/** The Supabase client, loaded on first use like the sync runtime loads it (sync/runtime.ts). */
async function client() {
  return (await import('./client')).supabase
}

/** A write the server refused, with its constraint name for the message. */
export class AdminWriteError extends Error {
  constructor(
    message: string,
    readonly code: string | null,
    readonly rule: string | null,
  ) {
    super(message)
    this.name = 'AdminWriteError'
  }
}

interface PostgrestFailure {
  message: string
  code?: string | null
  details?: string | null
}

/** The constraint a Postgres error names (PostgREST passes it in message or details). */
function ruleOf(error: PostgrestFailure): string | null {
  const text = `${error.message} ${error.details ?? ''}`
  return /constraint "([a-z0-9_]+)"/.exec(text)?.[1] ?? null
}

function check<T>(result: { data: T | null; error: PostgrestFailure | null }): T {
  if (result.error) throw new AdminWriteError(result.error.message, result.error.code ?? null, ruleOf(result.error))
  if (result.data === null) throw new AdminWriteError('no row returned', null, null)
  return result.data
}

function checkDone(result: { error: PostgrestFailure | null }): void {
  if (result.error) throw new AdminWriteError(result.error.message, result.error.code ?? null, ruleOf(result.error))
}

export async function saveStation(station: Omit<Station, 'id'>, id?: string): Promise<Station> {
  const supabase = await client()
  const query = id
    ? supabase.from('stations').update(station).eq('id', id)
    : supabase.from('stations').insert(station)
  return check(await query.select('id, name, address').single())
}

export async function deleteStation(id: string): Promise<void> {
  checkDone(await (await client()).from('stations').delete().eq('id', id))
}

export async function saveTeam(team: Omit<Team, 'id'>, id?: string): Promise<Team> {
  const supabase = await client()
  const query = id ? supabase.from('teams').update(team).eq('id', id) : supabase.from('teams').insert(team)
  return check(await query.select('id, name, chamber').single())
}

export async function deleteTeam(id: string): Promise<void> {
  checkDone(await (await client()).from('teams').delete().eq('id', id))
}

export async function saveThemeMonth(month: Omit<ThemeMonth, 'id'>, id?: string): Promise<ThemeMonth> {
  const supabase = await client()
  const query = id
    ? supabase.from('theme_months').update(month).eq('id', id)
    : supabase.from('theme_months').insert(month)
  return check(await query.select('id, month, theme').single())
}

export async function deleteThemeMonth(id: string): Promise<void> {
  checkDone(await (await client()).from('theme_months').delete().eq('id', id))
}

/**
 * A new person in a team. The id is made here so that the membership can be inserted next
 * without reading the person back (RLS lets a member see people only once they are in the team).
 */
export async function addTeamMember(teamId: string, displayName: string, role: TeamRole): Promise<Person> {
  const person: Person = { id: crypto.randomUUID(), display_name: displayName.trim(), user_id: null }
  checkDone(await (await client()).from('people').insert({ id: person.id, display_name: person.display_name }))
  checkDone(await (await client()).from('team_members').insert({ team_id: teamId, person_id: person.id, role }))
  return person
}

export async function renamePerson(personId: string, displayName: string): Promise<void> {
  checkDone(await (await client()).from('people').update({ display_name: displayName.trim() }).eq('id', personId))
}

export async function setMemberRole(teamId: string, personId: string, role: TeamRole): Promise<void> {
  checkDone(await (await client()).from('team_members').update({ role }).eq('team_id', teamId).eq('person_id', personId))
}

export async function removeTeamMember(teamId: string, personId: string): Promise<void> {
  checkDone(await (await client()).from('team_members').delete().eq('team_id', teamId).eq('person_id', personId))
}
