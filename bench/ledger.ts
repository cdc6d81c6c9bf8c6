// Ledger figures (issue 10): what the audit trail costs the push, and how long a coordinator's
// close of a busy station × month takes.
// - Push throughput with the audit trail against the same pushes with its triggers disabled
//   (target: the trail costs at most 20%). New events, then edits of them (changed fields and
//   participants: the trail's field-by-field diffs), in batches of 100 as a signed-in user under
//   row-level security as PostgREST runs it. One client: the trail takes no lock of its own, so
//   its cost is its work per row; with two clients each push's time swung with the waits between
//   them (210 to 1,319 events/s for the same pushes), which hid that cost. Rounds alternate the
//   two ways; events/s come from the median push of all rounds, and the ratio's bootstrap
//   interval resamples the rounds, each round's two ways together.
// - close_period on a station × month of 10,000 events (its lock, the snapshot's reads and
//   writes: totals, the event list with revisions, the hash, the audit row), against the
//   snapshot's reads alone in one query (the canonical text and its hash, the event list and the
//   volunteers, as close_period computes them) without writing anything.
import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { asRole } from './transaction.ts'
import { bootstrapPairedRatio, quantile, quantileRatioInterval, ratioFigure, summarize, type Figure } from './measure.ts'

const SECTION = '6 ledger'
const CLIENTS = 1
const BATCHES = 6
const BATCH = 100
const ROUNDS = 16
const CLOSES = 9
/** The audit trail may cost a push at most this much (issue 10). */
const AUDIT_COST_TARGET = 0.2
const CLOSE_EVENTS = 10_000

interface Client {
  db: pg.Client
  userId: string
  members: string[]
}

/** One request as PostgREST runs it: a transaction as the signed-in user; the query's `result`. */
async function asUser<T>(db: pg.Client, claims: Record<string, unknown>, sql: string, params: unknown[]): Promise<T> {
  const { rows } = await asRole(db, { role: 'authenticated', ...claims }, () => db.query(sql, params))
  return rows[0].result as T
}

/** A team of its own with 3 members per client; each client signs in as one of its members. */
async function makeClients(databaseUrl: string, admin: pg.Client, teamId: string): Promise<Client[]> {
  const clients: Client[] = []
  for (let c = 0; c < CLIENTS; c++) {
    const members = [randomUUID(), randomUUID(), randomUUID()]
    const userId = randomUUID()
    await admin.query(`insert into auth.users (id, aud, role, email) values ($1, 'authenticated', 'authenticated', $2)`,
      [userId, `ledger-bench-${userId}@bench.local`])
    for (const [i, person] of members.entries()) {
      await admin.query('insert into public.people (id, display_name, user_id) values ($1, $2, $3)',
        [person, `台账基准${c}-${i}`, i === 0 ? userId : null])
      await admin.query('insert into public.team_members (team_id, person_id) values ($1, $2)', [teamId, person])
    }
    const db = new pg.Client({ connectionString: databaseUrl })
    await db.connect()
    clients.push({ db, userId, members })
  }
  return clients
}

interface Place {
  teamId: string
  stations: string[]
  months: string[]
}

/** Event n of a client, spread over the 2023 stations × months; an edit changes a few fields and one participant's hours. */
function fields(client: Client, place: Place, n: number, edited: boolean) {
  const month = 1 + (n % 12)
  const day = String(1 + (n % 27)).padStart(2, '0')
  const mm = String(month).padStart(2, '0')
  return {
    station_id: place.stations[n % place.stations.length],
    team_id: place.teamId,
    theme_month_id: place.months[month - 1],
    started_at: `2023-${mm}-${day}T09:00:00+08:00`,
    ended_at: `2023-${mm}-${day}T12:00:00+08:00`,
    title: edited ? `台账基准活动 ${n}（改）` : `台账基准活动 ${n}`,
    people_served: edited ? 12 : 10,
    funds_fen: 50_000,
    materials_fen: 0,
    participants: client.members.map((person_id, i) => ({ person_id, hours: edited && i === 0 ? 2 : 2.5 })),
  }
}

/** One round: every client pushes its batches of new events, then edits of them; each push's time (ms). */
async function round(clients: Client[], place: Place) {
  const created = new Map<Client, Array<{ id: string; revision: number; n: number }>>()
  const times = { creates: [] as number[], edits: [] as number[] }
  const push = async (kind: keyof typeof times, client: Client, changes: unknown[]) => {
    const started = performance.now()
    const outcomes = await asUser<Array<{ event_id: string; status: string; revision: number }>>(client.db,
      { sub: client.userId, role: 'authenticated' }, 'select public.push_event_changes($1) as result', [JSON.stringify(changes)])
    times[kind].push(performance.now() - started)
    const failed = outcomes.filter((o) => o.status !== 'applied')
    if (failed.length > 0) throw new Error(`ledger bench: ${failed.length} changes not applied, e.g. ${JSON.stringify(failed[0])}`)
    return outcomes
  }
  await Promise.all(clients.map(async (client) => {
    const mine: Array<{ id: string; revision: number; n: number }> = []
    for (let b = 0; b < BATCHES; b++) {
      const numbers = Array.from({ length: BATCH }, (_, i) => b * BATCH + i)
      const outcomes = await push('creates', client, numbers.map((n) => ({
        change_id: randomUUID(), event_id: randomUUID(), op: 'upsert', base_revision: null, event: fields(client, place, n, false),
      })))
      outcomes.forEach((o, i) => mine.push({ id: o.event_id, revision: o.revision, n: numbers[i]! }))
    }
    created.set(client, mine)
  }))
  await Promise.all(clients.map(async (client) => {
    const mine = created.get(client)!
    for (let b = 0; b < BATCHES; b++) {
      await push('edits', client, mine.slice(b * BATCH, (b + 1) * BATCH).map((e) => ({
        change_id: randomUUID(), event_id: e.id, op: 'upsert', base_revision: e.revision,
        event: fields(client, place, e.n, true),
      })))
    }
  }))
  return times
}

async function setAuditTrail(admin: pg.Client, on: boolean): Promise<void> {
  const verb = on ? 'enable' : 'disable'
  await admin.query(`alter table public.service_events ${verb} trigger z_audit_insert, ${verb} trigger z_audit_update`)
  await admin.query(`alter table public.event_participants ${verb} trigger z_audit_insert, ${verb} trigger z_audit_update,
    ${verb} trigger z_audit_delete`)
}

const median = (values: number[]) => quantile([...values].sort((a, b) => a - b), 0.5)

export async function ledgerFigures(databaseUrl: string): Promise<Figure[]> {
  const admin = new pg.Client({ connectionString: databaseUrl })
  await admin.connect()
  const figures: Figure[] = []
  const teamId = randomUUID()
  await admin.query(`insert into public.teams (id, name, chamber) values ($1, $2, '台账基准商会')`, [teamId, `台账基准队 ${teamId}`])
  const { rows: stationRows } = await admin.query<{ id: string }>(`select id::text from public.stations order by name`)
  const { rows: monthRows } = await admin.query<{ id: string }>(
    `select id::text from public.theme_months where month between '2023-01-01' and '2023-12-01' order by month`)
  const months = monthRows.map((r) => r.id)
  const place: Place = { teamId, stations: stationRows.map((r) => r.id), months }
  const clients = await makeClients(databaseUrl, admin, teamId)

  // 6a. The audit trail's cost to the push: each round measures both ways, in alternating order,
  // so that both meet the same moments of a shared machine.
  const times = { with: { creates: [] as number[][], edits: [] as number[][] }, without: { creates: [] as number[][], edits: [] as number[][] } }
  await round(clients, place) // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    for (const on of r % 2 === 0 ? [false, true] : [true, false]) {
      await setAuditTrail(admin, on)
      const result = await round(clients, place)
      times[on ? 'with' : 'without'].creates.push(result.creates)
      times[on ? 'with' : 'without'].edits.push(result.edits)
    }
  }
  await setAuditTrail(admin, true)
  // Each push's time, all rounds pooled; events/s from the median push.
  const rate = (rounds: number[][]) => BATCH / (median(rounds.flat()) / 1000)
  for (const kind of ['creates', 'edits'] as const) {
    const [value, baseline] = [rate(times.with[kind]), rate(times.without[kind])]
    const cost = baseline / value - 1
    figures.push(ratioFigure(SECTION, `push with the audit trail, ${kind === 'creates' ? 'new events' : 'edits (fields and participants)'}`,
      value, 'events/s', 'same pushes, trail triggers off', baseline,
      `the trail costs ${(cost * 100).toFixed(0)}% (target at most ${AUDIT_COST_TARGET * 100}%): ${cost <= AUDIT_COST_TARGET ? 'met' : 'MISSED'}; median push of ${ROUNDS} rounds × ${CLIENTS * BATCHES}`,
      bootstrapPairedRatio(times.with[kind], times.without[kind], (w, wo) => rate(w) / rate(wo))))
  }

  // 6b. Closing a station × month of 10,000 events.
  const stationId = randomUUID()
  await admin.query(`insert into public.stations (id, name, address) values ($1, $2, '基准地址')`, [stationId, `台账基准结账站 ${stationId}`])
  const monthId = months[2]!
  await admin.query(`insert into public.service_events (id, station_id, team_id, theme_month_id, started_at, ended_at, title,
      people_served, funds_fen, recorded_by, person_in_charge)
    select gen_random_uuid(), $1, $2, $3, make_timestamptz(2023, 3, 1 + n % 28, 9, 0, 0, 'Asia/Shanghai'),
      make_timestamptz(2023, 3, 1 + n % 28, 12, 0, 0, 'Asia/Shanghai'), '结账基准活动', n % 40, (n % 50) * 100, $4, $5
    from generate_series(1, $6) n`, [stationId, teamId, monthId, clients[0]!.userId, clients[0]!.members[0], CLOSE_EVENTS])
  await admin.query(`insert into public.event_participants (event_id, person_id, hours)
    select e.id, p, 2.5 from public.service_events e, unnest($2::uuid[]) p where e.station_id = $1`, [stationId, clients[0]!.members])
  await admin.query('analyze')
  const coordinator = (await admin.query<{ id: string }>(`select md5('user-coordinator@demo.local')::uuid::text as id`)).rows[0]!.id
  const claims = { sub: coordinator, role: 'authenticated' }
  // Closes and the baseline's reads alternate (in alternating order); the reopening that lets the
  // next close make a new version is not timed.
  const readSnapshot = () => admin.query(`select jsonb_build_object(
      'hash', sha256(convert_to(private.period_content($1, $2), 'UTF8')),
      'events', (select jsonb_object_agg(e.id, e.revision) from public.service_events e
                 where e.station_id = $1 and e.theme_month_id = $2 and e.deleted_at is null),
      'volunteers', (select jsonb_object_agg(v.person_id, v.hours) from public.station_month_volunteers v
                     where v.station_id = $1 and v.theme_month_id = $2))`, [stationId, monthId])
  const closeTimes: number[] = []
  const readTimes: number[] = []
  for (let i = 0; i < CLOSES + 1; i++) {
    for (const which of i % 2 === 0 ? ['close', 'reads'] : ['reads', 'close']) {
      const started = performance.now()
      if (which === 'reads') {
        // As the database's owner, as close_period (security definer) reads: no row-level security.
        await readSnapshot()
      } else {
        await asUser(admin, claims, 'select public.close_period($1, $2, $3) is not null as result', [stationId, monthId, '基准结账'])
      }
      const time = performance.now() - started
      if (i > 0) (which === 'close' ? closeTimes : readTimes).push(time)
      if (which === 'close') {
        await asUser(admin, claims, 'select public.reopen_period($1, $2, $3) is not null as result', [stationId, monthId, '基准重开'])
      }
    }
  }
  const [close, reads] = [summarize(closeTimes), summarize(readTimes)]
  figures.push(ratioFigure(SECTION, `close_period of a station × month of ${CLOSE_EVENTS} events`, close.p50, 'ms',
    "the snapshot's reads alone, no writes", reads.p50, `p50 of ${CLOSES} each, alternating; close p95 ${close.p95.toFixed(0)} ms`,
    quantileRatioInterval(close, reads, 0.5)))

  for (const client of clients) await client.db.end()
  await admin.end()
  return figures
}
