// The cost of the device report (issue 12): after every sync round that reaches the server the
// phone sends one report (src/sync/device-reporter.ts). Measured on one sync round pushing 100
// queued events through the real engine, the app's client (its password Auth + postgrest-js) and the real
// PostgREST, with the report (the round plus its report, until both are through) against the
// same round without it, alternating, in the same run on the same stack. The report's own time is
// in the note, as a share of the round (target: under 5%). The phone's IndexedDB is
// fake-indexeddb (this runs in node), the same for both.
import 'fake-indexeddb/auto'
import { createHash, randomUUID } from 'node:crypto'
import { createApiClient } from '../src/api/api-client.ts'
import type { ServiceEventFields } from '../src/domain/types.ts'
import { openLocalDb } from '../src/local/db.ts'
import { createDeviceReporter } from '../src/sync/device-reporter.ts'
import { SyncEngine, systemClock } from '../src/sync/engine.ts'
import { pendingVersion } from '../src/sync/plans.ts'
import { createSupabaseTransport } from '../src/sync/transport.ts'
import type { Stack } from '../scripts/stack/stack.ts'
import { ratioFigure, summarize, type Figure } from './measure.ts'

const SECTION = '3 sync'
const EVENTS = 100
const ROUNDS = 7

/** The seed's ids are md5 of a name (supabase/seed.sql). */
function seedId(name: string): string {
  const hex = createHash('md5').update(name).digest('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** Event n of volunteer@demo.local's team in 2023. */
function eventFields(n: number): ServiceEventFields {
  const month = 1 + (n % 12)
  const mm = String(month).padStart(2, '0')
  const day = String(1 + (n % 27)).padStart(2, '0')
  return {
    station_id: seedId(`station-${1 + (n % 10)}`),
    team_id: seedId('team-1'),
    theme_month_id: seedId(`month-${month}`),
    started_at: `2023-${mm}-${day}T09:00:00+08:00`,
    ended_at: `2023-${mm}-${day}T12:00:00+08:00`,
    title: `设备报告基准 ${n}`,
    note: '',
    people_served: 10,
    funds_fen: 50_000,
    materials_fen: 0,
    materials_description: '',
    participants: [2, 3, 4].map((p) => ({ person_id: seedId(`person-${p}`), hours: 2.5 })),
  }
}

/** One phone, up to date, with 100 events queued; syncs once and reports how long it took. */
async function oneRound(stack: Stack, withReport: boolean): Promise<{ roundMs: number; reportMs: number | null }> {
  const client = createApiClient(stack.apiUrl, stack.anonKey, { storageKey: `bench-${randomUUID()}`, persistSession: false })
  const { data, error } = await client.auth.signInWithPassword({ email: 'volunteer@demo.local', password: 'demo1234' })
  if (error) throw error
  const db = await openLocalDb(`bench-report-${randomUUID()}`)
  const transport = createSupabaseTransport(client, data.user.id)
  const reporter = createDeviceReporter({
    db, transport, clock: systemClock, deviceId: async () => randomUUID(), appVersion: 'bench',
    storage: async () => ({ persisted: true, usageBytes: 1_000_000, quotaBytes: 1_000_000_000 }),
  })
  let reportMs: number | null = null
  const report = async () => {
    const started = performance.now()
    await reporter()
    reportMs = performance.now() - started
  }
  const engine = new SyncEngine({
    db, transport, clock: systemClock, random: Math.random, lock: async (task) => ({ ran: true, value: await task() }),
    report: withReport ? report : undefined,
  })
  try {
    await engine.syncNow()
    await engine.idle()
    for (let n = 0; n < EVENTS; n++) {
      const id = randomUUID()
      const now = new Date().toISOString()
      const fields = eventFields(n)
      await db.saveEvent(pendingVersion(id, fields, undefined, data.user.id, now), {
        change_id: randomUUID(), event_id: id, op: 'upsert', fields, queued_at: now, sent: false,
      })
    }
    reportMs = null
    const started = performance.now()
    const result = await engine.syncNow()
    await engine.idle()
    const roundMs = performance.now() - started
    if (result.status !== 'synced' || result.pushed !== EVENTS || (withReport && reportMs === null)) {
      throw new Error(`device report bench: round incomplete ${JSON.stringify({ result, reportMs })}`)
    }
    return { roundMs, reportMs }
  } finally {
    engine.stop()
    db.close()
  }
}

export async function deviceReportFigures(stack: Stack): Promise<Figure[]> {
  // Warms PostgREST's connections and Postgres's plans for both alike.
  await oneRound(stack, true)
  await oneRound(stack, false)
  const withReport: number[] = []
  const without: number[] = []
  const reports: number[] = []
  for (let round = 0; round < ROUNDS; round++) {
    const measured = await oneRound(stack, true)
    withReport.push(measured.roundMs)
    reports.push(measured.reportMs!)
    without.push((await oneRound(stack, false)).roundMs)
  }
  const [w, wo, r] = [summarize(withReport).p50, summarize(without).p50, summarize(reports).p50]
  return [
    ratioFigure(SECTION, `one sync round pushing ${EVENTS} events, with the device report (median of ${ROUNDS})`, w, 'ms',
      'the same round without the report', wo,
      `the report itself ${r.toFixed(1)} ms = ${((100 * r) / wo).toFixed(1)}% of the round (target under 5%); not awaited by the round's result`),
  ]
}
