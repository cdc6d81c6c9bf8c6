// Sorting failures into the ones worth retrying and the ones that will fail the same way again.
// Retrying a permanent error blocks the queue forever; giving up on a transient one loses data.

export type FailureKind = 'retryable' | 'permanent'

/** A failed call to the server, as the transport saw it. */
export class TransportError extends Error {
  constructor(
    message: string,
    /** HTTP status; 0 when no response arrived (network down, fetch failed). */
    readonly status: number,
    /** SQLSTATE or PostgREST/Auth error code, '' when none. */
    readonly code: string = '',
    /** The constraint (rule) name, when the database named one. */
    readonly rule: string | null = null,
  ) {
    super(message)
    this.name = 'TransportError'
  }
}

// SQLSTATE classes: 08 connection, 40 transaction rollback (deadlock, serialization),
// 53 insufficient resources, 55 object not in prerequisite state (lock not available),
// 57 operator intervention (shutdown), 58 system error. Everything else from the database
// (22 data, 23 integrity, 42 syntax/permission, P0 raise) fails the same way next time.
/** SQLSTATE of a statement cancelled by statement_timeout (Supabase: 8 s for signed-in users). */
export const STATEMENT_TIMEOUT = '57014'

const RETRYABLE_SQLSTATE_CLASSES = new Set(['08', '40', '53', '55', '57', '58'])
const RETRYABLE_HTTP = new Set([408, 425, 429, 500, 502, 503, 504])

function isSqlState(code: string): boolean {
  return /^[0-9A-Z]{5}$/.test(code)
}

/** Whether a failure may succeed when tried again unchanged. */
export function classifyFailure(error: unknown): FailureKind {
  // fetch() rejects with a TypeError ("Failed to fetch", "fetch failed") when the network is down.
  if (error instanceof TypeError) return 'retryable'
  if (!(error instanceof TransportError)) return 'permanent'
  if (error.code && isSqlState(error.code)) {
    return RETRYABLE_SQLSTATE_CLASSES.has(error.code.slice(0, 2)) ? 'retryable' : 'permanent'
  }
  // 401 reaches here only after the transport tried to refresh the session: most often the
  // phone is offline or the clock is off; the session may come back, the data must wait.
  if (error.status === 0 || error.status === 401 || RETRYABLE_HTTP.has(error.status) || error.status >= 500) {
    return 'retryable'
  }
  return 'permanent'
}
