// Joining a team, online only: a team's invite code (its leaders read and renew it), requests to
// join made with a code, and the leader's (or a coordinator's) decision on each. The database
// decides who may do what (supabase/migrations/*_joining_teams.sql); a refusal comes back as an
// AdminWriteError that names its rule.
import type { ClaimablePerson, JoinRequest, TeamInvite, Uuid } from '../domain/types'
import { check, checkDone, client } from './online'

const REQUEST_COLUMNS = 'id, team_id, user_id, display_name, status, person_id, decided_at, created_at'

/** The team's invite code, or null when it has none yet (or the caller may not see it). */
export async function teamInvite(teamId: Uuid): Promise<TeamInvite | null> {
  const result = await (await client()).from('team_invites').select('team_id, code, expires_at').eq('team_id', teamId).maybeSingle()
  checkDone(result)
  return result.data as TeamInvite | null
}

/** A new code for the team (the old one stops working). */
export async function renewInvite(teamId: Uuid): Promise<TeamInvite> {
  const result = await (await client()).rpc('renew_team_invite', { team_id: teamId }).select('team_id, code, expires_at').single()
  return check({ data: result.data as TeamInvite | null, error: result.error })
}

/** Asks to join the team of an invite code, under the name given. */
export async function requestToJoin(code: string, displayName: string): Promise<JoinRequest> {
  const result = await (await client()).rpc('request_to_join', { code, display_name: displayName }).select(REQUEST_COLUMNS).single()
  return check({ data: result.data as JoinRequest | null, error: result.error })
}

/** The user's own requests, newest first. */
export async function myRequests(userId: Uuid): Promise<JoinRequest[]> {
  const result = await (await client()).from('join_requests').select(REQUEST_COLUMNS).eq('user_id', userId)
    .order('created_at', { ascending: false })
  return check({ data: result.data as JoinRequest[] | null, error: result.error })
}

/** The pending requests the caller may decide (their teams' as a leader, all as a coordinator), oldest first. */
export async function pendingRequests(): Promise<JoinRequest[]> {
  const result = await (await client()).from('join_requests').select(REQUEST_COLUMNS).eq('status', 'pending')
    .order('created_at')
  return check({ data: result.data as JoinRequest[] | null, error: result.error })
}

/**
 * Approves a request (linking the account to `claim`, a person of the team without an account,
 * when given) or declines it.
 */
export async function decideRequest(requestId: Uuid, approve: boolean, claim: Uuid | null): Promise<JoinRequest> {
  const result = await (await client()).rpc('decide_join_request', { request_id: requestId, approve, claim }).select(REQUEST_COLUMNS).single()
  return check({ data: result.data as JoinRequest | null, error: result.error })
}

/**
 * The people of these teams (current and former members) who have no account: who a leader may
 * claim for a newcomer already named in the team's events.
 */
export async function claimablePeople(teamIds: readonly Uuid[]): Promise<ClaimablePerson[]> {
  if (teamIds.length === 0) return []
  const result = await (await client()).from('team_members')
    .select('team_id, person_id, left_at, people!inner(display_name, user_id)')
    .in('team_id', [...teamIds]).is('people.user_id', null)
  const rows = check({
    data: result.data as { team_id: Uuid; person_id: Uuid; left_at: string | null; people: { display_name: string } }[] | null,
    error: result.error,
  })
  return rows
    .map((row) => ({ team_id: row.team_id, person_id: row.person_id, display_name: row.people.display_name, former: row.left_at !== null }))
    .sort((a, b) => a.display_name.localeCompare(b.display_name, 'zh-CN'))
}
