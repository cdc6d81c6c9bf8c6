// App versions before per-user databases kept one database for whoever was signed in. On the
// first start of this version it is handed to its owner, unmoved: the device notes it as that
// user's database. The owner is the stored profile's user or, for a user who signed out with
// changes waiting (the old sign-out dropped the profile), the one recorder of those changes.
// A database whose owner cannot be told is left as it is: never deleted, never sent.
import type { LocalEvent, Uuid } from '../domain/types'
import { deleteLocalDb, openLocalDb } from './db'
import { LEGACY_DB_NAME, type DeviceDb } from './device'

/** Whether a database exists, without creating it (an upgrade from version 0 is aborted). */
async function databaseExists(name: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(name)
    let created = false
    request.onupgradeneeded = (event) => {
      if (event.oldVersion === 0) {
        created = true
        request.transaction?.abort()
      }
    }
    request.onsuccess = () => {
      request.result.close()
      resolve(true)
    }
    request.onerror = (event) => {
      event.preventDefault()
      if (created) resolve(false)
      else reject(request.error ?? new Error(`cannot open ${name}`))
    }
  })
}

function soleRecorder(events: readonly LocalEvent[]): Uuid | null {
  const recorders = new Set(events.map((record) => record.recordedBy))
  const [only] = recorders
  return recorders.size === 1 && only ? only : null
}

export async function adoptLegacyDatabase(device: DeviceDb): Promise<void> {
  if (!(await databaseExists(LEGACY_DB_NAME))) return
  const legacy = await openLocalDb(LEGACY_DB_NAME)
  const [profile, events, summary] = await Promise.all([legacy.getMeta('profile'), legacy.listEvents(), legacy.unsyncedSummary()])
  legacy.close()
  const owner = profile?.userId ?? soleRecorder(events.filter((record) => record.syncState !== 'synced'))
  if (owner) {
    await device.setAccountDbName(owner, LEGACY_DB_NAME)
    if (profile) await device.setActiveUser(owner)
    else await device.putAside({ userId: owner, email: '', unsynced: summary.events, leftAt: new Date().toISOString() })
  } else if (summary.events === 0) {
    await deleteLocalDb(LEGACY_DB_NAME)
  }
}
