// Online calls of the volunteer's record, certificates and requests: straight to the server under
// its row-level security, each answer checked. A refusal carries the database's rule name for
// the message (src/i18n/rules.ts).

/** The Supabase client, loaded on first use like the sync runtime loads it (sync/runtime.ts). */
export async function client() {
  return (await import('./client')).supabase
}

/** A call the server refused (or could not be made), with its SQLSTATE and rule name. */
export class CallError extends Error {
  constructor(
    message: string,
    readonly code: string | null,
    readonly rule: string | null,
  ) {
    super(message)
    this.name = 'CallError'
  }
}

interface PostgrestFailure {
  message: string
  code?: string | null
  details?: string | null
}

/** The constraint a Postgres error names (PostgREST passes it in message or details). */
function ruleOf(error: PostgrestFailure): string | null {
  return /constraint "([a-z0-9_]+)"/.exec(`${error.message} ${error.details ?? ''}`)?.[1] ?? null
}

/** The data of an answer, or the refusal as a CallError (a failed fetch as code 'network'). */
export async function answer<T>(call: PromiseLike<{ data: unknown; error: PostgrestFailure | null }>): Promise<T> {
  let result: { data: unknown; error: PostgrestFailure | null }
  try {
    result = await call
  } catch (error) {
    throw new CallError(error instanceof Error ? error.message : String(error), 'network', null)
  }
  if (result.error) {
    const code = result.error.code || null
    throw new CallError(result.error.message, /fetch/i.test(result.error.message) && !code ? 'network' : code, ruleOf(result.error))
  }
  return result.data as T
}
