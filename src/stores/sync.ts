/**
 * useSyncStore: the state of syncing, for the banner and the sign-out guard.
 * State: online, syncing, unsyncedCount (events whose latest version is not on the server:
 * queued, refused or in conflict), oldestQueuedAt, lastSyncedAt, failures (events that need the
 * user: failed with a reason, or in conflict), persisted (storage protected from eviction),
 * nextAttemptAt, lastError.
 * Actions: syncNow(), start() (wires online/visibility triggers, other tabs, a periodic sync;
 * asks once for persistent storage; syncs at once), stop().
 */
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { ConflictReason, SyncFailure, SyncState, Uuid } from '../domain/types'
import type { SyncResult } from '../sync/engine'
import { currentAccount, getServices } from '../sync/runtime'
import { watchSyncTriggers } from '../sync/triggers'
import { summarizeUnsynced } from '../local/db'
import { useEventsStore } from './events'
import { useRequestsStore } from './requests'
import { useSessionStore } from './session'

/** Tabs of the app tell each other that local data changed, so their views reload. */
export const TABS_CHANNEL = 'volunteer-ledger-tabs'
/** Pull others' changes this often while the app is open. */
export const PERIODIC_SYNC_MS = 5 * 60_000

export interface SyncProblem {
  id: Uuid
  title: string
  syncState: Extract<SyncState, 'failed' | 'conflict'>
  failure: SyncFailure | null
  conflictReason: ConflictReason | null
}

export const useSyncStore = defineStore('sync', () => {
  /** Whether the browser believes it is online. */
  const online = ref(typeof navigator === 'undefined' ? true : navigator.onLine)
  /** A sync round is running in this tab. */
  const syncing = ref(false)
  /** Events not on the server yet: queued, refused or in conflict (all are lost if the phone is wiped). */
  const unsyncedCount = ref(0)
  /** When the oldest waiting change was saved (ISO 8601), null when none wait. */
  const oldestQueuedAt = ref<string | null>(null)
  /** When a sync last completed (ISO 8601), in any tab. */
  const lastSyncedAt = ref<string | null>(null)
  /** Events the server refused or that conflict: they wait for the user. */
  const failures = ref<SyncProblem[]>([])
  /** The browser promised not to evict this app's storage. */
  const persisted = ref(false)
  /** When the engine will try again by itself (ms since epoch), if a retry is scheduled. */
  const nextAttemptAt = ref<number | null>(null)
  /** The last failed attempt's message, null after a success. */
  const lastError = ref<string | null>(null)

  let unwire: (() => void)[] = []
  let persistAsked = false

  /** Re-reads the counts and problems from the phone's database and the engine. */
  async function refreshStatus(): Promise<void> {
    const account = await currentAccount()
    if (!account) {
      unsyncedCount.value = 0
      oldestQueuedAt.value = null
      lastSyncedAt.value = null
      failures.value = []
      return
    }
    const { db, engine } = account
    const [outbox, events, syncedAt, pendingProfile] = await Promise.all([
      db.listOutbox(), db.listEvents(), db.getMeta('lastSyncedAt'), db.getMeta('pendingProfile'),
    ])
    const summary = summarizeUnsynced(events, outbox, pendingProfile !== null)
    unsyncedCount.value = summary.events
    oldestQueuedAt.value = summary.oldestQueuedAt
    lastSyncedAt.value = syncedAt
    failures.value = events
      .filter((e) => e.syncState === 'failed' || e.syncState === 'conflict')
      .map((e) => ({
        id: e.id,
        title: e.title,
        syncState: e.syncState as SyncProblem['syncState'],
        failure: e.failure,
        conflictReason: e.conflictReason,
      }))
    const status = engine.status
    syncing.value = status.running
    nextAttemptAt.value = status.nextAttemptAt
    lastError.value = status.lastError?.message ?? null
  }

  /** Syncs now (no-op result 'busy' when another tab is syncing). */
  async function syncNow(): Promise<SyncResult> {
    const account = await currentAccount()
    if (!account) return { status: 'failed', error: 'nobody is signed in' }
    const result = await account.engine.syncNow()
    await refreshStatus()
    return result
  }

  async function askForPersistence(): Promise<void> {
    if (persistAsked || typeof navigator === 'undefined' || !navigator.storage?.persist) return
    persistAsked = true
    persisted.value = (await navigator.storage.persisted?.()) || (await navigator.storage.persist())
  }

  /** Starts syncing: now (app start), on the triggers, on a timer, and following other tabs. */
  async function start(): Promise<void> {
    stop()
    const services = await getServices()
    const account = services.account
    if (!account) return
    const events = useEventsStore()
    const requests = useRequestsStore()
    const channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(TABS_CHANNEL)

    const reload = (): Promise<void> => Promise.all([events.load(), requests.load()]).then(refreshStatus)
    const onLocalEvents = (): void => {
      channel?.postMessage('events-changed')
      void reload()
    }
    const onStatus = (): void => {
      const status = account.engine.status
      syncing.value = status.running
      if (!status.running) void refreshStatus()
    }
    services.changes.addEventListener('events', onLocalEvents)
    services.changes.addEventListener('status', onStatus)
    unwire.push(() => services.changes.removeEventListener('events', onLocalEvents))
    unwire.push(() => services.changes.removeEventListener('status', onStatus))

    if (channel) {
      channel.onmessage = () => void reload()
      unwire.push(() => channel.close())
    }

    if (typeof window !== 'undefined') {
      const setOnline = (): void => {
        online.value = navigator.onLine
      }
      window.addEventListener('online', setOnline)
      window.addEventListener('offline', setOnline)
      unwire.push(() => {
        window.removeEventListener('online', setOnline)
        window.removeEventListener('offline', setOnline)
      })
      unwire.push(watchSyncTriggers({ window, document }, () => void syncNow()))
      const periodic = setInterval(() => {
        if (document.visibilityState === 'visible') void syncNow()
      }, PERIODIC_SYNC_MS)
      unwire.push(() => clearInterval(periodic))
    }

    await Promise.all([reload(), askForPersistence()])
    await syncNow()
    // A new team's older events come with a pull from the start, at once rather than at the next trigger.
    if (online.value && (await refreshReference())) await syncNow()
  }

  /** Refreshes reference data and the user's profile with it; true when a pull from the start is due. */
  async function refreshReference(): Promise<boolean> {
    try {
      return await useSessionStore().refreshProfile()
    } catch (error) {
      // Reference data from the last visit still serves the forms; the next start tries again.
      console.warn('reference data could not be refreshed', error)
      return false
    }
  }

  /** Stops the triggers and the engine's retries (sign-out). */
  function stop(): void {
    for (const undo of unwire) undo()
    unwire = []
    void currentAccount().then((account) => account?.engine.stop())
  }

  return {
    online, syncing, unsyncedCount, oldestQueuedAt, lastSyncedAt, failures, persisted, nextAttemptAt, lastError,
    syncNow, start, stop, refreshStatus,
  }
})
