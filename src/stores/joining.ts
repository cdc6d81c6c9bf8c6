/**
 * useJoiningStore: joining teams, online only.
 * State: mine (the user's own join requests, newest first), pending (the requests the user may
 * decide: their teams' as a leader, all as a coordinator), claimable (by team, the people without
 * an account a leader may link a newcomer to), invites (invite codes by team), busy.
 * Actions: loadMine(), requestToJoin(code, name), loadPending(), decide(id, approve, claim),
 * loadInvite(teamId), renewInvite(teamId). Each resolves to its failure (null when it worked),
 * which the page translates.
 */
import { defineStore } from 'pinia'
import { ref } from 'vue'
import * as api from '../api/joining'
import type { ClaimablePerson, JoinRequest, TeamInvite, Uuid } from '../domain/types'
import { attempt, type AdminFailure } from './online'
import { useSessionStore } from './session'

export const useJoiningStore = defineStore('joining', () => {
  /** The user's own requests, newest first. */
  const mine = ref<JoinRequest[]>([])
  /** Pending requests the user may decide, oldest first. */
  const pending = ref<JoinRequest[]>([])
  /** People without an account of the teams of the pending requests, by team. */
  const claimable = ref<Record<Uuid, ClaimablePerson[]>>({})
  /** Invite codes by team (null: the team has none yet). */
  const invites = ref<Record<Uuid, TeamInvite | null>>({})
  /** A write is under way. */
  const busy = ref(false)

  async function write<T>(call: () => Promise<T>): Promise<{ value: T | null; failure: AdminFailure | null }> {
    busy.value = true
    try {
      return await attempt(call)
    } finally {
      busy.value = false
    }
  }

  async function loadMine(): Promise<AdminFailure | null> {
    const userId = useSessionStore().user?.id
    if (!userId) return null
    const { value, failure } = await attempt(() => api.myRequests(userId))
    if (value) mine.value = value
    return failure
  }

  async function requestToJoin(code: string, displayName: string): Promise<AdminFailure | null> {
    const { failure } = await write(() => api.requestToJoin(code, displayName))
    return failure ?? (await loadMine())
  }

  /** The pending requests, and whom each could be linked to. */
  async function loadPending(): Promise<AdminFailure | null> {
    const { value, failure } = await attempt(async () => {
      const requests = await api.pendingRequests()
      const people = await api.claimablePeople([...new Set(requests.map((request) => request.team_id))])
      return { requests, people }
    })
    if (value) {
      pending.value = value.requests
      const byTeam: Record<Uuid, ClaimablePerson[]> = {}
      for (const person of value.people) (byTeam[person.team_id] ??= []).push(person)
      claimable.value = byTeam
    }
    return failure
  }

  /** Decides a request; an approval changes a roster, so the reference data follows. */
  async function decide(requestId: Uuid, approve: boolean, claim: Uuid | null): Promise<AdminFailure | null> {
    const { failure } = await write(async () => {
      await api.decideRequest(requestId, approve, claim)
      await useSessionStore().refreshProfile()
    })
    return failure ?? (await loadPending())
  }

  async function loadInvite(teamId: Uuid): Promise<AdminFailure | null> {
    const { value, failure } = await attempt(() => api.teamInvite(teamId))
    if (!failure) invites.value = { ...invites.value, [teamId]: value }
    return failure
  }

  async function renewInvite(teamId: Uuid): Promise<AdminFailure | null> {
    const { value, failure } = await write(() => api.renewInvite(teamId))
    if (value) invites.value = { ...invites.value, [teamId]: value }
    return failure
  }

  return { mine, pending, claimable, invites, busy, loadMine, requestToJoin, loadPending, decide, loadInvite, renewInvite }
})
