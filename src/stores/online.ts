// What the stores of online-only actions (admin, joining) share: running a call to the server and
// turning its refusal, or the missing connection, into a failure the page translates.
import { AdminWriteError } from '../api/online'

export interface AdminFailure {
  rule: string | null
  code: string | null
  message: string
}

/** Runs a call; resolves to its value, or to its failure (never throws). */
export async function attempt<T>(call: () => Promise<T>): Promise<{ value: T | null; failure: AdminFailure | null }> {
  if (!navigator.onLine) return { value: null, failure: { rule: null, code: 'offline', message: 'offline' } }
  try {
    return { value: await call(), failure: null }
  } catch (error) {
    if (error instanceof AdminWriteError) return { value: null, failure: { rule: error.rule, code: error.code, message: error.message } }
    const message = error instanceof Error ? error.message : String(error)
    return { value: null, failure: { rule: null, code: 'network', message } }
  }
}
