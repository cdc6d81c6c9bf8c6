// Who a user is in the program, derived from the reference data they can see.
import type { Profile, ReferenceData, Uuid } from './types'

export function profileOf(user: { id: Uuid; email: string }, reference: ReferenceData): Profile {
  const personId = reference.people.find((person) => person.user_id === user.id)?.id ?? null
  const memberships = reference.teamMembers.filter((member) => personId !== null && member.person_id === personId)
  return {
    userId: user.id,
    email: user.email,
    programRole: reference.programRole,
    personId,
    myTeamIds: memberships.map((member) => member.team_id).sort(),
    ledTeamIds: memberships.filter((member) => member.role === 'leader').map((member) => member.team_id).sort(),
  }
}

/**
 * Whether the user may now see events the phone never pulled: a new team, or becoming a
 * coordinator. Pulls only bring rows changed after the cursor, so such a widening needs a pull
 * from the start (idempotent: rows the phone has are stored again, pending edits kept).
 */
export function seesMoreThan(now: Profile, before: Profile): boolean {
  if (now.programRole !== null && before.programRole === null) return true
  return now.myTeamIds.some((teamId) => !before.myTeamIds.includes(teamId))
}
