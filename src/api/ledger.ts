// The ledger's calls for coordinators and admins (online only, under the server's row-level
// security): the statuses of station x theme months, closing and reopening them and their
// snapshot versions, adjustment requests and their decisions, an event's history, the year's
// report with its finality, each team's recording unit and the working-day calendar.
import type { EventValues, HistoryEntry, PeriodStatus, YearFinality } from '../domain/ledger'
import type { ProgramTotals, Uuid } from '../domain/types'
import { check, checkDone, client } from './online'

/** Numeric and bigint columns may arrive as strings. */
const num = (value: unknown): number => Number(value)

export async function fetchPeriodStatuses(): Promise<PeriodStatus[]> {
  const rows = check(
    await (await client())
      .from('period_statuses')
      .select('station_id, theme_month_id, status, version, adjusted, events, confirmed, closed_at, closed_by'),
  ) as Record<string, unknown>[]
  return rows.map((r) => ({
    station_id: String(r.station_id),
    theme_month_id: String(r.theme_month_id),
    status: r.status === 'closed' ? 'closed' : 'open',
    version: r.version === null ? null : num(r.version),
    adjusted: r.adjusted === true,
    events: num(r.events),
    confirmed: num(r.confirmed),
    closed_at: (r.closed_at as string | null) ?? null,
    closed_by: (r.closed_by as string | null) ?? null,
  }))
}

/** One snapshot of a closed station x theme month (period_closure_versions). */
export interface ClosureVersion {
  version: number
  closed_at: string
  closed_by_name: string | null
  override_reason: string | null
  unconfirmed: number
  adjusted: boolean
  totals: { events: number; people_served: number; volunteer_hours: number; funds_fen: number; materials_fen: number }
  event_count: number
  content_hash: string
  reopened_at: string | null
  reopened_by_name: string | null
  reopen_reason: string | null
}

export async function fetchClosureVersions(stationId: Uuid, themeMonthId: Uuid): Promise<ClosureVersion[]> {
  const rows = check(
    await (await client())
      .from('period_closure_versions')
      .select('version, closed_at, closed_by_name, override_reason, unconfirmed, adjusted, totals, event_count, content_hash, reopened_at, reopened_by_name, reopen_reason')
      .eq('station_id', stationId)
      .eq('theme_month_id', themeMonthId)
      .order('version'),
  ) as Record<string, unknown>[]
  return rows.map((r) => {
    const totals = (r.totals ?? {}) as Record<string, unknown>
    return {
      ...(r as unknown as ClosureVersion),
      version: num(r.version),
      unconfirmed: num(r.unconfirmed),
      event_count: num(r.event_count),
      totals: {
        events: num(totals.events),
        people_served: num(totals.people_served),
        volunteer_hours: num(totals.volunteer_hours),
        funds_fen: num(totals.funds_fen),
        materials_fen: num(totals.materials_fen),
      },
    }
  })
}

export async function closePeriod(stationId: Uuid, themeMonthId: Uuid, overrideReason: string | null): Promise<void> {
  checkDone(
    await (await client()).rpc('close_period', {
      p_station_id: stationId,
      p_theme_month_id: themeMonthId,
      p_override_reason: overrideReason,
    }),
  )
}

export async function reopenPeriod(stationId: Uuid, themeMonthId: Uuid, reason: string): Promise<void> {
  checkDone(await (await client()).rpc('reopen_period', { p_station_id: stationId, p_theme_month_id: themeMonthId, p_reason: reason }))
}

/** An adjustment request as the review page reads it (adjustment_request_reviews). */
export interface AdjustmentRequest {
  id: Uuid
  event_id: Uuid
  requested_by_name: string | null
  requested_at: string
  reason: string
  fields: EventValues | null
  from_station_id: Uuid | null
  from_theme_month_id: Uuid | null
  to_station_id: Uuid | null
  to_theme_month_id: Uuid | null
  status: 'pending' | 'approved' | 'declined'
  decided_at: string | null
  decided_by_name: string | null
  decision_reason: string | null
}

/** The latest requests, newest first (at most 200). */
export async function fetchAdjustmentRequests(): Promise<AdjustmentRequest[]> {
  return check(
    await (await client())
      .from('adjustment_request_reviews')
      .select('id, event_id, requested_by_name, requested_at, reason, fields, from_station_id, from_theme_month_id, to_station_id, to_theme_month_id, status, decided_at, decided_by_name, decision_reason')
      .order('requested_at', { ascending: false })
      .limit(200),
  ) as AdjustmentRequest[]
}

const EVENT_COLUMNS =
  'id, title, service_content, station_id, team_id, theme_month_id, started_at, ended_at, place, organizing_unit, person_in_charge, people_served, funds_fen, materials_fen, materials_description, note, recorded_at, confirmed_at, deleted_at, event_participants(person_id, hours)'

/** Events as the server holds them now, with their participants, by id. */
export async function fetchEvents(ids: readonly Uuid[]): Promise<Map<Uuid, EventValues>> {
  if (ids.length === 0) return new Map()
  const rows = check(await (await client()).from('service_events').select(EVENT_COLUMNS).in('id', [...ids])) as Record<string, unknown>[]
  return new Map(
    rows.map(({ event_participants, ...event }) => [
      String(event.id),
      { ...event, participants: (event_participants ?? []) as EventValues['participants'] },
    ]),
  )
}

export async function decideAdjustment(requestId: Uuid, approve: boolean, reason: string | null): Promise<void> {
  checkDone(await (await client()).rpc('decide_adjustment', { p_request_id: requestId, p_approve: approve, p_reason: reason }))
}

export async function fetchEventHistory(eventId: Uuid): Promise<HistoryEntry[]> {
  const rows = check(await (await client()).rpc('event_history', { p_event_id: eventId })) as Record<string, unknown>[]
  return rows.map((r) => ({ ...(r as unknown as HistoryEntry), id: num(r.id), revision: r.revision === null ? null : num(r.revision) }))
}

/** The program's figures of a year from its closed snapshots and open totals, and whether they are final. */
export async function fetchYearReport(year: number): Promise<ProgramTotals & YearFinality> {
  const data = check(await (await client()).rpc('year_report', { p_year: year }))
  const row = (Array.isArray(data) ? data[0] : data) as Record<string, unknown> | undefined
  if (!row) throw new Error('year_report returned no row')
  return {
    teams: num(row.teams),
    volunteers: num(row.volunteers),
    stations: num(row.stations),
    events: num(row.events),
    volunteer_hours: num(row.volunteer_hours),
    people_served: num(row.people_served),
    funds_fen: num(row.funds_fen),
    materials_fen: num(row.materials_fen),
    periods: num(row.periods),
    closed_periods: num(row.closed_periods),
    is_final: row.is_final === true,
  }
}

export interface RecordingUnit {
  id: Uuid
  name: string
  recording_unit: string
}

export async function fetchRecordingUnits(): Promise<RecordingUnit[]> {
  return check(await (await client()).from('teams').select('id, name, recording_unit').order('name')) as RecordingUnit[]
}

export async function saveRecordingUnit(teamId: Uuid, recordingUnit: string): Promise<void> {
  checkDone(await (await client()).from('teams').update({ recording_unit: recordingUnit }).eq('id', teamId))
}

export interface CalendarDay {
  /** YYYY-MM-DD */
  day: string
  kind: 'holiday' | 'workday'
  note: string
}

export async function fetchWorkCalendar(year: number): Promise<CalendarDay[]> {
  return check(
    await (await client())
      .from('work_calendar')
      .select('day, kind, note')
      .gte('day', `${year}-01-01`)
      .lte('day', `${year}-12-31`)
      .order('day'),
  ) as CalendarDay[]
}

/** Adds a day, or changes the day's kind and note. */
export async function saveCalendarDay(day: CalendarDay): Promise<void> {
  checkDone(await (await client()).from('work_calendar').upsert(day))
}

export async function deleteCalendarDay(day: string): Promise<void> {
  checkDone(await (await client()).from('work_calendar').delete().eq('day', day))
}
