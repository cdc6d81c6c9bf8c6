// The complete record (办法 Art. 7) through the real sync engine and the real stack:
// - a change queued by an app before the ledger, without the new fields, still lands: the
//   database fills its defaults, and the pull brings them to the phone;
// - a change with the fields lands with them, and the time of recording the phone noted;
// - a leader's confirmation, queued like any change, reaches the server; the volunteer's phone
//   learns it, and the volunteer's edit makes the event unconfirmed again on both sides.
import 'fake-indexeddb/auto'
import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Uuid } from '../../src/domain/types'
import { planConfirm } from '../../src/sync/ledger-plans'
import { connectOracle, eventAt, loadProgram, seedIds, type Program } from './oracle'
import { openPhone, syncUntil, type Phone } from './phone'

let db: pg.Client
let program: Program
let volunteer: Phone
let leader: Phone
let leaderPerson: Uuid

beforeAll(async () => {
  db = await connectOracle()
  program = await loadProgram(db)
  ;[leaderPerson] = (await seedIds(db, ['person-1'])) as [Uuid]
  volunteer = await openPhone('volunteer@demo.local')
  leader = await openPhone('leader@demo.local')
})

afterAll(async () => {
  await volunteer.close()
  await leader.close()
  await db.end()
})

/** A station of this test's own, with an address to default the place to. */
async function newStation(): Promise<Uuid> {
  const id = randomUUID()
  await db.query(`insert into public.stations (id, name, address) values ($1, $2, '昆明市测试路 8 号')`, [id, `完整记录测试站 ${id}`])
  return id
}

async function serverRecord(id: Uuid) {
  const { rows } = await db.query(
    `select e.place, e.service_content, e.person_in_charge::text, e.organizing_unit, e.recorded_at, e.confirmed_at, t.recording_unit
     from public.service_events e join public.teams t on t.id = e.team_id where e.id = $1`,
    [id],
  )
  return rows[0] as {
    place: string; service_content: string; person_in_charge: string; organizing_unit: string
    recorded_at: Date; confirmed_at: Date | null; recording_unit: string
  }
}

describe('the complete record through the phone', () => {
  it('lands an older app\'s queued change with the database\'s defaults, and brings them to the phone', async () => {
    const key = { stationId: await newStation(), monthId: program.months[4]!, monthNo: 5 }
    const [p2, p3] = program.team1Members as [Uuid, Uuid]
    // As an app before the ledger saved it: none of the new keys.
    const fields = eventAt(key, program.team1, [{ person_id: p2, hours: 1 }, { person_id: p3, hours: 2.5 }], { title: '旧版应用的活动' })
    const id = await volunteer.create(fields)
    await syncUntil(volunteer, async () => (await volunteer.db.getEvent(id))?.place !== undefined)

    const server = await serverRecord(id)
    // No leader takes part: the participant with the most hours is in charge.
    expect(server).toMatchObject({ place: '昆明市测试路 8 号', service_content: '旧版应用的活动', person_in_charge: p3 })
    expect(server.organizing_unit).toBe(server.recording_unit)
    expect(await volunteer.db.getEvent(id)).toMatchObject({
      syncState: 'synced', place: '昆明市测试路 8 号', service_content: '旧版应用的活动', person_in_charge: p3,
      organizing_unit: server.recording_unit, recorded_at: expect.any(String),
    })
  })

  it('lands the fields the volunteer gave, and the time of recording the phone noted', async () => {
    const key = { stationId: await newStation(), monthId: program.months[5]!, monthNo: 6 }
    const [p2] = program.team1Members as [Uuid]
    const recordedAt = '2024-06-20T02:00:00.000Z'
    const id = await volunteer.create(eventAt(key, program.team1, [{ person_id: p2, hours: 2 }], {
      place: '翠湖公园东门', service_content: '清理湖边垃圾', person_in_charge: p2, organizing_unit: '昆明市浙江商会', recorded_at: recordedAt,
    }))
    await syncUntil(volunteer, async () => (await volunteer.db.getEvent(id))?.syncState === 'synced')
    const server = await serverRecord(id)
    expect(server).toMatchObject({ place: '翠湖公园东门', service_content: '清理湖边垃圾', person_in_charge: p2, organizing_unit: '昆明市浙江商会' })
    expect(server.recorded_at.toISOString()).toBe(recordedAt)
  })

  it('carries a leader\'s confirmation to the server and the volunteer; an edit unconfirms it', async () => {
    const key = { stationId: await newStation(), monthId: program.months[6]!, monthNo: 7 }
    const [p2] = program.team1Members as [Uuid]
    const fields = eventAt(key, program.team1, [{ person_id: p2, hours: 2 }, { person_id: leaderPerson, hours: 2 }])
    const id = await volunteer.create(fields)
    await syncUntil(volunteer, async () => (await volunteer.db.getEvent(id))?.syncState === 'synced')
    // The leader takes part, so the server put the leader in charge.
    expect((await serverRecord(id)).person_in_charge).toBe(leaderPerson)

    await syncUntil(leader, async () => (await leader.db.getEvent(id))?.syncState === 'synced')
    const queued = await leader.db.mutate([id], (slice) => planConfirm(slice, [id], randomUUID, new Date().toISOString()))
    expect(queued).toBe(1)
    await syncUntil(leader, async () => !!(await leader.db.getEvent(id))?.confirmation)
    expect((await serverRecord(id)).confirmed_at).not.toBeNull()

    await syncUntil(volunteer, async () => !!(await volunteer.db.getEvent(id))?.confirmation)
    expect((await volunteer.db.getEvent(id))?.confirmation).toMatchObject({ at: expect.any(String) })

    await volunteer.edit(id, { ...(await volunteer.db.getEvent(id))!, people_served: 11 })
    expect((await volunteer.db.getEvent(id))?.confirmation).toBeNull()
    await syncUntil(volunteer, async () => (await volunteer.db.getEvent(id))?.syncState === 'synced')
    expect((await serverRecord(id)).confirmed_at).toBeNull()
    expect((await volunteer.db.getEvent(id))?.confirmation).toBeNull()
  })
})
