// The ledger's changes on the phone: a leader's confirmation, a change refused because its month
// is closed and sent on as an adjustment request, the coordinator's decision, and a correction
// request; all through the outbox, against the fake server's semantics of the push API.
import 'fake-indexeddb/auto'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { coalesce, type OutboxEntry } from '../../src/local/outbox'
import { useEventsStore } from '../../src/stores/events'
import { RequestTextError, useRequestsStore } from '../../src/stores/requests'
import { useSyncStore } from '../../src/stores/sync'
import type { Account } from '../../src/sync/runtime'
import { emptyReference, FakeServer, ServerTransport } from './support/fake-server'
import { eventFields, MARCH, PERSON, STATION, TEAM, USER } from './support/fixtures'
import { useTestServices } from './support/services'

describe('the ledger on the phone', () => {
  let server: FakeServer
  let account: Account
  beforeEach(async () => {
    setActivePinia(createPinia())
    server = new FakeServer()
    const transport = new ServerTransport(server)
    transport.reference = {
      ...emptyReference,
      people: [{ id: PERSON, display_name: '队长', user_id: USER }],
      teamMembers: [{ team_id: TEAM, person_id: PERSON, role: 'leader' }],
    }
    ;({ account } = (await useTestServices(() => transport)) as { account: Account })
    await account.db.setMeta({
      profile: { userId: USER, email: 'leader@demo.local', programRole: null, personId: PERSON, myTeamIds: [TEAM], ledTeamIds: [TEAM] },
    })
  })

  async function logged(title: string): Promise<string> {
    const id = await useEventsStore().save(eventFields({ title }))
    await useSyncStore().syncNow()
    return id
  }

  it('a leader confirms events offline; they are confirmed once synced, and an edit unconfirms', async () => {
    const events = useEventsStore()
    const [a, b] = [await logged('甲'), await logged('乙')]
    expect(await events.confirm([a, b, a])).toBe(2)
    expect(events.events.find((e) => e.id === a)?.confirmation).toBe('queued')
    expect(await events.confirm([a])).toBe(0)
    await useSyncStore().syncNow()
    expect(server.events.get(a)?.confirmed_at).not.toBeNull()
    expect(server.events.get(b)?.confirmed_at).not.toBeNull()
    await events.load()
    expect(events.events.find((e) => e.id === a)).toMatchObject({ syncState: 'synced', confirmation: { at: expect.any(String) } })

    await events.save(eventFields({ title: '甲（改）' }), a)
    await useSyncStore().syncNow()
    expect(server.events.get(a)?.confirmed_at).toBeNull()
    await events.load()
    expect(events.events.find((e) => e.id === a)?.confirmation).toBeNull()
  })

  it('a confirmation of a version that changed meanwhile is dropped and the new version shown', async () => {
    const events = useEventsStore()
    const a = await logged('甲')
    await events.confirm([a])
    server.edit(a, { title: '别人改过' })
    await useSyncStore().syncNow()
    expect(server.events.get(a)?.confirmed_at).toBeNull()
    await events.load()
    expect(events.events.find((e) => e.id === a)).toMatchObject({ syncState: 'synced', title: '别人改过', confirmation: null })
    expect(await account.db.listOutbox()).toEqual([])
  })

  it('an edit queued after a queued confirmation drops it: the edit would undo it anyway', () => {
    const entry = (seq: number, op: OutboxEntry['op']): OutboxEntry => ({
      seq, change_id: `c${seq}`, event_id: 'e', op, fields: op === 'confirm' ? null : eventFields(), queued_at: '', sent: false,
    })
    const plan = coalesce([entry(1, 'confirm'), entry(2, 'correct')], { ...entry(3, 'upsert'), seq: undefined }, 7)
    expect(plan.remove).toEqual([1])
    expect(plan.put).toMatchObject({ op: 'upsert' })
  })

  it('a change refused for a closed month is parked, sent on as an adjustment request, and applied when approved', async () => {
    const events = useEventsStore()
    const requests = useRequestsStore()
    const sync = useSyncStore()
    server.close(STATION, MARCH)
    const id = await events.save(eventFields({ title: '迟到的记录' }))
    await sync.syncNow()
    await events.load()
    expect(events.events[0]).toMatchObject({ syncState: 'failed', failure: { rule: 'period_closed' } })

    await expect(requests.requestAdjustment(id, '　')).rejects.toBeInstanceOf(RequestTextError)
    expect(await requests.requestAdjustment(id, '活动当天没有信号，晚了三天才录入')).toBe(true)
    await sync.syncNow()
    await Promise.all([events.load(), requests.load()])
    expect(events.events[0]!.syncState).toBe('awaiting')
    expect(sync.unsyncedCount).toBe(0)
    expect(requests.requests).toEqual([expect.objectContaining({ kind: 'adjustment', status: 'pending', text: '活动当天没有信号，晚了三天才录入' })])
    expect(server.events.has(id)).toBe(false)

    server.decide(requests.requests[0]!.id, true)
    await sync.syncNow()
    await Promise.all([events.load(), requests.load()])
    expect(server.events.get(id)?.title).toBe('迟到的记录')
    expect(events.events[0]).toMatchObject({ id, syncState: 'synced', serverRevision: server.events.get(id)!.revision })
    expect(requests.requests[0]!.status).toBe('approved')
  })

  it('a declined adjustment puts the server\'s version back and shows the reason', async () => {
    const events = useEventsStore()
    const requests = useRequestsStore()
    const sync = useSyncStore()
    const id = await logged('原记录')
    server.close(STATION, MARCH)
    await events.save(eventFields({ title: '改过的记录' }), id)
    await sync.syncNow()
    await requests.requestAdjustment(id, '人数记错了')
    await sync.syncNow()
    server.decide(requests.requests[0]!.id, false, '已按原始签到表核对，不予调整')
    await sync.syncNow()
    await Promise.all([events.load(), requests.load()])
    expect(events.events.find((e) => e.id === id)).toMatchObject({ syncState: 'synced', title: '原记录' })
    expect(requests.requests[0]).toMatchObject({ status: 'declined', decisionReason: '已按原始签到表核对，不予调整' })
  })

  it('only a change refused for a closed month can become an adjustment request', async () => {
    const id = await logged('正常')
    expect(await useRequestsStore().requestAdjustment(id, '理由')).toBe(false)
    expect(await account.db.listOutbox()).toEqual([])
  })

  it('a participant flags an error in a record; the request reaches the server once, even offline first', async () => {
    const requests = useRequestsStore()
    const id = await logged('我的记录')
    expect(await requests.requestCorrection(id, '我那天服务了三小时，不是两小时')).toBe(true)
    expect(requests.requests[0]).toMatchObject({ kind: 'correction', status: 'queued' })
    await useSyncStore().syncNow()
    await useSyncStore().syncNow()
    expect([...server.requests.values()].map((request) => request.answer)).toEqual([
      expect.objectContaining({ kind: 'correction', event_id: id, reason_or_note: '我那天服务了三小时，不是两小时' }),
    ])
    await requests.load()
    expect(requests.requests[0]!.status).toBe('pending')
  })
})
