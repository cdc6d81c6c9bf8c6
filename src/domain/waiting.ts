// What the phones' latest reports say is not on the server yet (waiting_on_phones(), see the
// device reports migration), as the coordinators read it: summed under the dashboard's filters,
// and the follow-up of a theme month, section by section.
import type { Uuid } from './types'

/** One phone's waiting figures for one station x theme month x team. */
export interface WaitingRow {
  user_id: Uuid
  device_id: Uuid
  /** When the phone last reported (the server's clock). */
  reported_at: string
  station_id: Uuid
  /** Null while the month of the events has no theme month on the server yet. */
  theme_month_id: Uuid | null
  /** First day (YYYY-MM-01) of the month the events start in. */
  month: string
  team_id: Uuid
  /** Events concerned. */
  waiting_events: number
  /** What they would add to the totals (an edit adds its difference, a delete takes one away). */
  events: number
  people_served: number
  funds_fen: number
  materials_fen: number
  volunteer_hours: number
}

/** The dashboard's filters (null: all), the same as the totals'. */
export interface WaitingFilter {
  year: number | null
  station_id: Uuid | null
  theme_month_id: Uuid | null
  team_id: Uuid | null
}

export interface WaitingSummary {
  /** Phones (user and device) holding something within the filters. */
  phones: number
  waitingEvents: number
  events: number
  people_served: number
  funds_fen: number
  materials_fen: number
  volunteer_hours: number
  /** The oldest of those phones' reports (ISO 8601), null when none. */
  oldestReportAt: string | null
}

/** The rows within the filters. */
export function filterWaiting(rows: readonly WaitingRow[], filter: WaitingFilter): WaitingRow[] {
  return rows.filter((row) =>
    (!filter.station_id || row.station_id === filter.station_id) &&
    (!filter.theme_month_id || row.theme_month_id === filter.theme_month_id) &&
    (!filter.team_id || row.team_id === filter.team_id) &&
    (!filter.year || row.month.slice(0, 4) === String(filter.year)))
}

export function summarizeWaiting(rows: readonly WaitingRow[]): WaitingSummary {
  const phones = new Set(rows.map((row) => `${row.user_id}|${row.device_id}`))
  const sum = (pick: (row: WaitingRow) => number) => rows.reduce((total, row) => total + pick(row), 0)
  return {
    phones: phones.size,
    waitingEvents: sum((row) => row.waiting_events),
    events: sum((row) => row.events),
    people_served: sum((row) => row.people_served),
    funds_fen: sum((row) => row.funds_fen),
    materials_fen: sum((row) => row.materials_fen),
    // Hundredths, so that sums of 0.01 h stay exact.
    volunteer_hours: sum((row) => Math.round(row.volunteer_hours * 100)) / 100,
    oldestReportAt: rows.reduce<string | null>((oldest, row) => (oldest === null || row.reported_at < oldest ? row.reported_at : oldest), null),
  }
}

/** A phone in the follow-up: who, which teams' events it holds for the month, since when, last seen. */
export interface FollowUpPhone {
  user_id: Uuid
  device_id: Uuid
  team_ids: Uuid[]
  events: number
  oldest_waiting_since: string | null
  reported_at: string
  app_version: string
}

/**
 * The follow-up of a theme month (follow_up(), coordinators): one key per section the server
 * knows; a section the server does not send is not shown.
 */
export interface FollowUp {
  teams_without_events?: { team_id: Uuid; waiting_events: number }[]
  phones_waiting?: FollowUpPhone[]
  phones_silent?: FollowUpPhone[]
}
