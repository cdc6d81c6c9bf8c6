// Tiny builders and fakes shared by the unit tests.
import type { LocalEvent, ServiceEventFields } from '../../../src/domain/types'
import { openLocalDb, type LocalDb } from '../../../src/local/db'
import type { Clock } from '../../../src/sync/engine'

export const STATION = '00000000-0000-4000-8000-000000000001'
export const STATION_2 = '00000000-0000-4000-8000-000000000002'
export const TEAM = '00000000-0000-4000-8000-0000000000a1'
export const MARCH = '00000000-0000-4000-8000-0000000000c3'
export const APRIL = '00000000-0000-4000-8000-0000000000c4'
export const PERSON = '00000000-0000-4000-8000-0000000000e1'
export const PERSON_2 = '00000000-0000-4000-8000-0000000000e2'
export const USER = '00000000-0000-4000-8000-0000000000f1'

export function eventFields(overrides: Partial<ServiceEventFields> = {}): ServiceEventFields {
  return {
    station_id: STATION,
    team_id: TEAM,
    theme_month_id: MARCH,
    started_at: '2023-03-05T09:00:00+08:00',
    ended_at: '2023-03-05T12:00:00+08:00',
    title: '社区义诊',
    note: '',
    people_served: 40,
    funds_fen: 120_000,
    materials_fen: 0,
    materials_description: '',
    participants: [{ person_id: PERSON, hours: 3 }],
    ...overrides,
  }
}

export function pendingRecord(id: string, fields: ServiceEventFields = eventFields(), overrides: Partial<LocalEvent> = {}): LocalEvent {
  return {
    ...fields,
    id,
    deleted: false,
    syncState: 'pending',
    failure: null,
    conflictReason: null,
    serverRevision: null,
    server: null,
    recordedBy: USER,
    savedAt: '2023-03-05T12:00:00.000Z',
    ...overrides,
  }
}

let dbCounter = 0
/** A fresh database on fake-indexeddb (import 'fake-indexeddb/auto' in the test file). */
export async function freshDb(): Promise<{ db: LocalDb; name: string }> {
  const name = `test-ledger-${++dbCounter}-${Math.random().toString(36).slice(2)}`
  return { db: await openLocalDb(name), name }
}

/** mulberry32: a small seeded PRNG, so random tests are reproducible from their seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Counter-based UUIDs, so tests are reproducible. */
export function sequentialIds(prefix = 'a'): () => string {
  let n = 0
  return () => {
    n += 1
    const hex = n.toString(16).padStart(12, '0')
    return `${prefix.repeat(8).slice(0, 8)}-0000-4000-8000-${hex}`
  }
}

/** A clock tests move by hand; timers fire when it passes their time. */
export class FakeClock implements Clock {
  private timers: { id: number; at: number; callback: () => void }[] = []
  private nextId = 1
  constructor(public current = Date.parse('2023-03-06T00:00:00Z')) {}

  now(): number {
    return this.current
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++
    this.timers.push({ id, at: this.current + ms, callback })
    return id
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((timer) => timer.id !== handle)
  }

  /** Delays of the timers now pending, from now. */
  pendingDelays(): number[] {
    return this.timers.map((timer) => timer.at - this.current)
  }

  advance(ms: number): void {
    const until = this.current + ms
    for (;;) {
      const due = this.timers.filter((timer) => timer.at <= until).sort((a, b) => a.at - b.at)[0]
      if (!due) break
      this.timers = this.timers.filter((timer) => timer !== due)
      this.current = due.at
      due.callback()
    }
    this.current = until
  }
}
