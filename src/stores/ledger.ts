// The ledger as coordinators work it (online only): statuses of station x theme months, closing
// and reopening them with their snapshot versions, adjustment requests with the events they
// would change and the decisions, and the year report with its finality. Every action reports
// its failure for the page to translate and never throws.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import * as api from '../api/ledger'
import { periodKey, type EventValues, type HistoryEntry, type PeriodStatus, type YearFinality } from '../domain/ledger'
import type { ProgramTotals, Uuid } from '../domain/types'
import { attempt, type AdminFailure } from './online'

export const useLedgerStore = defineStore('ledger', () => {
  /** Every station x theme month with events (or closed once), as last loaded. */
  const statuses = ref<PeriodStatus[]>([])
  /** Snapshot versions by period key, as last loaded. */
  const versions = ref<Record<string, api.ClosureVersion[]>>({})
  /** The latest adjustment requests, newest first. */
  const requests = ref<api.AdjustmentRequest[]>([])
  /** The events the requests would change, as the server holds them now. */
  const requestEvents = ref<Map<Uuid, EventValues>>(new Map())
  /** The year report last loaded. */
  const yearReport = ref<{ year: number; report: ProgramTotals & YearFinality } | null>(null)
  /** One event's history and the event as the server holds it now (null: not readable, or none). */
  const history = ref<{ eventId: Uuid; entries: HistoryEntry[]; event: EventValues | null } | null>(null)
  /** A load or an action is under way. */
  const busy = ref(false)
  /** The last load's failure. */
  const loadFailure = ref<AdminFailure | null>(null)

  async function run<T>(call: () => Promise<T>): Promise<{ value: T | null; failure: AdminFailure | null }> {
    busy.value = true
    try {
      return await attempt(call)
    } finally {
      busy.value = false
    }
  }

  async function load<T>(call: () => Promise<T>): Promise<T | null> {
    const { value, failure } = await run(call)
    loadFailure.value = failure
    return value
  }

  async function loadStatuses(): Promise<void> {
    const value = await load(api.fetchPeriodStatuses)
    if (value) statuses.value = value
  }

  async function loadVersions(stationId: Uuid, themeMonthId: Uuid): Promise<void> {
    const value = await load(() => api.fetchClosureVersions(stationId, themeMonthId))
    if (value) versions.value = { ...versions.value, [periodKey(stationId, themeMonthId)]: value }
  }

  /** Runs a close or reopening; then the statuses and the period's versions are read again. */
  async function changePeriod(stationId: Uuid, themeMonthId: Uuid, change: () => Promise<void>): Promise<AdminFailure | null> {
    const { failure } = await run(change)
    await loadStatuses()
    if (!failure || versions.value[periodKey(stationId, themeMonthId)]) await loadVersions(stationId, themeMonthId)
    return failure
  }

  const close = (stationId: Uuid, themeMonthId: Uuid, overrideReason: string | null) =>
    changePeriod(stationId, themeMonthId, () => api.closePeriod(stationId, themeMonthId, overrideReason))

  const reopen = (stationId: Uuid, themeMonthId: Uuid, reason: string) =>
    changePeriod(stationId, themeMonthId, () => api.reopenPeriod(stationId, themeMonthId, reason))

  async function loadRequests(): Promise<void> {
    const value = await load(async () => {
      const list = await api.fetchAdjustmentRequests()
      const pendingEvents = [...new Set(list.filter((r) => r.status === 'pending').map((r) => r.event_id))]
      return { list, events: await api.fetchEvents(pendingEvents) }
    })
    if (value) {
      requests.value = value.list
      requestEvents.value = value.events
    }
  }

  /** Decides a request; the page reads the requests again (loadRequests) once it has said so. */
  async function decide(requestId: Uuid, approve: boolean, reason: string | null): Promise<AdminFailure | null> {
    return (await run(() => api.decideAdjustment(requestId, approve, reason))).failure
  }

  async function loadYearReport(year: number): Promise<void> {
    const value = await load(() => api.fetchYearReport(year))
    if (value) yearReport.value = { year, report: value }
  }

  async function loadHistory(eventId: Uuid): Promise<void> {
    const value = await load(async () => ({
      eventId,
      entries: await api.fetchEventHistory(eventId),
      event: (await api.fetchEvents([eventId])).get(eventId) ?? null,
    }))
    if (value) history.value = value
  }

  return {
    history, loadHistory,
    statuses, versions, requests, requestEvents, yearReport, busy, loadFailure,
    loadStatuses, loadVersions, close, reopen, loadRequests, decide, loadYearReport,
  }
})
