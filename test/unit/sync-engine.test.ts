import 'fake-indexeddb/auto'
import { describe, expect, it, vi } from 'vitest'
import type { ChangeOutcome, EventChange } from '../../src/domain/types'
import { classifyFailure, TransportError } from '../../src/sync/errors'
import { webLockRunner } from '../../src/sync/lock'
import { planKeepMine, planRestoreServer } from '../../src/sync/plans'
import { watchSyncTriggers } from '../../src/sync/triggers'
import { ServerTransport } from './support/fake-server'
import { harness } from './support/engine-harness'
import { eventFields } from './support/fixtures'

const A = '20000000-0000-4000-8000-00000000000a'
const B = '20000000-0000-4000-8000-00000000000b'
const C = '20000000-0000-4000-8000-00000000000c'

describe('sync engine: push outcomes', () => {
  it('applied: the event is on the server, synced locally at its revision, the outbox empty', async () => {
    const h = await harness()
    await h.save(A, eventFields())
    expect(await h.engine.syncNow()).toMatchObject({ status: 'synced', pushed: 1 })
    const server = h.server.events.get(A)!
    expect(server.title).toBe('社区义诊')
    expect(await h.db.getEvent(A)).toMatchObject({ syncState: 'synced', serverRevision: server.revision })
    expect(await h.db.listOutbox()).toEqual([])
  })

  it('duplicate: a resend after a lost response is recognised, not applied twice', async () => {
    const h = await harness()
    const lossy = new ServerTransport(h.server)
    let loseNext = true
    lossy.push = async (changes) => {
      const outcomes = h.server.push(changes)
      if (loseNext) {
        loseNext = false
        throw new TypeError('fetch failed')
      }
      return outcomes
    }
    const engine = new (h.engine.constructor as typeof import('../../src/sync/engine').SyncEngine)({
      db: h.db, transport: lossy, clock: h.clock, random: () => 0.5, lock: async (task) => ({ ran: true, value: await task() }),
    })
    await h.save(A, eventFields())
    expect((await engine.syncNow()).status).toBe('retrying')
    const spy = vi.spyOn(h.server, 'push')
    expect((await engine.syncNow()).status).toBe('synced')
    expect(spy.mock.results[0]!.value).toEqual([expect.objectContaining({ status: 'duplicate' })])
    expect(h.server.events.size).toBe(1)
    expect(h.server.appliedChanges.size).toBe(1)
    expect((await h.db.getEvent(A))!.syncState).toBe('synced')
  })

  it('sends an edit of a synced event with the revision the phone last saw', async () => {
    const h = await harness()
    await h.save(A, eventFields())
    await h.engine.syncNow()
    const seen = h.server.events.get(A)!.revision
    await h.save(A, eventFields({ title: '改过的' }))
    await h.engine.syncNow()
    expect(h.transport.pushed.at(-1)).toEqual([expect.objectContaining({ base_revision: seen, op: 'upsert' })])
    expect(h.server.events.get(A)!.title).toBe('改过的')
  })

  it('conflict: server wins by default; the user keeps their version until choosing', async () => {
    const h = await harness()
    await h.save(A, eventFields())
    await h.engine.syncNow()
    h.server.edit(A, { title: '别人改的' })
    await h.save(A, eventFields({ title: '我改的' }))
    await h.engine.syncNow()
    const record = (await h.db.getEvent(A))!
    expect(record).toMatchObject({ syncState: 'conflict', conflictReason: 'changed', title: '我改的' })
    expect(record.server?.fields.title).toBe('别人改的')
    expect(h.server.events.get(A)!.title).toBe('别人改的')
    expect(await h.db.listOutbox()).toEqual([])

    // keep-mine: a new change on top of the server's revision, which then applies.
    await h.db.mutate([A], (slice) => planKeepMine(slice, A, { changeId: h.newId(), newEventId: h.newId() }, 'now'))
    await h.engine.syncNow()
    expect(h.server.events.get(A)!.title).toBe('我改的')
    expect((await h.db.getEvent(A))!.syncState).toBe('synced')
  })

  it('conflict resolved by taking the server version restores it locally', async () => {
    const h = await harness()
    await h.save(A, eventFields())
    await h.engine.syncNow()
    h.server.edit(A, { title: '别人改的' })
    await h.save(A, eventFields({ title: '我改的' }))
    await h.engine.syncNow()
    await h.db.mutate([A], (slice) => planRestoreServer(slice, A, 'now'))
    expect(await h.db.getEvent(A)).toMatchObject({ syncState: 'synced', title: '别人改的' })
  })

  it('keep-mine after the server deleted the event saves the user version as a new event', async () => {
    const h = await harness()
    await h.save(A, eventFields())
    await h.engine.syncNow()
    h.server.edit(A, { deleted: true })
    await h.save(A, eventFields({ title: '我改的' }))
    await h.engine.syncNow()
    expect((await h.db.getEvent(A))!.conflictReason).toBe('deleted')
    const newId = await h.db.mutate([A], (slice) => planKeepMine(slice, A, { changeId: h.newId(), newEventId: B }, 'now'))
    await h.engine.syncNow()
    expect(newId).toBe(B)
    expect(h.server.events.get(B)!.title).toBe('我改的')
    expect((await h.db.getEvent(A))!.deleted).toBe(true)
  })

  it('rejected: parked as failed with code, rule and message; the rest of the batch applies', async () => {
    const h = await harness()
    await h.save(A, eventFields({ participants: [] }))
    await h.save(B, eventFields())
    await h.engine.syncNow()
    expect(await h.db.getEvent(A)).toMatchObject({
      syncState: 'failed', title: '社区义诊',
      failure: { code: '23514', rule: 'service_events_has_participants', message: expect.any(String) },
    })
    expect((await h.db.getEvent(B))!.syncState).toBe('synced')
    expect(await h.db.listOutbox()).toEqual([])
    // Fixing and saving again sends it as a new event.
    await h.save(A, eventFields())
    await h.engine.syncNow()
    expect((await h.db.getEvent(A))!.syncState).toBe('synced')
  })

  it('a whole batch refused for good is parked, not retried forever', async () => {
    const h = await harness()
    h.transport.push = async () => {
      throw new TransportError('changes must be an array of at most 500 changes', 400, '22023', 'sync_batch_shape')
    }
    await h.save(A, eventFields())
    expect((await h.engine.syncNow()).status).toBe('synced')
    expect(await h.db.getEvent(A)).toMatchObject({ syncState: 'failed', failure: { code: '22023', rule: 'sync_batch_shape' } })
    expect(h.clock.pendingDelays()).toEqual([])
  })

  it('pushes in batches of the configured size', async () => {
    const h = await harness({ batchSize: 2 })
    for (const id of [A, B, C]) await h.save(id, eventFields())
    await h.engine.syncNow()
    expect(h.transport.pushed.map((batch) => batch.length)).toEqual([2, 1])
    expect(h.server.events.size).toBe(3)
  })
})

describe('sync engine: retries', () => {
  it('retries transient failures by itself with exponential backoff and full jitter', async () => {
    const h = await harness({ random: () => 0.5, backoff: { baseMs: 2_000, maxMs: 6_000 } })
    let failures = 4
    const push = h.transport.push.bind(h.transport)
    h.transport.push = async (changes: EventChange[]): Promise<ChangeOutcome[]> => {
      if (failures-- > 0) throw new TransportError('Service Unavailable', 503)
      return push(changes)
    }
    await h.save(A, eventFields())
    expect(await h.engine.syncNow()).toMatchObject({ status: 'retrying', delayMs: 1_000 })
    const delays = [h.clock.pendingDelays()]
    for (let i = 0; i < 3; i++) {
      const before = h.engine.status.failuresInRow
      h.clock.advance(h.clock.pendingDelays()[0]!)
      await vi.waitFor(() => expect(h.engine.status.failuresInRow).toBe(before + 1))
      await vi.waitFor(() => expect(h.engine.status.running).toBe(false))
      delays.push(h.clock.pendingDelays())
    }
    // 0.5 × min(6000, 2000 · 2^(n-1)): 1000, 2000, 3000 (capped), 3000.
    expect(delays).toEqual([[1_000], [2_000], [3_000], [3_000]])
    h.clock.advance(3_000)
    await vi.waitFor(() => expect(h.server.events.size).toBe(1))
    await vi.waitFor(() => expect(h.engine.status).toMatchObject({ failuresInRow: 0, lastError: null, running: false }))
    expect(h.clock.pendingDelays()).toEqual([])
  })

  it('jitter spreads delays over [0, ceiling)', async () => {
    const h = await harness({ random: () => 0.999, backoff: { baseMs: 2_000, maxMs: 60_000 } })
    h.transport.push = async () => {
      throw new TypeError('fetch failed')
    }
    await h.save(A, eventFields())
    expect(await h.engine.syncNow()).toMatchObject({ delayMs: 1_998 })
  })

  it('a trigger brings a scheduled retry forward', async () => {
    const h = await harness()
    let down = true
    const push = h.transport.push.bind(h.transport)
    h.transport.push = async (changes) => {
      if (down) throw new TypeError('fetch failed')
      return push(changes)
    }
    await h.save(A, eventFields())
    await h.engine.syncNow()
    expect(h.clock.pendingDelays()).toHaveLength(1)
    down = false
    const fakeWindow = new EventTarget()
    const fakeDocument = Object.assign(new EventTarget(), { visibilityState: 'visible' as DocumentVisibilityState })
    watchSyncTriggers({ window: fakeWindow, document: fakeDocument }, () => void h.engine.syncNow())
    fakeWindow.dispatchEvent(new Event('online'))
    await vi.waitFor(() => expect(h.server.events.size).toBe(1))
    expect(h.clock.pendingDelays()).toEqual([])
  })

  it('sorts failures into retryable and permanent', () => {
    const retryable = [new TypeError('fetch failed'), new TransportError('x', 0), new TransportError('x', 500),
      new TransportError('x', 503), new TransportError('x', 408), new TransportError('x', 429), new TransportError('x', 401, 'PGRST301'),
      new TransportError('deadlock', 500, '40P01'), new TransportError('x', 503, '53300'), new TransportError('x', 503, '57P01'),
      new TransportError('x', 503, '08006')]
    const permanent = [new TransportError('x', 400, '22023'), new TransportError('x', 409, '23514'),
      new TransportError('x', 403, '42501'), new TransportError('x', 404, 'PGRST202'), new Error('bug')]
    expect(retryable.map(classifyFailure)).toEqual(retryable.map(() => 'retryable'))
    expect(permanent.map(classifyFailure)).toEqual(permanent.map(() => 'permanent'))
  })
})

describe('sync engine: triggers and tabs', () => {
  it('triggers on online and on becoming visible, not on becoming hidden', () => {
    const fakeWindow = new EventTarget()
    const fakeDocument = Object.assign(new EventTarget(), { visibilityState: 'hidden' as DocumentVisibilityState })
    const reasons: string[] = []
    const stop = watchSyncTriggers({ window: fakeWindow, document: fakeDocument }, (reason) => reasons.push(reason))
    fakeWindow.dispatchEvent(new Event('online'))
    fakeDocument.dispatchEvent(new Event('visibilitychange'))
    fakeDocument.visibilityState = 'visible'
    fakeDocument.dispatchEvent(new Event('visibilitychange'))
    stop()
    fakeWindow.dispatchEvent(new Event('online'))
    expect(reasons).toEqual(['online', 'visible'])
  })

  it('skips when another tab holds the sync lock, and looks again later', async () => {
    const heldElsewhere = webLockRunner({
      request: async (_name, options, callback) => {
        expect(options).toEqual({ ifAvailable: true })
        return callback(null)
      },
    })
    const h = await harness({ lock: heldElsewhere })
    await h.save(A, eventFields())
    expect(await h.engine.syncNow()).toEqual({ status: 'busy' })
    expect(h.transport.pushed).toEqual([])
    expect(h.clock.pendingDelays()).toEqual([2_000])
  })

  it('runs under the Web Lock when it is free, and without one where the API is missing', async () => {
    const requested: string[] = []
    const free = webLockRunner({ request: async (name, _options, callback) => { requested.push(name); return callback({ name }) } })
    expect(await free(async () => 42)).toEqual({ ran: true, value: 42 })
    expect(requested).toEqual(['volunteer-ledger-sync'])
    expect(await webLockRunner(undefined)(async () => 7)).toEqual({ ran: true, value: 7 })
  })

  it('runs one round at a time in a tab and another round for a change saved meanwhile', async () => {
    const h = await harness()
    await h.save(A, eventFields())
    const first = h.engine.syncNow()
    const second = h.engine.syncNow()
    await h.save(B, eventFields())
    expect(await first).toBe(await second)
    expect(h.server.events.size).toBe(2)
  })
})

describe('sync engine: pull', () => {
  it('pulls page by page after the stored server cursor', async () => {
    const h = await harness({ pullPageSize: 2 })
    for (const id of [A, B, C]) h.server.insert(id, eventFields())
    expect(await h.engine.syncNow()).toMatchObject({ status: 'synced', pulled: 3 })
    expect(h.transport.pulledAfter).toEqual([null, '2'])
    expect(await h.db.getMeta('pullCursor')).toBe('3')
    expect((await h.db.listEvents()).map((e) => e.syncState)).toEqual(['synced', 'synced', 'synced'])
    h.server.edit(B, { title: '新' })
    await h.engine.syncNow()
    expect(h.transport.pulledAfter.slice(2)).toEqual(['3'])
    expect((await h.db.getEvent(B))!.title).toBe('新')
  })

  it('applies tombstones: an event deleted elsewhere is deleted here', async () => {
    const h = await harness()
    h.server.insert(A, eventFields())
    await h.engine.syncNow()
    h.server.edit(A, { deleted: true })
    await h.engine.syncNow()
    expect(await h.db.getEvent(A)).toMatchObject({ deleted: true, syncState: 'synced' })
  })

  it('does not clobber an event with a pending local edit; the server copy is kept beside it', async () => {
    const h = await harness()
    h.server.insert(A, eventFields())
    await h.engine.syncNow()
    const seen = h.server.events.get(A)!.revision
    h.server.edit(A, { title: '别人改的' })
    // The user edits after this round pushed, while it pulls.
    const pull = h.transport.pull.bind(h.transport)
    h.transport.pull = async (after, maxRows) => {
      h.transport.pull = pull
      await h.save(A, eventFields({ title: '我改的' }))
      return pull(after, maxRows)
    }
    await h.engine.syncNow()
    const record = (await h.db.getEvent(A))!
    expect(record).toMatchObject({ title: '我改的', syncState: 'pending', serverRevision: seen })
    expect(record.server?.fields.title).toBe('别人改的')
    // The next round pushes the edit on the revision the user edited, so the server sees the conflict.
    await h.engine.syncNow()
    expect(h.transport.pushed.at(-1)).toEqual([expect.objectContaining({ event_id: A, base_revision: seen })])
    expect(await h.db.getEvent(A)).toMatchObject({ title: '我改的', syncState: 'conflict', conflictReason: 'changed' })
  })

  it('ignores a pulled row older than what the phone has', async () => {
    const h = await harness()
    await h.save(A, eventFields())
    await h.engine.syncNow()
    await h.save(A, eventFields({ title: '新' }))
    await h.engine.syncNow()
    await h.db.setMeta({ pullCursor: null })
    await h.engine.syncNow()
    expect((await h.db.getEvent(A))!.title).toBe('新')
  })
})

describe('sync engine: coalescing', () => {
  it('create then edit before sync sends one create with the latest fields', async () => {
    const h = await harness()
    await h.save(A, eventFields())
    await h.save(A, eventFields({ title: '改' }))
    await h.engine.syncNow()
    expect(h.transport.pushed).toEqual([[expect.objectContaining({ op: 'upsert', base_revision: null, event: expect.objectContaining({ title: '改' }) })]])
  })

  it('create then delete before sync sends nothing and forgets the event', async () => {
    const h = await harness()
    await h.save(A, eventFields())
    await h.remove(A)
    await h.engine.syncNow()
    expect(h.transport.pushed).toEqual([])
    expect(await h.db.getEvent(A)).toBeUndefined()
    expect(await h.db.listOutbox()).toEqual([])
  })

  it('an edit made while the create is on its way waits for it, then goes with its revision', async () => {
    const h = await harness()
    await h.save(A, eventFields())
    const push = h.transport.push.bind(h.transport)
    h.transport.push = async (changes) => {
      h.transport.push = push
      await h.save(A, eventFields({ title: '途中改' }))
      return push(changes)
    }
    await h.engine.syncNow()
    const [create, edit] = h.transport.pushed
    expect(create).toEqual([expect.objectContaining({ base_revision: null, event: expect.objectContaining({ title: '社区义诊' }) })])
    expect(edit).toEqual([expect.objectContaining({ base_revision: h.server.appliedChanges.get(create![0]!.change_id) })])
    expect(h.server.events.get(A)!.title).toBe('途中改')
    expect((await h.db.getEvent(A))!.syncState).toBe('synced')
  })

  it('delete of a synced event is sent as a delete with its revision', async () => {
    const h = await harness()
    await h.save(A, eventFields())
    await h.engine.syncNow()
    await h.save(A, eventFields({ title: '改' }))
    await h.remove(A)
    await h.engine.syncNow()
    expect(h.transport.pushed.at(-1)).toEqual([expect.objectContaining({ op: 'delete', base_revision: 1 })])
    expect(h.server.events.get(A)!.deleted_at).not.toBeNull()
  })
})

describe('sync engine: requests the server refuses whole', () => {
  const D = '20000000-0000-4000-8000-00000000000d'
  const E = '20000000-0000-4000-8000-00000000000e'

  it('sends halves of a batch PostgREST refuses as malformed until only the bad change is parked', async () => {
    const h = await harness()
    const push = h.transport.push.bind(h.transport)
    // As PostgREST with a text it cannot take: the whole request fails, whatever else it holds.
    h.transport.push = async (changes) => {
      if (changes.some((change) => change.event?.title.includes('坏'))) {
        throw new TransportError('Empty or invalid json', 400, 'PGRST102')
      }
      return push(changes)
    }
    for (const id of [A, B, C, D]) await h.save(id, eventFields())
    await h.save(E, eventFields({ title: '坏的标题' }))
    expect((await h.engine.syncNow()).status).toBe('synced')
    for (const id of [A, B, C, D]) expect((await h.db.getEvent(id))!.syncState).toBe('synced')
    expect(await h.db.getEvent(E)).toMatchObject({ syncState: 'failed', failure: { code: 'PGRST102' } })
    expect(h.server.events.size).toBe(4)
    expect(await h.db.listOutbox()).toEqual([])
    expect(h.clock.pendingDelays()).toEqual([])
  })

  it('splits a batch that runs out of time, and parks a change that times out alone instead of retrying it forever', async () => {
    const h = await harness()
    const push = h.transport.push.bind(h.transport)
    // Any request of more than two changes, or with the slow one, hits statement_timeout.
    h.transport.push = async (changes) => {
      if (changes.length > 2 || changes.some((change) => change.event?.title === '很慢')) {
        throw new TransportError('canceling statement due to statement timeout', 500, '57014')
      }
      return push(changes)
    }
    for (const id of [A, B, C, D]) await h.save(id, eventFields())
    await h.save(E, eventFields({ title: '很慢' }))
    expect((await h.engine.syncNow()).status).toBe('synced')
    expect(h.server.events.size).toBe(4)
    expect(await h.db.getEvent(E)).toMatchObject({ syncState: 'failed', failure: { code: '57014' } })
    expect(h.clock.pendingDelays()).toEqual([])
  })

  it('still retries a batch that failed for a transient reason other than time, without splitting it', async () => {
    const h = await harness()
    h.transport.push = async () => {
      throw new TransportError('Service Unavailable', 503)
    }
    for (const id of [A, B]) await h.save(id, eventFields())
    expect((await h.engine.syncNow()).status).toBe('retrying')
    expect(h.transport.pushed).toEqual([])
    expect((await h.db.getEvent(A))!.syncState).toBe('pending')
    expect(h.clock.pendingDelays()).toHaveLength(1)
  })

  it('never sends text that cannot travel (U+0000, a lone surrogate): parks it and sends the rest', async () => {
    const h = await harness()
    await h.save(A, eventFields({ note: 'a\u0000b' }))
    await h.save(B, eventFields({ title: 'x\ud800y' }))
    await h.save(C, eventFields({ title: '表情😀可以' }))
    expect((await h.engine.syncNow()).status).toBe('synced')
    const sent = h.transport.pushed.flat().map((change) => change.event_id)
    expect(sent).toEqual([C])
    expect(await h.db.getEvent(A)).toMatchObject({ syncState: 'failed', failure: { rule: 'service_events_note_characters' } })
    expect(await h.db.getEvent(B)).toMatchObject({ syncState: 'failed', failure: { rule: 'service_events_title_characters' } })
    expect((await h.db.getEvent(C))!.syncState).toBe('synced')
  })
})
