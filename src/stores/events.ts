/**
 * useEventsStore: the service events on this phone, whatever their sync state.
 * State: events (LocalEvent: the fields, id, deleted, syncState 'pending' | 'synced' | 'failed' |
 * 'conflict', failure {code, rule, message}, conflictReason, serverRevision, server copy,
 * recordedBy, savedAt). Views hide `deleted` ones.
 * Actions: load(); save(fields, id?) → id (validates first; throws EventValidationError with the
 * issues, the input stays with the caller); remove(id); discard(id) (drop a failed or
 * conflicting change, back to the server's version); resolveConflict(id, 'keep-mine' |
 * 'take-server') (keep-mine → the id that now holds the user's version); confirm(ids) (leaders).
 */
import { defineStore } from 'pinia'
import { computed, ref, toRaw } from 'vue'
import { validateEvent, type ValidationIssue } from '../domain/validation'
import type { LocalEvent, ServiceEventFields, Uuid } from '../domain/types'
import { planConfirm } from '../sync/ledger-plans'
import { fieldsOf, pendingVersion, planKeepMine, planRestoreServer } from '../sync/plans'
import { currentAccount, getServices, requireAccount, type Account } from '../sync/runtime'
import { useReferenceStore } from './reference'
import { useSessionStore } from './session'

export class EventValidationError extends Error {
  constructor(readonly issues: ValidationIssue[]) {
    super(`the event breaks ${issues.length} rule(s): ${issues.map((issue) => issue.rule).join(', ')}`)
    this.name = 'EventValidationError'
  }
}

/** Tells the other parts of this tab (sync store → other tabs) that local events changed. */
async function announceChange(): Promise<void> {
  (await getServices()).changes.dispatchEvent(new Event('events'))
}

/** Announces a queued change and starts pushing it. */
async function announce(account: Account): Promise<void> {
  await announceChange()
  void account.engine.syncNow()
}

export const useEventsStore = defineStore('events', () => {
  /** The events last loaded, and the user whose database they came from. */
  const loaded = ref<{ userId: Uuid | null; events: LocalEvent[] }>({ userId: null, events: [] })
  /**
   * Every event on the phone, tombstones included (filter on `deleted`). Never another user's:
   * when someone else signs in on the "sign in again" page (no page reload), the list is empty
   * from that moment until their own events are loaded.
   */
  const events = computed(() => {
    const viewer = useSessionStore().user?.id
    return viewer === undefined || viewer === loaded.value.userId ? loaded.value.events : []
  })

  /** Reloads the events from the phone's database. */
  async function load(): Promise<void> {
    const account = await currentAccount()
    loaded.value = { userId: account?.userId ?? null, events: account ? await account.db.listEvents() : [] }
  }

  function issuesOf(fields: ServiceEventFields, now: number, existing: LocalEvent | undefined): ValidationIssue[] {
    const reference = useReferenceStore()
    const session = useSessionStore()
    // Lists not loaded yet (empty) are not checked: the server still checks everything.
    const known = <T>(rows: T[]): T[] | undefined => (rows.length > 0 ? rows : undefined)
    const issues = validateEvent(fields, {
      now,
      stations: known(reference.stations),
      teams: known(reference.teams),
      themeMonths: known(reference.themeMonths),
      teamMembers: known(reference.teamMembers),
      allowedTeamIds: session.user && session.programRole !== 'admin' ? session.myTeamIds : undefined,
      // People who have left the team stay on the events they took part in.
      keptParticipantIds: existing?.server?.fields.participants.map((p) => p.person_id),
    })
    if (existing?.deleted) issues.push({ field: 'title', rule: 'service_events_deleted_is_final' })
    return issues
  }

  /** Validates and saves an event (new when no id) with its outbox entry; returns its id. */
  async function save(fields: ServiceEventFields, id?: Uuid): Promise<Uuid> {
    const account = await requireAccount()
    const { clock, newId } = await getServices()
    const { db } = account
    const existing = id ? await db.getEvent(id) : undefined
    const input = fieldsOf(toRaw(fields))
    const issues = issuesOf(input, clock.now(), existing)
    if (issues.length > 0) throw new EventValidationError(issues)
    const now = new Date(clock.now()).toISOString()
    const eventId = existing?.id ?? id ?? newId()
    // Recorded when first saved here, offline too (the 10 working days of the 办法 Art. 11 count
    // to it); an edit keeps it, as the server does.
    const recordedAt = existing ? existing.recorded_at : now
    const saved = recordedAt ? { ...input, recorded_at: recordedAt } : input
    const record = pendingVersion(eventId, saved, existing, useSessionStore().user?.id ?? null, now)
    await db.saveEvent(record, { change_id: newId(), event_id: eventId, op: 'upsert', fields: saved, queued_at: now, sent: false })
    await load()
    await announce(account)
    return eventId
  }

  /** Deletes an event (a tombstone syncs, so other phones learn of it). */
  async function remove(id: Uuid): Promise<void> {
    const account = await requireAccount()
    const { clock, newId } = await getServices()
    const { db } = account
    const existing = await db.getEvent(id)
    if (!existing || existing.deleted) return
    const now = new Date(clock.now()).toISOString()
    const record: LocalEvent = { ...existing, deleted: true, syncState: 'pending', failure: null, conflictReason: null, savedAt: now }
    await db.saveEvent(record, { change_id: newId(), event_id: id, op: 'delete', fields: null, queued_at: now, sent: false })
    await load()
    await announce(account)
  }

  /** Drops the user's failed or conflicting change: the event goes back to the server's version. */
  async function discard(id: Uuid): Promise<void> {
    const account = await requireAccount()
    const now = new Date((await getServices()).clock.now()).toISOString()
    await account.db.mutate([id], (slice) => {
      const state = slice.events.get(id)?.syncState
      return state === 'failed' || state === 'conflict' ? planRestoreServer(slice, id, now) : {}
    })
    await load()
    await announceChange()
  }

  /**
   * Settles a conflict. 'take-server' is discard(); 'keep-mine' sends the user's version as a
   * new change on top of the server's (see planKeepMine). Returns the id holding the user's
   * version (a new one when the server had deleted the event), or null.
   */
  async function resolveConflict(id: Uuid, choice: 'keep-mine' | 'take-server'): Promise<Uuid | null> {
    if (choice === 'take-server') {
      await discard(id)
      return null
    }
    const account = await requireAccount()
    const { clock, newId } = await getServices()
    const now = new Date(clock.now()).toISOString()
    const ids = { changeId: newId(), newEventId: newId() }
    const kept = await account.db.mutate([id], (slice) => planKeepMine(slice, id, ids, now))
    await load()
    await announce(account)
    return kept ?? null
  }

  /**
   * A leader confirms events of their team (one, several, or a whole month): queued like any
   * change, so it works offline. Returns how many confirmations were queued.
   */
  async function confirm(ids: readonly Uuid[]): Promise<number> {
    const account = await requireAccount()
    const { clock, newId } = await getServices()
    const now = new Date(clock.now()).toISOString()
    const queued = await account.db.mutate(ids, (slice) => planConfirm(slice, ids, newId, now))
    await load()
    await announce(account)
    return queued ?? 0
  }

  return { events, load, save, remove, discard, resolveConflict, confirm }
})
