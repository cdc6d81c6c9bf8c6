// Sync figures (issue 5, item 3): a phone drains 1,000 events queued offline through the real
// sync engine, the app's Supabase client (its password Auth + postgrest-js) and the real PostgREST into
// Postgres (row-level security, totals triggers and all), in the engine's normal batches against
// one request per event (batch size 1), in the same run on the same stack. The phone's IndexedDB
// is fake-indexeddb (this runs in node), the same for both modes.
import 'fake-indexeddb/auto'
import { createHash, randomUUID } from 'node:crypto'
import pg from 'pg'
import { createApiClient } from '../src/api/api-client.ts'
import type { LocalEvent, ServiceEventFields } from '../src/domain/types.ts'
import { openLocalDb, type LocalDb } from '../src/local/db.ts'
import { SyncEngine, systemClock } from '../src/sync/engine.ts'
import type { LockRunner } from '../src/sync/lock.ts'
import { createSupabaseTransport, type SyncTransport } from '../src/sync/transport.ts'
import type { Stack } from '../scripts/stack/stack.ts'
import { bootstrapRatio, ratioFigure, type Figure } from './measure.ts'

const SECTION = '3 sync'

/** One phone: one engine drains its queue; no other tab competes for the lock. */
const ownLock: LockRunner = async (task) => ({ ran: true, value: await task() })

/** The seed's ids are md5 of a name (supabase/seed.sql): md5(name)::uuid, computed here. */
function seedId(name: string): string {
  const hex = createHash('md5').update(name).digest('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

const TEAM = seedId('team-1')
const MEMBERS = [2, 3, 4].map((n) => seedId(`person-${n}`))

/** Event n of volunteer@demo.local's team, spread over the 2023 stations × theme months. */
function eventFields(n: number): ServiceEventFields {
  const month = 1 + (n % 12)
  const day = String(1 + (n % 27)).padStart(2, '0')
  const mm = String(month).padStart(2, '0')
  return {
    station_id: seedId(`station-${1 + (n % 10)}`),
    team_id: TEAM,
    theme_month_id: seedId(`month-${month}`),
    started_at: `2023-${mm}-${day}T09:00:00+08:00`,
    ended_at: `2023-${mm}-${day}T12:00:00+08:00`,
    title: `同步基准活动 ${n}`,
    note: '',
    people_served: 10,
    funds_fen: 50_000,
    materials_fen: 0,
    materials_description: '',
    participants: MEMBERS.map((person_id) => ({ person_id, hours: 2.5 })),
  }
}

/** Queues events as the events store does: the event and its outbox entry in one transaction. */
async function queueEvents(db: LocalDb, count: number, userId: string): Promise<string[]> {
  const ids: string[] = []
  for (let n = 0; n < count; n++) {
    const fields = eventFields(n)
    const id = randomUUID()
    const now = new Date().toISOString()
    const record: LocalEvent = {
      ...fields, id, deleted: false, syncState: 'pending', failure: null, conflictReason: null,
      serverRevision: null, server: null, recordedBy: userId, savedAt: now,
    }
    await db.saveEvent(record, { change_id: randomUUID(), event_id: id, op: 'upsert', fields, queued_at: now, sent: false })
    ids.push(id)
  }
  return ids
}

/** The transport, noting each push (when, how many changes) and when the engine moved on to pulling. */
function observed(inner: SyncTransport) {
  const seen = { pushes: [] as Array<{ at: number; changes: number }>, pullStartedAt: null as number | null }
  const transport: SyncTransport = {
    push: (changes) => {
      seen.pushes.push({ at: performance.now(), changes: changes.length })
      return inner.push(changes)
    },
    pull: (after, maxRows) => {
      seen.pullStartedAt ??= performance.now()
      return inner.pull(after, maxRows)
    },
    myRequests: () => inner.myRequests(),
    fetchReference: () => inner.fetchReference(),
    saveProfile: (profile) => inner.saveProfile(profile),
    reportDevice: (report) => inner.reportDevice(report),
  }
  return { transport, seen }
}

/** One push and the engine's work up to the next one: the drain is these segments end to end. */
interface Segment {
  events: number
  milliseconds: number
}

function eventsPerSecond(segments: Segment[]): number {
  return segments.reduce((sum, s) => sum + s.events, 0) / (segments.reduce((sum, s) => sum + s.milliseconds, 0) / 1000)
}

interface Drain {
  eventsPerSecond: number
  segments: Segment[]
  requests: number
  /** The whole sync: the drain, then pulling the phone's own rows back. */
  syncSeconds: number
}

async function drain(stack: Stack, oracle: pg.Client, count: number, batchSize: number | undefined): Promise<Drain> {
  // The app's own client (its password Auth + postgrest-js), as the phone uses it.
  const client = createApiClient(stack.apiUrl, stack.anonKey, {
    storageKey: `bench-${randomUUID()}`,
    persistSession: false,
  })
  const { data, error } = await client.auth.signInWithPassword({ email: 'volunteer@demo.local', password: 'demo1234' })
  if (error) throw error
  const db = await openLocalDb(`bench-sync-${randomUUID()}`)
  const { transport, seen } = observed(createSupabaseTransport(client, data.user.id))
  const engine = new SyncEngine({ db, transport, clock: systemClock, random: Math.random, lock: ownLock, batchSize })
  try {
    // The phone is up to date before it goes offline, so the timed sync pulls back only its own rows.
    const first = await engine.syncNow()
    if (first.status !== 'synced') throw new Error(`sync bench: first sync ${JSON.stringify(first)}`)
    const ids = await queueEvents(db, count, data.user.id)
    seen.pushes = []
    seen.pullStartedAt = null

    const started = performance.now()
    const result = await engine.syncNow()
    const ended = performance.now()

    const { rows } = await oracle.query<{ n: number }>('select count(*)::int as n from public.service_events where id = any($1::uuid[])', [ids])
    const queued = new Set(ids)
    const synced = (await db.listEvents()).filter((event) => event.syncState === 'synced' && queued.has(event.id)).length
    if (result.status !== 'synced' || result.pushed !== count || rows[0]!.n !== count || synced !== count || (await db.listOutbox()).length > 0) {
      throw new Error(`sync bench: drain incomplete ${JSON.stringify({ result, onServer: rows[0]!.n, synced })}`)
    }
    // From the start to the second push, from each push to the next, from the last to the pull.
    const bounds = [started, ...seen.pushes.slice(1).map((p) => p.at), seen.pullStartedAt!]
    const segments = seen.pushes.map((p, i) => ({ events: p.changes, milliseconds: bounds[i + 1]! - bounds[i]! }))
    // A retried push would count its events twice.
    if (segments.reduce((sum, s) => sum + s.events, 0) !== count) throw new Error(`sync bench: ${seen.pushes.length} pushes sent other than ${count} changes`)
    return {
      eventsPerSecond: eventsPerSecond(segments),
      segments,
      requests: seen.pushes.length,
      syncSeconds: (ended - started) / 1000,
    }
  } finally {
    engine.stop()
    db.close()
  }
}

export async function syncFigures(stack: Stack, count = 1_000): Promise<Figure[]> {
  const oracle = new pg.Client({ connectionString: stack.databaseUrl })
  await oracle.connect()
  try {
    // Warms PostgREST's connections and Postgres's plans for both modes alike.
    await drain(stack, oracle, 50, undefined)
    const batched = await drain(stack, oracle, count, undefined)
    const single = await drain(stack, oracle, count, 1)
    return [
      ratioFigure(SECTION, `drain ${count} queued events, engine batches (${batched.requests} requests)`, batched.eventsPerSecond, 'events/s',
        `one request per event (${single.requests})`, single.eventsPerSecond,
        `batched ${(batched.eventsPerSecond / single.eventsPerSecond).toFixed(1)}x faster; whole sync with pull-back ${batched.syncSeconds.toFixed(1)} s vs ${single.syncSeconds.toFixed(1)} s`,
        bootstrapRatio(batched.segments, single.segments, (b, s) => eventsPerSecond(b) / eventsPerSecond(s))),
    ]
  } finally {
    await oracle.end()
  }
}
