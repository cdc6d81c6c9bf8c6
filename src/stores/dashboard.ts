// Coordinators' live totals: per station x theme month and for the whole program, kept fresh
// by Realtime when it works and by polling when it does not, with the time of the last load so
// the page can say how fresh its figures are. The last figures are kept for offline use.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { fetchFilteredTotals, fetchTeamTotals, subscribeToTotals } from '../api/dashboard'
import type { GroupTotals, StationMonthFigures, TeamFigures, TotalsFilter } from '../domain/types'
import { loadDashboardSnapshot, saveDashboardSnapshot } from './dashboard-snapshot'

export const POLL_SECONDS = 10

const sameFilter = (a: TotalsFilter, b: TotalsFilter) =>
  a.year === b.year && a.station_id === b.station_id && a.theme_month_id === b.theme_month_id && a.team_id === b.team_id

export const useDashboardStore = defineStore('dashboard', () => {
  const saved = loadDashboardSnapshot()
  /** The filters chosen on the page; every figure follows them. */
  const filter = ref<TotalsFilter>(saved.filter)
  /** The whole selection's figures, as last loaded. */
  const overall = ref<GroupTotals | null>(saved.overall)
  /** Figures per station x theme month in the selection, as last loaded. */
  const rows = ref<StationMonthFigures[]>(saved.rows)
  /** Figures per team in the selection, as last loaded. */
  const teams = ref<TeamFigures[]>(saved.teams)
  /** The filters the figures shown were loaded with (they lag the chosen ones while loading). */
  const loadedFilter = ref<TotalsFilter>(saved.filter)
  /** When the figures were last loaded (ms since epoch). */
  const loadedAt = ref<number | null>(saved.loadedAt)
  /** Now, ticking every second, for "updated N s ago". */
  const now = ref(Date.now())
  /** Realtime feed is up; otherwise the store polls. */
  const live = ref(false)
  const loading = ref(false)
  /** The last load's failure, if it failed. */
  const error = ref<{ message: string; code: string | null } | null>(null)
  /** A first visit starts at a year the page proposes; later visits keep the last filters. */
  let filterProposed = saved.loadedAt !== null

  const secondsSinceLoad = computed(() =>
    loadedAt.value === null ? null : Math.max(0, Math.floor((now.value - loadedAt.value) / 1000)),
  )

  let timers: ReturnType<typeof setInterval>[] = []
  let unsubscribe: (() => void) | null = null
  let pending: Promise<void> | null = null
  /** Counts start() calls, so a subscription that arrives after stop() is ended. */
  let started = 0

  /** Loads until the figures match the filters chosen (they may change during a load). */
  async function load(): Promise<void> {
    loading.value = true
    try {
      for (;;) {
        const asked = { ...filter.value }
        const [figures, teamFigures] = await Promise.all([fetchFilteredTotals(asked), fetchTeamTotals(asked)])
        if (!sameFilter(asked, filter.value)) continue
        overall.value = figures.overall
        rows.value = figures.rows
        teams.value = teamFigures
        loadedFilter.value = asked
        loadedAt.value = Date.now()
        error.value = null
        saveDashboardSnapshot({ filter: asked, overall: figures.overall, rows: figures.rows, teams: teamFigures, loadedAt: loadedAt.value })
        return
      }
    } catch (caught) {
      const failure = caught as { message?: string; code?: string | null }
      error.value = { message: failure.message ?? String(caught), code: failure.code ?? null }
    } finally {
      loading.value = false
    }
  }

  /** Loads the figures now (one load at a time; callers during a load share it). */
  function refresh(): Promise<void> {
    pending ??= load().finally(() => {
      pending = null
    })
    return pending
  }

  /** Changes some filters and loads the figures they select. */
  function setFilter(change: Partial<TotalsFilter>): void {
    filter.value = { ...filter.value, ...change }
    void refresh()
  }

  const onOnline = () => void refresh()

  /** Starts loading (at the year proposed, on a first visit), the live feed and the polling fallback. */
  function start(proposedYear: number | null = null) {
    stop()
    if (!filterProposed) {
      filterProposed = true
      filter.value = { ...filter.value, year: proposedYear }
    }
    void refresh()
    const generation = ++started
    void subscribeToTotals(
      () => void refresh(),
      (isLive) => {
        live.value = isLive
      },
    ).then((end) => {
      // stop() may have run while the client loaded: then end the feed at once.
      if (generation === started) unsubscribe = end
      else end()
    })
    timers = [
      setInterval(() => {
        now.value = Date.now()
      }, 1000),
      setInterval(() => {
        if (!live.value && navigator.onLine && document.visibilityState !== 'hidden') void refresh()
      }, POLL_SECONDS * 1000),
    ]
    window.addEventListener('online', onOnline)
  }

  /** Stops the feed and the timers (when the page is left). */
  function stop() {
    started += 1
    for (const timer of timers) clearInterval(timer)
    timers = []
    unsubscribe?.()
    unsubscribe = null
    live.value = false
    window.removeEventListener('online', onOnline)
  }

  return {
    filter,
    overall,
    rows,
    teams,
    loadedFilter,
    loadedAt,
    now,
    live,
    loading,
    error,
    secondsSinceLoad,
    refresh,
    setFilter,
    start,
    stop,
  }
})
