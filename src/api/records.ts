// The volunteer's own record online: their profile as the server holds it, which months are
// closed, and the team leaders' side of correction requests (open ones, and their resolution).
import type { ServerProfile } from '../domain/person-profile'
import { periodKey } from '../domain/service-record'
import type { Uuid } from '../domain/types'
import { answer, client } from './calls'

export async function fetchMyProfile(): Promise<ServerProfile | null> {
  return answer<ServerProfile | null>((await client()).rpc('my_profile'))
}

/** The closed station x theme months, as periodKey()s. */
export async function fetchClosedPeriods(): Promise<string[]> {
  const rows = await answer<{ station_id: Uuid; theme_month_id: Uuid }[]>((await client()).rpc('closed_periods'))
  return rows.map((row) => periodKey(row.station_id, row.theme_month_id))
}

/** An open correction request, as the team's leader sees it. */
export interface OpenCorrection {
  id: Uuid
  event_id: Uuid
  team_id: Uuid
  note: string
  requested_at: string
  person: { display_name: string } | null
  event: { title: string; started_at: string } | null
}

/** The open correction requests the user may resolve (their teams'; all for coordinators), oldest first. */
export async function fetchOpenCorrections(): Promise<OpenCorrection[]> {
  const supabase = await client()
  return answer<OpenCorrection[]>(
    supabase
      .from('correction_requests')
      .select('id, event_id, team_id, note, requested_at, person:people(display_name), event:service_events(title, started_at)')
      .eq('status', 'pending')
      .order('requested_at'),
  )
}

/** Resolves a correction request: corrected (the event was changed since), or declined with a reason. */
export async function resolveCorrection(id: Uuid, corrected: boolean, note: string): Promise<void> {
  await answer((await client()).rpc('resolve_correction_request', { p_request_id: id, p_corrected: corrected, p_note: note }))
}
