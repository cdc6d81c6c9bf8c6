/**
 * useSessionStore: who is signed in, working offline from what the phone kept.
 * State: user {id, email} | null, programRole, personId, myTeamIds, ledTeamIds, needsSignIn.
 * Actions: signIn(email, password) (throws SignInError: 'credentials' | 'offline' | 'other' |
 * 'unsynced'), signOut(), restore() (offline-safe start from the stored profile).
 */
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { SignInError, type AuthUser } from '../api/auth'
import { profileOf } from '../domain/profile'
import type { Profile, ProgramRole, Uuid } from '../domain/types'
import { getServices } from '../sync/runtime'

export const useSessionStore = defineStore('session', () => {
  /** The signed-in user; kept while offline even if a token refresh fails. */
  const user = ref<AuthUser | null>(null)
  /** Program-wide role of the user: coordinator, admin or none. */
  const programRole = ref<ProgramRole | null>(null)
  /** The person (volunteer) the user is, if linked. */
  const personId = ref<Uuid | null>(null)
  /** Teams the user belongs to. */
  const myTeamIds = ref<Uuid[]>([])
  /** Teams the user leads. */
  const ledTeamIds = ref<Uuid[]>([])
  /** Auth ended the session (not the network): the user should sign in again; their data stays. */
  const needsSignIn = ref(false)

  let stopWatchingSession: (() => void) | null = null

  function apply(profile: Profile | null): void {
    user.value = profile ? { id: profile.userId, email: profile.email } : null
    programRole.value = profile?.programRole ?? null
    personId.value = profile?.personId ?? null
    myTeamIds.value = profile?.myTeamIds ?? []
    ledTeamIds.value = profile?.ledTeamIds ?? []
  }

  async function watchSession(): Promise<void> {
    if (stopWatchingSession) return
    const { auth } = await getServices()
    stopWatchingSession = auth.onSessionEnded(() => {
      needsSignIn.value = user.value !== null
    })
  }

  /** Signs in, loads the user's reference data and profile; refuses to mix two users' unsynced data. */
  async function signIn(email: string, password: string): Promise<void> {
    const { auth, db } = await getServices()
    const signedIn = await auth.signIn(email, password)
    const previous = await db.getMeta('profile')
    if (previous && previous.userId !== signedIn.id) {
      if ((await db.listOutbox()).length > 0) {
        await auth.signOut()
        throw new SignInError('unsynced', 'another user has changes on this device that are not synced yet')
      }
      await db.clearAll()
    }
    apply(await loadProfile(signedIn))
    needsSignIn.value = false
    await watchSession()
  }

  /** Fetches the user's reference data and profile and keeps both on the phone. */
  async function loadProfile(signedIn: AuthUser): Promise<Profile> {
    const { db, transport, clock } = await getServices()
    const reference = await transport.fetchReference(signedIn.id)
    const profile = profileOf(signedIn, reference)
    await db.replaceReference(reference, { profile, referenceLoadedAt: new Date(clock.now()).toISOString() })
    return profile
  }

  /**
   * Signs out of this device. Synced data is cleared; changes not yet synced stay on the phone
   * (never lost) and are sent when the same user signs in again.
   */
  async function signOut(): Promise<void> {
    const { auth, db, engine } = await getServices()
    engine.stop()
    await auth.signOut()
    if ((await db.listOutbox()).length === 0) await db.clearAll()
    else await db.setMeta({ profile: null })
    needsSignIn.value = false
    apply(null)
  }

  /** Restores the user from the phone (works offline); checks the stored session when it can. */
  async function restore(): Promise<void> {
    const { auth, db } = await getServices()
    const stored = await db.getMeta('profile')
    apply(stored)
    const session = await auth.sessionState()
    if (session.state === 'signed-out') needsSignIn.value = stored !== null
    if (session.state === 'signed-in' && stored?.userId === session.user.id) needsSignIn.value = false
    if (session.state === 'signed-in' && !stored) {
      // The session survived but the phone's data did not (storage cleared): rebuild it.
      apply(await loadProfile(session.user))
    }
    if (user.value) await watchSession()
  }

  return { user, programRole, personId, myTeamIds, ledTeamIds, needsSignIn, signIn, signOut, restore }
})
