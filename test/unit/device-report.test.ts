// The device report (issue 12): what a phone says it holds, built from its events and queue, and
// when it is sent: after every sync that reached the server, never holding up or failing the sync.
import 'fake-indexeddb/auto'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { buildDeviceReport, clockOffsetMs, type QueuedChange, type ReportInput } from '../../src/domain/device-report'
import type { LocalEvent } from '../../src/domain/types'
import { openDB } from 'idb'
import { openLocalDb } from '../../src/local/db'
import { openDeviceDb } from '../../src/local/device'
import { useDeviceStore } from '../../src/stores/device'
import { createDeviceReporter } from '../../src/sync/device-reporter'
import { TransportError } from '../../src/sync/errors'
import { fieldsOf, syncedRecord } from '../../src/sync/plans'
import { ServerTransport } from './support/fake-server'
import { harness } from './support/engine-harness'
import { APRIL, eventFields, freshDb, pendingRecord, STATION, STATION_2, TEAM } from './support/fixtures'
import { useTestServices } from './support/services'

const A = '30000000-0000-4000-8000-00000000000a'
const B = '30000000-0000-4000-8000-00000000000b'
const C = '30000000-0000-4000-8000-00000000000c'
const NOW = Date.parse('2023-03-06T00:00:00Z')

afterEach(() => {
  vi.restoreAllMocks()
})

function input(events: LocalEvent[], outbox: QueuedChange[], overrides: Partial<ReportInput> = {}): ReportInput {
  return {
    deviceId: 'dddddddd-0000-4000-8000-000000000001',
    appVersion: '1.2.3',
    now: NOW,
    events,
    outbox,
    storage: { persisted: false, usageBytes: 1234.4, quotaBytes: 9_999_999.6 },
    clockOffsetMs: 1500.4,
    ...overrides,
  }
}

const queued = (eventId: string, changeId: string, queuedAt = '2023-03-05T23:00:00Z'): QueuedChange => ({
  change_id: changeId, event_id: eventId, queued_at: queuedAt,
})

/** An event the server has at revision 3, as the phone last saw it. */
function synced(id: string, fields = eventFields()): LocalEvent {
  return syncedRecord(id, { fields, revision: 3, deleted: false, recordedBy: null, confirmation: null }, '2023-03-01T00:00:00Z')
}

describe('the device report', () => {
  it('counts new events in full, under their station x theme month x team, with their latest queued change', () => {
    const report = buildDeviceReport(input(
      [pendingRecord(A), pendingRecord(B, eventFields({ people_served: 7, funds_fen: 0, participants: [{ person_id: eventFields().participants[0]!.person_id, hours: 1.25 }] }))],
      [queued(A, 'c-1', '2023-03-05T22:00:00Z'), queued(B, 'c-2'), queued(A, 'c-3')],
    ))
    expect(report).toMatchObject({
      device_id: 'dddddddd-0000-4000-8000-000000000001',
      app_version: '1.2.3',
      waiting_changes: 3,
      waiting_events: 2,
      parked_failures: 0,
      oldest_waiting_seconds: 2 * 3600,
      storage_persisted: false,
      storage_usage_bytes: 1234,
      storage_quota_bytes: 10_000_000,
      clock_offset_ms: 1500,
    })
    expect(report.waiting).toEqual([
      { event_id: A, change_id: 'c-3', team_id: TEAM, station_id: STATION, theme_month_id: eventFields().theme_month_id, month: '2023-03-01',
        events: 1, people_served: 40, funds_fen: 120_000, materials_fen: 0, hours: 3 },
      { event_id: B, change_id: 'c-2', team_id: TEAM, station_id: STATION, theme_month_id: eventFields().theme_month_id, month: '2023-03-01',
        events: 1, people_served: 7, funds_fen: 0, materials_fen: 0, hours: 1.25 },
    ])
  })

  it('counts an edit by its difference from the server\'s version, a move as a loss and a gain, a delete as a loss', () => {
    const edited = { ...synced(A), ...fieldsOf(eventFields({ people_served: 45, funds_fen: 100_000 })), syncState: 'pending' as const }
    const moved = { ...synced(B), ...fieldsOf(eventFields({ station_id: STATION_2, theme_month_id: APRIL })), syncState: 'pending' as const }
    const deleted = { ...synced(C), deleted: true, syncState: 'pending' as const }
    const report = buildDeviceReport(input([edited, moved, deleted], [queued(A, 'e'), queued(B, 'm'), queued(C, 'd')]))
    const march = eventFields().theme_month_id
    expect(report.waiting).toEqual([
      { event_id: A, change_id: 'e', team_id: TEAM, station_id: STATION, theme_month_id: march, month: '2023-03-01',
        events: 0, people_served: 5, funds_fen: -20_000, materials_fen: 0, hours: 0 },
      { event_id: B, change_id: 'm', team_id: TEAM, station_id: STATION_2, theme_month_id: APRIL, month: '2023-03-01',
        events: 1, people_served: 40, funds_fen: 120_000, materials_fen: 0, hours: 3 },
      { event_id: B, change_id: 'm', team_id: TEAM, station_id: STATION, theme_month_id: march, month: '2023-03-01',
        events: -1, people_served: -40, funds_fen: -120_000, materials_fen: 0, hours: -3 },
      { event_id: C, change_id: 'd', team_id: TEAM, station_id: STATION, theme_month_id: march, month: '2023-03-01',
        events: -1, people_served: -40, funds_fen: -120_000, materials_fen: 0, hours: -3 },
    ])
  })

  it('counts refused and conflicting events as parked, with no change to wait for; leaves synced and awaiting events out', () => {
    const refused = pendingRecord(A, eventFields(), { syncState: 'failed', failure: { code: '23514', rule: 'x', message: 'no' } })
    const conflict = {
      ...synced(B), ...fieldsOf(eventFields({ people_served: 50 })), syncState: 'conflict' as const, conflictReason: 'changed' as const,
    }
    const awaiting = { ...synced(C), syncState: 'awaiting' as const }
    const report = buildDeviceReport(input([refused, conflict, awaiting, synced('30000000-0000-4000-8000-0000000000dd')], []))
    expect(report).toMatchObject({ waiting_changes: 0, waiting_events: 2, parked_failures: 2, oldest_waiting_seconds: null })
    expect(report.waiting.map((entry) => [entry.event_id, entry.change_id, entry.events, entry.people_served])).toEqual([
      [A, null, 1, 40],
      [B, null, 0, 10],
    ])
  })

  it('counts a queued confirmation as a waiting event that changes no figure', () => {
    const report = buildDeviceReport(input([{ ...synced(A), confirmation: 'queued' }], [queued(A, 'k')]))
    expect(report.waiting_events).toBe(1)
    expect(report.waiting).toEqual([expect.objectContaining({ event_id: A, change_id: 'k', events: 0, people_served: 0, funds_fen: 0, hours: 0 })])
  })

  it('reports an empty phone as such, with unknown storage and clock as null', () => {
    const report = buildDeviceReport(input([synced(A)], [], { storage: { persisted: null, usageBytes: null, quotaBytes: null }, clockOffsetMs: null }))
    expect(report).toMatchObject({
      waiting_changes: 0, waiting_events: 0, parked_failures: 0, oldest_waiting_seconds: null, waiting: [],
      storage_persisted: null, storage_usage_bytes: null, storage_quota_bytes: null, clock_offset_ms: null,
    })
  })

  it('takes the clock offset at the midpoint of the request', () => {
    expect(clockOffsetMs(10_000, 10_400, 10_200)).toBe(0)
    expect(clockOffsetMs(10_000, 10_400, 10_200 - 2 * 86_400_000)).toBe(2 * 86_400_000)
    expect(clockOffsetMs(10_000, 10_400, 610_200)).toBe(-600_000)
  })
})

describe('sending the device report', () => {
  async function reporting() {
    const h = await harness()
    const { transport } = h
    const device = await openDeviceDb(`report-device-${Math.random()}`)
    const report = createDeviceReporter({
      db: h.db, transport, clock: h.clock, deviceId: () => device.deviceId(),
      storage: async () => ({ persisted: true, usageBytes: 10, quotaBytes: 100 }), appVersion: '9.9.9',
    })
    const { SyncEngine } = await import('../../src/sync/engine')
    const engine = new SyncEngine({ db: h.db, transport, clock: h.clock, random: () => 0.5, lock: async (task) => ({ ran: true, value: await task() }), report })
    return { ...h, engine, device }
  }

  it('reports after a sync that sent nothing, and learns how far the phone\'s clock is off', async () => {
    const h = await reporting()
    h.server.now = new Date(h.clock.now() - 2 * 86_400_000).toISOString()
    expect((await h.engine.syncNow()).status).toBe('synced')
    await h.engine.idle()
    expect(h.server.reports).toEqual([expect.objectContaining({
      device_id: await h.device.deviceId(), app_version: '9.9.9', waiting_changes: 0, waiting: [], clock_offset_ms: null,
      storage_persisted: true, storage_usage_bytes: 10, storage_quota_bytes: 100,
    })])
    expect(await h.db.getMeta('clockCheck')).toEqual({ offsetMs: 2 * 86_400_000, measuredAt: new Date(h.clock.now()).toISOString() })
    await h.engine.syncNow()
    await h.engine.idle()
    expect(h.server.reports[1]!.clock_offset_ms).toBe(2 * 86_400_000)
  })

  it('reports what is left after the push: nothing once the events are on the server', async () => {
    const h = await reporting()
    await h.save(A, eventFields())
    await h.engine.syncNow()
    await h.engine.idle()
    expect(h.server.reports.map((report) => report.waiting_events)).toEqual([0])
  })

  it('reports the waiting events when the server answered with an error, not when the network failed', async () => {
    const r = await reporting()
    const { transport } = r
    let failure: Error = new TransportError('Service Unavailable', 503)
    transport.push = async () => {
      throw failure
    }
    await r.save(A, eventFields())
    await r.save(B, eventFields({ people_served: 3 }))
    expect((await r.engine.syncNow()).status).toBe('retrying')
    await r.engine.idle()
    expect(r.server.reports).toHaveLength(1)
    expect(r.server.reports[0]).toMatchObject({ waiting_changes: 2, waiting_events: 2 })
    expect(r.server.reports[0]!.waiting.map((entry) => entry.people_served)).toEqual([40, 3])

    failure = new TypeError('Failed to fetch')
    vi.spyOn(transport, 'reportDevice')
    expect((await r.engine.syncNow()).status).toBe('retrying')
    await r.engine.idle()
    expect(transport.reportDevice).not.toHaveBeenCalled()
  })

  it('never fails the sync when the report fails', async () => {
    const h = await reporting()
    vi.spyOn(h.transport, 'reportDevice').mockRejectedValue(new TransportError('boom', 500))
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    await h.save(A, eventFields())
    expect(await h.engine.syncNow()).toMatchObject({ status: 'synced', pushed: 1 })
    await h.engine.idle()
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('device report'), expect.any(TransportError))
    expect(h.engine.status.lastError).toBeNull()
  })

  it('answers the sync before the report is through, sends one at a time, and once more if asked meanwhile', async () => {
    const h = await reporting()
    const answers: (() => void)[] = []
    vi.spyOn(h.transport, 'reportDevice').mockImplementation(
      () => new Promise((resolve) => answers.push(() => resolve({ server_time_ms: h.clock.now() }))),
    )
    expect((await h.engine.syncNow()).status).toBe('synced')
    await vi.waitFor(() => expect(answers).toHaveLength(1))
    expect((await h.engine.syncNow()).status).toBe('synced')
    expect((await h.engine.syncNow()).status).toBe('synced')
    expect(answers).toHaveLength(1)
    let idle = false
    void h.engine.idle().then(() => {
      idle = true
    })
    answers[0]!()
    await vi.waitFor(() => expect(answers).toHaveLength(2))
    expect(idle).toBe(false)
    answers[1]!()
    await vi.waitFor(() => expect(idle).toBe(true))
    expect(h.transport.reportDevice).toHaveBeenCalledTimes(2)
  })
})

describe('the device id', () => {
  it('is made once and kept; another installation has another', async () => {
    const name = `device-id-${Math.random()}`
    const first = await openDeviceDb(name)
    const [id, again] = await Promise.all([first.deviceId(), first.deviceId()])
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(again).toBe(id)
    first.close()
    expect(await (await openDeviceDb(name)).deviceId()).toBe(id)
    expect(await (await openDeviceDb(`device-id-${Math.random()}`)).deviceId()).not.toBe(id)
  })

  it('shows the sync-health page the clock offset as soon as a report has measured it', async () => {
    setActivePinia(createPinia())
    const { FakeServer } = await import('./support/fake-server')
    const server = new FakeServer()
    const { account } = await useTestServices(() => new ServerTransport(server))
    server.now = new Date(Date.parse(server.now) - 2 * 86_400_000).toISOString()
    const device = useDeviceStore()
    const unwatch = await device.watch()
    await device.load()
    expect(device.clockCheck).toBeNull()
    await account!.engine.syncNow()
    await vi.waitFor(() => expect(device.clockCheck?.offsetMs).toBe(2 * 86_400_000))
    unwatch()
  })

  it('names the device in the reports of the app\'s accounts', async () => {
    const { FakeServer } = await import('./support/fake-server')
    const server = new FakeServer()
    const { services, account } = await useTestServices(() => new ServerTransport(server))
    await account!.engine.syncNow()
    await account!.engine.idle()
    expect(server.reports).toEqual([expect.objectContaining({ device_id: await services.device.deviceId(), app_version: '0.0.0-test' })])
  })
})

describe('what waits on the phone', () => {
  const refused = (id: string) => pendingRecord(id, eventFields(), { syncState: 'failed', failure: { code: '23514', rule: 'x', message: 'no' } })

  it('is the queue, its events, and the refused and conflicting ones, whatever else the phone holds', async () => {
    const { db } = await freshDb()
    await db.saveEvent(pendingRecord(A), { change_id: 'q', event_id: A, op: 'upsert', fields: eventFields(), queued_at: '2023-03-05T12:00:00Z', sent: false })
    await db.mutate([B, C, 'dd'], () => ({
      putEvents: [refused(B), { ...synced(C), syncState: 'conflict', conflictReason: 'changed' }, synced('dd')],
    }))
    const { events, outbox, requests } = await db.unsynced()
    expect(events.map((event) => event.id).sort()).toEqual([A, B, C])
    expect(outbox.map((entry) => entry.change_id)).toEqual(['q'])
    expect(requests).toEqual([])
    expect(await db.unsyncedSummary()).toEqual({ events: 3, needsAttention: 2, oldestQueuedAt: '2023-03-05T12:00:00Z' })
  })

  it('finds the refused events of a database made by the previous version, once upgraded', async () => {
    const name = `v2-${Math.random().toString(36).slice(2)}`
    const v2 = await openDB(name, 2, {
      upgrade(database) {
        database.createObjectStore('events', { keyPath: 'id' })
        database.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true }).createIndex('by_event', 'event_id')
        for (const store of ['stations', 'teams', 'theme_months', 'people', 'meta', 'requests']) {
          database.createObjectStore(store, { keyPath: store === 'meta' ? 'key' : 'id' })
        }
        database.createObjectStore('team_members', { keyPath: ['team_id', 'person_id'] })
      },
    })
    await v2.put('events', refused(B))
    await v2.put('events', synced(C))
    v2.close()
    const upgraded = await openLocalDb(name)
    expect((await upgraded.unsynced()).events.map((event) => event.id)).toEqual([B])
    upgraded.close()
  })
})
