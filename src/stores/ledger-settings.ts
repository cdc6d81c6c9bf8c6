// What the ledger's rules read that coordinators and admins maintain (online only): each team's
// recording unit (the organizing unit new events get) and the working-day calendar (holidays
// and make-up working days). Actions resolve to their failure, for the page to translate.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import * as api from '../api/ledger'
import type { Uuid } from '../domain/types'
import { attempt, type AdminFailure } from './online'

export const useLedgerSettingsStore = defineStore('ledger-settings', () => {
  /** Every team with its recording unit, by name. */
  const recordingUnits = ref<api.RecordingUnit[]>([])
  /** The calendar's exceptions of the year last loaded. */
  const calendar = ref<{ year: number; days: api.CalendarDay[] } | null>(null)
  const busy = ref(false)

  async function run(call: () => Promise<void>): Promise<AdminFailure | null> {
    busy.value = true
    try {
      return (await attempt(call)).failure
    } finally {
      busy.value = false
    }
  }

  const loadRecordingUnits = () =>
    run(async () => {
      recordingUnits.value = await api.fetchRecordingUnits()
    })

  const saveRecordingUnit = (teamId: Uuid, unit: string) =>
    run(async () => {
      await api.saveRecordingUnit(teamId, unit.trim())
      recordingUnits.value = await api.fetchRecordingUnits()
    })

  const loadCalendar = (year: number) =>
    run(async () => {
      calendar.value = { year, days: await api.fetchWorkCalendar(year) }
    })

  const saveCalendarDay = (day: api.CalendarDay) =>
    run(async () => {
      await api.saveCalendarDay({ ...day, note: day.note.trim() })
      const year = Number(day.day.slice(0, 4))
      calendar.value = { year, days: await api.fetchWorkCalendar(year) }
    })

  const deleteCalendarDay = (day: string) =>
    run(async () => {
      await api.deleteCalendarDay(day)
      const year = Number(day.slice(0, 4))
      calendar.value = { year, days: await api.fetchWorkCalendar(year) }
    })

  return { recordingUnits, calendar, busy, loadRecordingUnits, saveRecordingUnit, loadCalendar, saveCalendarDay, deleteCalendarDay }
})
