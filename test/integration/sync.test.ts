// The whole sync path against the real local stack: the real sync engine and the real
// supabase-js transport on phones with their own IndexedDB (fake-indexeddb), through the real
// PostgREST to Postgres with row-level security; the database itself is the oracle. Every test
// makes its own events (fresh uuids) and compares deltas, so it holds on a stack other tests
// and earlier runs have written to.
import 'fake-indexeddb/auto'
import type pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { ServiceEventFields, Uuid } from '../../src/domain/types'
import {
  appliedChangeCount, connectOracle, eventAt, keyTotals, loadProgram, randomKey, serverRows, TEST_YEAR, type Program, type ServerRow,
} from './oracle'
import { classifyFailure, TransportError } from '../../src/sync/errors'
import { openPhone, syncUntil, type Phone } from './phone'
import { DEMO_PASSWORD } from './stack-env'

let db: pg.Client
let program: Program
const phones: Phone[] = []

async function phone(email: string, tuning?: Parameters<typeof openPhone>[1]): Promise<Phone> {
  const opened = await openPhone(email, tuning)
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

const hoursOf = (fields: ServiceEventFields) => fields.participants.reduce((sum, p) => sum + p.hours, 0)

/** The server row holds exactly the fields the phone saved. */
function expectSameEvent(row: ServerRow, fields: ServiceEventFields): void {
  expect({
    team_id: row.team_id,
    station_id: row.station_id,
    theme_month_id: row.theme_month_id,
    started_at: row.started_at.getTime(),
    ended_at: row.ended_at.getTime(),
    title: row.title,
    people_served: row.people_served,
    funds_fen: row.funds_fen,
    materials_fen: row.materials_fen,
    participants: row.participants,
  }).toEqual({
    team_id: fields.team_id,
    station_id: fields.station_id,
    theme_month_id: fields.theme_month_id,
    started_at: Date.parse(fields.started_at),
    ended_at: Date.parse(fields.ended_at),
    title: fields.title,
    people_served: fields.people_served,
    funds_fen: fields.funds_fen,
    materials_fen: fields.materials_fen,
    participants: [...fields.participants].sort((a, b) => a.person_id.localeCompare(b.person_id)),
  })
}

describe('push: events saved offline reach the server exactly once', () => {
  it('sends the queued events, moves the totals by exactly them, and a resend changes nothing', async () => {
    const volunteer = await phone('volunteer@demo.local')
    const key = randomKey(program)
    const [p2, p3, p4] = program.team1Members as [Uuid, Uuid, Uuid]
    const saved = [
      eventAt(key, program.team1, [{ person_id: p2, hours: 3 }], { title: '送温暖', people_served: 12, funds_fen: 50_000 }),
      eventAt(key, program.team1, [{ person_id: p2, hours: 2.5 }, { person_id: p3, hours: 1.25 }], { people_served: 7, funds_fen: 0, materials_fen: 30_000, materials_description: '棉被' }),
      eventAt(key, program.team1, [{ person_id: p4, hours: 3 }], { title: '义诊', people_served: 40, funds_fen: 120_000 }),
    ]
    const before = await keyTotals(db, key.stationId, key.monthId)
    const ids = [] as Uuid[]
    for (const fields of saved) ids.push(await volunteer.create(fields))
    const queued = await volunteer.db.listOutbox()
    expect(queued).toHaveLength(3)
    expect((await serverRows(db, ids)).size).toBe(0)

    expect(await volunteer.sync()).toMatchObject({ status: 'synced', pushed: 3 })

    const rows = await serverRows(db, ids)
    expect(rows.size).toBe(3)
    ids.forEach((id, i) => {
      expectSameEvent(rows.get(id)!, saved[i]!)
      expect(rows.get(id)!.recorded_by).toBe(volunteer.userId)
    })
    expect(await appliedChangeCount(db, ids)).toBe(3)
    expect(await volunteer.db.listOutbox()).toEqual([])
    for (const id of ids) {
      expect(await volunteer.db.getEvent(id)).toMatchObject({ syncState: 'synced', serverRevision: rows.get(id)!.revision })
    }

    const after = await keyTotals(db, key.stationId, key.monthId)
    const newPeople = new Set(saved.flatMap((f) => f.participants.map((p) => p.person_id)).filter((p) => !before.people.has(p)))
    expect({
      events: after.events - before.events,
      volunteers: after.volunteers - before.volunteers,
      // In hundredths: the totals are numeric(12, 2), read as floats.
      volunteer_hundredths: Math.round((after.volunteer_hours - before.volunteer_hours) * 100),
      people_served: after.people_served - before.people_served,
      funds_fen: after.funds_fen - before.funds_fen,
      materials_fen: after.materials_fen - before.materials_fen,
    }).toEqual({
      events: 3,
      volunteers: newPeople.size,
      volunteer_hundredths: Math.round(saved.reduce((sum, f) => sum + hoursOf(f), 0) * 100),
      people_served: 59,
      funds_fen: 170_000,
      materials_fen: 30_000,
    })

    // A second sync has nothing to send.
    expect(await volunteer.sync()).toMatchObject({ status: 'synced', pushed: 0 })

    // The response to the first push was lost (as far as the phone knows): the same changes are
    // sent again, same change ids and content. The server must answer them as duplicates, not
    // add rows, not re-apply them (that would be a stale-base conflict) and not count them twice.
    await volunteer.db.mutate([], () => ({ putOutbox: queued.map((entry) => ({ ...entry, sent: true })) }))
    expect(await volunteer.sync()).toMatchObject({ status: 'synced', pushed: 3 })
    expect(await serverRows(db, ids)).toEqual(rows)
    expect(await appliedChangeCount(db, ids)).toBe(3)
    const { rows: [count] } = await db.query<{ n: number }>('select count(*)::int as n from public.service_events where id = any($1::uuid[])', [ids])
    expect(count!.n).toBe(3)
    expect(await keyTotals(db, key.stationId, key.monthId)).toEqual(after)
    for (const id of ids) expect((await volunteer.db.getEvent(id))!.syncState).toBe('synced')
  })
})

describe('push: refused changes are parked and the rest of the queue still syncs', () => {
  it('parks an event for another team as failed with the RLS denial 42501', async () => {
    const volunteer = await phone('volunteer@demo.local')
    const key = randomKey(program)
    const [p2] = program.team1Members as [Uuid]
    const first = await volunteer.create(eventAt(key, program.team1, [{ person_id: p2, hours: 3 }]))
    const foreign = await volunteer.create(eventAt(key, program.team2, [{ person_id: program.team2Member, hours: 3 }]))
    const last = await volunteer.create(eventAt(key, program.team1, [{ person_id: p2, hours: 2 }]))

    expect(await volunteer.sync()).toMatchObject({ status: 'synced', pushed: 3 })

    expect(await volunteer.db.getEvent(foreign)).toMatchObject({ syncState: 'failed', failure: { code: '42501' } })
    const rows = await serverRows(db, [first, foreign, last])
    expect([...rows.keys()].sort()).toEqual([first, last].sort())
    for (const id of [first, last]) expect((await volunteer.db.getEvent(id))!.syncState).toBe('synced')
    // Parked, not retried: the queue is empty and the next sync sends nothing.
    expect(await volunteer.db.listOutbox()).toEqual([])
    expect(await volunteer.sync()).toMatchObject({ status: 'synced', pushed: 0 })
    expect((await volunteer.db.getEvent(foreign))!.syncState).toBe('failed')
  })

  it('parks changes the server\'s rules refuse with their rule names', async () => {
    const volunteer = await phone('volunteer@demo.local')
    const key = randomKey(program)
    const [p2] = program.team1Members as [Uuid]
    // Saved past the form's validation (as an older app version or a stale reference list
    // would): 3 hours given at a 2-hour event, and a team-2 volunteer in a team-1 event.
    const tooLong = await volunteer.create(eventAt(key, program.team1, [{ person_id: p2, hours: 3 }], {
      ended_at: `${TEST_YEAR}-${String(key.monthNo).padStart(2, '0')}-15T11:00:00+08:00`,
    }))
    const good = await volunteer.create(eventAt(key, program.team1, [{ person_id: p2, hours: 3 }]))
    const stranger = await volunteer.create(eventAt(key, program.team1, [{ person_id: program.team2Member, hours: 1 }]))

    expect(await volunteer.sync()).toMatchObject({ status: 'synced', pushed: 3 })

    expect(await volunteer.db.getEvent(tooLong)).toMatchObject({
      syncState: 'failed', failure: { code: '23514', rule: 'event_participants_hours_within_event' },
    })
    expect(await volunteer.db.getEvent(stranger)).toMatchObject({
      syncState: 'failed', failure: { code: '23514', rule: 'event_participants_team_member' },
    })
    expect((await volunteer.db.getEvent(good))!.syncState).toBe('synced')
    expect([...(await serverRows(db, [tooLong, good, stranger])).keys()]).toEqual([good])
    expect(await volunteer.db.listOutbox()).toEqual([])
  })
})

describe('conflict: an offline edit of an event the leader changed meanwhile', () => {
  it('is not applied; the phone keeps its version and shows the server\'s copy', async () => {
    const volunteer = await phone('volunteer@demo.local')
    const leader = await phone('leader@demo.local')
    const key = randomKey(program)
    const [p2] = program.team1Members as [Uuid]
    const original = eventAt(key, program.team1, [{ person_id: p2, hours: 3 }], { title: '原始记录' })
    const id = await volunteer.create(original)
    expect(await volunteer.sync()).toMatchObject({ status: 'synced', pushed: 1 })

    // The leader's phone learns of the event and corrects it on the server.
    await syncUntil(leader, async () => (await leader.db.getEvent(id)) !== undefined)
    const corrected = { ...original, title: '队长更正', people_served: 99 }
    await leader.edit(id, corrected)
    expect(await leader.sync()).toMatchObject({ status: 'synced', pushed: 1 })
    const leaderRow = (await serverRows(db, [id])).get(id)!
    expectSameEvent(leaderRow, corrected)

    // Meanwhile, offline, the volunteer edits the version they have.
    const mine = { ...original, title: '我的修改', funds_fen: 77_700 }
    await volunteer.edit(id, mine)
    expect(await volunteer.sync()).toMatchObject({ status: 'synced', pushed: 1 })

    const local = (await volunteer.db.getEvent(id))!
    expect(local).toMatchObject({ syncState: 'conflict', conflictReason: 'changed', title: '我的修改', funds_fen: 77_700 })
    expect(local.server).toMatchObject({
      revision: leaderRow.revision,
      deleted: false,
      fields: { title: '队长更正', people_served: 99, funds_fen: original.funds_fen },
    })
    // The server still holds the leader's version, and nothing more of the volunteer's is queued.
    expect((await serverRows(db, [id])).get(id)).toEqual(leaderRow)
    expect(await volunteer.db.listOutbox()).toEqual([])
  })
})

describe('pull: another phone of the team receives the changes', () => {
  it('gets the events another phone created, then the tombstone of a deleted one', async () => {
    const first = await phone('volunteer@demo.local')
    const second = await phone('volunteer@demo.local')
    // The second phone is up to date before the first one records anything.
    expect((await second.sync()).status).toBe('synced')

    const key = randomKey(program)
    const [p2, p3] = program.team1Members as [Uuid, Uuid]
    const kept = eventAt(key, program.team1, [{ person_id: p2, hours: 3 }], { title: '保留的活动' })
    const doomed = eventAt(key, program.team1, [{ person_id: p3, hours: 2 }], { title: '将删除的活动' })
    const keptId = await first.create(kept)
    const doomedId = await first.create(doomed)
    expect(await first.sync()).toMatchObject({ status: 'synced', pushed: 2 })

    await syncUntil(second, async () => (await second.db.getEvent(keptId)) !== undefined && (await second.db.getEvent(doomedId)) !== undefined)
    const rows = await serverRows(db, [keptId, doomedId])
    for (const [id, fields] of [[keptId, kept], [doomedId, doomed]] as const) {
      const received = (await second.db.getEvent(id))!
      expect(received).toMatchObject({
        syncState: 'synced', deleted: false, serverRevision: rows.get(id)!.revision, recordedBy: first.userId,
        title: fields.title, people_served: fields.people_served, participants: fields.participants,
      })
      expect(Date.parse(received.started_at)).toBe(Date.parse(fields.started_at))
    }

    await first.remove(doomedId)
    expect(await first.sync()).toMatchObject({ status: 'synced', pushed: 1 })
    const tombstone = (await serverRows(db, [doomedId])).get(doomedId)!
    expect(tombstone.deleted).toBe(true)

    await syncUntil(second, async () => (await second.db.getEvent(doomedId))?.deleted === true)
    expect(await second.db.getEvent(doomedId)).toMatchObject({ syncState: 'synced', serverRevision: tombstone.revision })
    expect(await second.db.getEvent(keptId)).toMatchObject({ deleted: false, serverRevision: rows.get(keptId)!.revision })
  })

  it('never gives a phone of another team the team\'s events', async () => {
    const other = await phone('volunteer2@demo.local')
    expect((await other.sync()).status).toBe('synced')
    const teams = new Set((await other.db.listEvents()).map((event) => event.team_id))
    expect([...teams]).toEqual([program.team2])
  })

  it('pulls a fresh phone\'s whole team history, page by page', async () => {
    // Pages of 2 rows, so the cursor is carried across many pages of the real API.
    const fresh = await phone('leader@demo.local', { pullPageSize: 2 })
    const { rows: before } = await db.query<{ id: Uuid }>(
      'select id::text from public.service_events where team_id = $1 and deleted_at is null', [program.team1])
    expect(before.length).toBeGreaterThan(2)
    expect(await fresh.sync()).toMatchObject({ status: 'synced', pulled: expect.any(Number) })
    const live = new Set((await fresh.db.listEvents()).filter((event) => !event.deleted).map((event) => event.id))
    // Every event that was live before the pull and still is (another test may delete one meanwhile).
    const stillLive = await serverRows(db, before.map((row) => row.id))
    const expected = [...stillLive.values()].filter((row) => !row.deleted).map((row) => row.id)
    expect(expected.filter((id) => !live.has(id))).toEqual([])
    expect(await fresh.db.getMeta('pullCursor')).not.toBeNull()
  })
})

describe('shared phone: a change travels only under its owner\'s session', () => {
  it('sends nothing while another user is signed in, and everything once the owner is back', async () => {
    const volunteer = await phone('volunteer@demo.local')
    const key = randomKey(program)
    const [p2] = program.team1Members as [Uuid]
    const queued = await volunteer.create(eventAt(key, program.team1, [{ person_id: p2, hours: 3 }]))

    // The leader signs in on the same phone (same client, same session storage).
    const leader = await volunteer.client.auth.signInWithPassword({ email: 'leader@demo.local', password: DEMO_PASSWORD })
    expect(leader.error).toBeNull()
    expect(await volunteer.sync()).toMatchObject({ status: 'retrying' })
    expect((await serverRows(db, [queued])).size).toBe(0)
    expect(await volunteer.db.getEvent(queued)).toMatchObject({ syncState: 'pending' })

    await volunteer.client.auth.signInWithPassword({ email: 'volunteer@demo.local', password: DEMO_PASSWORD })
    expect(await volunteer.sync()).toMatchObject({ status: 'synced', pushed: 1 })
    const row = (await serverRows(db, [queued])).get(queued)!
    expect(row.recorded_by).toBe(volunteer.userId)
  })

  it('PostgREST refuses a whole request holding a lone surrogate, which is why the phone never sends one', async () => {
    const volunteer = await phone('volunteer@demo.local')
    const key = randomKey(program)
    const [p2] = program.team1Members as [Uuid]
    const fields = eventAt(key, program.team1, [{ person_id: p2, hours: 3 }], { note: 'bad \ud800 text' })
    const error = await volunteer.transport
      .push([{ change_id: crypto.randomUUID(), event_id: crypto.randomUUID(), op: 'upsert', base_revision: null, event: fields }])
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(TransportError)
    expect(classifyFailure(error)).toBe('permanent')
  })
})
