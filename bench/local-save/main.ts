// The page of the local-save benchmark (bench/local-save.ts drives it in headless Chromium).
// It times the app's real save path, LocalDb.saveEvent (the event and its outbox entry in one
// transaction, as the events store saves), against a bare IndexedDB put of the same record into
// a plain object store, both on databases pre-filled with the same number of events, alternating
// one save of each so that both see the same moments of a noisy machine.
import type { LocalEvent } from '../../src/domain/types.ts'
import { openLocalDb } from '../../src/local/db.ts'
import type { OutboxEntry } from '../../src/local/outbox.ts'
import { fieldsOf } from '../../src/sync/plans.ts'
import { summarize, type Samples } from '../measure.ts'

export interface LocalSaveOptions {
  prefill: number
  saves: number
  warmup: number
}

export interface LocalSaveResult {
  app: Samples
  bare: Samples
  /** What the app's database holds afterwards: proof the timed saves did their whole work. */
  appEvents: number
  appOutbox: number
  bareEvents: number
}

declare global {
  interface Window {
    localSaveBench(options: LocalSaveOptions): Promise<LocalSaveResult>
  }
}

const STATION = crypto.randomUUID()
const TEAM = crypto.randomUUID()
const MONTH = crypto.randomUUID()
const PEOPLE = Array.from({ length: 4 }, () => crypto.randomUUID())

/** A typical event: a few participants, short texts, as a volunteer logs one. */
function eventRecord(n: number, syncState: LocalEvent['syncState']): LocalEvent {
  return {
    id: crypto.randomUUID(),
    station_id: STATION,
    team_id: TEAM,
    theme_month_id: MONTH,
    started_at: '2023-03-05T09:00:00+08:00',
    ended_at: '2023-03-05T12:00:00+08:00',
    title: `学雷锋志愿服务活动 ${n}`,
    note: '社区义诊,测量血压,发放健康手册。',
    people_served: 40,
    funds_fen: 120_000,
    materials_fen: 35_000,
    materials_description: '药品和健康包',
    participants: PEOPLE.map((person_id) => ({ person_id, hours: 2.5 })),
    deleted: false,
    syncState,
    failure: null,
    conflictReason: null,
    serverRevision: syncState === 'synced' ? n : null,
    server: null,
    recordedBy: PEOPLE[0]!,
    savedAt: new Date().toISOString(),
  }
}

function done(request: IDBRequest | IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    if (request instanceof IDBTransaction) {
      request.oncomplete = () => resolve()
      request.onabort = () => reject(request.error)
    } else {
      request.onsuccess = () => resolve()
    }
    request.onerror = () => reject(request.error)
  })
}

async function openBare(name: string): Promise<IDBDatabase> {
  const request = indexedDB.open(name, 1)
  request.onupgradeneeded = () => request.result.createObjectStore('events', { keyPath: 'id' })
  await done(request)
  return request.result
}

async function bareCount(db: IDBDatabase): Promise<number> {
  const request = db.transaction('events').objectStore('events').count()
  await done(request)
  return request.result
}

window.localSaveBench = async ({ prefill, saves, warmup }) => {
  const suffix = crypto.randomUUID()
  const app = await openLocalDb(`bench-app-${suffix}`)
  const bare = await openBare(`bench-bare-${suffix}`)

  // The same synced history in both, each in one transaction (not what is measured).
  const history = Array.from({ length: prefill }, (_, n) => eventRecord(n, 'synced'))
  await app.mutate([], () => ({ putEvents: history }))
  const fill = bare.transaction('events', 'readwrite')
  for (const record of history) fill.objectStore('events').put(record)
  await done(fill)

  // What the events store hands to saveEvent; built before the clock starts.
  const prepare = (n: number): { record: LocalEvent; change: OutboxEntry } => {
    const record = eventRecord(n, 'pending')
    return {
      record,
      change: { change_id: crypto.randomUUID(), event_id: record.id, op: 'upsert', fields: fieldsOf(record), queued_at: record.savedAt, sent: false },
    }
  }
  const appSave = ({ record, change }: ReturnType<typeof prepare>) => app.saveEvent(record, change)
  const bareSave = ({ record }: ReturnType<typeof prepare>) => {
    const tx = bare.transaction('events', 'readwrite')
    tx.objectStore('events').put(record)
    return done(tx)
  }

  const appTimes: number[] = []
  const bareTimes: number[] = []
  for (let i = 0; i < warmup + saves; i++) {
    const measured = i >= warmup
    const input = prepare(prefill + i)
    // Alternate which goes first, so neither always follows the other's disk flush.
    const pair = [[appSave, appTimes], [bareSave, bareTimes]] as const
    for (const [save, times] of i % 2 === 0 ? pair : [...pair].reverse()) {
      const started = performance.now()
      await save(input)
      if (measured) times.push(performance.now() - started)
    }
  }

  const result: LocalSaveResult = {
    app: summarize(appTimes),
    bare: summarize(bareTimes),
    appEvents: (await app.listEvents()).length,
    appOutbox: (await app.listOutbox()).length,
    bareEvents: await bareCount(bare),
  }
  app.close()
  bare.close()
  return result
}
