// One phone shared by two volunteers, running the app as App.vue runs it: the real stores
// (session, events, sync, reference), the real runtime (one database per user, set aside at
// sign-out), the real sync engine and transport, over fake-indexeddb and a FaultyNetwork to a
// FakeServer. It keeps what each user saved (the model), acts as the user would, restarts the
// app when the network kills it, and checks what the users may see and what the server holds.
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { expect } from 'vitest'
import { SignInError, type AuthApi, type AuthUser, type SessionState } from '../../../src/api/auth'
import { totalsByStationMonth } from '../../../src/domain/totals'
import type { LocalEvent, ReferenceData, ServiceEventFields, Uuid } from '../../../src/domain/types'
import { openLocalDb } from '../../../src/local/db'
import { openDeviceDb } from '../../../src/local/device'
import { useEventsStore } from '../../../src/stores/events'
import { useReferenceStore } from '../../../src/stores/reference'
import { useSessionStore } from '../../../src/stores/session'
import { useSyncStore } from '../../../src/stores/sync'
import { TransportError } from '../../../src/sync/errors'
import { fieldsOf } from '../../../src/sync/plans'
import { configureServices, createServices, type Services } from '../../../src/sync/runtime'
import { createSupabaseTransport } from '../../../src/sync/transport'
import { noLock } from './engine-harness'
import { emptyReference, FakeServer } from './fake-server'
import { fakeApiClient, FaultyNetwork, type Interleaving, type Request, type Tally } from './faulty-network'
import { APRIL, FakeClock, MARCH, PERSON, PERSON_2, STATION, STATION_2, TEAM, USER, sequentialIds } from './fixtures'

export const ALICE: AuthUser = { id: USER, email: 'alice@demo.local' }
export const BOB: AuthUser = { id: '00000000-0000-4000-8000-0000000000f2', email: 'bob@demo.local' }
export const USERS = [ALICE, BOB] as const

/** Both are members of one team: each sees the team's events and may log its events. */
const REFERENCE: ReferenceData = {
  ...emptyReference,
  people: [{ id: PERSON, display_name: '爱丽丝', user_id: ALICE.id }, { id: PERSON_2, display_name: '鲍勃', user_id: BOB.id }],
  teamMembers: [PERSON, PERSON_2].map((person_id) => ({ team_id: TEAM, person_id, role: 'member' as const })),
}

/** An event in a few small numbers, so that a failing schedule shrinks to a readable one. */
export interface EventSpec {
  station: 0 | 1
  april: boolean
  day: number
  hours: number
  /** Both team members took part (else only one). */
  both: boolean
  served: number
  funds: number
  materials: number
  title: number
}

export function eventOf(spec: EventSpec): ServiceEventFields {
  const start = Date.parse(`2023-0${spec.april ? 4 : 3}-${String(spec.day).padStart(2, '0')}T01:00:00Z`)
  return {
    station_id: spec.station ? STATION_2 : STATION,
    team_id: TEAM,
    theme_month_id: spec.april ? APRIL : MARCH,
    started_at: new Date(start).toISOString(),
    ended_at: new Date(start + spec.hours * 3_600_000).toISOString(),
    title: `活动 ${spec.title}`,
    note: '',
    people_served: spec.served,
    funds_fen: spec.funds,
    materials_fen: spec.materials,
    materials_description: spec.materials ? '米面油' : '',
    participants: (spec.both ? [PERSON, PERSON_2] : [PERSON]).map((person_id) => ({ person_id, hours: spec.hours })),
  }
}

/** Fields as compared: plain, participants in a fixed order. */
/** What the user typed, compared as text; not when the phone recorded it (the store adds that at the first save). */
function canonical(fields: ServiceEventFields): string {
  const plain = fieldsOf(fields)
  delete plain.recorded_at
  return JSON.stringify({ ...plain, participants: [...plain.participants].sort((a, b) => a.person_id.localeCompare(b.person_id)) })
}

/** Auth on one phone, as auth-js keeps it: one session at a time, kept across app restarts. */
class PhoneAuth implements AuthApi {
  session: AuthUser | null = null
  private listeners: (() => void)[] = []

  constructor(private readonly network: FaultyNetwork) {}

  async signIn(email: string): Promise<AuthUser> {
    if (!this.network.online) throw new SignInError('offline', 'fetch failed')
    this.session = USERS.find((user) => user.email === email)!
    return this.session
  }

  async signUp(): Promise<AuthUser> {
    throw new Error('the model signs nobody up: its users have accounts')
  }

  async signOut(): Promise<void> {
    this.session = null
  }

  async sessionState(): Promise<SessionState> {
    return this.session ? { state: 'signed-in', user: this.session } : { state: 'signed-out' }
  }

  onSessionEnded(callback: () => void): () => void {
    this.listeners.push(callback)
    return () => {
      this.listeners = this.listeners.filter((listener) => listener !== callback)
    }
  }

  /** Auth ends the session by itself (refresh token revoked or expired). */
  endSession(): void {
    this.session = null
    for (const listener of this.listeners) listener()
  }

  /** The app that listened is gone. */
  forgetListeners(): void {
    this.listeners = []
  }
}

interface RunningApp {
  number: number
  services: Services
  pinia: Pinia
}

export class Phone {
  readonly server = new FakeServer()
  readonly network: FaultyNetwork
  /** What happened, for the report of a failing schedule. */
  readonly trace: string[] = []
  /** What each user saved, by event id: the fields, or null once deleted. */
  private readonly saved = new Map<Uuid, Map<Uuid, ServiceEventFields | null>>(USERS.map((user) => [user.id, new Map()]))
  private readonly auth: PhoneAuth
  private readonly clock = new FakeClock(Date.parse('2023-06-01T00:00:00Z'))
  /** Ids stay unique across restarts, as crypto.randomUUID's are. */
  private readonly newId = sequentialIds('e')
  private app: RunningApp | null = null
  private readonly retired: Services[] = []
  private apps = 0
  private dead = false
  private killed: Promise<void> = Promise.resolve()
  private markKilled: () => void = () => undefined
  /** What the user started while a request was in flight, and whether the page reloads after it. */
  private pending: { work: Promise<unknown>; reloads: boolean } | null = null

  private constructor(private readonly tally: Tally) {
    // Pages of three rows: the engine asks for 500, the server may answer fewer (it caps at 1000).
    this.server.pageCap = 3
    this.network = new FaultyNetwork(this.server, REFERENCE, tally)
    this.auth = new PhoneAuth(this.network)
    this.network.onKill = () => {
      this.dead = true
      this.trace.push('    the app is killed')
      this.markKilled()
    }
    this.network.meanwhile = (step, request) => this.meanwhile(step, request)
  }

  /** A phone with the app started and Alice signed in. */
  static async withAliceSignedIn(tally: Tally): Promise<Phone> {
    const phone = new Phone(tally)
    await phone.boot()
    await phone.signIn(ALICE)
    return phone
  }

  // ---- The user's actions; each ends when the app is idle again. ----

  async save(spec: EventSpec): Promise<void> {
    const owner = this.workingUser()
    if (!owner) return this.skip()
    const fields = eventOf(spec)
    const id = await useEventsStore(this.running().pinia).save(fields)
    this.saved.get(owner)!.set(id, fields)
    await this.settle()
  }

  async edit(pick: number, spec: EventSpec): Promise<void> {
    const id = await this.pickOwnEvent(pick)
    if (!id) return this.skip()
    await this.editNow(id, spec)
    await this.settle()
  }

  async remove(pick: number): Promise<void> {
    const id = await this.pickOwnEvent(pick)
    if (!id) return this.skip()
    await useEventsStore(this.running().pinia).remove(id)
    this.ownerMap(id).set(id, null)
    await this.settle()
  }

  /** The "sync now" of the banner, shown whenever someone is signed in. */
  async sync(): Promise<void> {
    if (!this.session().user) return this.skip()
    await this.untilKilled(useSyncStore(this.running().pinia).syncNow())
    await this.settle()
  }

  /** Time passes: the engine's own retry fires when it is due. */
  async wait(ms: number): Promise<void> {
    this.clock.advance(ms)
    await this.settle()
  }

  /** The app is closed and opened again. */
  async restart(): Promise<void> {
    await this.boot()
    await this.settle()
  }

  /** Auth ends the session by itself; the app asks the user to sign in again. */
  async sessionEnds(): Promise<void> {
    if (!this.auth.session) return this.skip()
    this.auth.endSession()
    await this.settle()
  }

  /** The header's sign-out, confirmed; the page then reloads (App.vue). */
  async signOut(): Promise<void> {
    const session = this.session()
    if (!session.user) return this.skip()
    if (await this.untilKilled(session.signOut().then((keptAside) => this.noteAside(keptAside !== null)))) await this.boot()
    await this.settle()
  }

  /** The sign-in page, shown when nobody is signed in or the session ended. */
  async signIn(user: AuthUser): Promise<void> {
    if (this.workingUser()) return this.skip()
    await this.untilKilled(this.signInNow(user))
    await this.settle()
  }

  // ---- Checks ----

  /**
   * What the app shows is right at any moment: the user it lets work is the one whose data is
   * open and whose session sends it, and the events another user left unsynced never show,
   * neither in the open database nor in the list the pages render.
   */
  async checkViews(): Promise<void> {
    const account = this.running().services.account
    const user = this.workingUser()
    if (user) {
      expect(account?.userId, 'the data open is the signed-in user\'s').toBe(user)
      expect(this.auth.session?.id, 'the session is the signed-in user\'s').toBe(user)
      this.checkShown(useEventsStore(this.running().pinia).events, user, 'the events page')
    }
    if (account) this.checkShown(await account.db.listEvents(), account.userId, 'the open database')
  }

  private checkShown(records: readonly LocalEvent[], viewer: Uuid, where: string): void {
    const serverVersions = new Set(this.server.written.map((row) => `${row.id} ${canonical(row)}`))
    for (const record of records) {
      const owner = this.ownerOf(record.id)
      expect(owner, `event ${record.id} was made by a user`).toBeDefined()
      if (owner === viewer || record.deleted) continue
      this.tally.add(`another user's event in ${where}`)
      expect(serverVersions.has(`${record.id} ${canonical(record)}`), `${where} shows ${record.id} of another user only as the server had it`).toBe(true)
    }
  }

  /**
   * With the network healthy, each user with anything on the phone (signed in, or their changes
   * set aside) signs in, syncs and signs out: then nothing waits on the phone, the server holds
   * exactly what each user saved, under their own account, and its totals equal a recomputation.
   */
  async syncEveryoneAndCheck(): Promise<void> {
    this.trace.push('healthy network: everyone syncs')
    this.network.deliverHeld(false)
    this.network.heal()
    await this.settle()
    const current = this.running().services.account?.userId ?? this.session().user?.id ?? null
    const aside = (await this.running().services.device.listAside()).map((entry) => entry.userId)
    const waiting = USERS.filter((user) => user.id === current || aside.includes(user.id))
    for (const [index, user] of waiting.sort((a, b) => Number(b.id === current) - Number(a.id === current)).entries()) {
      if (this.workingUser() !== user.id) {
        if (this.workingUser()) await this.signOut()
        await this.signIn(user)
      }
      const account = this.running().services.account
      expect(account?.userId, `${user.email} is signed in`).toBe(user.id)
      for (let round = 0; round < 5 && (await account!.db.listOutbox()).length > 0; round++) await this.sync()
      await this.sync()
      expect(await account!.db.listOutbox(), `${user.email}'s queue is empty`).toEqual([])
      const local = await account!.db.listEvents()
      const unsettled = local.filter((record) => record.syncState !== 'synced')
      expect(unsettled.map(({ id, syncState, failure, conflictReason }) => ({ id, syncState, failure, conflictReason })), 'nothing failed or in conflict').toEqual([])
      const own = local.filter((record) => !record.deleted && this.ownerOf(record.id) === user.id)
      expect(new Map(own.map((record) => [record.id, canonical(record)])), `${user.email}'s phone holds what they saved`).toEqual(this.liveSaved(user.id))
      expect(await this.session().signOut(), `${user.email} leaves nothing unsynced`).toBeNull()
      if (index < waiting.length - 1) await this.restart()
    }
    const { device } = this.running().services
    expect(await device.listAside(), 'no one\'s changes wait on the phone').toEqual([])
    for (const user of USERS.filter((candidate) => !waiting.includes(candidate))) {
      const db = await openLocalDb(await device.accountDbName(user.id))
      const left = await db.unsyncedSummary()
      db.close()
      expect(left.events, `the phone keeps track of ${user.email}'s unsynced changes`).toBe(0)
    }
    this.checkServer()
  }

  private checkServer(): void {
    const serverLive = new Map(this.server.liveEvents().map((row) => [row.id, canonical(row)]))
    const saved = new Map(USERS.flatMap((user) => [...this.liveSaved(user.id)]))
    expect(serverLive, 'the server holds what the users saved, once each').toEqual(saved)
    const misrecorded = [...this.server.events.values()].filter((row) => row.recorded_by !== this.ownerOf(row.id))
    expect(misrecorded.map((row) => row.id), 'each event is recorded by the user who made it').toEqual([])
    const foreign = this.server.received.filter((change) => change.account !== this.ownerOf(change.event_id))
    expect(foreign, 'no change reached the server under another account').toEqual([])
    expect(this.network.anonymousPushes, 'no change was sent without a token').toEqual([])

    const recomputed = totalsByStationMonth(this.server.liveEvents())
    const maintained = [...this.server.totals]
      .filter(([, totals]) => totals.events !== 0)
      .map(([key, totals]) => {
        const [station, themeMonth] = key.split('|')
        return {
          group_id: station, month: themeMonth === APRIL ? '2023-04-01' : '2023-03-01', events: totals.events, volunteers: totals.tallies.size,
          volunteer_hours: totals.hundredths / 100, people_served: totals.people_served, funds_fen: totals.funds_fen,
          materials_fen: totals.materials_fen,
        }
      })
      .sort((a, b) => a.group_id!.localeCompare(b.group_id!) || a.month.localeCompare(b.month))
    expect(maintained, 'totals equal a recomputation').toEqual(recomputed)
  }

  /** Stops the app for good (end of a run). */
  shutDown(): void {
    this.retire()
    this.app = null
    for (const { account, device } of this.retired) {
      account?.db.close()
      device.close()
    }
  }

  // ---- The app's life ----

  /** Starts the app as App.vue does: restore the session, then sync for whoever is signed in. */
  private async boot(): Promise<void> {
    this.retire()
    const number = ++this.apps
    this.network.startApp(number)
    this.dead = false
    this.killed = new Promise((resolve) => {
      this.markKilled = resolve
    })
    const services = await createServices({
      auth: this.auth,
      device: await openDeviceDb('phone-device', 'phone-user-'),
      transportFor: (userId) => createSupabaseTransport(fakeApiClient(this.network, () => this.auth.session?.id ?? null, number), userId),
      appVersion: '0.0.0-model',
      clock: this.clock,
      random: () => 0.5,
      newId: this.newId,
      lock: noLock,
    })
    configureServices(services)
    const pinia = createPinia()
    setActivePinia(pinia)
    this.app = { number, services, pinia }
    this.trace.push(`    app ${number} starts`)
    try {
      if (!(await this.untilKilled(this.session().restore()))) return
    } catch (error) {
      if (!(error instanceof TransportError)) throw error
      this.trace.push(`    restoring the session failed: ${error.message}`)
    }
    if (this.session().user) await this.untilKilled(this.startSyncing())
  }

  /** App.vue's watcher on the signed-in user. */
  private async startSyncing(): Promise<void> {
    await useReferenceStore(this.running().pinia).load()
    await useSyncStore(this.running().pinia).start()
  }

  /**
   * The running app goes away, with its triggers and timers. Its database connections close at
   * the end of the run: what it was reading when it died may finish (a killed app would do
   * nothing more, and reads change nothing), and they block no one (a user's database closes
   * itself when it is deleted; the device's is never deleted).
   */
  private retire(): void {
    if (!this.app) return
    useSyncStore(this.app.pinia).stop()
    this.app.services.account?.engine.stop()
    this.retired.push(this.app.services)
    this.auth.forgetListeners()
    this.pending = null
  }

  /**
   * Waits until the app is idle: no sync round running, no request in flight (one a failed
   * Promise.all left behind included), what the user started meanwhile done (after a sign-out
   * the page reloads). The next action starts only then. An app killed on the way is started again.
   */
  private async settle(): Promise<void> {
    for (;;) {
      if (this.dead) {
        await this.boot()
        continue
      }
      const pending = this.pending
      const engine = this.running().services.account?.engine
      if (!(await this.untilKilled(Promise.all([engine?.idle(), pending?.work, this.network.quiet()])))) continue
      if (pending) {
        this.pending = null
        if (pending.reloads) await this.boot()
        continue
      }
      // Whatever finished may have started more (an edit made meanwhile starts a round).
      const stillBusy = this.pending || this.dead || this.network.busy || this.running().services.account?.engine.status.running
      if (!stillBusy) return
    }
  }

  /** Resolves true when the work is done, false when the app was killed first. */
  private async untilKilled(work: Promise<unknown>): Promise<boolean> {
    return Promise.race([work.then(() => true), this.killed.then(() => false)])
  }

  /**
   * The user acts while a request is in flight, as far as the app lets them. All but edits
   * happen during the sync engine's rounds only: signing out, or another user signing in, waits
   * for the round to end, so when the app is killed in that round they die with it, as they
   * would on a phone; and a session ends when a refresh fails, never during its own sign-in.
   */
  private async meanwhile(step: Interleaving, request: Request['kind']): Promise<boolean> {
    if (this.dead || this.pending || (step.kind !== 'editMeanwhile' && request === 'select')) return false
    switch (step.kind) {
      case 'editMeanwhile': {
        const id = await this.pickOwnEvent(step.pick)
        if (!id) return false
        await this.editNow(id, step.event)
        return true
      }
      case 'signOutMeanwhile':
        if (!this.session().user) return false
        this.pending = { work: this.session().signOut().then((keptAside) => this.noteAside(keptAside !== null)), reloads: true }
        return true
      case 'sessionEndsMeanwhile':
        if (!this.auth.session) return false
        this.auth.endSession()
        return true
      case 'takeOverMeanwhile': {
        const user = this.workingUser()
        if (!user) return false
        this.auth.endSession()
        this.pending = { work: this.signInNow(user === ALICE.id ? BOB : ALICE), reloads: false }
        return true
      }
    }
  }

  /** Signs in on the sign-in page; a failure is shown there and changes nothing. */
  private async signInNow(user: AuthUser): Promise<void> {
    const session = this.session()
    const before = session.user?.id ?? null
    if ((await this.running().services.device.listAside()).some((aside) => aside.userId !== user.id)) {
      this.tally.add('sign-in while another user\'s changes wait aside')
    }
    try {
      await session.signIn(user.email, 'password')
    } catch (error) {
      if (!(error instanceof SignInError || error instanceof TransportError)) throw error
      this.trace.push(`    sign-in failed: ${error.message}`)
      return
    }
    // The pages show now; App.vue starts syncing whenever the signed-in user changes.
    await this.checkViews()
    if (this.session().user?.id !== before) await this.startSyncing()
  }

  private async editNow(id: Uuid, spec: EventSpec): Promise<void> {
    const fields = eventOf(spec)
    await useEventsStore(this.running().pinia).save(fields, id)
    this.ownerMap(id).set(id, fields)
  }

  private noteAside(keptAside: boolean): void {
    if (keptAside) this.tally.add('sign-out with changes kept aside')
  }

  // ---- Helpers ----

  private running(): RunningApp {
    if (!this.app) throw new Error('the app is not running')
    return this.app
  }

  private session() {
    return useSessionStore(this.running().pinia)
  }

  /** The user the app lets work now (their pages are shown), if any. */
  private workingUser(): Uuid | null {
    const session = this.session()
    return session.user && !session.needsSignIn ? session.user.id : null
  }

  /** One of the working user's own events that their phone shows (the only ones they can open). */
  private async pickOwnEvent(pick: number): Promise<Uuid | null> {
    const user = this.workingUser()
    const account = this.running().services.account
    if (!user || !account) return null
    const own = (await account.db.listEvents())
      .filter((record) => !record.deleted && this.ownerOf(record.id) === user)
      .map((record) => record.id)
      .sort()
    return own.length > 0 ? own[pick % own.length]! : null
  }

  private skip(): void {
    this.trace.push('    (nothing to do)')
  }

  private ownerOf(id: Uuid): Uuid | undefined {
    return USERS.find((user) => this.saved.get(user.id)!.has(id))?.id
  }

  private ownerMap(id: Uuid): Map<Uuid, ServiceEventFields | null> {
    return this.saved.get(this.ownerOf(id)!)!
  }

  private liveSaved(userId: Uuid): Map<Uuid, string> {
    return new Map([...this.saved.get(userId)!].flatMap(([id, fields]) => (fields ? [[id, canonical(fields)] as const] : [])))
  }
}
