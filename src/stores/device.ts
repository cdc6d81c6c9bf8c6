/**
 * useDeviceStore: this phone's health, for the sync-health page (loaded with that page only).
 * State: storage (persisted, used, quota), clockCheck (how far the phone's clock was off the
 * server's when last measured), deviceId, appVersion.
 * Actions: load(), watch() (reloads after each device report; returns the unwatch),
 * askPersistence(), exportBackup() → the file's name and text, importBackup(text) → what was
 * imported, or why the file was refused (nothing of it is imported then).
 */
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { StorageState } from '../domain/device-report'
import type { ClockCheck } from '../local/db'
import { askPersistentStorage, readStorageState } from '../local/storage'
import { readBackup, writeBackup, type BackupRefusal } from '../sync/backup'
import { planImport, type ImportSummary } from '../sync/backup-plans'
import { getServices, requireAccount } from '../sync/runtime'

export type ImportOutcome = { ok: true; summary: ImportSummary } | { ok: false; reason: BackupRefusal }

export const useDeviceStore = defineStore('device', () => {
  /** What the browser says of the app's storage; null until loaded. */
  const storage = ref<StorageState | null>(null)
  /** The phone's clock against the server's, as the last device report measured it. */
  const clockCheck = ref<ClockCheck | null>(null)
  const deviceId = ref<string | null>(null)
  const appVersion = __APP_VERSION__

  async function load(): Promise<void> {
    const services = await getServices()
    const [state, id, check] = await Promise.all([
      readStorageState(),
      services.device.deviceId(),
      services.account?.db.getMeta('clockCheck') ?? null,
    ])
    storage.value = state
    deviceId.value = id
    clockCheck.value = check
  }

  /** Reloads whenever a device report is through (it measures the clock). */
  async function watch(): Promise<() => void> {
    const { changes } = await getServices()
    const reload = () => void load()
    changes.addEventListener('report', reload)
    return () => changes.removeEventListener('report', reload)
  }

  /** Asks again for storage the browser will not evict; true when granted. */
  async function askPersistence(): Promise<boolean> {
    const granted = await askPersistentStorage()
    await load()
    return granted
  }

  /** The backup file of everything this phone has not synced. */
  async function exportBackup(): Promise<{ fileName: string; text: string; events: number }> {
    const account = await requireAccount()
    const services = await getServices()
    const unsynced = await account.db.unsynced()
    const exportedAt = new Date(services.clock.now()).toISOString()
    const text = await writeBackup(account.userId, await services.device.deviceId(), exportedAt, unsynced)
    const stamp = exportedAt.slice(0, 16).replace(/[-:]/g, '').replace('T', '-')
    return { fileName: `volunteer-ledger-backup-${stamp}.json`, text, events: unsynced.events.length }
  }

  /** Imports a backup file of the signed-in user, whole or not at all, and syncs what it added. */
  async function importBackup(text: string): Promise<ImportOutcome> {
    const account = await requireAccount()
    const reading = await readBackup(text, account.userId)
    if (!reading.ok) return reading
    const { content } = reading.file
    const summary = await account.db.mutate(
      content.events.map((event) => event.id),
      (slice, requestsHere) => planImport(slice, requestsHere, content),
      content.requests.map((request) => request.id),
    )
    ;(await getServices()).changes.dispatchEvent(new Event('events'))
    void account.engine.syncNow()
    return { ok: true, summary: summary! }
  }

  return { storage, clockCheck, deviceId, appVersion, load, watch, askPersistence, exportBackup, importBackup }
})
