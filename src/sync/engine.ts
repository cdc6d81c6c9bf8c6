// The sync engine: drains the outbox to the server in batches, applies each change's outcome,
// then pulls what changed on the server after the last cursor. Everything it depends on is
// injected (database, transport, clock, random, lock), so tests drive time and faults.
//
// Guarantees: a change leaves the phone only after it is marked sent in the same transaction
// that reads it, so a resend always carries the same change_id and content (the server answers
// 'duplicate'); a transient failure is retried on its own with exponential backoff and full
// jitter, and sooner on the triggers (online, visible, app start); a permanent failure is parked
// on its event and the rest of the queue goes on; pulled rows and the cursor are written in one
// transaction, so the cursor never passes a row that was not stored.
import type { ChangeOutcome, EventChange } from '../domain/types'
import type { LocalDb } from '../local/db'
import type { OutboxEntry } from '../local/outbox'
import { classifyFailure, STATEMENT_TIMEOUT, TransportError, type FailureKind } from './errors'
import { webLockRunner, type LockRunner } from './lock'
import { planRequestDecisions } from './ledger-plans'
import { changeToSend, planOutcomes, planPull, sendableEntries } from './plans'
import { planProfileRefused, planProfileSaved } from './profile-plans'
import { refuseUnsendable } from './sendable'
import type { SyncTransport } from './transport'

export interface Clock {
  now(): number
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
}

export interface Backoff {
  /** The ceiling of the first retry's delay; doubles with each failure in a row. */
  baseMs: number
  maxMs: number
}

export interface SyncEngineOptions {
  db: LocalDb
  transport: SyncTransport
  clock: Clock
  /** Uniform in [0, 1): the jitter of retry delays. */
  random: () => number
  /** Cross-tab lock; defaults to Web Locks (or none where the browser lacks them). */
  lock?: LockRunner
  /** Told when local events changed (to reload views), the engine's status changed, or a device report is through. */
  onChange?: (what: 'events' | 'status' | 'report') => void
  batchSize?: number
  pullPageSize?: number
  backoff?: Backoff
  /**
   * Sends the device report (src/sync/device-reporter.ts): after a sync that reached the server,
   * also when nothing else was sent. It never holds up or fails the sync's result; its failure is
   * logged and the next sync reports again.
   */
  report?: () => Promise<void>
}

export type SyncResult =
  | { status: 'synced'; pushed: number; pulled: number }
  /** Another tab holds the sync lock; this one looks again a little later. */
  | { status: 'busy' }
  | { status: 'retrying'; error: string; delayMs: number }
  | { status: 'failed'; error: string }

export interface EngineStatus {
  running: boolean
  lastError: { kind: FailureKind; message: string } | null
  /** When the next automatic attempt is due (clock ms), if one is scheduled. */
  nextAttemptAt: number | null
  /** Failed attempts in a row. */
  failuresInRow: number
}

export const DEFAULT_BACKOFF: Backoff = { baseMs: 2_000, maxMs: 5 * 60_000 }

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

export class SyncEngine {
  private readonly batchSize: number
  private readonly pullPageSize: number
  private readonly backoff: Backoff
  private readonly lock: LockRunner
  private inFlight: Promise<SyncResult> | null = null
  private rerunRequested = false
  /** Whether the last round got an answer from the server (a success or a refusal). */
  private reachedServer = false
  private reporting: Promise<void> | null = null
  private reportAgain = false
  private timer: unknown = null
  private stopped = false
  private state: EngineStatus = { running: false, lastError: null, nextAttemptAt: null, failuresInRow: 0 }

  constructor(private readonly options: SyncEngineOptions) {
    this.batchSize = options.batchSize ?? 100
    this.pullPageSize = options.pullPageSize ?? 500
    this.backoff = options.backoff ?? DEFAULT_BACKOFF
    this.lock = options.lock ?? webLockRunner()
  }

  get status(): EngineStatus {
    return { ...this.state }
  }

  /**
   * Syncs now (a scheduled retry is brought forward). While a sync runs, a call asks for one
   * more round after it, so a change saved meanwhile is not left waiting. Never rejects.
   */
  syncNow(): Promise<SyncResult> {
    this.stopped = false
    if (this.inFlight) {
      this.rerunRequested = true
      return this.inFlight
    }
    this.cancelTimer()
    this.inFlight = this.runRounds().finally(() => {
      this.inFlight = null
    })
    return this.inFlight
  }

  /** Stops automatic retries until the next syncNow() (sign-out, tests). A running round finishes. */
  stop(): void {
    this.stopped = true
    this.cancelTimer()
  }

  /** Resolves once no round and no report is running (neither ever rejects). */
  async idle(): Promise<void> {
    await this.inFlight
    await this.reporting
  }

  private async runRounds(): Promise<SyncResult> {
    this.setState({ running: true })
    let result: SyncResult
    try {
      do {
        this.rerunRequested = false
        this.reachedServer = false
        result = await this.runLocked()
      } while (this.rerunRequested && result.status === 'synced')
    } catch (error) {
      // Only local storage can fail here (the network's failures are handled in runOnce).
      result = { status: 'failed', error: messageOf(error) }
      this.setState({ lastError: { kind: 'permanent', message: result.error } })
    }
    if (this.reachedServer) this.sendReport()
    this.setState({ running: false })
    return result
  }

  /** Sends the device report, not awaited; one at a time, and once more if asked meanwhile. */
  private sendReport(): void {
    const { report } = this.options
    if (!report) return
    if (this.reporting) {
      this.reportAgain = true
      return
    }
    this.reporting = (async () => {
      do {
        this.reportAgain = false
        try {
          await report()
        } catch (error) {
          console.warn('the device report was not sent; the next sync reports again', error)
        }
        // The report's answer tells how far the clock is off: the sync-health page reloads.
        this.options.onChange?.('report')
      } while (this.reportAgain && !this.stopped)
    })().finally(() => {
      this.reporting = null
    })
  }

  private async runLocked(): Promise<SyncResult> {
    const outcome = await this.lock(() => this.runOnce())
    if (outcome.ran) return outcome.value
    // Another tab is syncing the same database; look again later in case our newest change
    // arrived after it read the queue.
    if ((await this.options.db.listOutbox()).length > 0) this.schedule(this.backoff.baseMs)
    return { status: 'busy' }
  }

  private async runOnce(): Promise<SyncResult> {
    try {
      const pushed = await this.push()
      await this.sendProfile()
      const pulled = await this.pull()
      await this.learnDecisions()
      await this.options.db.setMeta({ lastSyncedAt: new Date(this.options.clock.now()).toISOString() })
      this.reachedServer = true
      this.setState({ lastError: null, failuresInRow: 0, nextAttemptAt: null })
      return { status: 'synced', pushed, pulled }
    } catch (error) {
      // A refusal or an error status is an answer: the server can still take the report.
      this.reachedServer = error instanceof TransportError && error.status > 0
      const kind = classifyFailure(error)
      const message = messageOf(error)
      this.setState({ lastError: { kind, message } })
      if (kind === 'permanent') return { status: 'failed', error: message }
      return { status: 'retrying', error: message, delayMs: this.scheduleRetry() }
    }
  }

  /** Pushes every queued change; returns how many were answered. */
  private async push(): Promise<number> {
    const { db } = this.options
    let answered = 0
    for (;;) {
      const candidates = sendableEntries(await db.listOutbox(), this.batchSize)
      if (candidates.length === 0) return answered
      const batch = await this.markSent(candidates.map((entry) => entry.event_id))
      if (batch.entries.length === 0) continue
      const outcomes = await this.pushSplitting(batch.changes)
      const now = new Date(this.options.clock.now()).toISOString()
      await db.mutate(batch.entries.map((entry) => entry.event_id), (slice) => planOutcomes(slice, batch.entries, outcomes, now))
      this.options.onChange?.('events')
      answered += outcomes.length
      const answeredIds = new Set(outcomes.map((outcome) => outcome.change_id))
      if (batch.changes.some((change) => !answeredIds.has(change.change_id))) {
        throw new TransportError('the server answered only part of the batch', 502)
      }
    }
  }

  /**
   * Sends changes and returns the server's answers. A change whose text cannot travel is
   * answered here (see unsendableText). When the server refuses the whole request for good
   * (e.g. PostgREST cannot parse it) or it runs out of time (57014: the same batch would time out
   * again), each half is sent on its own, down to single changes, so that only the change at
   * fault is parked and the rest of the queue goes on. Other transient failures propagate and
   * the round is retried later.
   */
  private async pushSplitting(changes: EventChange[]): Promise<ChangeOutcome[]> {
    const refused = changes.map(refuseUnsendable)
    const sendable = changes.filter((_, index) => !refused[index])
    const answered = refused.filter((outcome): outcome is ChangeOutcome => outcome !== null)
    if (sendable.length === 0) return answered
    try {
      return [...answered, ...(await this.options.transport.push(sendable))]
    } catch (error) {
      if (classifyFailure(error) === 'retryable' && !isTimeout(error)) throw error
      if (sendable.length === 1) return [...answered, ...rejectAll(sendable, error)]
      const middle = Math.ceil(sendable.length / 2)
      const first = await this.pushSplitting(sendable.slice(0, middle))
      return [...answered, ...first, ...(await this.pushSplitting(sendable.slice(middle)))]
    }
  }

  /**
   * Marks the head change of each event sent and builds what to send from the same reads, in
   * one transaction: an edit saved meanwhile can no longer merge into a change on its way.
   * Changes whose event is gone (it cannot happen through the stores) are removed.
   */
  private async markSent(eventIds: string[]): Promise<{ entries: OutboxEntry[]; changes: EventChange[] }> {
    const batch = await this.options.db.mutate(eventIds, (slice) => {
      const heads = sendableEntries(slice.outbox, this.batchSize)
      const entries = heads.filter((entry) => slice.events.has(entry.event_id))
      const orphans = heads.filter((entry) => !slice.events.has(entry.event_id)).map((entry) => entry.seq!)
      const changes = entries.map((entry) => changeToSend(entry, slice.events.get(entry.event_id)!))
      return {
        putOutbox: entries.filter((entry) => !entry.sent).map((entry) => ({ ...entry, sent: true })),
        deleteOutbox: orphans,
        result: { entries, changes },
      }
    })
    return batch ?? { entries: [], changes: [] }
  }

  /**
   * Sends the user's profile edited on this phone, if one waits: one call of its own. A refusal
   * for good (a rule, an account with no person) is kept with the edit for the user to fix, and
   * the edit is not sent again until they save anew; a transient failure fails the round.
   */
  private async sendProfile(): Promise<void> {
    const { db, transport } = this.options
    const [pending, refused] = await Promise.all([db.getMeta('pendingProfile'), db.getMeta('profileFailure')])
    if (!pending || refused?.savedAt === pending.savedAt) return
    try {
      const saved = await transport.saveProfile(pending.profile)
      await db.updateMeta(['pendingProfile'], (now) => planProfileSaved(now.pendingProfile, pending, saved))
    } catch (error) {
      if (classifyFailure(error) === 'retryable') throw error
      const failure = {
        code: error instanceof TransportError ? error.code : '',
        rule: error instanceof TransportError ? error.rule : null,
        message: messageOf(error),
      }
      await db.updateMeta(['pendingProfile'], (now) => planProfileRefused(now.pendingProfile, pending, failure))
    }
  }

  /** Pulls every page after the stored cursor; returns how many rows arrived. */
  private async pull(): Promise<number> {
    const { db, transport } = this.options
    let cursor = await db.getMeta('pullCursor')
    let pulled = 0
    for (;;) {
      const page = await transport.pull(cursor, this.pullPageSize)
      const now = new Date(this.options.clock.now()).toISOString()
      await db.mutate(page.changes.map((row) => row.id), (slice) => planPull(slice, page.changes, page.cursor, now))
      if (page.changes.length > 0) this.options.onChange?.('events')
      pulled += page.changes.length
      cursor = page.cursor
      if (!page.has_more || page.changes.length === 0) return pulled
    }
  }

  /**
   * Asks the server about the user's requests that wait for a decision, and applies what was
   * decided (see planRequestDecisions). Only while some wait: most rounds cost nothing here.
   */
  private async learnDecisions(): Promise<void> {
    const { db, transport } = this.options
    const waiting = (await db.listRequests()).filter((request) => request.status === 'pending')
    if (waiting.length === 0) return
    const answers = await transport.myRequests()
    const now = new Date(this.options.clock.now()).toISOString()
    await db.mutate(waiting.map((request) => request.eventId), (slice) => planRequestDecisions(slice, waiting, answers, now))
    this.options.onChange?.('events')
  }

  /** Exponential backoff with full jitter: uniform in [0, min(max, base · 2^(n-1))). */
  private scheduleRetry(): number {
    const failuresInRow = this.state.failuresInRow + 1
    const ceiling = Math.min(this.backoff.maxMs, this.backoff.baseMs * 2 ** (failuresInRow - 1))
    const delay = Math.floor(this.options.random() * ceiling)
    this.setState({ failuresInRow })
    this.schedule(delay)
    return delay
  }

  private schedule(delayMs: number): void {
    this.cancelTimer()
    if (this.stopped) return
    const { clock } = this.options
    this.timer = clock.setTimeout(() => {
      this.timer = null
      void this.syncNow()
    }, delayMs)
    this.setState({ nextAttemptAt: clock.now() + delayMs })
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.options.clock.clearTimeout(this.timer)
    this.timer = null
    if (this.state.nextAttemptAt !== null) this.setState({ nextAttemptAt: null })
  }

  private setState(patch: Partial<EngineStatus>): void {
    this.state = { ...this.state, ...patch }
    this.options.onChange?.('status')
  }
}

function isTimeout(error: unknown): boolean {
  return error instanceof TransportError && error.code === STATEMENT_TIMEOUT
}

/** A request refused for good (or timed out) with these changes alone: each is parked as failed. */
function rejectAll(changes: readonly EventChange[], error: unknown): ChangeOutcome[] {
  const code = error instanceof TransportError ? error.code : ''
  const rule = error instanceof TransportError ? error.rule : null
  return changes.map((change) => ({
    change_id: change.change_id,
    event_id: change.event_id,
    status: 'rejected',
    code,
    rule,
    message: messageOf(error),
  }))
}
