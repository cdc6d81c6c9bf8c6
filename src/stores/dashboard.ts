// Coordinators' live totals: per station x theme month and for the whole program, kept fresh
// by Realtime when it works and by polling when it does not, with the time of the last load so
// the page can say how fresh its figures are. The last figures are kept for offline use.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { fetchProgramTotals, fetchStationMonthTotals, subscribeToTotals } from '../api/dashboard'
import type { ProgramTotals, StationMonthTotals } from '../domain/types'
import { loadDashboardSnapshot, saveDashboardSnapshot } from './dashboard-snapshot'

export const POLL_SECONDS = 10
export const useDashboardStore = defineStore('dashboard', () => {
  const saved = loadDashboardSnapshot()
  /** Totals per station x theme month, as last loaded. */
  const rows = ref<StationMonthTotals[]>(saved.rows)
  /** Program totals over the chosen theme month (all months when none is chosen). */
  const program = ref<ProgramTotals | null>(saved.program)
  /** When the figures were last loaded (ms since epoch). */
  const loadedAt = ref<number | null>(saved.loadedAt)
  /** Now, ticking every second, for "updated N s ago". */
  const now = ref(Date.now())
  /** Realtime feed is up; otherwise the store polls. */
  const live = ref(false)
  const loading = ref(false)
  /** The last load's failure, if it failed. */
  const error = ref<{ message: string; code: string | null } | null>(null)
  /** Filters: '' means all. */
  const stationId = ref('')
  const themeMonthId = ref('')
  const themeMonthOfFilter = ref<string | null>(null)
  /** Program totals of one calendar year, for the year report. */
  const yearTotals = ref<{ year: number; totals: ProgramTotals } | null>(null)

  const secondsSinceLoad = computed(() =>
    loadedAt.value === null ? null : Math.max(0, Math.floor((now.value - loadedAt.value) / 1000)),
  )

  const filteredRows = computed(() =>
    rows.value.filter(
      (r) =>
        (!stationId.value || r.station_id === stationId.value) && (!themeMonthId.value || r.theme_month_id === themeMonthId.value),
    ),
  )

  let timers: ReturnType<typeof setInterval>[] = []
  let unsubscribe: (() => void) | null = null
  let pending: Promise<void> | null = null
  /** Counts start() calls, so a subscription that arrives after stop() is ended. */
  let started = 0

  /** Loads the totals now (one load at a time; callers during a load share it). */
  function refresh(): Promise<void> {
    pending ??= (async () => {
      loading.value = true
      try {
        const month = themeMonthOfFilter.value
        const [nextRows, nextProgram] = await Promise.all([fetchStationMonthTotals(), fetchProgramTotals(month, month)])
        rows.value = nextRows
        program.value = nextProgram
        loadedAt.value = Date.now()
        error.value = null
        saveDashboardSnapshot({ rows: nextRows, program: nextProgram, loadedAt: loadedAt.value })
      } catch (caught) {
        const failure = caught as { message?: string; code?: string | null }
        error.value = { message: failure.message ?? String(caught), code: failure.code ?? null }
      } finally {
        loading.value = false
        pending = null
      }
    })()
    return pending
  }

  /** Loads the program totals of the theme months of one year. */
  async function loadYear(year: number): Promise<void> {
    try {
      const totals = await fetchProgramTotals(`${year}-01-01`, `${year}-12-01`)
      yearTotals.value = { year, totals }
      error.value = null
    } catch (caught) {
      const failure = caught as { message?: string; code?: string | null }
      error.value = { message: failure.message ?? String(caught), code: failure.code ?? null }
    }
  }

  /** Filters by theme month (id and its YYYY-MM-01, for the program totals); '' for all. */
  function setThemeMonth(id: string, month: string | null) {
    themeMonthId.value = id
    themeMonthOfFilter.value = id ? month : null
    void refresh()
  }

  const onOnline = () => void refresh()

  /** Starts loading, the live feed and the polling fallback. */
  function start() {
    stop()
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
    rows,
    program,
    loadedAt,
    now,
    live,
    loading,
    error,
    stationId,
    themeMonthId,
    secondsSinceLoad,
    filteredRows,
    yearTotals,
    refresh,
    loadYear,
    setThemeMonth,
    start,
    stop,
  }
})
