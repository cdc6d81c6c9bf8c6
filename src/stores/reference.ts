/**
 * useReferenceStore: stations, teams, theme months, people and team memberships, as the
 * signed-in user may see them, available offline.
 * State: stations, teams, themeMonths, people, teamMembers, workCalendar, loadedAt.
 * Actions: load() (from the phone; empty when nobody is signed in), refresh() (from the server,
 * then kept on the phone).
 * Helpers: membersOf(teamId) → Person[], themeMonthFor(dateOrInstant) → ThemeMonth | undefined.
 */
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { profileOf, seesMoreThan } from '../domain/profile'
import { shanghaiMonthOf } from '../domain/time'
import type { Person, Station, Team, TeamMember, ThemeMonth, Uuid } from '../domain/types'
import type { CalendarException } from '../domain/workdays'
import { currentAccount, getServices } from '../sync/runtime'

export const useReferenceStore = defineStore('reference', () => {
  /** Work stations. */
  const stations = ref<Station[]>([])
  /** Volunteer teams. */
  const teams = ref<Team[]>([])
  /** Theme months, oldest first. */
  const themeMonths = ref<ThemeMonth[]>([])
  /** People the user may see (their teams' members; everyone for coordinators). */
  const people = ref<Person[]>([])
  /** Memberships of those people. */
  const teamMembers = ref<TeamMember[]>([])
  /** Holidays and make-up working days (work_calendar), for the recording deadline. */
  const workCalendar = ref<CalendarException[]>([])
  /** When reference data last came from the server (ISO 8601), null if never. */
  const loadedAt = ref<string | null>(null)

  /** Loads what the phone kept. */
  async function load(): Promise<void> {
    const account = await currentAccount()
    const data = account
      ? await account.db.loadReference()
      : { stations: [], teams: [], themeMonths: [], people: [], teamMembers: [], workCalendar: [] }
    stations.value = data.stations.sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'))
    teams.value = data.teams.sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'))
    themeMonths.value = data.themeMonths.sort((a, b) => a.month.localeCompare(b.month))
    people.value = data.people.sort((a, b) => a.display_name.localeCompare(b.display_name, 'zh-CN'))
    teamMembers.value = data.teamMembers
    workCalendar.value = data.workCalendar
    loadedAt.value = account ? await account.db.getMeta('referenceLoadedAt') : null
  }

  /**
   * Fetches fresh reference data (and the user's profile with it); throws when offline. Resolves
   * to true when the user now sees events the phone never pulled: the pull starts over then.
   */
  async function refresh(): Promise<boolean> {
    const account = await currentAccount()
    const stored = account ? await account.db.getMeta('profile') : null
    if (!account || !stored) return false
    const { db, transport } = account
    const { clock } = await getServices()
    const data = await transport.fetchReference()
    const profile = profileOf({ id: stored.userId, email: stored.email }, data)
    const pullFromStart = seesMoreThan(profile, stored)
    await db.replaceReference(data, {
      profile,
      referenceLoadedAt: new Date(clock.now()).toISOString(),
      ...(pullFromStart ? { pullCursor: null } : {}),
    })
    await load()
    return pullFromStart
  }

  /** The people of a team, by name. */
  function membersOf(teamId: Uuid): Person[] {
    const ids = new Set(teamMembers.value.filter((m) => m.team_id === teamId).map((m) => m.person_id))
    return people.value.filter((person) => ids.has(person.id))
  }

  /** The theme month of a Shanghai date (YYYY-MM-DD) or of an instant. */
  function themeMonthFor(dateOrInstant: string): ThemeMonth | undefined {
    const month = /^\d{4}-\d{2}-\d{2}$/.test(dateOrInstant)
      ? `${dateOrInstant.slice(0, 7)}-01`
      : shanghaiMonthOf(dateOrInstant)
    return themeMonths.value.find((row) => row.month === month)
  }

  return { stations, teams, themeMonths, people, teamMembers, workCalendar, loadedAt, load, refresh, membersOf, themeMonthFor }
})
