// The push's totals under concurrency, against the real stack (issue 8, item 21):
// - a push writes its whole batch before it takes the totals rows it adds to, so a push waits for
//   another writer of the same station × month only at its end (the rows used to be locked first,
//   for the whole push);
// - clients pushing new events, edits that move events between stations and months in opposite
//   directions, and deletes, all at once over the same keys: every change is applied (no
//   deadlock), and the totals equal a recomputation from the events.
// Everything happens at stations and in a team of this file's own, removed at the end.
import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ServiceEventFields, Uuid } from '../../src/domain/types'
import { connectOracle, eventAt, loadProgram, type Program } from './oracle'
import { stackEnv } from './stack-env'

let db: pg.Client
let program: Program
const opened: pg.Client[] = []
const made = { stations: [] as Uuid[], teams: [] as Uuid[], users: [] as Uuid[] }

beforeAll(async () => {
  db = await connectOracle()
  program = await loadProgram(db)
})

afterAll(async () => {
  for (const connection of opened.splice(0)) await connection.end()
  const { stations, teams, users } = made
  const events = 'select id from public.service_events where team_id = any($1)'
  await db.query('begin')
  // The audit trail is append-only: its rows of this file go with the triggers off.
  await db.query('set local session_replication_role = replica')
  for (const statement of [
    `delete from public.event_participants where event_id in (${events})`,
    `delete from public.sync_changes where event_id in (${events})`,
    `delete from public.audit_trail where event_id in (${events}) or team_id = any($1)`,
    'delete from public.service_events where team_id = any($1)',
    'delete from public.team_members where team_id = any($1)',
    'delete from public.teams where id = any($1)',
  ]) await db.query(statement, [teams])
  for (const table of ['station_month_volunteers', 'station_month_totals']) {
    await db.query(`delete from public.${table} where station_id = any($1)`, [stations])
  }
  await db.query('delete from public.stations where id = any($1)', [stations])
  await db.query('delete from public.people where user_id = any($1)', [users])
  await db.query('delete from auth.users where id = any($1)', [users])
  await db.query('commit')
  await db.end()
})

async function newStation(): Promise<Uuid> {
  const id = randomUUID()
  await db.query(`insert into public.stations (id, name, address) values ($1, $2, '集成测试地址')`, [id, `合计并发测试站 ${id}`])
  made.stations.push(id)
  return id
}

async function newTeam(): Promise<Uuid> {
  const id = randomUUID()
  await db.query(`insert into public.teams (id, name, chamber) values ($1, $2, '集成测试商会')`, [id, `合计并发测试队 ${id}`])
  made.teams.push(id)
  return id
}

interface Pusher {
  db: pg.Client
  userId: Uuid
  personId: Uuid
}

/** A member of the team signed in on a connection of their own. */
async function newPusher(teamId: Uuid, n: number): Promise<Pusher> {
  const userId = randomUUID()
  const personId = randomUUID()
  await db.query(`insert into auth.users (id, aud, role, email) values ($1, 'authenticated', 'authenticated', $2)`,
    [userId, `totals-pusher-${userId}@tests.local`])
  made.users.push(userId)
  await db.query('insert into public.people (id, display_name, user_id) values ($1, $2, $3)', [personId, `合计推送者${n}`, userId])
  await db.query('insert into public.team_members (team_id, person_id) values ($1, $2)', [teamId, personId])
  const connection = new pg.Client({ connectionString: stackEnv.databaseUrl })
  await connection.connect()
  opened.push(connection)
  return { db: connection, userId, personId }
}

/** What the push answers for a change (the revision when applied). */
interface Outcome {
  event_id: Uuid
  status: string
  revision?: number
}

/** One push as PostgREST runs it: a transaction as the signed-in user. */
async function push(pusher: Pusher, changes: unknown[]): Promise<Outcome[]> {
  await pusher.db.query('begin')
  try {
    await pusher.db.query(`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`,
      [JSON.stringify({ sub: pusher.userId, role: 'authenticated' })])
    const { rows } = await pusher.db.query('select public.push_event_changes($1) as result', [JSON.stringify(changes)])
    await pusher.db.query('commit')
    return rows[0].result as Outcome[]
  } catch (error) {
    await pusher.db.query('rollback')
    throw error
  }
}

const upsert = (eventId: Uuid, baseRevision: number | null, event: ServiceEventFields) =>
  ({ change_id: randomUUID(), event_id: eventId, op: 'upsert', base_revision: baseRevision, event })

/** Keys of these stations whose maintained totals differ from a recomputation from the events. */
async function driftAt(stations: Uuid[]): Promise<number> {
  const { rows } = await db.query('select count(*)::int as keys from private.totals_drift() where station_id = any($1)', [stations])
  return rows[0].keys as number
}

describe('the totals of a push', () => {
  it('are taken after the batch is written: a push waits for another writer of its key only at its end', async () => {
    const stationId = await newStation()
    const teamId = await newTeam()
    const pusher = await newPusher(teamId, 1)
    const key = { stationId, monthId: program.months[2]!, monthNo: 3 }
    const first = await push(pusher, [upsert(randomUUID(), null, eventAt(key, teamId, [{ person_id: pusher.personId, hours: 2 }]))])
    expect(first.map((o) => o.status)).toEqual(['applied'])

    // Another transaction holds the key's totals row (as a push at its end, or a close, does).
    const holder = await connectOracle()
    opened.push(holder)
    await holder.query('begin')
    await holder.query('select 1 from public.station_month_totals where station_id = $1 and theme_month_id = $2 for update',
      [key.stationId, key.monthId])
    const pidOf = async (connection: pg.Client) => (await connection.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid
    const [holderPid, pusherPid] = [await pidOf(holder), await pidOf(pusher.db)]

    const batch = Array.from({ length: 8 }, (_, i) =>
      upsert(randomUUID(), null, eventAt(key, teamId, [{ person_id: pusher.personId, hours: 2 }], { people_served: i + 1 })))
    const pushed = push(pusher, batch)
    let waiting = false
    for (let tries = 0; tries < 200 && !waiting; tries++) {
      const { rows } = await db.query<{ waiting: boolean }>('select $1 = any(pg_blocking_pids($2)) as waiting', [holderPid, pusherPid])
      waiting = rows[0]!.waiting
      if (!waiting) await new Promise((resolve) => setTimeout(resolve, 25))
    }
    expect(waiting).toBe(true)
    // While it waits for the totals row, the push has written its events and their participants.
    const { rows: locks } = await db.query<{ relation: string }>(
      `select relation::regclass::text as relation from pg_locks
       where pid = $1 and granted and mode = 'RowExclusiveLock'
         and relation in ('public.service_events'::regclass, 'public.event_participants'::regclass)
       order by 1`, [pusherPid])
    expect(locks.map((l) => l.relation)).toEqual(['event_participants', 'service_events'])

    await holder.query('commit')
    const outcomes = await pushed
    expect(outcomes.map((o) => o.status)).toEqual(batch.map(() => 'applied'))
    const { rows } = await db.query<{ events: number }>(
      'select events from public.station_month_totals where station_id = $1 and theme_month_id = $2', [key.stationId, key.monthId])
    expect(rows[0]!.events).toBe(9)
    expect(await driftAt([stationId])).toBe(0)
  })

  it('stay true when clients create, move in opposite directions and delete events over the same keys at once', async () => {
    const stations = [await newStation(), await newStation(), await newStation()]
    const teamId = await newTeam()
    const CLIENTS = 6
    const EVENTS = 24
    const pushers: Pusher[] = []
    for (let n = 0; n < CLIENTS; n++) pushers.push(await newPusher(teamId, n + 2))
    const keyOf = (n: number) => ({ stationId: stations[n % 3]!, monthId: program.months[n % 12]!, monthNo: 1 + (n % 12) })

    const statuses: string[] = []
    await Promise.all(pushers.map(async (pusher, c) => {
      const partner = pushers[(c + 1) % CLIENTS]!
      const people = [{ person_id: pusher.personId, hours: 2 }, { person_id: partner.personId, hours: 1.5 }]
      const ids = Array.from({ length: EVENTS }, () => randomUUID())
      // New events spread over the keys, starting at a key of each client's own.
      const created = await push(pusher, ids.map((id, i) => upsert(id, null, eventAt(keyOf(c + i), teamId, people))))
      statuses.push(...created.map((o) => o.status))
      // Every event moved to another key, half the clients one way round and half the other,
      // with a participant changed.
      const step = c % 2 === 0 ? 5 : -5
      const moved = await push(pusher, ids.map((id, i) => upsert(id, created[i]!.revision!,
        eventAt(keyOf(c + i + step + 36), teamId, [{ person_id: pusher.personId, hours: 2.5 }], { people_served: 7 }))))
      statuses.push(...moved.map((o) => o.status))
      // A third of them deleted.
      const deleted = await push(pusher, ids.filter((_, i) => i % 3 === 0).map((id) =>
        ({ change_id: randomUUID(), event_id: id, op: 'delete', base_revision: moved[ids.indexOf(id)]!.revision })))
      statuses.push(...deleted.map((o) => o.status))
    }))

    expect(new Set(statuses)).toEqual(new Set(['applied']))
    expect(statuses).toHaveLength(CLIENTS * (EVENTS * 2 + EVENTS / 3))
    expect(await driftAt(stations)).toBe(0)
    const { rows } = await db.query<{ events: number }>(
      'select coalesce(sum(events), 0)::int as events from public.station_month_totals where station_id = any($1)', [stations])
    expect(rows[0]!.events).toBe(CLIENTS * (EVENTS - EVENTS / 3))
  })
})
