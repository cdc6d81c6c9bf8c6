// What the online writes (api/admin.ts, api/joining.ts) share: the Supabase client, loaded on first
// use as the sync runtime loads it, and the server's refusals as errors that carry the rule's name.
// PostgREST passes an error's message and detail, not its constraint: a check constraint names
// itself in the message, and the database's own rules name themselves in the detail.

/** The Supabase client (src/api/client.ts), loaded on first use. */
export async function client() {
  return (await import('./client')).supabase
}

/** A write the server refused, with its constraint name for the message. */
export class AdminWriteError extends Error {
  constructor(
    message: string,
    readonly code: string | null,
    readonly rule: string | null,
  ) {
    super(message)
    this.name = 'AdminWriteError'
  }
}

interface PostgrestFailure {
  message: string
  code?: string | null
  details?: string | null
}

/** The constraint a Postgres error names (PostgREST passes it in message or details). */
function ruleOf(error: PostgrestFailure): string | null {
  const text = `${error.message} ${error.details ?? ''}`
  return /constraint "([a-z0-9_]+)"/.exec(text)?.[1] ?? null
}

/** The data of a successful call; throws AdminWriteError for a refusal or no data. */
export function check<T>(result: { data: T | null; error: PostgrestFailure | null }): T {
  if (result.error) throw new AdminWriteError(result.error.message, result.error.code ?? null, ruleOf(result.error))
  if (result.data === null) throw new AdminWriteError('no row returned', null, null)
  return result.data
}

/** Throws AdminWriteError when the call was refused. */
export function checkDone(result: { error: PostgrestFailure | null }): void {
  if (result.error) throw new AdminWriteError(result.error.message, result.error.code ?? null, ruleOf(result.error))
}
