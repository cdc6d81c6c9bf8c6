// Server figures (issue 5, items 4 and 5; issue 8, items 21 and 22), against a local stack grown
// to a million events: reading totals from the totals table against a GROUP BY over the events;
// ingest of batched pushes by 2 and 8 concurrent clients (spread over stations and months, and
// all on one key) against the same pushes with the totals triggers off (what maintaining the
// totals costs) and against plain inserts (the ceiling: no JSON, no checks, no totals); and the
// cost of row-level security on a volunteer's event list and pull against the same queries as
// service_role. Each ratio comes with the 95% bootstrap interval of its repetitions.
import { execFileSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import pg from 'pg'
import { REPO_ROOT } from '../scripts/stack/stack.ts'
import { asRole, inTransaction } from './transaction.ts'
import { bootstrapPairedRatio, quantile, quantileRatioInterval, ratioFigure, sample, samplePair, type Figure } from './measure.ts'

const BATCH = 100

function md5Uuid(db: pg.Client, text: string): Promise<string> {
  return db.query<{ id: string }>('select md5($1)::uuid as id', [text]).then((r) => r.rows[0]!.id)
}

interface Client {
  db: pg.Client
  userId: string
  teamNo: number
  members: string[]
}

/** One bench account per team 1..n, each a member of its team (member 5, never a demo account). */
async function benchClients(databaseUrl: string, admin: pg.Client, count: number): Promise<Client[]> {
  const clients: Client[] = []
  for (let teamNo = 1; teamNo <= count; teamNo++) {
    const firstPerson = (teamNo <= 39 ? (teamNo - 1) * 10 : 390 + (teamNo - 40) * 9) + 1
    const userId = await md5Uuid(admin, `bench-user-${teamNo}`)
    await admin.query(
      `insert into auth.users (id, aud, role, email) values ($1, 'authenticated', 'authenticated', $2)
       on conflict do nothing`,
      [userId, `bench-${teamNo}@bench.local`],
    )
    await admin.query(`update public.people set user_id = $1 where id = md5($2)::uuid`, [userId, `person-${firstPerson + 5}`])
    const members: string[] = []
    for (const m of [1, 2, 3]) members.push(await md5Uuid(admin, `person-${firstPerson + m}`))
    const db = new pg.Client({ connectionString: databaseUrl })
    await db.connect()
    clients.push({ db, userId, teamNo, members })
  }
  return clients
}

interface Key {
  stationNo: number
  monthNo: number
}

function eventFields(client: Client, key: Key, ids: Record<string, string>, n: number, title: string) {
  const day = 1 + (n % 27)
  const started = new Date(Date.UTC(2023, key.monthNo - 1, day, 1 + (n % 8)))
  return {
    station_id: ids[`station-${key.stationNo}`],
    team_id: ids[`team-${client.teamNo}`],
    theme_month_id: ids[`month-${key.monthNo}`],
    started_at: started.toISOString(),
    ended_at: new Date(started.getTime() + 3 * 3600_000).toISOString(),
    title,
    people_served: 10,
    funds_fen: 50_000,
    materials_fen: 0,
    materials_description: '',
    participants: client.members.map((person_id) => ({ person_id, hours: 2.5 })),
  }
}

interface IngestResult {
  eventsPerSecond: number
  failures: number
}

async function ingest(
  clients: Client[],
  batches: number,
  keyFor: (client: Client, n: number) => Key,
  ids: Record<string, string>,
  write: (client: Client, changes: ReturnType<typeof change>[]) => Promise<number>,
  title: string,
): Promise<IngestResult> {
  let failures = 0
  const started = performance.now()
  await Promise.all(
    clients.map(async (client) => {
      for (let b = 0; b < batches; b++) {
        const changes = Array.from({ length: BATCH }, (_, i) => change(eventFields(client, keyFor(client, b * BATCH + i), ids, b * BATCH + i, title)))
        try {
          failures += await write(client, changes)
        } catch (error) {
          console.error(`client ${client.teamNo}:`, (error as Error).message)
          failures += BATCH
        }
      }
    }),
  )
  const seconds = (performance.now() - started) / 1000
  return { eventsPerSecond: (clients.length * batches * BATCH) / seconds, failures }
}

function change(event: ReturnType<typeof eventFields>) {
  return { change_id: randomUUID(), event_id: randomUUID(), op: 'upsert' as const, base_revision: null, event }
}

async function pushBatch(client: Client, changes: ReturnType<typeof change>[]): Promise<number> {
  const outcomes = await asRole(client.db, { role: 'authenticated', sub: client.userId }, async () => {
    const { rows } = await client.db.query<{ outcomes: Array<{ status: string; message?: string }> }>(
      'select public.push_event_changes($1) as outcomes',
      [JSON.stringify(changes)],
    )
    return rows[0]!.outcomes
  })
  const failed = outcomes.filter((o) => o.status !== 'applied')
  if (failed.length > 0) console.error(`client ${client.teamNo}: ${failed.length} not applied, e.g. ${JSON.stringify(failed[0])}`)
  return failed.length
}

/**
 * The ceiling: the same rows into copies of the tables without triggers (no totals, no checks by
 * trigger), with the complete record's fields that the push fills in by default given as they
 * would be (the place, the content, the member in charge, the unit, the time of recording).
 */
async function plainBatch(client: Client, changes: ReturnType<typeof change>[]): Promise<number> {
  const events = changes.map((c) => ({
    id: c.event_id,
    ...c.event,
    recorded_by: client.userId,
    place: '基准地点',
    service_content: c.event.title,
    person_in_charge: client.members[0],
    organizing_unit: '基准单位',
    recorded_at: new Date().toISOString(),
  }))
  await inTransaction(client.db, async () => {
    await client.db.query(
      `insert into bench.plain_events (id, station_id, team_id, theme_month_id, started_at, ended_at, title,
         people_served, funds_fen, materials_fen, materials_description, recorded_by,
         place, service_content, person_in_charge, organizing_unit, recorded_at)
       select id, station_id, team_id, theme_month_id, started_at, ended_at, title, people_served, funds_fen,
         materials_fen, materials_description, recorded_by, place, service_content, person_in_charge, organizing_unit, recorded_at
       from jsonb_populate_recordset(null::bench.plain_events, $1)`,
      [JSON.stringify(events)],
    )
    await client.db.query(
      `insert into bench.plain_participants (event_id, person_id, hours)
       select (e ->> 'id')::uuid, (p ->> 'person_id')::uuid, (p ->> 'hours')::numeric
       from jsonb_array_elements($1) e, jsonb_array_elements(e -> 'participants') p`,
      [JSON.stringify(events)],
    )
  })
  return 0
}

/**
 * Turns the triggers that maintain the totals off or on (found by their functions, so a renamed
 * trigger is still found): with them off, a push does all its other work, checks included.
 */
async function setTotalsTriggers(admin: pg.Client, enabled: boolean): Promise<void> {
  const { rows } = await admin.query<{ relation: string; name: string }>(
    `select tgrelid::regclass::text as relation, quote_ident(tgname) as name from pg_trigger
     where tgfoid in ('private.maintain_totals_for_events'::regproc, 'private.maintain_totals_for_participants'::regproc)`,
  )
  if (rows.length < 2) throw new Error(`server bench: found ${rows.length} totals triggers`)
  for (const { relation, name } of rows) await admin.query(`alter table ${relation} ${enabled ? 'enable' : 'disable'} trigger ${name}`)
}

/** Removes the events the no-totals baseline pushed, with all triggers off, so the totals stay true to the events. */
async function removeEventsTitled(admin: pg.Client, title: string): Promise<void> {
  await inTransaction(admin, async () => {
    await admin.query('set local session_replication_role = replica')
    const events = 'select id from public.service_events where title = $1'
    await admin.query(`delete from public.sync_changes where event_id in (${events})`, [title])
    await admin.query(`delete from public.event_participants where event_id in (${events})`, [title])
    await admin.query('delete from public.service_events where title = $1', [title])
  })
}

/** Totals maintenance may cost at most this much of a push's time (issue 8, item 21). */
const TOTALS_COST_TARGET = 0.3

const median = (values: number[]) => quantile([...values].sort((a, b) => a - b), 0.5)
const medianRatio = (value: number[], baseline: number[]) => median(value) / median(baseline)

export async function serverFigures(databaseUrl: string, eventCount: number): Promise<Figure[]> {
  const figures: Figure[] = []
  const loadStarted = performance.now()
  execFileSync('psql', [databaseUrl, '-q', '-v', 'ON_ERROR_STOP=1', '-v', `events=${eventCount}`, '-f', join(REPO_ROOT, 'bench/server-data.sql')], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, PGOPTIONS: '--client-min-messages=warning' },
  })
  console.log(`loaded ${eventCount} events in ${((performance.now() - loadStarted) / 1000).toFixed(0)} s`)

  const admin = new pg.Client({ connectionString: databaseUrl })
  await admin.connect()
  const ids: Record<string, string> = {}
  for (let n = 1; n <= 64; n++) ids[`team-${n}`] = await md5Uuid(admin, `team-${n}`)
  for (let n = 1; n <= 10; n++) ids[`station-${n}`] = await md5Uuid(admin, `station-${n}`)
  for (let n = 1; n <= 12; n++) ids[`month-${n}`] = await md5Uuid(admin, `month-${n}`)

  // 4a. Totals for all stations x months: the maintained table against a recomputation.
  const fromTable = await sample(50, () => admin.query('select * from public.station_month_totals'))
  const fromEvents = await sample(5, () => admin.query('select * from private.recomputed_totals()'), 1)
  figures.push(ratioFigure('4 server', `all totals from the totals table (${eventCount} events)`, fromTable.p50, 'ms', 'GROUP BY over the events', fromEvents.p50,
    `GROUP BY is ${(fromEvents.p50 / fromTable.p50).toFixed(0)}x slower`, quantileRatioInterval(fromTable, fromEvents, 0.5)))

  // 4b. Ingest: batched pushes against the same pushes without totals maintenance and against
  // plain inserts, 2 and 8 clients, spread and on one key; rounds alternate the three ways.
  await admin.query(`create schema if not exists bench;
    create table if not exists bench.plain_events (like public.service_events including defaults including constraints including indexes);
    create table if not exists bench.plain_participants (like public.event_participants including defaults including constraints including indexes);`)
  const clients = await benchClients(databaseUrl, admin, 8)
  const spread = (client: Client, n: number): Key => ({ stationNo: 1 + ((n + client.teamNo) % 10), monthNo: 1 + ((n * 7 + client.teamNo) % 12) })
  const oneKey = (): Key => ({ stationNo: 1, monthNo: 1 })
  const NO_TOTALS_TITLE = '基准推送（不维护合计）'
  const ROUNDS = 6
  let failures = 0
  for (const [label, count, keyFor] of [
    ['2 clients, spread', 2, spread],
    ['8 clients, spread', 8, spread],
    ['8 clients, one station x month', 8, oneKey],
  ] as const) {
    const batches = count === 2 ? 8 : 4
    const ways = {
      push: () => ingest(clients.slice(0, count), batches, keyFor, ids, pushBatch, '基准推送'),
      noTotals: async () => {
        await setTotalsTriggers(admin, false)
        try {
          return await ingest(clients.slice(0, count), batches, keyFor, ids, pushBatch, NO_TOTALS_TITLE)
        } finally {
          await setTotalsTriggers(admin, true)
          await removeEventsTitled(admin, NO_TOTALS_TITLE)
        }
      },
      plain: () => ingest(clients.slice(0, count), batches, keyFor, ids, plainBatch, '基准推送'),
    }
    const rates: Record<keyof typeof ways, number[]> = { push: [], noTotals: [], plain: [] }
    const order = Object.keys(ways) as Array<keyof typeof ways>
    for (let round = 0; round < ROUNDS; round++) {
      for (const way of [...order.slice(round % 3), ...order.slice(0, round % 3)]) {
        const result = await ways[way]()
        if (way !== 'plain') failures += result.failures
        rates[way].push(result.eventsPerSecond)
      }
    }
    const [push, noTotals, plain] = [median(rates.push), median(rates.noTotals), median(rates.plain)]
    const cost = noTotals / push - 1
    figures.push(ratioFigure('4 server', `ingest by push, ${label}`, push, 'events/s', 'same push, totals triggers off', noTotals,
      `totals cost ${(cost * 100).toFixed(0)}% (target at most ${TOTALS_COST_TARGET * 100}%): ${cost <= TOTALS_COST_TARGET ? 'met' : 'MISSED'}; median of ${ROUNDS} rounds`,
      bootstrapPairedRatio(rates.push, rates.noTotals, medianRatio)))
    figures.push(ratioFigure('4 server', `ingest by push, ${label}, against the ceiling`, push, 'events/s', 'plain inserts, no totals', plain,
      `push at ${((push / plain) * 100).toFixed(0)}% of plain; median of ${ROUNDS} rounds`, bootstrapPairedRatio(rates.push, rates.plain, medianRatio)))
  }
  const drift = await admin.query('select count(*)::int as keys from private.totals_drift()')
  figures.push(ratioFigure('4 server', 'failed or deadlocked pushes', failures, 'changes', 'required', 0, failures === 0 ? 'none (must be 0)' : 'MUST BE 0'))
  figures.push(ratioFigure('4 server', 'totals keys differing from a recomputation', drift.rows[0]!.keys, 'keys', 'required', 0, drift.rows[0]!.keys === 0 ? 'none (must be 0)' : 'MUST BE 0'))

  // 5. Row-level security: a volunteer's event list and pull, against the same queries as
  // service_role, alternating, enough times for millisecond figures to settle.
  const volunteer = clients[0]!
  const listSql = `select id, title, started_at, revision from public.service_events
    where deleted_at is null and team_id = $1 order by started_at desc limit 50`
  const pullSql = `select public.pull_event_changes(null, 500)`
  for (const [label, sql, params, repetitions] of [
    ['event list (50 latest of the team)', listSql, [ids['team-1']], 300],
    ['first pull page (500 rows)', pullSql, [], 100],
  ] as const) {
    const [withRls, asService] = await samplePair(
      repetitions,
      () => asRole(volunteer.db, { role: 'authenticated', sub: volunteer.userId }, () => volunteer.db.query(sql, [...params])),
      () => asRole(volunteer.db, { role: 'service_role' }, () => volunteer.db.query(sql, [...params])),
      10,
    )
    figures.push(ratioFigure('5 RLS', `${label}, volunteer under RLS`, withRls.p50, 'ms', 'same query as service_role', asService.p50,
      `p50 of ${repetitions} each, alternating`, quantileRatioInterval(withRls, asService, 0.5)))
  }

  for (const client of clients) await client.db.end()
  await admin.end()
  return figures
}
