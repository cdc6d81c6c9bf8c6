// What a phone tells the server about itself after a sync round (issue 12): the changes it holds
// that the server does not have, what they would add to the totals, and its health (storage, app
// version, clock). Coordinators read these reports to see what is still on the phones.
// Pure: src/sync/device-reporter.ts gathers the inputs and sends the report.
import type { LocalEvent, ServiceEventFields, Uuid } from './types'
import { shanghaiMonthOf } from './time'
import { hundredthsOfHours } from './validation'

/** A queued change as the report needs it (an outbox entry, in queue order). */
export interface QueuedChange {
  change_id: Uuid
  event_id: Uuid
  /** When it was queued (ISO 8601, the phone's clock). */
  queued_at: string
}

/**
 * What one waiting event adds to (or, for an edit or a delete, takes from) the totals of one
 * station x theme month x team. An event moved to another station or month has two entries.
 */
export interface WaitingEntry {
  event_id: Uuid
  /** The event's latest queued change: once the server has it, the entry no longer counts. Null when none is queued (refused or in conflict). */
  change_id: Uuid | null
  team_id: Uuid
  station_id: Uuid
  /** Null when the phone knows no theme month for the event's month (the server makes it on first use). */
  theme_month_id: Uuid | null
  /** First day (YYYY-MM-01) of the Shanghai month the event starts in. */
  month: string
  /** +1 a new event, -1 a deleted one, 0 an edit. */
  events: number
  people_served: number
  funds_fen: number
  materials_fen: number
  /** Participant hours. */
  hours: number
}

/** What the browser says of the app's storage; null where it does not say. */
export interface StorageState {
  persisted: boolean | null
  usageBytes: number | null
  quotaBytes: number | null
}

/** The report as report_device takes it (supabase/migrations/20261201005000_device_reports.sql). */
export interface DeviceReport {
  device_id: Uuid
  app_version: string
  waiting_changes: number
  waiting_events: number
  parked_failures: number
  /** How long ago the oldest queued change was saved (seconds), null when none is queued. */
  oldest_waiting_seconds: number | null
  waiting: WaitingEntry[]
  storage_persisted: boolean | null
  storage_usage_bytes: number | null
  storage_quota_bytes: number | null
  /** The phone's clock minus the server's, as last measured; null before the first measurement. */
  clock_offset_ms: number | null
}

export interface ReportInput {
  deviceId: Uuid
  appVersion: string
  /** The phone's clock now (ms since the epoch). */
  now: number
  events: readonly LocalEvent[]
  /** The outbox, in queue order. */
  outbox: readonly QueuedChange[]
  storage: StorageState
  clockOffsetMs: number | null
}

/** A clock this far from the server's gets a warning: new events' dates default from it. */
export const CLOCK_WARNING_MS = 10 * 60_000

/**
 * Whether what the user did to an event is not on the server yet: a change or request is queued,
 * or the server refused it or holds another version (it waits for the user). An adjustment
 * request already sent is on the server: that is not unsynced.
 */
export function isUnsynced(record: LocalEvent, queued: ReadonlySet<Uuid>): boolean {
  return queued.has(record.id) || isParked(record)
}

/** Refused or in conflict: it waits for the user, not for the network. */
export function isParked(record: LocalEvent): boolean {
  return record.syncState === 'failed' || record.syncState === 'conflict'
}

interface Figures {
  events: number
  people_served: number
  funds_fen: number
  materials_fen: number
  hundredths: number
}

function figuresOf(fields: ServiceEventFields, sign: 1 | -1): Figures {
  // + 0 turns -0 into 0.
  const signed = (value: number) => sign * value + 0
  return {
    events: sign,
    people_served: signed(fields.people_served),
    funds_fen: signed(fields.funds_fen),
    materials_fen: signed(fields.materials_fen),
    hundredths: signed(fields.participants.reduce((sum, p) => sum + hundredthsOfHours(p.hours), 0)),
  }
}

// A saved event's start is always a valid instant (the form and the outbox check it).
const monthOf = (fields: ServiceEventFields): string => shanghaiMonthOf(fields.started_at) ?? ''

const keyOf = (fields: ServiceEventFields): string => `${fields.station_id}|${monthOf(fields)}|${fields.team_id}`

/**
 * What an unsynced event would change in the totals: the phone's version (unless deleted) minus
 * the server's version it last saw (unless there is none, or it is deleted), per key.
 */
export function waitingEntries(record: LocalEvent, changeId: Uuid | null): WaitingEntry[] {
  const mine = record.deleted ? null : record
  const theirs = record.server && !record.server.deleted ? record.server.fields : null
  const parts = new Map<string, { fields: ServiceEventFields; figures: Figures }>()
  const add = (fields: ServiceEventFields, sign: 1 | -1) => {
    const figures = figuresOf(fields, sign)
    const part = parts.get(keyOf(fields))
    if (!part) {
      parts.set(keyOf(fields), { fields, figures })
      return
    }
    for (const name of Object.keys(figures) as (keyof Figures)[]) part.figures[name] += figures[name]
  }
  if (mine) add(mine, 1)
  if (theirs) add(theirs, -1)
  return [...parts.values()].map(({ fields, figures }) => ({
    event_id: record.id,
    change_id: changeId,
    team_id: fields.team_id,
    station_id: fields.station_id,
    theme_month_id: fields.theme_month_id,
    month: monthOf(fields),
    events: figures.events,
    people_served: figures.people_served,
    funds_fen: figures.funds_fen,
    materials_fen: figures.materials_fen,
    hours: figures.hundredths / 100,
  }))
}

export function buildDeviceReport(input: ReportInput): DeviceReport {
  const latestChange = new Map<Uuid, Uuid>()
  for (const change of input.outbox) latestChange.set(change.event_id, change.change_id)
  const queued = new Set(latestChange.keys())
  const unsynced = input.events.filter((record) => isUnsynced(record, queued))
  const oldest = input.outbox.reduce<number | null>((min, change) => {
    const at = Date.parse(change.queued_at)
    return Number.isNaN(at) || (min !== null && min <= at) ? min : at
  }, null)
  return {
    device_id: input.deviceId,
    app_version: input.appVersion,
    waiting_changes: input.outbox.length,
    waiting_events: unsynced.length,
    parked_failures: unsynced.filter(isParked).length,
    oldest_waiting_seconds: oldest === null ? null : Math.max(0, Math.round((input.now - oldest) / 1000)),
    waiting: unsynced.flatMap((record) => waitingEntries(record, latestChange.get(record.id) ?? null)),
    storage_persisted: input.storage.persisted,
    storage_usage_bytes: input.storage.usageBytes === null ? null : Math.round(input.storage.usageBytes),
    storage_quota_bytes: input.storage.quotaBytes === null ? null : Math.round(input.storage.quotaBytes),
    clock_offset_ms: input.clockOffsetMs === null ? null : Math.round(input.clockOffsetMs),
  }
}

/**
 * How far the phone's clock is ahead of the server's (negative: behind), from one request: the
 * server read its clock somewhere between sending and receiving, the midpoint is the best guess.
 */
export function clockOffsetMs(sentAt: number, receivedAt: number, serverTimeMs: number): number {
  return Math.round((sentAt + receivedAt) / 2 - serverTimeMs)
}
