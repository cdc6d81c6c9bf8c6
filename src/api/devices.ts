// Coordinators' reading of the phones' reports: what waits on phones (for the dashboard) and the
// follow-up of a theme month. Both under row-level security (see the device reports migration).
import type { FollowUp, WaitingRow } from '../domain/waiting'
import type { Uuid } from '../domain/types'
import { DashboardError } from './dashboard'

async function client() {
  return (await import('./client')).supabase
}

export async function fetchWaitingOnPhones(): Promise<WaitingRow[]> {
  const { data, error } = await (await client()).rpc('waiting_on_phones')
  if (error) throw new DashboardError(error.message, error.code ?? null)
  // bigint and numeric columns may arrive as strings depending on the server's settings.
  return ((data ?? []) as Record<string, unknown>[]).map((row) => ({
    user_id: String(row.user_id),
    device_id: String(row.device_id),
    reported_at: String(row.reported_at),
    station_id: String(row.station_id),
    theme_month_id: row.theme_month_id === null ? null : String(row.theme_month_id),
    month: String(row.month),
    team_id: String(row.team_id),
    waiting_events: Number(row.waiting_events),
    events: Number(row.events),
    people_served: Number(row.people_served),
    funds_fen: Number(row.funds_fen),
    materials_fen: Number(row.materials_fen),
    volunteer_hours: Number(row.volunteer_hours),
  }))
}

export async function fetchFollowUp(themeMonthId: Uuid): Promise<FollowUp> {
  const { data, error } = await (await client()).rpc('follow_up', { theme_month_id: themeMonthId })
  if (error) throw new DashboardError(error.message, error.code ?? null)
  return data as FollowUp
}
