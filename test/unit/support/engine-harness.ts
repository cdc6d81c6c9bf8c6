// An engine over a fresh fake-indexeddb database, a FakeServer and a FakeClock.
import type { ServiceEventFields } from '../../../src/domain/types'
import type { LocalDb } from '../../../src/local/db'
import { SyncEngine, type SyncEngineOptions } from '../../../src/sync/engine'
import { pendingVersion } from '../../../src/sync/plans'
import type { LockRunner } from '../../../src/sync/lock'
import type { SyncTransport } from '../../../src/sync/transport'
import { FakeServer, ServerTransport } from './fake-server'
import { FakeClock, freshDb, sequentialIds, USER } from './fixtures'

export const noLock: LockRunner = async (task) => ({ ran: true, value: await task() })

export async function harness(options: Partial<SyncEngineOptions> & { transport?: SyncTransport } = {}) {
  const { db } = await freshDb()
  const server = new FakeServer()
  const transport = new ServerTransport(server)
  const clock = new FakeClock()
  const newId = sequentialIds('c')
  const engine = new SyncEngine({
    db, transport, clock, random: () => 0.5, lock: noLock, backoff: { baseMs: 2_000, maxMs: 60_000 }, ...options,
  })
  return { db, server, transport, clock, engine, newId, ...userActions(db, newId) }
}

/** What the events store does on save and delete, without the store. */
export function userActions(db: LocalDb, newId: () => string) {
  async function save(id: string, fields: ServiceEventFields): Promise<void> {
    const record = pendingVersion(id, fields, await db.getEvent(id), USER, new Date().toISOString())
    await db.saveEvent(record, { change_id: newId(), event_id: id, op: 'upsert', fields, queued_at: new Date().toISOString(), sent: false })
  }
  async function remove(id: string): Promise<void> {
    const existing = (await db.getEvent(id))!
    await db.saveEvent({ ...existing, deleted: true, syncState: 'pending' }, {
      change_id: newId(), event_id: id, op: 'delete', fields: null, queued_at: new Date().toISOString(), sent: false,
    })
  }
  return { save, remove }
}
