// The backup of what a phone has not synced (issue 12): the file is refused whole when damaged,
// of another version or another user's; an import adds only what the phone lacks, never
// overwrites a newer version, and with the change ids nothing reaches the server twice.
import 'fake-indexeddb/auto'
import { createPinia, setActivePinia } from 'pinia'
import { describe, expect, it } from 'vitest'
import type { EventRequest, LocalEvent } from '../../src/domain/types'
import type { EventSlice } from '../../src/local/db'
import type { OutboxEntry } from '../../src/local/outbox'
import { readBackup, writeBackup, type BackupContent } from '../../src/sync/backup'
import { planImport } from '../../src/sync/backup-plans'
import { useDeviceStore } from '../../src/stores/device'
import { fieldsOf, syncedRecord } from '../../src/sync/plans'
import { harness } from './support/engine-harness'
import { FakeServer, ServerTransport } from './support/fake-server'
import { eventFields, pendingRecord, USER } from './support/fixtures'
import { useTestServices } from './support/services'

const A = '40000000-0000-4000-8000-00000000000a'
const B = '40000000-0000-4000-8000-00000000000b'
const C = '40000000-0000-4000-8000-00000000000c'
const DEVICE = '40000000-0000-4000-8000-0000000000dd'
const OTHER_USER = '40000000-0000-4000-8000-0000000000ff'

const change = (eventId: string, changeId: string, overrides: Partial<OutboxEntry> = {}): OutboxEntry => ({
  change_id: changeId, event_id: eventId, op: 'upsert', fields: eventFields(), queued_at: '2023-03-05T12:00:00.000Z', sent: false, ...overrides,
})

function synced(id: string, revision: number, overrides = {}): LocalEvent {
  return syncedRecord(id, { fields: eventFields(overrides), revision, deleted: false, recordedBy: USER, confirmation: null }, '2023-03-01T00:00:00.000Z')
}

const slice = (events: LocalEvent[], outbox: OutboxEntry[] = []): EventSlice => ({ events: new Map(events.map((e) => [e.id, e])), outbox })

describe('the backup file', () => {
  const unsynced = { events: [pendingRecord(A)], outbox: [{ ...change(A, 'c1'), seq: 7 }], requests: [] }

  it('reads back what was written, without this phone\'s queue positions', async () => {
    const text = await writeBackup(USER, DEVICE, '2023-03-06T00:00:00.000Z', unsynced)
    const reading = await readBackup(text, USER)
    expect(reading).toEqual({ ok: true, file: expect.objectContaining({ owner: USER, device: DEVICE, exportedAt: '2023-03-06T00:00:00.000Z' }) })
    if (!reading.ok) return
    expect(reading.file.content).toEqual({ events: [pendingRecord(A)], outbox: [change(A, 'c1')], requests: [] })
    expect(reading.file.checksum).toMatch(/^[0-9a-f]{64}$/)
  })

  it('refuses another user\'s file, a damaged one and one of another version', async () => {
    const text = await writeBackup(USER, DEVICE, '2023-03-06T00:00:00.000Z', unsynced)
    expect(await readBackup(text, OTHER_USER)).toEqual({ ok: false, reason: 'owner' })
    expect(await readBackup(text.replace('社区义诊', '社区义珍'), USER)).toEqual({ ok: false, reason: 'damaged' })
    expect(await readBackup(text.slice(0, -20), USER)).toEqual({ ok: false, reason: 'damaged' })
    expect(await readBackup('{"hello": "world"}', USER)).toEqual({ ok: false, reason: 'damaged' })
    expect(await readBackup(text.replace('"version": 1', '"version": 2'), USER)).toEqual({ ok: false, reason: 'version' })
    // A file that claims another owner with a checksum to match is still not this user's.
    const forged = JSON.parse(text)
    forged.owner = OTHER_USER
    expect(await readBackup(JSON.stringify(forged), USER)).toEqual({ ok: false, reason: 'damaged' })
  })

  it('refuses a file whose changes name events it does not hold, even with a matching checksum', async () => {
    const text = await writeBackup(USER, DEVICE, '2023-03-06T00:00:00.000Z', { events: [], outbox: [change(A, 'c1')], requests: [] })
    expect(await readBackup(text, USER)).toEqual({ ok: false, reason: 'damaged' })
  })
})

describe('importing a backup', () => {
  const content = (events: LocalEvent[], outbox: OutboxEntry[], requests: EventRequest[] = []): BackupContent => ({ events, outbox, requests })

  it('takes the events the phone lacks, with their changes, and pulls from the start afterwards', () => {
    const refused = pendingRecord(B, eventFields(), { syncState: 'failed', failure: { code: '23514', rule: 'x', message: 'no' } })
    const plan = planImport(slice([]), new Map(), content([pendingRecord(A), refused], [change(A, 'c1')]))
    expect(plan.putEvents).toEqual([pendingRecord(A), refused])
    expect(plan.putOutbox).toEqual([change(A, 'c1')])
    expect(plan.meta).toEqual({ pullCursor: null })
    expect(plan.result).toMatchObject({ taken: 2, alreadyHere: 0, keptHere: 0, conflicts: 0 })
  })

  it('adds nothing twice: changes already queued here are left out', () => {
    const here = [pendingRecord(A)]
    const plan = planImport(slice(here, [{ ...change(A, 'c1'), seq: 3 }]), new Map(), content([pendingRecord(A)], [change(A, 'c1')]))
    expect(plan).toMatchObject({ putEvents: [], putOutbox: [], putRequests: [], meta: {} })
    expect(plan.result).toMatchObject({ taken: 0, alreadyHere: 1 })
  })

  it('keeps the phone\'s own unsynced changes of an event', () => {
    const mine = pendingRecord(A, eventFields({ title: '本机的修改' }))
    const plan = planImport(slice([mine], [{ ...change(A, 'mine'), seq: 1 }]), new Map(), content([pendingRecord(A)], [change(A, 'c1')]))
    expect(plan).toMatchObject({ putEvents: [], putOutbox: [] })
    expect(plan.result.keptHere).toBe(1)
  })

  it('takes an edit made on the version the phone holds', () => {
    const edit = { ...synced(A, 3), ...fieldsOf(eventFields({ people_served: 99 })), syncState: 'pending' as const }
    const plan = planImport(slice([synced(A, 3)]), new Map(), content([edit], [change(A, 'c1', { fields: fieldsOf(edit) })]))
    expect(plan.putEvents).toEqual([edit])
    expect(plan.putOutbox).toHaveLength(1)
    expect(plan.result.taken).toBe(1)
  })

  it('never overwrites a newer version: the same content is already here, other content becomes a conflict', () => {
    const created = pendingRecord(A, eventFields({ people_served: 7 }))
    const already = planImport(slice([synced(A, 5, { people_served: 7 })]), new Map(), content([created], [change(A, 'c1')]))
    expect(already).toMatchObject({ putEvents: [], putOutbox: [], meta: {} })
    expect(already.result.alreadyHere).toBe(1)

    const edit = { ...synced(B, 3), ...fieldsOf(eventFields({ people_served: 99 })), syncState: 'pending' as const }
    const newer = synced(B, 8, { people_served: 50 })
    const conflict = planImport(slice([newer]), new Map(), content([edit], [change(B, 'c2')]))
    expect(conflict.putOutbox).toEqual([])
    expect(conflict.putEvents).toEqual([expect.objectContaining({
      id: B, people_served: 99, syncState: 'conflict', conflictReason: 'changed', server: newer.server,
    })])
    expect(conflict.result.conflicts).toBe(1)
  })

  it('knows its own version once synced: the server\'s time of recording and an older app\'s missing fields differ in nothing typed', () => {
    const record = { place: '翠湖公园', service_content: '测血压', person_in_charge: eventFields().participants[0]!.person_id, organizing_unit: '商会' }
    const saved = pendingRecord(A, eventFields({ ...record, recorded_at: '2023-03-05T04:00:00.123Z' }))
    const onServer = synced(A, 5, { ...record, recorded_at: '2023-03-05T04:00:00.123+00:00' })
    expect(planImport(slice([onServer]), new Map(), content([saved], [change(A, 'c1')])).result.alreadyHere).toBe(1)

    const older = pendingRecord(B, eventFields())
    expect(planImport(slice([synced(B, 2, record)]), new Map(), content([older], [change(B, 'c2')])).result.alreadyHere).toBe(1)
    const typedOtherwise = pendingRecord(C, eventFields({ ...record, place: '别处' }))
    expect(planImport(slice([synced(C, 2, record)]), new Map(), content([typedOtherwise], [change(C, 'c3')])).result.conflicts).toBe(1)
  })

  it('adds a correction request once, whatever the event\'s version', () => {
    const request: EventRequest = {
      id: 'r1', kind: 'correction', eventId: C, eventTitle: '社区义诊', text: '时长记错了', status: 'queued',
      failure: null, decisionReason: null, decidedAt: null, createdAt: '2023-03-05T12:00:00.000Z',
    }
    const backup = content([synced(C, 2)], [change(C, 'r1', { op: 'correct', fields: null, text: '时长记错了' })], [request])
    const first = planImport(slice([synced(C, 4)]), new Map(), backup)
    expect(first.putOutbox).toEqual([expect.objectContaining({ change_id: 'r1', op: 'correct' })])
    expect(first.putRequests).toEqual([request])
    expect(first.putEvents).toEqual([])
    expect(first.result).toMatchObject({ requests: 1, alreadyHere: 1 })
    const again = planImport(slice([synced(C, 4)]), new Map([['r1', { ...request, status: 'pending' as const }]]), backup)
    expect(again).toMatchObject({ putOutbox: [], putRequests: [] })
  })
})

describe('a backup carried to another phone of the same user', () => {
  it('gets each event to the server exactly once, however often and wherever it is imported', async () => {
    const first = await harness()
    await first.save(A, eventFields({ title: '甲' }))
    await first.save(B, eventFields({ title: '乙' }))
    await first.save(C, eventFields({ title: '丙' }))
    const text = await writeBackup(USER, DEVICE, '2023-03-06T00:00:00.000Z', await first.db.unsynced())

    // The other phone talks to the same server.
    const second = await harness()
    const { SyncEngine } = await import('../../src/sync/engine')
    const engine = new SyncEngine({ db: second.db, transport: first.transport, clock: second.clock, random: () => 0.5, lock: async (task) => ({ ran: true, value: await task() }) })
    const importInto = async () => {
      const reading = await readBackup(text, USER)
      if (!reading.ok) throw new Error(reading.reason)
      const ids = reading.file.content.events.map((event) => event.id)
      return second.db.mutate(ids, (slice, requests) => planImport(slice, requests, reading.file.content), reading.file.content.requests.map((r) => r.id))
    }
    expect(await importInto()).toMatchObject({ taken: 3 })
    expect(await importInto()).toMatchObject({ taken: 0, alreadyHere: 3 })
    expect(await second.db.listOutbox()).toHaveLength(3)
    expect(await engine.syncNow()).toMatchObject({ status: 'synced', pushed: 3 })
    // The first phone syncs too: the same change ids, answered as duplicates.
    expect(await first.engine.syncNow()).toMatchObject({ status: 'synced', pushed: 3 })
    expect(await importInto()).toMatchObject({ taken: 0, alreadyHere: 3 })
    expect(await second.db.listOutbox()).toEqual([])
    expect(first.server.liveEvents().map((event) => event.title).sort()).toEqual(['丙', '乙', '甲'])
    expect(first.server.appliedChanges.size).toBe(3)
    expect((await second.db.listEvents()).map((event) => event.syncState)).toEqual(['synced', 'synced', 'synced'])
  })
})

describe('backup on the sync-health page', () => {
  it('exports what is not synced, refuses a wrong file whole, and imports and syncs a right one', async () => {
    setActivePinia(createPinia())
    const server = new FakeServer()
    const { services, account } = await useTestServices(() => new ServerTransport(server))
    const device = useDeviceStore()
    const elsewhere = await harness()
    await elsewhere.save(A, eventFields({ title: '另一部手机上的活动' }))
    const unsynced = await elsewhere.db.unsynced()
    const mine = await writeBackup(USER, DEVICE, '2023-03-06T00:00:00.000Z', unsynced)

    expect(await device.importBackup(await writeBackup(OTHER_USER, DEVICE, '2023-03-06T00:00:00.000Z', unsynced)))
      .toEqual({ ok: false, reason: 'owner' })
    expect(await device.importBackup(mine.replace('另一部', '别的'))).toEqual({ ok: false, reason: 'damaged' })
    expect(await account!.db.listEvents()).toEqual([])
    expect(await account!.db.listOutbox()).toEqual([])

    expect(await device.importBackup(mine)).toEqual({ ok: true, summary: { taken: 1, alreadyHere: 0, keptHere: 0, conflicts: 0, requests: 0 } })
    await account!.engine.idle()
    expect(server.liveEvents().map((event) => event.title)).toEqual(['另一部手机上的活动'])

    await account!.db.saveEvent(pendingRecord(C), change(C, 'c-here'))
    const exported = await device.exportBackup()
    expect(exported).toMatchObject({ fileName: expect.stringMatching(/^volunteer-ledger-backup-\d{8}-\d{4}\.json$/), events: 1 })
    const reading = await readBackup(exported.text, USER)
    expect(reading.ok && reading.file.device).toBe(await services.device.deviceId())
    expect(reading.ok && reading.file.content.outbox.map((entry) => entry.change_id)).toEqual(['c-here'])
  })
})
