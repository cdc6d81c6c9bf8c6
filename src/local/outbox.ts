// The outbox: typed changes waiting to be pushed, one entry per user action, coalesced while
// they have not left the phone. Pure planning; src/local/db.ts writes the plan in one transaction.
import type { ChangeOp, ServiceEventFields, Uuid } from '../domain/types'

export interface OutboxEntry {
  /** Queue order (IndexedDB auto-increment); absent until stored. */
  seq?: number
  /** Made on the phone; the server answers a resend of it 'duplicate'. */
  change_id: Uuid
  event_id: Uuid
  op: ChangeOp
  /** The event's fields for an upsert, and for an adjustment that is not a delete; null otherwise. */
  fields: ServiceEventFields | null
  /** The reason of an adjustment or the note of a correction request (absent for other ops). */
  text?: string
  /** When it was queued (ISO 8601). */
  queued_at: string
  /** Whether it may have reached the server: then it must be sent again unchanged, never merged. */
  sent: boolean
}

export interface CoalescePlan {
  /** Queue entries to remove (their seq). */
  remove: number[]
  /** The entry to store (an update of an unsent one keeps its seq); null when nothing is to be sent. */
  put: OutboxEntry | null
  /** The event never reached the server and is deleted: forget it entirely. */
  dropEvent: boolean
}

const isWrite = (entry: OutboxEntry): boolean => entry.op === 'upsert' || entry.op === 'delete'

/**
 * How a new change joins the changes already queued for its event.
 * - An unsent upsert followed by an upsert: one upsert with the latest fields (a create stays a
 *   create, base_revision null, because the base is read from the event when it is sent).
 * - A delete of an event the server has never had (no revision, nothing sent): nothing to send;
 *   the unsent create is dropped with the event.
 * - An unsent upsert followed by a delete: one delete.
 * - An unsent confirmation followed by a write is dropped: the edit would undo it anyway. A second
 *   confirmation while one is queued adds nothing.
 * - Requests (adjust, correct) are never merged or dropped: each is the user's words.
 * - Anything after a sent entry is queued behind it: the sent one may already be applied, and its
 *   resend must carry the same change_id and content to be recognised as a duplicate.
 */
export function coalesce(queued: readonly OutboxEntry[], incoming: OutboxEntry, serverRevision: number | null): CoalescePlan {
  const unsent = queued.filter((entry) => !entry.sent)
  const keep: CoalescePlan = { remove: [], put: incoming, dropEvent: false }
  if (incoming.op === 'adjust' || incoming.op === 'correct') return keep
  if (incoming.op === 'confirm') return unsent.some((entry) => entry.op === 'confirm') ? { ...keep, put: null } : keep
  const confirmations = unsent.filter((entry) => entry.op === 'confirm').map((entry) => entry.seq!)
  if (incoming.op === 'delete' && serverRevision === null && !queued.some((entry) => entry.sent)) {
    return { remove: unsent.map((entry) => entry.seq!), put: null, dropEvent: true }
  }
  const [first, ...rest] = unsent.filter(isWrite)
  if (!first) return { ...keep, remove: confirmations }
  return {
    remove: [...rest.map((entry) => entry.seq!), ...confirmations],
    put: { ...incoming, seq: first.seq, change_id: first.change_id, queued_at: first.queued_at },
    dropEvent: false,
  }
}
