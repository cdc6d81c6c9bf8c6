// The running app's services, built once and shared by the stores: auth, the device's own
// database, and the account of the signed-in user (their local database, sync transport and
// engine). Each user has a database of their own on the device, so one user's changes can never
// be shown to, or sent as, another. The stores only ever reach the network and IndexedDB
// through these. Tests configure their own (fake transport, fake clock, fake-indexeddb) with
// configureServices().
import type { AuthApi } from '../api/auth'
import type { StorageState } from '../domain/device-report'
import type { Uuid } from '../domain/types'
import { deleteLocalDb, openLocalDb, type LocalDb, type UnsyncedSummary } from '../local/db'
import { openDeviceDb, type DeviceDb } from '../local/device'
import { adoptLegacyDatabase } from '../local/legacy'
import { readStorageState } from '../local/storage'
import { createDeviceReporter } from './device-reporter'
import { SyncEngine, systemClock, type Clock } from './engine'
import type { LockRunner } from './lock'
import type { SyncTransport } from './transport'

/** One user's data and sync on this device. */
export interface Account {
  userId: Uuid
  db: LocalDb
  transport: SyncTransport
  engine: SyncEngine
}

export interface Services {
  auth: AuthApi
  device: DeviceDb
  clock: Clock
  newId: () => Uuid
  /** Fires 'events' when local events changed, 'status' when the engine's status did, 'report' when a device report is through. */
  changes: EventTarget
  /** The signed-in user's account; null when nobody is signed in. */
  readonly account: Account | null
  /** Opens a user's account (closing any other one first); the same user's stays open. */
  openAccount(userId: Uuid): Promise<Account>
  /**
   * Closes the open account as its user leaves the device: with nothing unsynced, their
   * database is deleted; otherwise only their unsynced changes stay, set aside until they sign
   * in again. Returns what was left aside.
   */
  closeAccount(email: string): Promise<UnsyncedSummary | null>
}

export interface ServiceParts {
  auth: AuthApi
  /** The transport for a user's account; it must refuse to send while another user is signed in. */
  transportFor: (userId: Uuid) => SyncTransport
  device?: DeviceDb
  clock?: Clock
  random?: () => number
  newId?: () => Uuid
  lock?: LockRunner
  /** The app's version, as the device reports tell it. */
  appVersion: string
  /** What the browser says of the app's storage (tests give their own). */
  storage?: () => Promise<StorageState>
}

export async function createServices(parts: ServiceParts): Promise<Services> {
  const changes = new EventTarget()
  const clock = parts.clock ?? systemClock
  const device = parts.device ?? (await openDeviceDb())
  let account: Account | null = null

  async function openAccount(userId: Uuid): Promise<Account> {
    if (account?.userId === userId) return account
    if (account) throw new Error('another account is open: close it first')
    const db = await openLocalDb(await device.accountDbName(userId))
    const transport = parts.transportFor(userId)
    const engine = new SyncEngine({
      db,
      transport,
      clock,
      random: parts.random ?? Math.random,
      lock: parts.lock,
      onChange: (what) => changes.dispatchEvent(new Event(what)),
      report: createDeviceReporter({
        db,
        transport,
        clock,
        deviceId: () => device.deviceId(),
        storage: parts.storage ?? readStorageState,
        appVersion: parts.appVersion,
      }),
    })
    account = { userId, db, transport, engine }
    await device.removeAside(userId)
    return account
  }

  async function closeAccount(email: string): Promise<UnsyncedSummary | null> {
    const leaving = account
    if (!leaving) return null
    account = null
    // A round under way may be writing its outcomes: let it finish before the database goes.
    leaving.engine.stop()
    await leaving.engine.idle()
    const summary = await leaving.db.unsyncedSummary()
    if (summary.events === 0) {
      leaving.db.close()
      await deleteLocalDb(await device.accountDbName(leaving.userId))
      await device.forgetAccountDbName(leaving.userId)
      return null
    }
    await leaving.db.keepOnlyUnsynced()
    leaving.db.close()
    await device.putAside({ userId: leaving.userId, email, unsynced: summary.events, leftAt: new Date(clock.now()).toISOString() })
    return summary
  }

  return {
    auth: parts.auth,
    device,
    clock,
    newId: parts.newId ?? (() => crypto.randomUUID()),
    changes,
    get account() {
      return account
    },
    openAccount,
    closeAccount,
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
  const device = await openDeviceDb()
  await adoptLegacyDatabase(device)
  return createServices({
    auth: createAuthApi(supabase),
    device,
    transportFor: (userId) => createSupabaseTransport(supabase, userId),
    appVersion: __APP_VERSION__,
  })
}

export function getServices(): Promise<Services> {
  current ??= createDefaultServices()
  return current
}

/** The signed-in user's account, or null: for stores that have nothing to do without one. */
export async function currentAccount(): Promise<Account | null> {
  return (await getServices()).account
}

/** The signed-in user's account; for actions that only a signed-in user can take. */
export async function requireAccount(): Promise<Account> {
  const account = await currentAccount()
  if (!account) throw new Error('nobody is signed in on this device')
  return account
}

/** Replaces the services (tests); null goes back to building the real ones on next use. */
export function configureServices(services: Services | null): void {
  current = services ? Promise.resolve(services) : null
}
