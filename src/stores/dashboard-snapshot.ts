// The coordinators' last loaded figures and the filters they were loaded with, kept in
// localStorage for offline use. A module of its own so that signing out can forget them without
// loading the dashboard.
import type { GroupTotals, StationMonthFigures, TeamFigures, TotalsFilter } from '../domain/types'

const STORAGE_KEY = 'volunteer-ledger.dashboard.v2'
/** Figures of the first version (other shapes): forgotten with the new ones at sign-out. */
const OLD_STORAGE_KEY = 'volunteer-ledger.dashboard.v1'

export interface DashboardSnapshot {
  filter: TotalsFilter
  /** The whole selection. */
  overall: GroupTotals | null
  rows: StationMonthFigures[]
  teams: TeamFigures[]
  loadedAt: number | null
}

export const NO_FILTER: TotalsFilter = { year: null, station_id: null, theme_month_id: null, team_id: null }

const empty = (): DashboardSnapshot => ({ filter: { ...NO_FILTER }, overall: null, rows: [], teams: [], loadedAt: null })

export function loadDashboardSnapshot(): DashboardSnapshot {
  try {
    const parsed = JSON.parse(globalThis.localStorage?.getItem(STORAGE_KEY) ?? 'null') as DashboardSnapshot | null
    return parsed ?? empty()
  } catch (error) {
    console.warn('dashboard: ignoring unreadable saved totals', error)
    return empty()
  }
}

export function saveDashboardSnapshot(snapshot: DashboardSnapshot): void {
  globalThis.localStorage?.setItem(STORAGE_KEY, JSON.stringify(snapshot))
}

/** Forgets the figures (sign-out: the next user of the phone must not find them). */
export function forgetDashboardSnapshot(): void {
  globalThis.localStorage?.removeItem(STORAGE_KEY)
  globalThis.localStorage?.removeItem(OLD_STORAGE_KEY)
}
