// What the sync engine does with the answer to a profile edited on this phone (see
// SyncEngine.sendProfile), as pure functions over the meta values it read in the same
// transaction: a newer edit saved while the older one was on its way is never forgotten.
import type { PendingProfile, ServerProfile } from '../domain/person-profile'
import type { SyncFailure } from '../domain/types'
import type { MetaValues } from '../local/db'

/** Accepted: the server's copy is kept; the pending edit is done unless a newer one waits. */
export function planProfileSaved(current: PendingProfile | null, sent: PendingProfile, saved: ServerProfile): Partial<MetaValues> {
  const done = current?.savedAt === sent.savedAt
  return done ? { personalProfile: saved, pendingProfile: null, profileFailure: null } : { personalProfile: saved }
}

/** Refused for good: the reason waits next to the edit for the user (unless a newer edit replaced it). */
export function planProfileRefused(current: PendingProfile | null, sent: PendingProfile, failure: SyncFailure): Partial<MetaValues> {
  return current?.savedAt === sent.savedAt ? { profileFailure: { savedAt: sent.savedAt, failure } } : {}
}
