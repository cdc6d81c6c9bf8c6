// Coordinators' figures from the server: the dashboard's figures under its filters (per station x
// theme month, per team, and the whole selection), and a live feed
// of changes. Realtime is used when the project offers it; without it
// (the local stack has none, or a proxy blocks websockets) the caller polls instead.
import type { GroupTotals, StationMonthFigures, TeamFigures, TotalsFilter } from '../domain/types'

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

/** The figures of a server row: numeric and bigint columns may arrive as strings. */
function figuresOf(row: Record<string, unknown>): GroupTotals {
  return {
    events: Number(row.events),
    volunteers: Number(row.volunteers),
    volunteer_hours: Number(row.volunteer_hours),
    people_served: Number(row.people_served),
    funds_fen: Number(row.funds_fen),
    materials_fen: Number(row.materials_fen),
  }
}

function filterArgs(filter: TotalsFilter) {
  return {
    p_year: filter.year,
    p_station_id: filter.station_id,
    p_theme_month_id: filter.theme_month_id,
    p_team_id: filter.team_id,
  }
}

/** The figures of the whole selection and of each station × theme month in it. */
export async function fetchFilteredTotals(
  filter: TotalsFilter,
): Promise<{ overall: GroupTotals; rows: StationMonthFigures[] }> {
  const { data, error } = await (await client()).rpc('filtered_totals', filterArgs(filter))
  if (error) throw failed(error)
  const all = (data ?? []) as Record<string, unknown>[]
  const overall = all.find((row) => row.station_id === null)
  if (!overall) throw new DashboardError('filtered_totals returned no overall row', null)
  const rows = all
    .filter((row) => row.station_id !== null)
    .map((row) => ({ station_id: String(row.station_id), theme_month_id: String(row.theme_month_id), ...figuresOf(row) }))
  return { overall: figuresOf(overall), rows }
}

/** The figures of each team active in the selection. */
export async function fetchTeamTotals(filter: TotalsFilter): Promise<TeamFigures[]> {
  const { data, error } = await (await client()).rpc('team_totals', filterArgs(filter))
  if (error) throw failed(error)
  return ((data ?? []) as Record<string, unknown>[]).map((row) => ({ team_id: String(row.team_id), ...figuresOf(row) }))
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
