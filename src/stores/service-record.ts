/**
 * useServiceRecordStore: the signed-in volunteer's own service record (我的志愿服务记录), across
 * teams, from the events on the phone (pulled, so it works offline) and the closed months the
 * phone last fetched.
 * Getters: rows (RecordRow, newest first), totals (all, by year, by month: hours and certified
 * hours), units (recording units with their certified hours).
 * Actions: load() (from the phone), refresh() (closed months from the server; throws offline).
 */
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { fetchClosedPeriods } from '../api/records'
import { recordedService, recordingUnitOf, recordTotals, serviceRecord, unitsOf } from '../domain/service-record'
import { currentAccount, requireAccount } from '../sync/runtime'
import { useEventsStore } from './events'
import { useReferenceStore } from './reference'
import { useSessionStore } from './session'

export const useServiceRecordStore = defineStore('serviceRecord', () => {
  /** Closed station x theme months, as last fetched. */
  const closedPeriods = ref<string[]>([])

  const rows = computed(() => {
    const personId = useSessionStore().personId
    if (!personId) return []
    const reference = useReferenceStore()
    const stations = new Map(reference.stations.map((station) => [station.id, station]))
    const recordingUnits = new Map(reference.teams.map((team) => [team.id, recordingUnitOf(team)]))
    const records = useEventsStore().events.map((record) => recordedService(record, stations))
    return serviceRecord(records, personId, { recordingUnits, closedPeriods: new Set(closedPeriods.value) })
  })
  const totals = computed(() => recordTotals(rows.value))
  const units = computed(() => unitsOf(rows.value))

  async function load(): Promise<void> {
    const account = await currentAccount()
    closedPeriods.value = (account ? await account.db.getMeta('closedPeriods') : null) ?? []
    await useEventsStore().load()
  }

  async function refresh(): Promise<void> {
    const account = await requireAccount()
    await account.db.setMeta({ closedPeriods: await fetchClosedPeriods() })
    await load()
  }

  return { closedPeriods, rows, totals, units, load, refresh }
})
