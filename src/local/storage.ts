// What the browser says of the app's storage (navigator.storage): whether it is protected from
// eviction, how much is used and how much is allowed. Browsers without the API answer null.
import type { StorageState } from '../domain/device-report'

function storageManager(): StorageManager | null {
  return typeof navigator === 'undefined' ? null : (navigator.storage ?? null)
}

export async function readStorageState(): Promise<StorageState> {
  const storage = storageManager()
  const [persisted, estimate] = await Promise.all([
    storage?.persisted ? storage.persisted() : null,
    storage?.estimate ? storage.estimate() : null,
  ])
  return { persisted, usageBytes: estimate?.usage ?? null, quotaBytes: estimate?.quota ?? null }
}

/** Asks the browser to protect the app's storage from eviction; true when it is now protected. */
export async function askPersistentStorage(): Promise<boolean> {
  const storage = storageManager()
  if (!storage?.persist) return false
  return (await storage.persisted?.()) || storage.persist()
}
