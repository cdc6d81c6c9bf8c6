// Coordinators' figures from the server: totals per station x theme month, program totals for
// the report, and a live feed of changes. Realtime is used when the project offers it; without it
// (the local stack has none, or a proxy blocks websockets) the caller polls instead.
import type { ProgramTotals, StationMonthTotals } from '../domain/types'

/** The Supabase client, loaded on first use like the sync runtime loads it (sync/runtime.ts). */
async function client() {
  return (await import('./client')).supabase
}

/** A refused or failed request, with what the UI needs to explain it. */
export class DashboardError extends Error {
  constructor(
    message: string,
    readonly code: string | null,
  ) {
    super(message)
    this.name = 'DashboardError'
  }
}

function failed(error: { message: string; code?: string | null }): DashboardError {
  return new DashboardError(error.message, error.code ?? null)
}

export async function fetchStationMonthTotals(): Promise<StationMonthTotals[]> {
  const { data, error } = await (await client())
    .from('station_month_totals')
    .select('station_id, theme_month_id, events, volunteers, volunteer_hours, people_served, funds_fen, materials_fen, updated_at')
  if (error) throw failed(error)
  return (data ?? []).map((row) => ({
    ...row,
    // numeric and bigint columns may arrive as strings depending on the server's settings.
    events: Number(row.events),
    volunteers: Number(row.volunteers),
    volunteer_hours: Number(row.volunteer_hours),
    people_served: Number(row.people_served),
    funds_fen: Number(row.funds_fen),
    materials_fen: Number(row.materials_fen),
  }))
}

/** Program-wide totals over theme months from..to (YYYY-MM-01, inclusive); all months when null. */
export async function fetchProgramTotals(fromMonth: string | null, toMonth: string | null): Promise<ProgramTotals> {
  const { data, error } = await (await client()).rpc('program_totals', { from_month: fromMonth, to_month: toMonth })
  if (error) throw failed(error)
  const row = (Array.isArray(data) ? data[0] : data) as Record<keyof ProgramTotals, number | string> | undefined
  if (!row) throw new DashboardError('program_totals returned no row', null)
  return {
    teams: Number(row.teams),
    volunteers: Number(row.volunteers),
    stations: Number(row.stations),
    events: Number(row.events),
    volunteer_hours: Number(row.volunteer_hours),
    people_served: Number(row.people_served),
    funds_fen: Number(row.funds_fen),
    materials_fen: Number(row.materials_fen),
  }
}

/**
 * Calls onChange whenever a totals row changes, and onLive with whether the feed works (false
 * means: poll). Resolves to the function that ends the subscription.
 */
export async function subscribeToTotals(onChange: () => void, onLive: (live: boolean) => void): Promise<() => void> {
  const realtime = (await import('./realtime')).createRealtime()
  const channel = realtime
    .channel('station-month-totals')
    .on('postgres_changes', { event: '*', schema: 'public', table: 'station_month_totals' }, () => onChange())
  let ended = false
  const end = () => {
    if (ended) return
    ended = true
    void realtime.removeChannel(channel).then(() => realtime.disconnect())
  }
  channel.subscribe((status) => {
    if (status === 'SUBSCRIBED') {
      onLive(true)
      // Changes made while the feed was down are not replayed: read the totals again.
      onChange()
    } else {
      onLive(false)
      // No Realtime here: stop the client's reconnect attempts; the caller polls.
      if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') end()
    }
  })
  return end
}
