// What the ledger's actions decide on the phone, as pure functions over an EventSlice: a leader's
// confirmation, an adjustment request for a change refused because its month is closed, a
// volunteer's correction request, and what the coordinators' and leaders' decisions on those
// requests mean for the events here. src/local/db.ts writes each decision atomically.
import type { EventRequest, LocalEvent, ServerRequest, Uuid } from '../domain/types'
import type { EventSlice, Writes } from '../local/db'
import type { OutboxEntry } from '../local/outbox'
import { fieldsOf, planRestoreServer, syncedRecord } from './plans'

/** The rule a change breaks when its station x theme month is closed. */
export const PERIOD_CLOSED = 'period_closed'

function queuedRequest(entry: OutboxEntry, record: LocalEvent): EventRequest {
  return {
    id: entry.change_id,
    kind: entry.op === 'adjust' ? 'adjustment' : 'correction',
    eventId: record.id,
    eventTitle: record.title,
    text: entry.text ?? '',
    status: 'queued',
    failure: null,
    decisionReason: null,
    decidedAt: null,
    createdAt: entry.queued_at,
  }
}

/**
 * A leader confirms events: one confirmation queued per event that is on the server, not deleted
 * and not confirmed or queued already (the others are left as they are).
 */
export function planConfirm(slice: EventSlice, ids: readonly Uuid[], newId: () => Uuid, now: string): Writes & { result: number } {
  const putEvents: LocalEvent[] = []
  const putOutbox: OutboxEntry[] = []
  for (const id of new Set(ids)) {
    const record = slice.events.get(id)
    if (!record || record.deleted || record.serverRevision === null || record.confirmation) continue
    putEvents.push({ ...record, confirmation: 'queued' })
    putOutbox.push({ change_id: newId(), event_id: id, op: 'confirm', fields: null, queued_at: now, sent: false })
  }
  return { putEvents, putOutbox, result: putOutbox.length }
}

/**
 * The user sends a change refused because its month is closed as an adjustment request with a
 * reason: their version goes to the coordinators, who decide. Only for such a refusal.
 */
export function planRequestAdjustment(slice: EventSlice, id: Uuid, reason: string, changeId: Uuid, now: string): Writes & { result: boolean } {
  const record = slice.events.get(id)
  if (!record || record.syncState !== 'failed' || record.failure?.rule !== PERIOD_CLOSED) return { result: false }
  const entry: OutboxEntry = {
    change_id: changeId,
    event_id: id,
    op: 'adjust',
    fields: record.deleted ? null : fieldsOf(record),
    text: reason,
    queued_at: now,
    sent: false,
  }
  return {
    putEvents: [{ ...record, syncState: 'pending', failure: null }],
    putOutbox: [entry],
    putRequests: [queuedRequest(entry, record)],
    result: true,
  }
}

/** A participant flags an error in a record, with a note for the team's leader. */
export function planRequestCorrection(slice: EventSlice, id: Uuid, note: string, changeId: Uuid, now: string): Writes & { result: boolean } {
  const record = slice.events.get(id)
  if (!record || record.deleted || record.serverRevision === null) return { result: false }
  const entry: OutboxEntry = { change_id: changeId, event_id: id, op: 'correct', fields: null, text: note, queued_at: now, sent: false }
  return { putOutbox: [entry], putRequests: [queuedRequest(entry, record)], result: true }
}

/**
 * The server's word on the user's requests. Their status and the decider's reason are kept. An
 * event awaiting an adjustment takes the server's version once the decision is known: approved,
 * the server holds the user's change (once the pull has brought that revision); declined, the
 * server's version stands, and the request keeps the user's words and the reason.
 */
export function planRequestDecisions(
  slice: EventSlice,
  known: readonly EventRequest[],
  answers: readonly ServerRequest[],
  now: string,
): Writes {
  const byId = new Map(answers.map((answer) => [answer.id, answer]))
  const putRequests: EventRequest[] = []
  const putEvents: LocalEvent[] = []
  const deleteEvents: Uuid[] = []
  const deleteOutbox: number[] = []
  for (const request of known) {
    const answer = byId.get(request.id)
    if (!answer || answer.status === request.status) continue
    const record = slice.events.get(request.eventId)
    const awaiting = request.kind === 'adjustment' && record?.syncState === 'awaiting' ? record : null
    if (awaiting && answer.status === 'approved') {
      const copy = awaiting.server
      // The approved change is on the server; wait until the pull has brought that revision here.
      if (!copy || answer.applied_revision === null || copy.revision < answer.applied_revision) continue
      putEvents.push(syncedRecord(awaiting.id, copy, now))
    } else if (awaiting && answer.status === 'declined') {
      const restored = planRestoreServer(slice, awaiting.id, now)
      putEvents.push(...(restored.putEvents ?? []))
      deleteEvents.push(...(restored.deleteEvents ?? []))
      deleteOutbox.push(...(restored.deleteOutbox ?? []))
    }
    putRequests.push({ ...request, status: answer.status, decisionReason: answer.decision_reason, decidedAt: answer.decided_at })
  }
  return { putEvents, deleteEvents, deleteOutbox, putRequests }
}
