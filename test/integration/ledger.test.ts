// The ledger of record against the real stack, where it takes separate transactions:
// - a coordinator closes a station × theme month while 8 clients push into it: after the close
//   returns no event lands in it, and the snapshot equals the totals table and the events;
// - a phone's change refused because its month closed, sent as an adjustment request through
//   the real sync engine, approved by a coordinator, and learnt by the phone;
// - what needs a later transaction: a change of participants clears a confirmation, and an
//   event's history keeps each push apart;
// - direct writes through PostgREST into a closed month are refused with the rule's name.
// Each test closes months of a station of its own (made here), so no other test's writes meet them.
import 'fake-indexeddb/auto'
import { randomUUID } from 'node:crypto'
import pg from 'pg'
import type { SupabaseClient } from '@supabase/supabase-js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ChangeOutcome, ServiceEventFields, Uuid } from '../../src/domain/types'
import { planRequestAdjustment } from '../../src/sync/ledger-plans'
import { connectOracle, eventAt, loadProgram, type Program } from './oracle'
import { openPhone, syncUntil, type Phone } from './phone'
import { signedInClient, stackEnv } from './stack-env'

let db: pg.Client
let program: Program
const opened: Array<{ close(): unknown }> = []

beforeAll(async () => {
  db = await connectOracle()
  program = await loadProgram(db)
})

/** Stations and teams this file made; removed at the end (see removeMade). */
const made = { stations: [] as Uuid[], teams: [] as Uuid[] }

afterAll(async () => {
  for (const handle of opened.splice(0)) await handle.close()
  await removeMade()
  await db.end()
})

/**
 * Takes this file's stations and teams out again, with everything that names them: the year
 * report counts every station and team of the program, and other files check it against the
 * published figures. Their months are closed and the trail is append-only, so the rows go with
 * the triggers (foreign keys included) off, table by table.
 */
async function removeMade(): Promise<void> {
  const { stations, teams } = made
  const events = `select id from public.service_events where station_id = any($1) or team_id = any($2)`
  const byEvent = [
    `delete from public.event_participants where event_id in (${events})`,
    `delete from public.sync_changes where event_id in (${events})`,
    `delete from public.adjustment_requests where event_id in (${events}) or team_id = any($2)`,
    `delete from public.correction_requests where event_id in (${events}) or team_id = any($2)`,
    `delete from public.audit_trail where event_id in (${events}) or station_id = any($1) or team_id = any($2)`,
    `delete from public.service_events where station_id = any($1) or team_id = any($2)`,
  ]
  const byStation = ['period_closures', 'station_month_totals', 'station_month_volunteers']
    .map((table) => `delete from public.${table} where station_id = any($1)`)
  const byTeam = ['team_members', 'team_invites', 'join_requests'].map((table) => `delete from public.${table} where team_id = any($1)`)
  await db.query('begin')
  await db.query('set local session_replication_role = replica')
  for (const statement of byEvent) await db.query(statement, [stations, teams])
  for (const statement of byStation) await db.query(statement, [stations])
  for (const statement of byTeam) await db.query(statement, [teams])
  await db.query('delete from public.teams where id = any($1)', [teams])
  await db.query('delete from public.stations where id = any($1)', [stations])
  await db.query('commit')
}

/** A station of this test's own, so that closing its months stops no other test's writes. */
async function newStation(): Promise<Uuid> {
  const id = randomUUID()
  await db.query(`insert into public.stations (id, name, address) values ($1, $2, '集成测试地址')`, [id, `结账测试站 ${id}`])
  made.stations.push(id)
  return id
}

function keyAt(stationId: Uuid, monthNo: number) {
  return { stationId, monthId: program.months[monthNo - 1]!, monthNo }
}

async function rpc<T>(client: SupabaseClient, name: string, args: Record<string, unknown> = {}): Promise<T> {
  const { data, error } = await client.rpc(name, args)
  if (error) throw new Error(`${name}: ${error.code} ${error.message}`)
  return data as T
}

/** The maintained totals of a key, and a recomputation from its events. */
async function keyFigures(stationId: Uuid, monthId: Uuid) {
  const { rows } = await db.query(
    `select jsonb_build_object('events', t.events, 'confirmed', t.confirmed, 'volunteers', t.volunteers,
       'volunteer_hours', t.volunteer_hours, 'people_served', t.people_served, 'funds_fen', t.funds_fen,
       'materials_fen', t.materials_fen) as maintained,
       (select count(*)::int from private.totals_drift() d where d.station_id = $1 and d.theme_month_id = $2) as drift,
       (select coalesce(jsonb_object_agg(e.id, e.revision), '{}') from public.service_events e
        where e.station_id = $1 and e.theme_month_id = $2 and e.deleted_at is null) as events
     from public.station_month_totals t where t.station_id = $1 and t.theme_month_id = $2`,
    [stationId, monthId],
  )
  return rows[0] as { maintained: Record<string, unknown>; drift: number; events: Record<Uuid, number> }
}

describe('closing a month while phones push into it', () => {
  const CLIENTS = 8
  const BATCH = 5

  interface Pusher {
    db: pg.Client
    userId: Uuid
    personId: Uuid
  }

  /** 8 accounts, each a member of a team of their own test, each on a connection of its own. */
  async function pushers(teamId: Uuid): Promise<Pusher[]> {
    const all: Pusher[] = []
    for (let i = 0; i < CLIENTS; i++) {
      const userId = randomUUID()
      const personId = randomUUID()
      await db.query(`insert into auth.users (id, aud, role, email) values ($1, 'authenticated', 'authenticated', $2)`,
        [userId, `close-pusher-${userId}@tests.local`])
      await db.query(`insert into public.people (id, display_name, user_id) values ($1, $2, $3)`, [personId, `推送者${i + 1}`, userId])
      await db.query(`insert into public.team_members (team_id, person_id) values ($1, $2)`, [teamId, personId])
      const connection = new pg.Client({ connectionString: stackEnv.databaseUrl })
      await connection.connect()
      opened.push({ close: () => connection.end() })
      all.push({ db: connection, userId, personId })
    }
    return all
  }

  /** One request as PostgREST runs it: a transaction as the signed-in user (see tests.act_as). */
  async function asUser<T>(connection: pg.Client, userId: Uuid, sql: string, params: unknown[]): Promise<T> {
    await connection.query('begin')
    try {
      await connection.query(`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`,
        [JSON.stringify({ sub: userId, role: 'authenticated' })])
      const { rows } = await connection.query(sql, params)
      await connection.query('commit')
      return rows[0].result as T
    } catch (error) {
      await connection.query('rollback')
      throw error
    }
  }

  it('lets no event land after the close returns, and snapshots exactly the totals', async () => {
    const stationId = await newStation()
    const teamId = randomUUID()
    await db.query(`insert into public.teams (id, name, chamber) values ($1, $2, '集成测试商会')`, [teamId, `结账测试队 ${teamId}`])
    made.teams.push(teamId)
    const key = keyAt(stationId, 1 + Math.floor(Math.random() * 12))
    const clients = await pushers(teamId)
    const coordinator = await connectOracle()
    opened.push({ close: () => coordinator.end() })
    const coordinatorId = (await db.query(`select md5('user-coordinator@demo.local')::uuid::text as id`)).rows[0].id as Uuid

    const applied = new Set<Uuid>()
    const batches: Array<{ startedAfterClose: boolean; statuses: string[] }> = []
    let closeReturned = false
    let closing = false
    let overlapping = 0
    let wantClose: () => void = () => undefined
    const enoughLanded = new Promise<void>((resolve) => (wantClose = resolve))

    const push = async (client: Pusher) => {
      let afterClose = 0
      while (afterClose < 3) {
        const startedAfterClose = closeReturned
        const startedBeforeCloseEnded = !closeReturned
        const changes = Array.from({ length: BATCH }, (_, i) => ({
          change_id: randomUUID(),
          event_id: randomUUID(),
          op: 'upsert',
          base_revision: null,
          event: eventAt(key, teamId, [{ person_id: client.personId, hours: 2 }], { people_served: 1 + i, funds_fen: 100 * (i + 1) }),
        }))
        const outcomes = await asUser<ChangeOutcome[]>(client.db, client.userId,
          'select public.push_event_changes($1) as result', [JSON.stringify(changes)])
        if (startedBeforeCloseEnded && (closing || closeReturned)) overlapping += 1
        for (const outcome of outcomes) if (outcome.status === 'applied') applied.add(outcome.event_id)
        batches.push({
          startedAfterClose,
          statuses: outcomes.map((o) => (o.status === 'rejected' ? `rejected ${o.rule}` : o.status)),
        })
        if (applied.size >= 40) wantClose()
        if (startedAfterClose) afterClose += 1
      }
    }

    const close = async () => {
      await enoughLanded
      closing = true
      const closure = await asUser<{ version: number; totals: Record<string, unknown>; events: Record<Uuid, number> }>(
        coordinator, coordinatorId, 'select public.close_period($1, $2, $3) as result', [key.stationId, key.monthId, '并发结账测试'])
      closeReturned = true
      return closure
    }

    const [closure] = await Promise.all([close(), ...clients.map(push)])

    // Every change was applied or refused because the month is closed; nothing else failed.
    const statuses = new Set(batches.flatMap((b) => b.statuses))
    expect([...statuses].sort()).toEqual(['applied', 'rejected period_closed'])
    // Pushes ran while the close waited for the month's lock, and after it.
    expect(overlapping).toBeGreaterThan(0)
    const afterClose = batches.filter((b) => b.startedAfterClose)
    expect(afterClose.length).toBeGreaterThanOrEqual(CLIENTS * 3)
    expect(afterClose.flatMap((b) => b.statuses).every((s) => s === 'rejected period_closed')).toBe(true)

    // No event landed after the close: the month holds exactly the applied changes, which are
    // exactly the snapshot's events, at the snapshot's revisions; its totals are the snapshot's.
    const now = await keyFigures(key.stationId, key.monthId)
    expect(closure.version).toBe(1)
    expect(Object.keys(closure.events).sort()).toEqual([...applied].sort())
    expect(now.events).toEqual(closure.events)
    expect(now.maintained).toEqual(closure.totals)
    expect(now.drift).toBe(0)
    expect(closure.totals.events).toBe(applied.size)
  })
})

describe('a late change through the phone: refused, asked for, approved', () => {
  let coordinator: SupabaseClient
  let volunteer: Phone

  beforeAll(async () => {
    coordinator = await signedInClient('coordinator@demo.local')
    volunteer = await openPhone('volunteer@demo.local')
    opened.push(volunteer)
  })

  it('parks the change as period_closed, sends it as a request, and learns the approval', async () => {
    const key = keyAt(await newStation(), 3)
    const [p2, p3] = program.team1Members as [Uuid, Uuid]
    const fields: ServiceEventFields = eventAt(key, program.team1, [{ person_id: p2, hours: 3 }], { people_served: 12 })
    const id = await volunteer.create(fields)
    await syncUntil(volunteer, async () => (await volunteer.db.getEvent(id))?.syncState === 'synced')

    // Offline, the volunteer adds a participant; meanwhile the coordinator closes the month.
    await volunteer.edit(id, { ...fields, participants: [{ person_id: p2, hours: 3 }, { person_id: p3, hours: 2 }] })
    await rpc(coordinator, 'close_period', { p_station_id: key.stationId, p_theme_month_id: key.monthId, p_override_reason: '月末结账' })
    await volunteer.sync()
    const parked = await volunteer.db.getEvent(id)
    expect(parked).toMatchObject({ syncState: 'failed', failure: { code: '23514', rule: 'period_closed' } })

    // The volunteer sends it as an adjustment request.
    const requestId = randomUUID()
    await volunteer.db.mutate([id], (slice) => planRequestAdjustment(slice, id, '漏记了一位参加的队员', requestId, new Date().toISOString()))
    await volunteer.sync()
    expect(await volunteer.db.getEvent(id)).toMatchObject({ syncState: 'awaiting' })
    expect((await volunteer.db.listRequests()).find((r) => r.id === requestId)).toMatchObject({ status: 'pending' })
    const { rows: [stored] } = await db.query(`select status, reason, fields -> 'participants' as participants from public.adjustment_requests where id = $1`, [requestId])
    expect(stored).toMatchObject({ status: 'pending', reason: '漏记了一位参加的队员' })
    expect(stored.participants).toHaveLength(2)

    // The coordinator approves; the phone learns it and holds the server's adjusted version.
    const decided = await rpc<{ status: string; applied_revision: number }>(coordinator, 'decide_adjustment', { p_request_id: requestId, p_approve: true })
    expect(decided.status).toBe('approved')
    await syncUntil(volunteer, async () => (await volunteer.db.getEvent(id))?.syncState === 'synced')
    const synced = await volunteer.db.getEvent(id)
    expect(synced?.serverRevision).toBe(Number(decided.applied_revision))
    expect(synced?.participants.map((p) => p.person_id).sort()).toEqual([p2, p3].sort())
    expect((await volunteer.db.listRequests()).find((r) => r.id === requestId)).toMatchObject({ status: 'approved' })

    const { rows: versions } = await db.query(`select version, adjusted from public.period_closures
      where station_id = $1 and theme_month_id = $2 order by version`, [key.stationId, key.monthId])
    expect(versions).toEqual([{ version: 1, adjusted: false }, { version: 2, adjusted: true }])
    const figures = await keyFigures(key.stationId, key.monthId)
    expect(figures.drift).toBe(0)
    expect(figures.maintained.volunteers).toBe(2)
  })
})

describe('what takes later transactions', () => {
  let leader: SupabaseClient
  let volunteerClient: SupabaseClient

  beforeAll(async () => {
    leader = await signedInClient('leader@demo.local')
    volunteerClient = await signedInClient('volunteer@demo.local')
  })

  async function leaderId(): Promise<Uuid> {
    return (await leader.auth.getUser()).data.user!.id
  }

  async function pushOne(client: SupabaseClient, change: Record<string, unknown>): Promise<ChangeOutcome> {
    const outcomes = await rpc<ChangeOutcome[]>(client, 'push_event_changes', { changes: [change] })
    return outcomes[0]!
  }

  it('clears a confirmation when participants change later, and keeps each push apart in the history', async () => {
    const key = keyAt(await newStation(), 5)
    const [p2, p3, p4] = program.team1Members as [Uuid, Uuid, Uuid]
    const id = randomUUID()
    const fields = eventAt(key, program.team1, [{ person_id: p2, hours: 3 }, { person_id: p3, hours: 2 }])
    const created = await pushOne(volunteerClient, { change_id: randomUUID(), event_id: id, op: 'upsert', base_revision: null, event: fields })
    expect(created.status).toBe('applied')
    const edited = await pushOne(volunteerClient, {
      change_id: randomUUID(), event_id: id, op: 'upsert', base_revision: created.status === 'applied' ? created.revision : null,
      event: { ...fields, participants: [{ person_id: p2, hours: 2.5 }, { person_id: p4, hours: 1 }] },
    })
    expect(edited.status).toBe('applied')
    const confirmed = await pushOne(leader, {
      change_id: randomUUID(), event_id: id, op: 'confirm', base_revision: edited.status === 'applied' ? edited.revision : null,
    })
    expect(confirmed.status).toBe('applied')
    const read = async () => (await db.query('select confirmed_at, revision::int from public.service_events where id = $1', [id])).rows[0]
    expect((await read()).confirmed_at).not.toBeNull()

    // The leader adds a participant directly: a later transaction, which gives the event a new
    // revision and leaves it unconfirmed.
    const { error } = await leader.from('event_participants').insert({ event_id: id, person_id: p3, hours: 1 })
    expect(error).toBeNull()
    const after = await read()
    expect(after.confirmed_at).toBeNull()
    expect(after.revision).toBeGreaterThan(confirmed.status === 'applied' ? Number(confirmed.revision) : Infinity)

    const history = await rpc<Array<{ action: string; actor: Uuid; changes: Record<string, [unknown, unknown]> }>>(
      volunteerClient, 'event_history', { p_event_id: id })
    // The second push changed participants only (its event row changed no field: no entry of its
    // own); the direct insert's new revision clears the confirmation (an edit, written first).
    expect(history.map((h) => h.action)).toEqual(['insert', 'participants', 'participants', 'confirm', 'edit', 'participants'])
    const participantChanges = history.filter((h) => h.action === 'participants').map((h) => h.changes)
    expect(participantChanges).toEqual([
      { [p2]: [null, 3], [p3]: [null, 2] },
      { [p2]: [3, 2.5], [p3]: [2, null], [p4]: [null, 1] },
      { [p3]: [null, 1] },
    ])
    expect(history.find((h) => h.action === 'edit')?.changes).toEqual({
      confirmed_at: [expect.any(String), null], confirmed_by: [await leaderId(), null],
    })
  })

  it('refuses direct writes into a closed month through PostgREST, naming the rule', async () => {
    const key = keyAt(await newStation(), 7)
    const [p2] = program.team1Members as [Uuid]
    const id = randomUUID()
    const created = await pushOne(volunteerClient, {
      change_id: randomUUID(), event_id: id, op: 'upsert', base_revision: null,
      event: eventAt(key, program.team1, [{ person_id: p2, hours: 3 }]),
    })
    expect(created.status).toBe('applied')
    const coordinator = await signedInClient('coordinator@demo.local')
    await rpc(coordinator, 'close_period', { p_station_id: key.stationId, p_theme_month_id: key.monthId, p_override_reason: '测试' })

    const edit = await volunteerClient.from('service_events').update({ title: '结账后直接修改' }).eq('id', id)
    expect(edit.error).toMatchObject({ code: '23514', details: 'violates constraint "period_closed"' })
    const participant = await leader.from('event_participants').update({ hours: 1 }).eq('event_id', id)
    expect(participant.error).toMatchObject({ code: '23514', details: 'violates constraint "period_closed"' })
    const { rows: [row] } = await db.query('select title from public.service_events where id = $1', [id])
    expect(row.title).toBe('集成测试活动')
  })
})
