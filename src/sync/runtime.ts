// The running app's services (local database, transport, engine, auth), built once and shared by
// the stores, and the channel through which they learn that local data changed. The stores only
// ever reach the network and IndexedDB through these. Tests configure their own (fake transport,
// fake clock, fake-indexeddb) with configureServices().
import type { AuthApi } from '../api/auth'
import type { Uuid } from '../domain/types'
import { openLocalDb, type LocalDb } from '../local/db'
import { SyncEngine, systemClock, type Clock } from './engine'
import type { LockRunner } from './lock'
import type { SyncTransport } from './transport'

export interface Services {
  db: LocalDb
  transport: SyncTransport
  engine: SyncEngine
  auth: AuthApi
  clock: Clock
  newId: () => Uuid
  /** Fires 'events' when local events changed, 'status' when the engine's status did. */
  changes: EventTarget
}

export interface ServiceParts {
  db: LocalDb
  transport: SyncTransport
  auth: AuthApi
  clock?: Clock
  random?: () => number
  newId?: () => Uuid
  lock?: LockRunner
}

/** Wires an engine to the parts; its changes are announced on `changes`. */
export function createServices(parts: ServiceParts): Services {
  const changes = new EventTarget()
  const clock = parts.clock ?? systemClock
  const engine = new SyncEngine({
    db: parts.db,
    transport: parts.transport,
    clock,
    random: parts.random ?? Math.random,
    lock: parts.lock,
    onChange: (what) => changes.dispatchEvent(new Event(what)),
  })
  return {
    db: parts.db,
    transport: parts.transport,
    engine,
    auth: parts.auth,
    clock,
    newId: parts.newId ?? (() => crypto.randomUUID()),
    changes,
  }
}

let current: Promise<Services> | null = null

/** The real thing: Supabase and the browser's IndexedDB, loaded on first use. */
async function createDefaultServices(): Promise<Services> {
  const [{ supabase }, { createAuthApi }, { createSupabaseTransport }] = await Promise.all([
    import('../api/client'),
    import('../api/auth'),
    import('./transport'),
  ])
  return createServices({
    db: await openLocalDb(),
    transport: createSupabaseTransport(supabase),
    auth: createAuthApi(supabase),
  })
}

export function getServices(): Promise<Services> {
  current ??= createDefaultServices()
  return current
}

/** Replaces the services (tests); null goes back to building the real ones on next use. */
export function configureServices(services: Services | null): void {
  current = services ? Promise.resolve(services) : null
}
