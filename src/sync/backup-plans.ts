// What importing a backup (src/sync/backup.ts) adds to this phone, as a pure function over the
// events it concerns, their queued changes here and the requests already here; src/local/db.ts
// writes the decision in one transaction, so an import is whole or nothing.
//
// The rules, per event of the backup:
// - Changes keep their ids, so whatever of them already reached the server is answered
//   'duplicate' there and applied nowhere twice; a change already queued here is not added again.
// - The phone does not hold the event: the backup's version and its changes are taken as they
//   were (waiting, refused or in conflict).
// - The phone has unsynced work of its own on it (queued, refused, in conflict or awaiting an
//   adjustment): that stays, the backup's version is not taken.
// - The phone holds it in sync, at most at the revision the backup's version knew: the backup's
//   version is newer, it is taken with its changes.
// - The phone holds a newer revision than the backup knew: the backup's version never overwrites
//   it. Same content: it is already here. Other content: the backup's version becomes a conflict
//   with the phone's, for the user to choose (nothing is sent until they do).
// - Correction requests do not change the event: each is added unless it is here already.
// Anything taken makes the next pull start over, so that an event answered 'duplicate' ends up
// at the server's newest version even if the phone's pull position had passed it.
import { isParked } from '../domain/device-report'
import type { EventRequest, LocalEvent, ServerCopy, ServiceEventFields, Uuid } from '../domain/types'
import type { EventSlice, Writes } from '../local/db'
import type { OutboxEntry } from '../local/outbox'
import type { BackupContent } from './backup'
import { fieldsOf } from './plans'

export interface ImportSummary {
  /** Events whose version (and changes) were taken from the backup. */
  taken: number
  /** Events the phone already had as the backup has them. */
  alreadyHere: number
  /** Events with unsynced changes on this phone, which were kept. */
  keptHere: number
  /** Events the server changed since the backup's version: now conflicts for the user to settle. */
  conflicts: number
  /** Requests added. */
  requests: number
}

/** The newest server revision a version of an event knows of; -1 for none. */
function knownRevision(record: LocalEvent): number {
  return Math.max(record.serverRevision ?? -1, record.server?.revision ?? -1)
}

const RECORD_FIELDS = ['place', 'service_content', 'person_in_charge', 'organizing_unit'] as const

/**
 * What the user gave, with the participants in a fixed order (the server keeps them by person):
 * not when it was recorded (the server writes that time its own way), and the complete record's
 * fields only where the other version holds them too (an older app's version has none; the
 * server's has its defaults).
 */
function contentOf(fields: ServiceEventFields, other: ServiceEventFields): string {
  const plain = fieldsOf(fields)
  delete plain.recorded_at
  for (const key of RECORD_FIELDS) if (other[key] === undefined) delete plain[key]
  return JSON.stringify({ ...plain, participants: plain.participants.sort((x, y) => x.person_id.localeCompare(y.person_id)) })
}

function sameContent(a: LocalEvent, b: LocalEvent): boolean {
  return a.deleted === b.deleted && (a.deleted || contentOf(a, b) === contentOf(b, a))
}

/** The backup's version as a conflict with the newer version the phone holds in sync. */
function asConflict(backedUp: LocalEvent, here: LocalEvent): LocalEvent {
  const server: ServerCopy = here.server ?? {
    fields: fieldsOf(here), revision: knownRevision(here), deleted: here.deleted, recordedBy: here.recordedBy, confirmation: null,
  }
  return { ...backedUp, syncState: 'conflict', conflictReason: 'changed', failure: null, server, confirmation: null }
}

export function planImport(
  slice: EventSlice,
  requestsHere: ReadonlyMap<Uuid, EventRequest>,
  content: BackupContent,
): Writes & { result: ImportSummary } {
  const summary: ImportSummary = { taken: 0, alreadyHere: 0, keptHere: 0, conflicts: 0, requests: 0 }
  const queuedHere = new Set(slice.outbox.map((entry) => entry.change_id))
  const requestOf = new Map(content.requests.map((request) => [request.id, request]))
  const putEvents: LocalEvent[] = []
  const putOutbox: OutboxEntry[] = []
  const putRequests: EventRequest[] = []

  const queue = (changes: readonly OutboxEntry[]) => {
    for (const change of changes) {
      putOutbox.push(change)
      const request = requestOf.get(change.change_id)
      if (request && !requestsHere.has(request.id)) putRequests.push(request)
    }
  }
  const take = (backedUp: LocalEvent, writes: readonly OutboxEntry[]) => {
    putEvents.push(backedUp)
    queue(writes)
    summary.taken += 1
  }

  for (const backedUp of content.events) {
    const changes = content.outbox.filter((change) => change.event_id === backedUp.id && !queuedHere.has(change.change_id))
    const corrections = changes.filter((change) => change.op === 'correct' && !requestsHere.has(change.change_id))
    const writes = changes.filter((change) => change.op !== 'correct')
    // Whether the backup holds a version of the user's that is not on the server (else the event
    // only came along with a correction request).
    const brings = writes.length > 0 || isParked(backedUp)
    const here = slice.events.get(backedUp.id)
    if (!here) take(backedUp, writes)
    else if (!brings) summary.alreadyHere += 1
    else if (here.syncState !== 'synced' || slice.outbox.some((entry) => entry.event_id === here.id)) {
      if (writes.length === 0 && here.syncState === backedUp.syncState && sameContent(here, backedUp)) summary.alreadyHere += 1
      else summary.keptHere += 1
    } else if (knownRevision(here) <= knownRevision(backedUp)) take(backedUp, writes)
    else if (sameContent(here, backedUp)) summary.alreadyHere += 1
    else {
      putEvents.push(asConflict(backedUp, here))
      summary.conflicts += 1
    }
    queue(corrections)
  }
  summary.requests = putRequests.length

  return {
    putEvents,
    putOutbox,
    putRequests,
    meta: putEvents.length > 0 || putOutbox.length > 0 ? { pullCursor: null } : {},
    result: summary,
  }
}
