import 'fake-indexeddb/auto'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { EventValidationError, useEventsStore } from '../../src/stores/events'
import { useSyncStore } from '../../src/stores/sync'
import { FakeServer, ServerTransport } from './support/fake-server'
import { eventFields } from './support/fixtures'
import { useTestServices } from './support/services'

describe('events and sync stores', () => {
  let server: FakeServer
  beforeEach(async () => {
    setActivePinia(createPinia())
    server = new FakeServer()
    await useTestServices(() => new ServerTransport(server))
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
    expect(sync.unsyncedCount).toBe(1)
    await sync.syncNow()
    await events.load()
    expect(sync.unsyncedCount).toBe(0)
    expect(events.events[0]).toMatchObject({ id, syncState: 'synced' })
    expect(server.events.has(id)).toBe(true)
    expect(sync.lastSyncedAt).not.toBeNull()
  })
})
