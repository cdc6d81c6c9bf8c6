// Online-only management of reference data and team rosters. Each action writes through
// api/admin.ts and then refreshes the reference data so every page shows the change.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import * as api from '../api/admin'
import type { Person, Station, Team, TeamRole, ThemeMonth } from '../domain/types'
import { attempt, type AdminFailure } from './online'
import { useSessionStore } from './session'

export type { AdminFailure } from './online'

export const useAdminStore = defineStore('admin', () => {
  /** A write is under way. */
  const busy = ref(false)

  /**
   * Runs a write, then refreshes the reference data and the user's profile (a leader who changed
   * their own role sees their pages change); resolves to its value or its failure.
   */
  async function run<T>(write: () => Promise<T>): Promise<{ value: T | null; failure: AdminFailure | null }> {
    busy.value = true
    try {
      return await attempt(async () => {
        const value = await write()
        await useSessionStore().refreshProfile()
        return value
      })
    } finally {
      busy.value = false
    }
  }

  return {
    busy,
    saveStation: (station: Omit<Station, 'id'>, id?: string) => run(() => api.saveStation(station, id)),
    deleteStation: (id: string) => run(() => api.deleteStation(id)),
    saveTeam: (team: Omit<Team, 'id'>, id?: string) => run(() => api.saveTeam(team, id)),
    deleteTeam: (id: string) => run(() => api.deleteTeam(id)),
    saveThemeMonth: (month: Omit<ThemeMonth, 'id'>, id?: string) => run(() => api.saveThemeMonth(month, id)),
    deleteThemeMonth: (id: string) => run(() => api.deleteThemeMonth(id)),
    createThemeMonths: (year: number) => run(() => api.createThemeMonths(year)),
    addMember: (teamId: string, name: string, role: TeamRole) =>
      run<Person>(() => api.addTeamMember(teamId, name, role)),
    renamePerson: (personId: string, name: string) => run(() => api.renamePerson(personId, name)),
    setRole: (teamId: string, personId: string, role: TeamRole) => run(() => api.setMemberRole(teamId, personId, role)),
    removeMember: (teamId: string, personId: string) => run(() => api.removeTeamMember(teamId, personId)),
    unlinkAccount: (personId: string) => run(() => api.unlinkAccount(personId)),
  }
})
