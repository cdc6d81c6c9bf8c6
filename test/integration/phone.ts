// One "phone" for the sync integration tests: its own supabase-js client (own session storage
// key), its own IndexedDB database (fake-indexeddb; import 'fake-indexeddb/auto' in the test
// file), its own device id, and the real sync engine over the real supabase-js transport, sending
// the device report after its syncs as the app does. Saves go through the same
// LocalDb.saveEvent the events store uses, building the record as the store does; the store's
// validation is left out on purpose, so a test can queue what only the server refuses.
import { randomUUID } from 'node:crypto'
import type { SupabaseClient } from '@supabase/supabase-js'
import type { LocalEvent, ServiceEventFields, Uuid } from '../../src/domain/types'
import { openLocalDb, type LocalDb } from '../../src/local/db'
import { createDeviceReporter } from '../../src/sync/device-reporter'
import { SyncEngine, systemClock, type SyncEngineOptions, type SyncResult } from '../../src/sync/engine'
import { pendingVersion } from '../../src/sync/plans'
import type { LockRunner } from '../../src/sync/lock'
import { createSupabaseTransport, type SyncTransport } from '../../src/sync/transport'
import { signedInClient } from './stack-env'

// Each phone is its own device: the Web Locks default would make two phones in one process
// (or happy-dom's lack of locks) decide who syncs; here every phone always runs its own sync.
const ownLock: LockRunner = async (task) => ({ ran: true, value: await task() })

export interface Phone {
  client: SupabaseClient
  userId: Uuid
  db: LocalDb
  /** The account's transport, as the engine uses it. */
  transport: SyncTransport
  engine: SyncEngine
  /** The installation's id, as its device reports name it. */
  deviceId: Uuid
  /** Sends the device report now (the engine sends it after each sync by itself). */
  report(): Promise<void>
  /** A new event saved on the phone (queued, not sent); returns its id. */
  create(fields: ServiceEventFields, id?: Uuid): Promise<Uuid>
  /** The user's edit of an event the phone holds (queued on top of the version it knows). */
  edit(id: Uuid, fields: ServiceEventFields): Promise<void>
  /** The user's delete (queued tombstone). */
  remove(id: Uuid): Promise<void>
  sync(): Promise<SyncResult>
  /** Stops retries and closes the database once a running sync or report is through (the session lives only in memory). */
  close(): Promise<void>
}

export async function openPhone(
  email: string,
  tuning: Pick<SyncEngineOptions, 'batchSize' | 'pullPageSize'> = {},
): Promise<Phone> {
  const client = await signedInClient(email)
  const { data } = await client.auth.getUser()
  const userId = data.user!.id
  const db = await openLocalDb(`sync-test-${randomUUID()}`)
  const transport = createSupabaseTransport(client, userId)
  const deviceId = randomUUID()
  const report = createDeviceReporter({
    db,
    transport,
    clock: systemClock,
    deviceId: async () => deviceId,
    storage: async () => ({ persisted: null, usageBytes: null, quotaBytes: null }),
    appVersion: 'integration',
  })
  const engine = new SyncEngine({
    db,
    transport,
    clock: systemClock,
    random: Math.random,
    lock: ownLock,
    report,
    ...tuning,
  })

  /** As useEventsStore.save, past its validation: the user's version, based on the revision it knows. */
  async function put(id: Uuid, fields: ServiceEventFields, existing: LocalEvent | undefined): Promise<void> {
    const now = new Date().toISOString()
    const record = pendingVersion(id, fields, existing, userId, now)
    await db.saveEvent(record, { change_id: randomUUID(), event_id: id, op: 'upsert', fields, queued_at: now, sent: false })
  }

  return {
    client,
    userId,
    db,
    transport,
    engine,
    deviceId,
    report,
    async create(fields, id = randomUUID()) {
      await put(id, fields, undefined)
      return id
    },
    async edit(id, fields) {
      const existing = await db.getEvent(id)
      if (!existing) throw new Error(`phone has no event ${id}`)
      await put(id, fields, existing)
    },
    async remove(id) {
      const existing = await db.getEvent(id)
      if (!existing) throw new Error(`phone has no event ${id}`)
      const now = new Date().toISOString()
      await db.saveEvent({ ...existing, deleted: true, syncState: 'pending', savedAt: now }, {
        change_id: randomUUID(), event_id: id, op: 'delete', fields: null, queued_at: now, sent: false,
      })
    },
    sync: () => engine.syncNow(),
    async close() {
      engine.stop()
      await engine.idle()
      db.close()
    },
  }
}

/**
 * Syncs until `done` holds. A pull returns a row only once every transaction that started before
 * it committed has ended (the commit-safe cursor), so another connection's open transaction can
 * hold a fresh row back for a moment; that is the design, and the test waits rather than flakes.
 */
export async function syncUntil(phone: Phone, done: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const result = await phone.sync()
    if (result.status !== 'synced') throw new Error(`sync ended ${JSON.stringify(result)}`)
    if (await done()) return
    if (Date.now() > deadline) throw new Error('the expected changes did not arrive by pull')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
