import 'fake-indexeddb/auto'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import type { AuthApi } from '../../src/api/auth'
import { EventValidationError, useEventsStore } from '../../src/stores/events'
import { useSyncStore } from '../../src/stores/sync'
import { configureServices, createServices } from '../../src/sync/runtime'
import { noLock } from './support/engine-harness'
import { FakeServer, ServerTransport } from './support/fake-server'
import { FakeClock, eventFields, freshDb, sequentialIds, USER } from './support/fixtures'

const offlineAuth: AuthApi = {
  signIn: async () => ({ id: USER, email: 'volunteer@demo.local' }),
  signOut: async () => undefined,
  sessionState: async () => ({ state: 'unknown' }),
  onSessionEnded: () => () => undefined,
}

describe('events and sync stores', () => {
  let server: FakeServer
  beforeEach(async () => {
    setActivePinia(createPinia())
    server = new FakeServer()
    const { db } = await freshDb()
    configureServices(createServices({
      db, transport: new ServerTransport(server), auth: offlineAuth, clock: new FakeClock(), random: () => 0.5,
      newId: sequentialIds('d'), lock: noLock,
    }))
  })

  it('refuses an invalid event with its rules and stores nothing', async () => {
    const events = useEventsStore()
    const error = await events.save(eventFields({ title: '', participants: [] })).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(EventValidationError)
    expect((error as EventValidationError).issues.map((issue) => issue.rule)).toEqual(
      expect.arrayContaining(['service_events_title_length', 'service_events_has_participants']),
    )
    await events.load()
    expect(events.events).toEqual([])
  })

  it('saves locally as pending, counts it queued, and syncs it', async () => {
    const events = useEventsStore()
    const sync = useSyncStore()
    const id = await events.save(eventFields())
    expect(events.events).toEqual([expect.objectContaining({ id, syncState: 'pending' })])
    await sync.refreshStatus()
    expect(sync.queuedCount + server.events.size).toBeGreaterThan(0)
    await sync.syncNow()
    await events.load()
    expect(sync.queuedCount).toBe(0)
    expect(events.events[0]).toMatchObject({ id, syncState: 'synced' })
    expect(server.events.has(id)).toBe(true)
    expect(sync.lastSyncedAt).not.toBeNull()
  })
})
