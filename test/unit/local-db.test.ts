import 'fake-indexeddb/auto'
import { openDB } from 'idb'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { reactive } from 'vue'
import { openLocalDb, SCHEMA_VERSION } from '../../src/local/db'
import { coalesce, type OutboxEntry } from '../../src/local/outbox'
import { eventFields, freshDb, pendingRecord } from './support/fixtures'

const EVENT = '10000000-0000-4000-8000-000000000001'

function entry(overrides: Partial<OutboxEntry> = {}): OutboxEntry {
  return {
    change_id: `c-${Math.random()}`, event_id: EVENT, op: 'upsert', fields: eventFields(),
    queued_at: '2023-03-05T12:00:00.000Z', sent: false, ...overrides,
  }
}

afterEach(() => vi.restoreAllMocks())

describe('local database', () => {
  it('creates every store at the current schema version', async () => {
    const { name } = await freshDb()
    const raw = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(name)
      request.onsuccess = () => resolve(request.result)
      request.onerror = () => reject(request.error)
    })
    expect(raw.version).toBe(SCHEMA_VERSION)
    expect([...raw.objectStoreNames].sort()).toEqual(
      ['certificates', 'events', 'meta', 'outbox', 'people', 'requests', 'stations', 'team_members', 'teams', 'theme_months', 'work_calendar'],
    )
    raw.close()
  })

  it('saves an event and its outbox entry together, from reactive proxies', async () => {
    const { db } = await freshDb()
    const record = reactive(pendingRecord(EVENT))
    await db.saveEvent(record, reactive(entry()))
    expect(await db.getEvent(EVENT)).toMatchObject({ id: EVENT, title: '社区义诊' })
    expect(await db.listOutbox()).toHaveLength(1)
  })

  it('writes neither the event nor the entry when the transaction fails midway', async () => {
    const { db } = await freshDb()
    const put = IDBObjectStore.prototype.put
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, ...args) {
      if (this.name === 'outbox') throw new DOMException('disk full', 'QuotaExceededError')
      return put.apply(this, args)
    })
    await expect(db.saveEvent(pendingRecord(EVENT), entry())).rejects.toThrow('disk full')
    vi.restoreAllMocks()
    expect(await db.getEvent(EVENT)).toBeUndefined()
    expect(await db.listOutbox()).toEqual([])
  })

  it('upgrades a database of the first schema version, keeping its events and queue', async () => {
    const name = `v1-${Math.random().toString(36).slice(2)}`
    const v1 = await openDB(name, 1, {
      upgrade(database) {
        database.createObjectStore('events', { keyPath: 'id' })
        database.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true }).createIndex('by_event', 'event_id')
        for (const store of ['stations', 'teams', 'theme_months', 'people', 'meta']) {
          database.createObjectStore(store, { keyPath: store === 'meta' ? 'key' : 'id' })
        }
        database.createObjectStore('team_members', { keyPath: ['team_id', 'person_id'] })
      },
    })
    await v1.put('events', pendingRecord(EVENT))
    await v1.put('outbox', entry())
    v1.close()
    const upgraded = await openLocalDb(name)
    expect(await upgraded.getEvent(EVENT)).toMatchObject({ id: EVENT })
    expect(await upgraded.listOutbox()).toHaveLength(1)
    expect(await upgraded.listRequests()).toEqual([])
    upgraded.close()
  })

  it('coalesces saves of one event in the database: an edit joins the unsent create, a delete drops both', async () => {
    const { db } = await freshDb()
    const create = entry()
    await db.saveEvent(pendingRecord(EVENT), create)
    const edited = { ...eventFields(), title: '社区义诊（改）' }
    await db.saveEvent(pendingRecord(EVENT, edited), entry({ fields: edited }))
    expect(await db.getEvent(EVENT)).toMatchObject({ title: '社区义诊（改）' })
    expect(await db.listOutbox()).toMatchObject([{ change_id: create.change_id, op: 'upsert', fields: { title: '社区义诊（改）' } }])

    await db.saveEvent(pendingRecord(EVENT, eventFields(), { deleted: true }), entry({ op: 'delete', fields: null }))
    expect(await db.getEvent(EVENT)).toBeUndefined()
    expect(await db.listOutbox()).toEqual([])
  })

  it('keeps data across reopening', async () => {
    const { db, name } = await freshDb()
    await db.saveEvent(pendingRecord(EVENT), entry())
    await db.setMeta({ pullCursor: '7:42' })
    db.close()
    const again = await openLocalDb(name)
    expect(await again.getEvent(EVENT)).toBeDefined()
    expect(await again.getMeta('pullCursor')).toBe('7:42')
  })
})

describe('coalescing queued changes', () => {
  it('merges an edit into an unsent create, keeping its change id and queue time', () => {
    const create = entry({ seq: 1, change_id: 'create', queued_at: 'T1' })
    const edit = entry({ change_id: 'edit', queued_at: 'T2', fields: eventFields({ title: '改' }) })
    expect(coalesce([create], edit, null)).toEqual({
      remove: [], put: { ...edit, seq: 1, change_id: 'create', queued_at: 'T1' }, dropEvent: false,
    })
  })

  it('drops an unsent create when the new event is deleted: nothing is sent', () => {
    expect(coalesce([entry({ seq: 1 })], entry({ op: 'delete', fields: null }), null)).toEqual({ remove: [1], put: null, dropEvent: true })
  })

  it('turns an unsent edit of a synced event and its delete into one delete', () => {
    const plan = coalesce([entry({ seq: 3 })], entry({ op: 'delete', fields: null, change_id: 'd' }), 7)
    expect(plan.put).toMatchObject({ seq: 3, op: 'delete', fields: null })
    expect(plan.dropEvent).toBe(false)
  })

  it('queues behind a change that may have reached the server, never merging into it', () => {
    const sent = entry({ seq: 1, sent: true })
    const edit = entry({ change_id: 'edit' })
    expect(coalesce([sent], edit, null)).toEqual({ remove: [], put: edit, dropEvent: false })
    expect(coalesce([sent], entry({ op: 'delete', fields: null }), null).dropEvent).toBe(false)
  })
})
