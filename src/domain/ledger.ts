// The ledger's figures as the coordinators read them, without I/O: the state of a station x theme
// month (open, closed and final, adjusted after a close), what an adjustment request would change
// in its event, and which fields an entry of an event's history changed.
import type { Uuid } from './types'

/** One station x theme month as the server's period_statuses view gives it. */
export interface PeriodStatus {
  station_id: Uuid
  theme_month_id: Uuid
  status: 'open' | 'closed'
  /** The latest snapshot version; null when never closed. */
  version: number | null
  /** An approved adjustment wrote a snapshot of it at some time. */
  adjusted: boolean
  events: number
  confirmed: number
  closed_at: string | null
  /** The closer's name. */
  closed_by: string | null
}

/** What a station x month figure is: still open, closed (final), or closed after an adjustment. */
export type PeriodState = 'open' | 'closed' | 'adjusted'

export function periodState(status: Pick<PeriodStatus, 'status' | 'adjusted'>): PeriodState {
  if (status.status === 'open') return 'open'
  return status.adjusted ? 'adjusted' : 'closed'
}

export function unconfirmedOf(status: Pick<PeriodStatus, 'events' | 'confirmed'>): number {
  return Math.max(0, status.events - status.confirmed)
}

/** The statuses by "station id:theme month id". */
export function statusIndex(statuses: readonly PeriodStatus[]): Map<string, PeriodStatus> {
  return new Map(statuses.map((s) => [periodKey(s.station_id, s.theme_month_id), s]))
}

export function periodKey(stationId: Uuid, themeMonthId: Uuid): string {
  return `${stationId}:${themeMonthId}`
}

/** A year's report is final when it has periods and every one of them is closed. */
export interface YearFinality {
  periods: number
  closed_periods: number
  is_final: boolean
}

export function yearState(report: YearFinality): 'final' | 'provisional' | 'empty' {
  if (report.periods === 0) return 'empty'
  return report.is_final ? 'final' : 'provisional'
}

/**
 * One changed value: a field of the event (from undefined: set on creation), or one participant's
 * hours (person set; null hours: not taking part).
 */
export interface FieldChange {
  field: string
  person?: Uuid
  from: unknown
  to: unknown
}

/** The event's fields a person reads, in the order the form shows them. */
export const EVENT_FIELDS = [
  'title', 'service_content', 'station_id', 'team_id', 'theme_month_id', 'started_at', 'ended_at', 'place',
  'organizing_unit', 'person_in_charge', 'people_served', 'funds_fen', 'materials_fen', 'materials_description',
  'note', 'recorded_at', 'confirmed_at', 'deleted_at',
] as const

const SHOWN = new Set<string>(EVENT_FIELDS)
const order = (field: string) => EVENT_FIELDS.indexOf(field as (typeof EVENT_FIELDS)[number])

/** An event's fields and participants, as the server holds them or as a request would write them. */
export interface EventValues {
  [field: string]: unknown
  participants?: readonly { person_id: Uuid; hours: number }[] | null
}

/** Each participant whose hours differ, by person, sorted by person id for a stable order. */
function participantChanges(before: EventValues['participants'], after: EventValues['participants']): FieldChange[] {
  const from = new Map((before ?? []).map((p) => [p.person_id, Number(p.hours)]))
  const to = new Map((after ?? []).map((p) => [p.person_id, Number(p.hours)]))
  return [...new Set([...from.keys(), ...to.keys()])]
    .sort()
    .filter((person) => from.get(person) !== to.get(person))
    .map((person) => ({ field: 'participants', person, from: from.get(person) ?? null, to: to.get(person) ?? null }))
}

/** Equal as the database compares them: numbers as numbers, instants as instants. */
function same(a: unknown, b: unknown): boolean {
  if ((a ?? '') === (b ?? '')) return true
  if (typeof a === 'number' || typeof b === 'number') return Number(a) === Number(b)
  if (typeof a === 'string' && typeof b === 'string') {
    const [x, y] = [Date.parse(a), Date.parse(b)]
    return /^\d{4}-\d\d-\d\dT/.test(a) && !Number.isNaN(x) && x === y
  }
  return false
}

export type RequestKind = 'create' | 'edit' | 'delete'

/**
 * What an adjustment request would change: a delete (no fields), a new event (no current one),
 * or the fields and participants that differ from the event as it is now.
 */
export function requestedChanges(
  current: EventValues | null,
  fields: EventValues | null,
): { kind: RequestKind; changes: FieldChange[] } {
  if (!fields) return { kind: 'delete', changes: [] }
  const before: EventValues = current ?? {}
  const changes = EVENT_FIELDS.filter((f) => f in fields && !same(before[f], fields[f])).map((field) => ({
    field,
    from: current ? (before[field] ?? null) : undefined,
    to: fields[field] ?? null,
  }))
  return { kind: current ? 'edit' : 'create', changes: [...changes, ...participantChanges(current?.participants, fields.participants)] }
}

/** One entry of an event's history as event_history() returns it. */
export interface HistoryEntry {
  id: number
  at: string
  actor: Uuid | null
  actor_name: string | null
  actor_role: string
  subject: 'event' | 'adjustment_request' | 'correction_request' | 'period'
  action: string
  revision: number | null
  changes: Record<string, unknown>
}

/** What a request entry says that a person reads (its fields are the event's own entry when applied). */
const REQUEST_FIELDS = ['status', 'reason', 'note', 'decision_reason', 'resolution']

/**
 * The changed values of a history entry: an event's insert (and a request's) sets each field, an
 * edit changes [from, to] pairs, a participants entry changes each person's hours; a request's
 * entry its status and words. Server stamps nobody reads (the confirmer's account id) are left out.
 */
export function historyChanges(entry: Pick<HistoryEntry, 'subject' | 'action' | 'changes'>): FieldChange[] {
  const pairs = Object.entries(entry.changes)
  if (entry.action === 'participants') {
    return pairs
      .map(([person, value]) => {
        const [from, to] = Array.isArray(value) ? value : [null, value]
        return { field: 'participants', person, from: from ?? null, to: to ?? null }
      })
      .sort((a, b) => a.person.localeCompare(b.person))
  }
  const shown = entry.subject === 'event' ? SHOWN : new Set(REQUEST_FIELDS)
  const changes = pairs
    .filter(([field]) => shown.has(field))
    .map(([field, value]) =>
      entry.action === 'insert' || entry.action === 'request' || !Array.isArray(value)
        ? { field, from: undefined, to: Array.isArray(value) ? value[1] : value }
        : { field, from: value[0] ?? null, to: value[1] ?? null },
    )
  if (entry.subject !== 'event') return changes.sort((a, b) => REQUEST_FIELDS.indexOf(a.field) - REQUEST_FIELDS.indexOf(b.field))
  return changes.sort((a, b) => order(a.field) - order(b.field))
}

/** The rule a team's recording unit breaks as the database checks it (1 to 100 characters after trimming), if any. */
export function recordingUnitRule(text: string): 'teams_recording_unit_length' | null {
  const length = [...text.trim()].length
  return length >= 1 && length <= 100 ? null : 'teams_recording_unit_length'
}

/** The rule a calendar day's note breaks (at most 100 characters after trimming), if any. */
export function calendarNoteRule(text: string): 'work_calendar_note_length' | null {
  return [...text.trim()].length <= 100 ? null : 'work_calendar_note_length'
}
