// A phone shared by two volunteers: what one leaves unsynced stays on the phone, apart, until
// they sign in again; the other neither sees it nor sends it; each user's changes travel only
// under their own account.
import 'fake-indexeddb/auto'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import type { AuthApi, AuthUser, SessionState } from '../../src/api/auth'
import type { EventChange } from '../../src/domain/types'
import { openLocalDb } from '../../src/local/db'
import { useEventsStore } from '../../src/stores/events'
import { useSessionStore } from '../../src/stores/session'
import { useSyncStore } from '../../src/stores/sync'
import type { Services } from '../../src/sync/runtime'
import { emptyReference, FakeServer, ServerTransport } from './support/fake-server'
import { eventFields, pendingRecord, PERSON, PERSON_2, TEAM, USER } from './support/fixtures'
import { useTestServices } from './support/services'

const ALICE: AuthUser = { id: USER, email: 'alice@demo.local' }
const BOB: AuthUser = { id: '00000000-0000-4000-8000-0000000000f2', email: 'bob@demo.local' }
/** A newcomer who signs up on the phone. */
const CAROL: AuthUser = { id: '00000000-0000-4000-8000-0000000000f3', email: '+8613800138000' }
const CAROL_PERSON = '00000000-0000-4000-8000-0000000000e3'

/** Auth on one phone: one session at a time, as auth-js keeps it. */
class PhoneAuth implements AuthApi {
  session: AuthUser | null = null
  async signIn(email: string): Promise<AuthUser> {
    this.session = [ALICE, BOB].find((user) => user.email === email)!
    return this.session
  }
  async signUp(login: string): Promise<AuthUser> {
    this.session = { ...CAROL, email: login }
    return this.session
  }
  async signOut(): Promise<void> {
    this.session = null
  }
  async sessionState(): Promise<SessionState> {
    return this.session ? { state: 'signed-in', user: this.session } : { state: 'signed-out' }
  }
  onSessionEnded(): () => void {
    return () => undefined
  }
}

describe('a phone shared by two users', () => {
  let server: FakeServer
  let services: Services
  let online: boolean
  /** Which account sent each pushed change. */
  let sentBy: Map<string, string>
  /** Whether the team's leader has approved Carol's request to join. */
  let carolApproved: boolean

  beforeEach(async () => {
    setActivePinia(createPinia())
    server = new FakeServer()
    online = true
    sentBy = new Map()
    carolApproved = false
    const transportFor = (userId: string) => {
      const transport = new ServerTransport(server)
      // Both are members of the team: each sees the same team, and may log its events. Carol
      // sees nothing of it until she is approved.
      const reference = () => ({
        ...emptyReference,
        people: [
          { id: PERSON, display_name: '爱丽丝', user_id: ALICE.id },
          { id: PERSON_2, display_name: '鲍勃', user_id: BOB.id },
          ...(carolApproved ? [{ id: CAROL_PERSON, display_name: '卡萝', user_id: CAROL.id }] : []),
        ],
        teamMembers: [PERSON, PERSON_2, ...(carolApproved ? [CAROL_PERSON] : [])]
          .map((person_id) => ({ team_id: TEAM, person_id, role: 'member' as const })),
      })
      transport.fetchReference = async () => (userId !== CAROL.id || carolApproved ? reference() : emptyReference)
      const push = transport.push.bind(transport)
      transport.push = async (changes: EventChange[]) => {
        if (!online) throw new TypeError('Failed to fetch')
        for (const change of changes) sentBy.set(change.change_id, userId)
        return push(changes)
      }
      return transport
    }
    ;({ services } = await useTestServices(transportFor, { auth: new PhoneAuth(), signedIn: null }))
  })

  it('keeps what one user left unsynced apart, counted, unseen by the next user, and sends it only as its owner', async () => {
    const session = useSessionStore()
    const events = useEventsStore()
    const sync = useSyncStore()
    await session.restore()
    await session.signIn(ALICE.email, 'pw')

    // Alice: one event synced, one the server refuses (parked), one saved offline (queued).
    const synced = await events.save(eventFields({ title: '已同步' }))
    await sync.syncNow()
    const refused = '30000000-0000-4000-8000-000000000001'
    await services.account!.db.saveEvent(pendingRecord(refused, eventFields({ participants: [] })), {
      change_id: services.newId(), event_id: refused, op: 'upsert', fields: eventFields({ participants: [] }),
      queued_at: new Date().toISOString(), sent: false,
    })
    await sync.syncNow()
    online = false
    const queued = await events.save(eventFields({ title: '离线保存' }))
    await sync.refreshStatus()
    expect(sync.unsyncedCount).toBe(2)
    expect(sync.failures.map((problem) => problem.id)).toEqual([refused])

    const keptAside = await session.signOut()
    expect(keptAside).toMatchObject({ events: 2, needsAttention: 1 })
    expect(session.asideAccounts).toEqual([expect.objectContaining({ userId: ALICE.id, email: ALICE.email, unsynced: 2 })])
    // On the phone, only Alice's unsynced events stay, and nothing else of hers.
    const aliceDb = await openLocalDb(await services.device.accountDbName(ALICE.id))
    expect((await aliceDb.listEvents()).map((record) => record.id).sort()).toEqual([queued, refused].sort())
    expect(await aliceDb.getMeta('profile')).toBeNull()
    expect((await aliceDb.loadReference()).people).toEqual([])
    aliceDb.close()

    // Bob signs in online: he sees and sends nothing of Alice's.
    online = true
    await session.signIn(BOB.email, 'pw')
    await events.load()
    expect(events.events.map((record) => record.id)).not.toContain(queued)
    expect(events.events.map((record) => record.id)).not.toContain(refused)
    await sync.syncNow()
    expect(server.events.has(queued)).toBe(false)
    expect(sync.unsyncedCount).toBe(0)
    expect((await session.signOut())).toBeNull()

    // Alice comes back: her queued change goes, under her account, once; her refusal still waits for her.
    await session.signIn(ALICE.email, 'pw')
    expect(session.asideAccounts).toEqual([])
    await sync.syncNow()
    expect(server.events.get(queued)?.title).toBe('离线保存')
    expect([...sentBy.values()].every((sender) => sender === ALICE.id)).toBe(true)
    await events.load()
    expect(events.events.find((record) => record.id === refused)?.syncState).toBe('failed')
    expect(events.events.find((record) => record.id === synced)?.syncState).toBe('synced')
  })

  it('opens a newcomer\'s own account when they sign up, and their team once they are approved', async () => {
    const session = useSessionStore()
    await session.signIn(ALICE.email, 'pw')
    online = false
    await useEventsStore().save(eventFields())
    // Carol signs up on Alice's phone (whose session ended): Alice's unsynced event is set aside.
    await session.signUp('138 0013 8000', 'long enough')
    online = true
    expect(services.account?.userId).toBe(CAROL.id)
    expect(session.asideAccounts).toEqual([expect.objectContaining({ userId: ALICE.id, unsynced: 1 })])
    expect(session.myTeamIds).toEqual([])
    expect(await session.refreshProfile()).toBe(false)
    expect(session.myTeamIds).toEqual([])

    carolApproved = true
    expect(await session.refreshProfile()).toBe(true)
    expect(session.myTeamIds).toEqual([TEAM])
    expect(session.personId).toBe(CAROL_PERSON)
    // The pull starts over: the team's events from before she joined come to her phone.
    expect(await services.account!.db.getMeta('pullCursor')).toBeNull()
  })

  it('leaves nothing of a user who signs out with everything synced', async () => {
    const session = useSessionStore()
    await session.signIn(ALICE.email, 'pw')
    await useEventsStore().save(eventFields())
    await useSyncStore().syncNow()
    const name = await services.device.accountDbName(ALICE.id)
    expect(await session.signOut()).toBeNull()
    expect((await indexedDB.databases()).map((db) => db.name)).not.toContain(name)
    expect(session.asideAccounts).toEqual([])
    expect(await services.device.activeUserId()).toBeNull()
  })

  it('sets the first user aside when another signs in on the "sign in again" page', async () => {
    const session = useSessionStore()
    await session.signIn(ALICE.email, 'pw')
    online = false
    const queued = await useEventsStore().save(eventFields())
    expect((await useSyncStore().syncNow()).status).toBe('retrying')
    online = true
    // Alice's session ends (e.g. her refresh token was revoked); Bob signs in on this phone.
    await session.signIn(BOB.email, 'pw')
    expect(services.account?.userId).toBe(BOB.id)
    expect(session.asideAccounts).toEqual([expect.objectContaining({ userId: ALICE.id, unsynced: 1 })])
    await useSyncStore().syncNow()
    expect(server.events.has(queued)).toBe(false)
  })
})
