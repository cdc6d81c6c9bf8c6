// One sync at a time across tabs: two tabs pushing the same outbox would each send every change
// (harmless thanks to change ids, but wasteful) and race on the pull cursor.

export const SYNC_LOCK_NAME = 'volunteer-ledger-sync'

export type LockOutcome<T> = { ran: true; value: T } | { ran: false }

/** Runs a task if no other holder has the lock; never waits for it. */
export type LockRunner = <T>(task: () => Promise<T>) => Promise<LockOutcome<T>>

interface LockManagerLike {
  request(name: string, options: { ifAvailable: true }, callback: (lock: unknown) => Promise<unknown>): Promise<unknown>
}

/**
 * The Web Locks API where the browser has it. Without it (older Safari) tabs cannot coordinate;
 * each then syncs on its own, which change ids and revision checks make safe.
 */
export function webLockRunner(locks: LockManagerLike | undefined = globalThis.navigator?.locks): LockRunner {
  return async <T>(task: () => Promise<T>): Promise<LockOutcome<T>> => {
    if (!locks) return { ran: true, value: await task() }
    let outcome: LockOutcome<T> = { ran: false }
    await locks.request(SYNC_LOCK_NAME, { ifAvailable: true }, async (lock) => {
      if (lock) outcome = { ran: true, value: await task() }
    })
    return outcome
  }
}
