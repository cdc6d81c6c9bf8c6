// What this device knows besides any one user's data: its own id (random, made on first use; the
// device reports name the installation by it), who is signed in now (to open their database on an
// offline start), and which users left changes here that are not synced yet.
// Each user's events, queue and reference data live in a database of their own (accountDbName),
// so a phone shared by two volunteers can never mix, show or send one's changes as the other's.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb'
import type { Uuid } from '../domain/types'

export const DEVICE_DB_NAME = 'volunteer-ledger-device'
/** The single database of app versions before per-user databases; adopted by its owner (src/local/legacy.ts). */
export const LEGACY_DB_NAME = 'volunteer-ledger'

/** A user whose changes wait on this device while nobody, or someone else, is signed in. */
export interface AsideAccount {
  userId: Uuid
  email: string
  /** Events not yet on the server when the user left (queued, refused or in conflict). */
  unsynced: number
  leftAt: string
}

interface DeviceSchema extends DBSchema {
  meta: { key: string; value: { key: string; value: string } }
  /** Database name by user, only where it is not the default (an adopted legacy database). */
  account_dbs: { key: Uuid; value: { userId: Uuid; dbName: string } }
  aside: { key: Uuid; value: AsideAccount }
}

export class DeviceDb {
  constructor(
    private readonly db: IDBPDatabase<DeviceSchema>,
    /** Users' databases are named this and their user id (tests give each run its own). */
    private readonly accountPrefix: string,
  ) {}

  /** This installation's id, made (random) the first time it is asked for and kept from then on. */
  async deviceId(): Promise<Uuid> {
    // One transaction: two tabs asking at once get the same id.
    const tx = this.db.transaction('meta', 'readwrite')
    const known = (await tx.store.get('deviceId'))?.value
    const id = known ?? crypto.randomUUID()
    if (!known) await tx.store.put({ key: 'deviceId', value: id })
    await tx.done
    return id
  }

  /** The user signed in on this device, kept for offline starts; null when signed out. */
  async activeUserId(): Promise<Uuid | null> {
    return (await this.db.get('meta', 'activeUserId'))?.value ?? null
  }

  async setActiveUser(userId: Uuid | null): Promise<void> {
    if (userId) await this.db.put('meta', { key: 'activeUserId', value: userId })
    else await this.db.delete('meta', 'activeUserId')
  }

  /** The name of a user's database on this device. */
  async accountDbName(userId: Uuid): Promise<string> {
    return (await this.db.get('account_dbs', userId))?.dbName ?? `${this.accountPrefix}${userId}`
  }

  async setAccountDbName(userId: Uuid, dbName: string): Promise<void> {
    await this.db.put('account_dbs', { userId, dbName })
  }

  async forgetAccountDbName(userId: Uuid): Promise<void> {
    await this.db.delete('account_dbs', userId)
  }

  /** Users whose unsynced changes wait here, for the sign-in page to say so. */
  async listAside(): Promise<AsideAccount[]> {
    return this.db.getAll('aside')
  }

  async putAside(account: AsideAccount): Promise<void> {
    await this.db.put('aside', account)
  }

  async removeAside(userId: Uuid): Promise<void> {
    await this.db.delete('aside', userId)
  }

  close(): void {
    this.db.close()
  }
}

export async function openDeviceDb(name = DEVICE_DB_NAME, accountPrefix = 'volunteer-ledger-user-'): Promise<DeviceDb> {
  const db = await openDB<DeviceSchema>(name, 1, {
    upgrade(database) {
      database.createObjectStore('meta', { keyPath: 'key' })
      database.createObjectStore('account_dbs', { keyPath: 'userId' })
      database.createObjectStore('aside', { keyPath: 'userId' })
    },
  })
  return new DeviceDb(db, accountPrefix)
}
