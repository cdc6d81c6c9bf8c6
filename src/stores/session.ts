/**
 * useSessionStore: who is signed in, working offline from what the phone kept.
 * State: user {id, email} | null, programRole, personId, myTeamIds, ledTeamIds, needsSignIn,
 * asideAccounts (users whose unsynced changes wait on this device).
 * Actions: signIn(login, password) (an email address or phone number; throws SignInError:
 * 'credentials' | 'offline' | 'other'), signUp(login, password) (a new account, signed in; throws
 * SignUpError), signOut() (resolves to the unsynced changes it set aside), restore() (offline-safe
 * start from the stored profile), refreshProfile() (the user's teams and roles anew from the
 * server, e.g. once a join request is approved).
 */
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { AuthUser } from '../api/auth'
import { profileOf } from '../domain/profile'
import type { Profile, ProgramRole, Uuid } from '../domain/types'
import type { UnsyncedSummary } from '../local/db'
import type { AsideAccount } from '../local/device'
import { currentAccount, getServices, type Account } from '../sync/runtime'
import { useReferenceStore } from './reference'

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
  /** Users whose unsynced changes wait on this device for their next sign-in. */
  const asideAccounts = ref<AsideAccount[]>([])

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

  /**
   * Signs in and opens the user's account on this device. Whoever was here before (their session
   * ended and someone else signs in) is set aside first: their unsynced changes stay on the
   * phone, untouched and unseen, until they sign in again.
   */
  async function signIn(login: string, password: string): Promise<void> {
    const services = await getServices()
    await begin(await services.auth.signIn(login, password))
  }

  /** Makes a new account and signs it in: it starts in no team (see views/JoinView.vue). */
  async function signUp(login: string, password: string): Promise<void> {
    const services = await getServices()
    await begin(await services.auth.signUp(login, password))
  }

  /** Opens the account of the user who just signed in or up, setting aside whoever was here. */
  async function begin(signedIn: AuthUser): Promise<void> {
    const services = await getServices()
    if (services.account && services.account.userId !== signedIn.id) await services.closeAccount(user.value?.email ?? '')
    // Active before openAccount takes the user off the aside list: should the app stop before
    // the sign-in ends, the next start opens their data rather than forget it.
    await services.device.setActiveUser(signedIn.id)
    const account = await services.openAccount(signedIn.id)
    apply(await loadProfile(account, signedIn))
    needsSignIn.value = false
    asideAccounts.value = await services.device.listAside()
    await watchSession()
  }

  /** Fetches the user's reference data and profile and keeps both on the phone. */
  async function loadProfile(account: Account, signedIn: AuthUser): Promise<Profile> {
    const { clock } = await getServices()
    const reference = await account.transport.fetchReference()
    const profile = profileOf(signedIn, reference)
    await account.db.replaceReference(reference, { profile, referenceLoadedAt: new Date(clock.now()).toISOString() })
    return profile
  }

  /**
   * Signs out of this device. With nothing unsynced, the user's data leaves the phone; otherwise
   * only their unsynced changes stay (never lost), set aside for their next sign-in, and the
   * next user sees none of it. Resolves to what stayed, null when nothing did.
   */
  async function signOut(): Promise<UnsyncedSummary | null> {
    const services = await getServices()
    const keptAside = await services.closeAccount(user.value?.email ?? '')
    await services.auth.signOut()
    await services.device.setActiveUser(null)
    needsSignIn.value = false
    apply(null)
    asideAccounts.value = await services.device.listAside()
    return keptAside
  }

  /**
   * Fetches the user's reference data anew and takes the profile it gives (teams, leads, role);
   * throws when offline. Resolves to true when the user now sees events the phone never pulled.
   */
  async function refreshProfile(): Promise<boolean> {
    const pullFromStart = await useReferenceStore().refresh()
    const account = await currentAccount()
    const profile = account ? await account.db.getMeta('profile') : null
    if (profile && profile.userId === user.value?.id) apply(profile)
    return pullFromStart
  }

  /** Restores the user from the phone (works offline); checks the stored session when it can. */
  async function restore(): Promise<void> {
    const services = await getServices()
    asideAccounts.value = await services.device.listAside()
    const activeUserId = await services.device.activeUserId()
    const account = activeUserId ? await services.openAccount(activeUserId) : null
    const stored = account ? await account.db.getMeta('profile') : null
    apply(stored)
    const session = await services.auth.sessionState()
    if (session.state === 'signed-out') needsSignIn.value = stored !== null
    // A session of another user means their sign-in was cut short (the app closed while it set
    // this user aside): ask again, and whoever signs in then decides whose data opens.
    if (session.state === 'signed-in' && stored) needsSignIn.value = stored.userId !== session.user.id
    if (session.state === 'signed-in' && !stored && (!account || account.userId === session.user.id)) {
      // The session survived but the phone's data did not (storage cleared): rebuild it.
      apply(await loadProfile(await services.openAccount(session.user.id), session.user))
      await services.device.setActiveUser(session.user.id)
    }
    if (user.value) await watchSession()
  }

  return {
    user, programRole, personId, myTeamIds, ledTeamIds, needsSignIn, asideAccounts, signIn, signUp, signOut, restore, refreshProfile,
  }
})
