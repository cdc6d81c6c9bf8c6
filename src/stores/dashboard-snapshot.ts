// The coordinators' last loaded figures, kept in localStorage for offline use. A module of its
// own so that signing out can forget them without loading the dashboard.
import type { ProgramTotals, StationMonthTotals } from '../domain/types'

const STORAGE_KEY = 'volunteer-ledger.dashboard.v1'

export interface DashboardSnapshot {
  rows: StationMonthTotals[]
  program: ProgramTotals | null
  loadedAt: number | null
}

export function loadDashboardSnapshot(): DashboardSnapshot {
  try {
    const parsed = JSON.parse(globalThis.localStorage?.getItem(STORAGE_KEY) ?? 'null') as DashboardSnapshot | null
    return parsed ?? { rows: [], program: null, loadedAt: null }
  } catch (error) {
    console.warn('dashboard: ignoring unreadable saved totals', error)
    return { rows: [], program: null, loadedAt: null }
  }
}

export function saveDashboardSnapshot(snapshot: DashboardSnapshot): void {
  globalThis.localStorage?.setItem(STORAGE_KEY, JSON.stringify(snapshot))
}

/** Forgets the figures (sign-out: the next user of the phone must not find them). */
export function forgetDashboardSnapshot(): void {
  globalThis.localStorage?.removeItem(STORAGE_KEY)
}
