// The phone's database: the only module that touches IndexedDB. It uses `idb` because it is tiny
// (about 1 kB), is a promise wrapper over the real IndexedDB API rather than a new abstraction,
// types the schema (stores, keys, indexes) and runs versioned upgrades. Every write that must
// not be half-done (an event and its outbox entry; pulled rows and the pull cursor) is one
// transaction: mutate() reads, lets a pure plan decide, and writes, all inside it.
import { deleteDB, openDB, type DBSchema, type IDBPDatabase } from 'idb'
import { toRaw } from 'vue'
import type { Certificate } from '../domain/certificates'
import type { PendingProfile, ProfileFailure, ServerProfile } from '../domain/person-profile'
import type {
  EventRequest, LocalEvent, Person, Profile, ReferenceData, Station, SyncState, Team, TeamMember, ThemeMonth, Uuid,
} from '../domain/types'
import { isParked, isUnsynced } from '../domain/device-report'
import type { CalendarException } from '../domain/workdays'
import { coalesce, type OutboxEntry } from './outbox'

/** Bump with a new step in upgrade() whenever stores or indexes change. */
export const SCHEMA_VERSION = 5

/** Small values kept between runs. */
export interface MetaValues {
  /** Server cursor of the last pulled page (server revision order, never the phone's clock). */
  pullCursor: string | null
  /** When a sync last completed (ISO 8601). */
  lastSyncedAt: string | null
  /** The signed-in user, for offline starts. */
  profile: Profile | null
  /** Whether reference data was ever loaded from the server. */
  referenceLoadedAt: string | null
  /** The user's personal profile as the server last answered it. */
  personalProfile: ServerProfile | null
  /** The user's profile edited on this phone, not yet on the server. */
  pendingProfile: PendingProfile | null
  /** Why the server refused the pending profile, if it did. */
  profileFailure: ProfileFailure | null
  /** Closed station x theme months ("station|theme month"), as last fetched. */
  closedPeriods: string[] | null
  /** How far this phone's clock was off the server's when last measured (see device-report). */
  clockCheck: ClockCheck | null
}

export interface ClockCheck {
  /** The phone's clock minus the server's (ms). */
  offsetMs: number
  /** When it was measured (ISO 8601, the phone's clock). */
  measuredAt: string
}

type MetaKey = keyof MetaValues

interface LedgerSchema extends DBSchema {
  /** by_sync_state: the refused and conflicting events, found without reading every event. */
  events: { key: Uuid; value: LocalEvent; indexes: { by_sync_state: SyncState } }
  outbox: { key: number; value: OutboxEntry; indexes: { by_event: Uuid } }
  /** Requests the user sent about events (adjustments, corrections) and their outcome. */
  requests: { key: Uuid; value: EventRequest }
  stations: { key: Uuid; value: Station }
  teams: { key: Uuid; value: Team }
  theme_months: { key: Uuid; value: ThemeMonth }
  people: { key: Uuid; value: Person }
  team_members: { key: [Uuid, Uuid]; value: TeamMember }
  /** The official exceptions to Monday-Friday, by day. */
  work_calendar: { key: string; value: CalendarException }
  meta: { key: MetaKey; value: { key: MetaKey; value: unknown } }
  /** Certificates the user opened, kept to open and print offline. */
  certificates: { key: Uuid; value: Certificate }
}

const REFERENCE_STORES = ['stations', 'teams', 'theme_months', 'people', 'team_members', 'work_calendar'] as const

/** What a plan sees: the events asked for (absent ones missing) and their queued changes, in order. */
export interface EventSlice {
  events: Map<Uuid, LocalEvent>
  outbox: OutboxEntry[]
}

/** What a plan decides to write. */
export interface Writes {
  putEvents?: LocalEvent[]
  deleteEvents?: Uuid[]
  putOutbox?: OutboxEntry[]
  deleteOutbox?: number[]
  /** Requests are written whole (a plan never needs to read one). */
  putRequests?: EventRequest[]
  meta?: Partial<MetaValues>
}

/**
 * A plain deep copy: IndexedDB's structured clone throws on Vue's reactive proxies, so values
 * coming from stores are unwrapped first. JSON is enough: records hold only JSON data.
 */
function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(toRaw(value))) as T
}

/** Aborts a transaction that may already have ended (a failed request aborts it by itself). */
function abort(tx: IDBTransaction | { abort(): void }): void {
  try {
    tx.abort()
  } catch (error) {
    if (!(error instanceof DOMException && error.name === 'InvalidStateError')) throw error
  }
}

export class LocalDb {
  constructor(private readonly db: IDBPDatabase<LedgerSchema>) {}

  close(): void {
    this.db.close()
  }

  async listEvents(): Promise<LocalEvent[]> {
    return this.db.getAll('events')
  }

  async getEvent(id: Uuid): Promise<LocalEvent | undefined> {
    return this.db.get('events', id)
  }

  /** Queued changes, oldest first. */
  async listOutbox(): Promise<OutboxEntry[]> {
    return this.db.getAll('outbox')
  }

  async listRequests(): Promise<EventRequest[]> {
    return this.db.getAll('requests')
  }

  async getMeta<K extends MetaKey>(key: K): Promise<MetaValues[K] | null> {
    const row = await this.db.get('meta', key)
    return row ? (row.value as MetaValues[K]) : null
  }

  async setMeta(values: Partial<MetaValues>): Promise<void> {
    const tx = this.db.transaction('meta', 'readwrite')
    for (const [key, value] of Object.entries(values)) {
      await tx.store.put(plain({ key: key as MetaKey, value }))
    }
    await tx.done
  }

  /**
   * Reads meta values and writes what `plan` decides from them, in one transaction: a decision
   * taken on a value another write changed meanwhile is never stored.
   */
  async updateMeta<K extends MetaKey>(keys: readonly K[], plan: (values: Pick<MetaValues, K>) => Partial<MetaValues>): Promise<void> {
    const tx = this.db.transaction('meta', 'readwrite')
    const values = {} as Pick<MetaValues, K>
    for (const key of keys) values[key] = ((await tx.store.get(key))?.value ?? null) as MetaValues[K]
    for (const [key, value] of Object.entries(plan(values))) await tx.store.put(plain({ key: key as MetaKey, value }))
    await tx.done
  }

  async getCertificate(id: Uuid): Promise<Certificate | undefined> {
    return this.db.get('certificates', id)
  }

  async listCertificates(): Promise<Certificate[]> {
    return this.db.getAll('certificates')
  }

  async putCertificates(certificates: readonly Certificate[]): Promise<void> {
    const tx = this.db.transaction('certificates', 'readwrite')
    await Promise.all([...certificates.map((certificate) => tx.store.put(plain(certificate))), tx.done])
  }

  /**
   * Reads the given events and their queued changes, lets `plan` decide, and writes its
   * decision, all in one transaction: concurrent saves, pulls and outcomes (from this tab or
   * another) serialize on it, so none acts on a stale read. The requests asked for by id (those
   * stored) are given to the plan too.
   */
  async mutate<T = void>(
    eventIds: readonly Uuid[],
    plan: (slice: EventSlice, requests: Map<Uuid, EventRequest>) => Writes & { result?: T },
    requestIds: readonly Uuid[] = [],
  ): Promise<T | undefined> {
    const tx = this.db.transaction(['events', 'outbox', 'requests', 'meta'], 'readwrite')
    const events = tx.objectStore('events')
    const outbox = tx.objectStore('outbox')
    const requests = tx.objectStore('requests')
    try {
      const slice: EventSlice = { events: new Map(), outbox: [] }
      for (const id of new Set(eventIds)) {
        const record = await events.get(id)
        if (record) slice.events.set(id, record)
        slice.outbox.push(...(await outbox.index('by_event').getAll(id)))
      }
      slice.outbox.sort((a, b) => a.seq! - b.seq!)
      const known = new Map<Uuid, EventRequest>()
      for (const id of new Set(requestIds)) {
        const request = await requests.get(id)
        if (request) known.set(id, request)
      }
      const writes = plan(slice, known)
      for (const id of writes.deleteEvents ?? []) await events.delete(id)
      for (const record of writes.putEvents ?? []) await events.put(plain(record))
      for (const seq of writes.deleteOutbox ?? []) await outbox.delete(seq)
      for (const entry of writes.putOutbox ?? []) await outbox.put(plain(entry))
      for (const request of writes.putRequests ?? []) await requests.put(plain(request))
      for (const [key, value] of Object.entries(writes.meta ?? {})) {
        await tx.objectStore('meta').put(plain({ key: key as MetaKey, value }))
      }
      await tx.done
      return writes.result
    } catch (error) {
      // A plan or a write that threw must leave nothing behind.
      abort(tx)
      // tx.done now rejects with the abort, a consequence of `error`: wait for it, report `error`.
      await Promise.allSettled([tx.done])
      throw error
    }
  }

  /**
   * Saves the user's version of an event and queues its change, in one transaction, coalescing
   * with the changes of that event that have not left the phone yet (see coalesce()). The hot
   * path of every save, so it does only that: it reads nothing but the event's queued changes,
   * and an edit's event write goes out together with that read rather than after it.
   */
  async saveEvent(record: LocalEvent, change: OutboxEntry): Promise<void> {
    const tx = this.db.transaction(['events', 'outbox'], 'readwrite')
    const events = tx.objectStore('events')
    const outbox = tx.objectStore('outbox')
    const written: Promise<unknown>[] = []
    try {
      // Only a delete can drop the event (coalesce()): an upsert stores it whatever is queued.
      if (change.op === 'upsert') written.push(events.put(plain(record)))
      const queued = await outbox.index('by_event').getAll(record.id)
      const plan = coalesce(queued.sort((a, b) => a.seq! - b.seq!), change, record.serverRevision)
      if (plan.dropEvent) written.push(events.delete(record.id))
      else if (change.op === 'delete') written.push(events.put(plain(record)))
      written.push(...plan.remove.map((seq) => outbox.delete(seq)))
      if (plan.put) written.push(outbox.put(plain(plan.put)))
      await Promise.all([...written, tx.done])
    } catch (error) {
      // As in mutate(): nothing left behind; the writes and tx.done reject with the abort.
      abort(tx)
      await Promise.allSettled([...written, tx.done])
      throw error
    }
  }

  async loadReference(): Promise<Omit<ReferenceData, 'programRole'>> {
    const tx = this.db.transaction(REFERENCE_STORES, 'readonly')
    const [stations, teams, themeMonths, people, teamMembers, workCalendar] = await Promise.all([
      tx.objectStore('stations').getAll(),
      tx.objectStore('teams').getAll(),
      tx.objectStore('theme_months').getAll(),
      tx.objectStore('people').getAll(),
      tx.objectStore('team_members').getAll(),
      tx.objectStore('work_calendar').getAll(),
    ])
    await tx.done
    return { stations, teams, themeMonths, people, teamMembers, workCalendar }
  }

  /** Replaces all reference data (and the profile derived from it) at once. */
  async replaceReference(data: ReferenceData, meta: Partial<MetaValues>): Promise<void> {
    const tx = this.db.transaction([...REFERENCE_STORES, 'meta'], 'readwrite')
    await Promise.all(REFERENCE_STORES.map((name) => tx.objectStore(name).clear()))
    const puts: Promise<unknown>[] = [
      ...data.stations.map((row) => tx.objectStore('stations').put(plain(row))),
      ...data.teams.map((row) => tx.objectStore('teams').put(plain(row))),
      ...data.themeMonths.map((row) => tx.objectStore('theme_months').put(plain(row))),
      ...data.people.map((row) => tx.objectStore('people').put(plain(row))),
      ...data.teamMembers.map((row) => tx.objectStore('team_members').put(plain(row))),
      ...data.workCalendar.map((row) => tx.objectStore('work_calendar').put(plain(row))),
      ...Object.entries(meta).map(([key, value]) => tx.objectStore('meta').put(plain({ key: key as MetaKey, value }))),
    ]
    await Promise.all([...puts, tx.done])
  }

  /**
   * Everything not on the server yet, as one consistent snapshot (the device report, the backup):
   * the queue, the events it concerns and the refused or conflicting ones, and the requests not
   * sent yet. It reads only those (the queue's events by id, the others by their sync state), so
   * its cost follows what waits, not how many events the phone holds.
   */
  async unsynced(): Promise<{ events: LocalEvent[]; outbox: OutboxEntry[]; requests: EventRequest[] }> {
    const tx = this.db.transaction(['events', 'outbox', 'requests'], 'readonly')
    const events = tx.objectStore('events')
    const outbox = await tx.objectStore('outbox').getAll()
    const [queued, failed, conflicts, requests] = await Promise.all([
      Promise.all([...new Set(outbox.map((entry) => entry.event_id))].map((id) => events.get(id))),
      events.index('by_sync_state').getAll('failed'),
      events.index('by_sync_state').getAll('conflict'),
      tx.objectStore('requests').getAll(),
    ])
    await tx.done
    const unsynced = new Map<Uuid, LocalEvent>()
    for (const record of [...queued, ...failed, ...conflicts]) if (record) unsynced.set(record.id, record)
    return { events: [...unsynced.values()], outbox, requests: requests.filter((request) => request.status === 'queued') }
  }

  /** What is on this phone and not on the server: the sign-out warning, the banner, the update prompt. */
  async unsyncedSummary(): Promise<UnsyncedSummary> {
    const tx = this.db.transaction('meta', 'readonly')
    const [{ events, outbox }, pendingProfile] = await Promise.all([this.unsynced(), tx.store.get('pendingProfile'), tx.done])
    return summarizeUnsynced(events, outbox, !!pendingProfile?.value)
  }

  /**
   * Keeps only what the user has not synced yet (their events that are queued, refused or in
   * conflict, the queue, and a profile edit not yet sent), for when they leave the phone to someone else: the team's synced
   * events, the reference data and the pull position go, so the next user reads none of it,
   * and the owner's next sign-in pulls everything afresh.
   */
  async keepOnlyUnsynced(): Promise<void> {
    const tx = this.db.transaction(['events', 'outbox', 'requests', 'meta', 'certificates', ...REFERENCE_STORES], 'readwrite')
    const queued = new Set((await tx.objectStore('outbox').getAll()).map((entry) => entry.event_id))
    const events = tx.objectStore('events')
    for (const record of await events.getAll()) {
      if (!isUnsynced(record, queued)) await events.delete(record.id)
    }
    const requests = tx.objectStore('requests')
    for (const request of await requests.getAll()) {
      if (request.status !== 'queued') await requests.delete(request.id)
    }
    const meta = tx.objectStore('meta')
    const pendingProfile = await meta.get('pendingProfile')
    await meta.clear()
    if (pendingProfile) await meta.put(pendingProfile)
    await Promise.all([
      ...REFERENCE_STORES.map((name) => tx.objectStore(name).clear()),
      tx.objectStore('certificates').clear(),
      tx.done,
    ])
  }
}

/** Counts of what waits on the phone. */
export interface UnsyncedSummary {
  /**
   * Records with something not on the server yet: events with queued changes or requests,
   * refusals or conflicts, and the user's profile when an edit of it waits.
   */
  events: number
  /** Of those, refused (failed) or in conflict: they wait for the user, not for the network. */
  needsAttention: number
  /** When the oldest queued change was saved (ISO 8601), null when none is queued. */
  oldestQueuedAt: string | null
}

export function summarizeUnsynced(events: readonly LocalEvent[], outbox: readonly OutboxEntry[], profilePending = false): UnsyncedSummary {
  const queued = new Set(outbox.map((entry) => entry.event_id))
  return {
    events: events.filter((record) => isUnsynced(record, queued)).length + (profilePending ? 1 : 0),
    needsAttention: events.filter(isParked).length,
    oldestQueuedAt: outbox.reduce<string | null>((oldest, e) => (oldest === null || e.queued_at < oldest ? e.queued_at : oldest), null),
  }
}

/** Removes a database from the phone (a user who leaves with nothing unsynced). */
export async function deleteLocalDb(name: string): Promise<void> {
  await deleteDB(name, {
    blocked() {
      console.warn(`deleting ${name} waits for another tab to close it`)
    },
  })
}

export async function openLocalDb(name: string): Promise<LocalDb> {
  const db = await openDB<LedgerSchema>(name, SCHEMA_VERSION, {
    upgrade(database, oldVersion, _newVersion, transaction) {
      // One step per schema version, applied in order, so any older database reaches the current one.
      if (oldVersion < 1) {
        database.createObjectStore('events', { keyPath: 'id' })
        const outbox = database.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true })
        outbox.createIndex('by_event', 'event_id')
        database.createObjectStore('stations', { keyPath: 'id' })
        database.createObjectStore('teams', { keyPath: 'id' })
        database.createObjectStore('theme_months', { keyPath: 'id' })
        database.createObjectStore('people', { keyPath: 'id' })
        database.createObjectStore('team_members', { keyPath: ['team_id', 'person_id'] })
        database.createObjectStore('meta', { keyPath: 'key' })
      }
      if (oldVersion < 2) {
        database.createObjectStore('requests', { keyPath: 'id' })
      }
      if (oldVersion < 3) {
        transaction.objectStore('events').createIndex('by_sync_state', 'syncState')
      }
      if (oldVersion < 4) {
        database.createObjectStore('work_calendar', { keyPath: 'day' })
        // Events pulled before the ledger lack its fields, and the server gave them no new
        // revision: pulling from the start brings them (and reference data that holds the calendar).
        if (oldVersion >= 1) void transaction.objectStore('meta').delete('pullCursor')
      }
      if (oldVersion < 5) {
        database.createObjectStore('certificates', { keyPath: 'id' })
      }
    },
    blocking() {
      // A newer version of the app opened in another tab: let it upgrade instead of blocking it.
      db.close()
    },
  })
  return new LocalDb(db)
}
