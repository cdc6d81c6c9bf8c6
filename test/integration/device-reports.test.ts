// Device reports against the real stack, through the app's reporter and supabase-js, under
// row-level security for every role: who reads which phone's report, what the coordinators'
// figures and follow-up count, and that nobody reports in someone else's name.
import 'fake-indexeddb/auto'
import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { DeviceReport } from '../../src/domain/device-report'
import type { Uuid } from '../../src/domain/types'
import type { SupabaseClient } from '@supabase/supabase-js'
import { clientIp, clientOf } from './auth-harness'
import { connectOracle, eventAt, loadProgram, randomKey, type Program } from './oracle'
import { openPhone, type Phone } from './phone'
import { DEMO_PASSWORD, newClient, stackEnv } from './stack-env'

let db: pg.Client
let program: Program
const phones: Phone[] = []

async function phone(email: string): Promise<Phone> {
  const opened = await openPhone(email)
  phones.push(opened)
  return opened
}

beforeAll(async () => {
  db = await connectOracle()
  program = await loadProgram(db)
})

afterEach(async () => {
  await Promise.all(phones.splice(0).map((opened) => opened.close()))
})

afterAll(async () => {
  await db.end()
})

const ROLES = ['volunteer', 'volunteer2', 'leader', 'coordinator', 'admin'] as const
type Role = (typeof ROLES)[number]

const roleClients = new Map<Role, Promise<SupabaseClient>>()
/**
 * One signed-in client per demo user for the whole file, each from an address of its own: the
 * auth stand-in limits sign-ins per address, and 127.0.0.1's bucket is the other tests' too.
 */
function clientAs(role: Role): Promise<SupabaseClient> {
  const known = roleClients.get(role)
  if (known) return known
  const signingIn = (async () => {
    const client = clientOf(stackEnv.apiUrl, clientIp())
    const { error } = await client.auth.signInWithPassword({ email: `${role}@demo.local`, password: DEMO_PASSWORD })
    if (error) throw error
    return client
  })()
  roleClients.set(role, signingIn)
  return signingIn
}

/** The devices among `devices` whose reports a demo user reads. */
async function devicesSeenBy(role: Role, devices: readonly Uuid[]): Promise<Uuid[]> {
  const client = await clientAs(role)
  const { data, error } = await client.from('device_reports').select('device_id').in('device_id', devices)
  if (error) throw error
  return data.map((row) => row.device_id as Uuid).sort()
}

interface WaitingRow {
  device_id: Uuid
  station_id: Uuid
  theme_month_id: Uuid
  waiting_events: number
  events: number
  people_served: number
  funds_fen: number
  volunteer_hours: number
}

async function waitingOn(role: Role, device: Uuid): Promise<WaitingRow[]> {
  const client = await clientAs(role)
  const { data, error } = await client.rpc('waiting_on_phones').eq('device_id', device)
  if (error) throw error
  return (data as WaitingRow[]).map((row) => ({ ...row, volunteer_hours: Number(row.volunteer_hours) }))
}

describe('device reports under row-level security', () => {
  it('shows a phone\'s waiting events to its user, their leader, coordinators and admins only, until they reach the server', async () => {
    const volunteer = await phone('volunteer@demo.local')
    const other = await phone('volunteer2@demo.local')
    const key = randomKey(program)
    const [p2, p3] = program.team1Members as [Uuid, Uuid]
    await volunteer.create(eventAt(key, program.team1, [{ person_id: p2, hours: 3 }], { people_served: 12, funds_fen: 30_000 }))
    await volunteer.create(eventAt(key, program.team1, [{ person_id: p2, hours: 2 }, { person_id: p3, hours: 1.5 }], { people_served: 20, funds_fen: 0 }))
    // Reported while the two events wait (as after a round whose push the server could not take).
    await volunteer.report()
    await other.report()
    const devices = [volunteer.deviceId, other.deviceId]

    expect(await devicesSeenBy('volunteer', devices)).toEqual([volunteer.deviceId])
    expect(await devicesSeenBy('volunteer2', devices)).toEqual([other.deviceId])
    expect(await devicesSeenBy('leader', devices)).toEqual([volunteer.deviceId])
    expect(await devicesSeenBy('coordinator', devices)).toEqual([...devices].sort())
    expect(await devicesSeenBy('admin', devices)).toEqual([...devices].sort())
    const anon = newClient()
    expect((await anon.from('device_reports').select('device_id')).error?.code).toBe('42501')
    expect((await anon.rpc('waiting_on_phones')).error?.code).toBe('42501')

    const expected = {
      device_id: volunteer.deviceId, station_id: key.stationId, theme_month_id: key.monthId,
      waiting_events: 2, events: 2, people_served: 32, funds_fen: 30_000, volunteer_hours: 6.5,
    }
    expect(await waitingOn('coordinator', volunteer.deviceId)).toEqual([expect.objectContaining(expected)])
    expect(await waitingOn('leader', volunteer.deviceId)).toEqual([expect.objectContaining(expected)])
    expect(await waitingOn('volunteer2', volunteer.deviceId)).toEqual([])

    // The phone syncs: its report after the round says nothing waits, and the figures drop to none.
    expect((await volunteer.sync()).status).toBe('synced')
    await volunteer.engine.idle()
    expect(await waitingOn('coordinator', volunteer.deviceId)).toEqual([])
    const { rows } = await db.query('select waiting_events, app_version from public.device_reports where device_id = $1', [volunteer.deviceId])
    expect(rows).toEqual([{ waiting_events: 0, app_version: 'integration' }])
  })

  it('drops an entry whose change reached the server even when the phone never reports again', async () => {
    const volunteer = await phone('volunteer@demo.local')
    const key = randomKey(program)
    const [p2] = program.team1Members as [Uuid]
    await volunteer.create(eventAt(key, program.team1, [{ person_id: p2, hours: 1 }], { people_served: 4 }))
    await volunteer.report()
    expect(await waitingOn('coordinator', volunteer.deviceId)).toEqual([expect.objectContaining({ waiting_events: 1, people_served: 4 })])
    // The change travels without a report after it (as from a backup imported on another phone).
    const [entry] = await volunteer.db.listOutbox()
    const record = await volunteer.db.getEvent(entry!.event_id)
    const outcomes = await volunteer.transport.push([{ change_id: entry!.change_id, event_id: entry!.event_id, op: 'upsert', base_revision: null, event: entry!.fields }])
    expect(outcomes).toEqual([expect.objectContaining({ status: 'applied' })])
    expect(record?.syncState).toBe('pending')
    expect(await waitingOn('coordinator', volunteer.deviceId)).toEqual([])
  })

  it('refuses a report in someone else\'s name and every direct write of the table, for every role', async () => {
    const { rows } = await db.query<{ id: Uuid }>(`select md5('user-volunteer2@demo.local')::uuid::text as id`)
    const victim = rows[0]!.id
    const report: DeviceReport = {
      device_id: randomUUID(), app_version: 'x', waiting_changes: 0, waiting_events: 0, parked_failures: 0,
      oldest_waiting_seconds: null, waiting: [], storage_persisted: null, storage_usage_bytes: null, storage_quota_bytes: null,
      clock_offset_ms: null,
    }
    for (const role of ROLES.filter((name) => name !== 'volunteer2')) {
      const client = await clientAs(role)
      const spoofed = await client.rpc('report_device', { report: { ...report, user_id: victim } })
      expect(spoofed.error, role).toMatchObject({ code: '42501', message: 'a user reports their own devices only' })
      const inserted = await client.from('device_reports').insert({
        user_id: victim, device_id: report.device_id, app_version: 'x', waiting_changes: 0, waiting_events: 0, parked_failures: 0, waiting: [],
      })
      expect(inserted.error?.code, role).toBe('42501')
      const updated = await client.from('device_reports').update({ waiting_events: 9 }).eq('user_id', victim)
      expect(updated.error?.code, role).toBe('42501')
      const removed = await client.from('device_reports').delete().eq('user_id', victim)
      expect(removed.error?.code, role).toBe('42501')
    }
    expect((await newClient().rpc('report_device', { report })).error?.code).toBe('42501')
    const { rows: written } = await db.query('select 1 from public.device_reports where device_id = $1', [report.device_id])
    expect(written).toEqual([])
  })

  it('gives the follow-up of a month to coordinators and admins only', async () => {
    const volunteer = await phone('volunteer@demo.local')
    const key = randomKey(program)
    const [p2] = program.team1Members as [Uuid]
    await volunteer.create(eventAt(key, program.team1, [{ person_id: p2, hours: 1 }]))
    await volunteer.report()
    for (const role of ['volunteer', 'volunteer2', 'leader'] as const) {
      const { error } = await (await clientAs(role)).rpc('follow_up', { theme_month_id: key.monthId })
      expect(error, role).toMatchObject({ code: '42501', message: 'only coordinators follow up a theme month' })
    }
    for (const role of ['coordinator', 'admin'] as const) {
      const { data, error } = await (await clientAs(role)).rpc('follow_up', { theme_month_id: key.monthId })
      expect(error, role).toBeNull()
      expect((data as { phones_waiting: { device_id: Uuid; events: number }[] }).phones_waiting, role)
        .toContainEqual(expect.objectContaining({ device_id: volunteer.deviceId, events: 1 }))
    }
    // Nothing left waiting on the stack for the tests after this one.
    expect((await volunteer.sync()).status).toBe('synced')
  })
})
