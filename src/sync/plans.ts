// What the sync engine and the events store decide, as pure functions over an EventSlice (the
// events concerned and their queued changes); src/local/db.ts writes each decision atomically.
import type {
  ChangeOutcome, EventChange, EventRequest, LocalEvent, ServerCopy, ServerEvent, ServiceEventFields, SyncFailure, Uuid,
} from '../domain/types'
import type { EventSlice, Writes } from '../local/db'
import type { OutboxEntry } from '../local/outbox'

export function fieldsOf(source: ServiceEventFields): ServiceEventFields {
  return {
    station_id: source.station_id,
    team_id: source.team_id,
    theme_month_id: source.theme_month_id,
    started_at: source.started_at,
    ended_at: source.ended_at,
    title: source.title,
    note: source.note,
    people_served: source.people_served,
    funds_fen: source.funds_fen,
    materials_fen: source.materials_fen,
    materials_description: source.materials_description,
    participants: source.participants.map((p) => ({ person_id: p.person_id, hours: Number(p.hours) })),
    ...recordFieldsOf(source),
  }
}

/**
 * The complete record's fields that the source holds: a version saved by an app before the
 * ledger has none, and sends none, so that the server fills its defaults.
 */
function recordFieldsOf(source: ServiceEventFields): Partial<ServiceEventFields> {
  const fields: Partial<ServiceEventFields> = {}
  if (source.place !== undefined) fields.place = source.place
  if (source.service_content !== undefined) fields.service_content = source.service_content
  if (source.person_in_charge !== undefined) fields.person_in_charge = source.person_in_charge
  if (source.organizing_unit !== undefined) fields.organizing_unit = source.organizing_unit
  if (source.recorded_at !== undefined) fields.recorded_at = source.recorded_at
  return fields
}

export function serverCopyOf(row: ServerEvent): ServerCopy {
  return {
    fields: fieldsOf(row),
    revision: row.revision,
    deleted: row.deleted_at !== null,
    recordedBy: row.recorded_by,
    confirmation: row.confirmed_at ? { at: row.confirmed_at, by: row.confirmed_by ?? null } : null,
  }
}

/** The local record of a server version, in sync. */
export function syncedRecord(id: Uuid, copy: ServerCopy, savedAt: string): LocalEvent {
  return {
    ...copy.fields,
    id,
    deleted: copy.deleted,
    syncState: 'synced',
    failure: null,
    conflictReason: null,
    serverRevision: copy.revision,
    server: copy,
    recordedBy: copy.recordedBy,
    savedAt,
    confirmation: copy.confirmation,
  }
}


/**
 * The local record of the user's new version of an event, waiting to be sent. An edit made
 * after seeing the server's version in a conflict goes on top of that version's revision.
 */
export function pendingVersion(
  id: Uuid,
  fields: ServiceEventFields,
  existing: LocalEvent | undefined,
  recordedBy: Uuid | null,
  now: string,
): LocalEvent {
  const base = existing?.syncState === 'conflict' && existing.conflictReason === 'changed' && existing.server
    ? existing.server.revision
    : existing?.serverRevision ?? null
  return {
    ...fields,
    id,
    deleted: false,
    syncState: 'pending',
    failure: null,
    conflictReason: null,
    serverRevision: base,
    server: existing?.server ?? null,
    recordedBy: existing?.recordedBy ?? recordedBy,
    savedAt: now,
    // The server clears a confirmation on every edit: the phone shows it so at once, offline too.
    confirmation: null,
  }
}

/** What is sent for a queued change: based on the revision of the event the phone holds now. */
export function changeToSend(entry: OutboxEntry, record: LocalEvent): EventChange {
  return {
    change_id: entry.change_id,
    event_id: entry.event_id,
    op: entry.op,
    base_revision: entry.op === 'correct' ? null : record.serverRevision,
    ...(entry.fields ? { event: entry.fields } : {}),
    ...(entry.op === 'adjust' ? { reason: entry.text ?? '' } : {}),
    ...(entry.op === 'correct' ? { note: entry.text ?? '' } : {}),
  }
}

/** The first queued change of each event, oldest first: a later change of an event waits for the earlier one's outcome. */
export function sendableEntries(outbox: readonly OutboxEntry[], limit: number): OutboxEntry[] {
  const seen = new Set<Uuid>()
  const heads: OutboxEntry[] = []
  for (const entry of outbox) {
    if (seen.has(entry.event_id)) continue
    seen.add(entry.event_id)
    heads.push(entry)
    if (heads.length === limit) break
  }
  return heads
}

/**
 * Applies the server's answers to a pushed batch.
 * - applied / duplicate: the change is done; the event is in sync at that revision unless more
 *   of its changes wait (then the revision becomes their base). A write leaves it unconfirmed (the
 *   server clears a confirmation on every edit); a confirmation leaves it confirmed.
 * - conflict: server wins by default. The user's version stays on the phone, marked 'conflict'
 *   next to the server's copy, and nothing more of it is sent until the user chooses (see
 *   resolveConflict). A delete of an event the server does not have is simply done. A
 *   confirmation of a version that changed meanwhile is dropped, and the phone shows the
 *   server's version, to be read and confirmed anew.
 * - rejected: the change is parked as 'failed' with its reason, where the user sees it, and the
 *   rest of the queue goes on; it is never dropped silently. If a newer change of the event is
 *   already queued, that one decides.
 * Requests (adjust, correct) change no event: they are recorded as pending (an adjustment's event
 * now awaits the coordinator) or, when refused, as refused with the reason.
 */
export function planOutcomes(slice: EventSlice, batch: readonly OutboxEntry[], outcomes: readonly ChangeOutcome[], now: string): Writes {
  const byChange = new Map(outcomes.map((outcome) => [outcome.change_id, outcome]))
  const events = new Map(slice.events)
  const removed = new Set<number>()
  const deleteEvents: Uuid[] = []
  const putRequests: EventRequest[] = []
  for (const entry of batch) {
    const outcome = byChange.get(entry.change_id)
    if (!outcome) continue
    removed.add(entry.seq!)
    const record = events.get(entry.event_id)
    if (!record) continue
    const later = slice.outbox.filter((e) => e.event_id === entry.event_id && !removed.has(e.seq!))
    if (entry.op === 'adjust' || entry.op === 'correct') {
      putRequests.push(requestAnswered(entry, record, outcome, now))
      if (entry.op === 'adjust') events.set(record.id, adjustmentAnswered(record, outcome))
      continue
    }
    switch (outcome.status) {
      case 'applied':
      case 'duplicate': {
        const inSync = later.length === 0
        const revision = outcome.revision ?? record.serverRevision
        const confirmation = entry.op === 'confirm' ? { at: now, by: null } : null
        events.set(record.id, {
          ...record,
          serverRevision: revision,
          syncState: inSync ? 'synced' : 'pending',
          failure: null,
          conflictReason: null,
          confirmation: record.confirmation === 'queued' && entry.op !== 'confirm' ? 'queued' : confirmation,
          server: inSync && revision !== null
            ? { fields: fieldsOf(record), revision, deleted: record.deleted, recordedBy: record.recordedBy, confirmation }
            : record.server,
        })
        break
      }
      case 'conflict': {
        for (const next of later) removed.add(next.seq!)
        if ((entry.op === 'delete' && outcome.reason === 'missing') || (entry.op === 'confirm' && !outcome.server)) {
          events.delete(record.id)
          deleteEvents.push(record.id)
          break
        }
        if (entry.op === 'confirm' && outcome.server) {
          events.set(record.id, syncedRecord(record.id, serverCopyOf(outcome.server), now))
          break
        }
        events.set(record.id, {
          ...record,
          syncState: 'conflict',
          conflictReason: outcome.reason,
          failure: null,
          server: outcome.server ? serverCopyOf(outcome.server) : record.server,
          savedAt: record.savedAt || now,
        })
        break
      }
      case 'rejected': {
        if (later.length > 0) break
        const failure: SyncFailure = { code: outcome.code, rule: outcome.rule, message: outcome.message }
        const confirmation = record.confirmation === 'queued' ? null : record.confirmation
        events.set(record.id, { ...record, syncState: 'failed', failure, conflictReason: null, confirmation })
        break
      }
    }
  }
  return {
    putEvents: [...events.values()],
    deleteEvents,
    deleteOutbox: [...removed],
    putRequests,
  }
}

/** Why the server did not take a request; null when it recorded it. */
function requestFailure(outcome: ChangeOutcome): SyncFailure | null {
  if (outcome.status === 'rejected') return { code: outcome.code, rule: outcome.rule, message: outcome.message }
  if (outcome.status === 'conflict') return { code: 'conflict', rule: null, message: outcome.reason }
  return null
}

/** A request as the server answered it: pending (recorded) or refused by its rules. */
function requestAnswered(entry: OutboxEntry, record: LocalEvent, outcome: ChangeOutcome, now: string): EventRequest {
  const failure = requestFailure(outcome)
  return {
    id: entry.change_id,
    kind: entry.op === 'adjust' ? 'adjustment' : 'correction',
    eventId: record.id,
    eventTitle: entry.fields?.title ?? record.title,
    text: entry.text ?? '',
    status: failure ? 'refused' : 'pending',
    failure,
    decisionReason: null,
    decidedAt: null,
    createdAt: entry.queued_at || now,
  }
}

/** The event of an adjustment request: awaiting the coordinator, or back to its refusal. */
function adjustmentAnswered(record: LocalEvent, outcome: ChangeOutcome): LocalEvent {
  const failure = requestFailure(outcome)
  return failure ? { ...record, syncState: 'failed', failure } : { ...record, syncState: 'awaiting', failure: null }
}

/**
 * Applies pulled server rows. Events with changes of the user's own that are not yet in sync
 * (queued, failed or in conflict) keep the user's version: only their copy of the server's is
 * refreshed, so discarding restores the newest server version and a queued edit still carries
 * the base revision the user edited (the server then reports the conflict).
 */
export function planPull(slice: EventSlice, rows: readonly ServerEvent[], cursor: string | null, now: string): Writes {
  const queued = new Set(slice.outbox.map((entry) => entry.event_id))
  const putEvents = new Map<Uuid, LocalEvent>()
  for (const row of rows) {
    const record = putEvents.get(row.id) ?? slice.events.get(row.id)
    const copy = serverCopyOf(row)
    if (record && (queued.has(row.id) || record.syncState !== 'synced')) {
      if (!record.server || record.server.revision < copy.revision) putEvents.set(row.id, { ...record, server: copy })
    } else if (record) {
      // At the revision the phone has too when the phone's version lacks the complete record:
      // the server's row holds the defaults it filled in for an older app's version.
      const fillsRecord = record.serverRevision === copy.revision && record.place === undefined && copy.fields.place !== undefined
      if (record.serverRevision === null || record.serverRevision < copy.revision || fillsRecord) {
        putEvents.set(row.id, syncedRecord(row.id, copy, now))
      }
    } else if (!copy.deleted) {
      putEvents.set(row.id, syncedRecord(row.id, copy, now))
    }
  }
  return { putEvents: [...putEvents.values()], meta: { pullCursor: cursor } }
}

/** Puts an event back to the server's version (or forgets it if the server never had it). */
export function planRestoreServer(slice: EventSlice, id: Uuid, now: string): Writes {
  const record = slice.events.get(id)
  const deleteOutbox = slice.outbox.filter((entry) => entry.event_id === id).map((entry) => entry.seq!)
  if (!record?.server) return { deleteEvents: [id], deleteOutbox }
  return { putEvents: [syncedRecord(id, record.server, now)], deleteOutbox }
}

/**
 * "Keep mine": the user's version becomes a new change on top of the server's.
 * - changed: sent again with the server's revision as its base.
 * - missing: the server has no such event; an upsert is sent as a new event, a delete is done.
 * - deleted: a deleted event is final on the server, so the user's version is saved as a new
 *   event (new id) and the old one follows the server's delete.
 */
export function planKeepMine(
  slice: EventSlice,
  id: Uuid,
  ids: { changeId: Uuid; newEventId: Uuid },
  now: string,
): Writes & { result: Uuid | null } {
  const record = slice.events.get(id)
  if (!record || record.syncState !== 'conflict') return { result: null }
  const requeue = (event: LocalEvent): OutboxEntry => ({
    change_id: ids.changeId,
    event_id: event.id,
    op: event.deleted ? 'delete' : 'upsert',
    fields: event.deleted ? null : fieldsOf(event),
    queued_at: now,
    sent: false,
  })
  const pending = { syncState: 'pending' as const, conflictReason: null, failure: null, savedAt: now }
  if (record.conflictReason === 'changed' && record.server) {
    const mine = { ...record, ...pending, serverRevision: record.server.revision }
    return { putEvents: [mine], putOutbox: [requeue(mine)], result: id }
  }
  if (record.deleted) return { ...planRestoreServer(slice, id, now), result: null }
  if (record.conflictReason === 'missing' || !record.server) {
    const mine = { ...record, ...pending, serverRevision: null, server: null }
    return { putEvents: [mine], putOutbox: [requeue(mine)], result: id }
  }
  const copy: LocalEvent = { ...record, ...pending, id: ids.newEventId, serverRevision: null, server: null }
  return {
    putEvents: [syncedRecord(id, record.server, now), copy],
    putOutbox: [requeue(copy)],
    result: copy.id,
  }
}
