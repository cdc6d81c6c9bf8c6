// The app's Supabase client: Auth (./password-auth.ts, the password sign-in the app uses) and the
// REST API (@supabase/postgrest-js), wired the way supabase-js's createClient wires them (same
// endpoints, same apikey and bearer-token handling). Realtime is needed only on the coordinators'
// dashboard, which loads it by itself (api/realtime.ts); leaving it, Storage, Functions and the
// rest of Auth out keeps a volunteer's first visit within its budget (see `npm run bench`). A full
// supabase-js client works the same way against this project: the integration tests check both.
import { PostgrestClient } from '@supabase/postgrest-js'
import { PasswordAuth, type PasswordAuthOptions, type Session } from './password-auth'

export type ApiClientOptions = Pick<PasswordAuthOptions, 'storageKey' | 'persistSession' | 'storage'>

export function createApiClient(url: string, key: string, options: ApiClientOptions) {
  const base = url.endsWith('/') ? url : `${url}/`
  const auth = new PasswordAuth({ ...options, url: new URL('auth/v1', base).href, apiKey: key })

  /** The signed-in user's access token, or the anon key for anonymous calls (as supabase-js). */
  async function accessToken(): Promise<string> {
    const { data } = await auth.getSession()
    return data.session?.access_token ?? key
  }

  async function fetchWithAuth(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const headers = new Headers(init?.headers)
    if (!headers.has('apikey')) headers.set('apikey', key)
    if (!headers.has('Authorization')) headers.set('Authorization', `Bearer ${await accessToken()}`)
    return fetch(input, { ...init, headers })
  }

  const rest = new PostgrestClient(new URL('rest/v1', base).href, { fetch: fetchWithAuth })
  return {
    auth,
    accessToken,
    from: rest.from.bind(rest),
    rpc: rest.rpc.bind(rest),
  }
}

/** The session calls the sync transport makes: a supabase-js client's Auth has them as well. */
export interface SessionSource {
  getSession(): Promise<{ data: { session: Pick<Session, 'user'> | null } }>
  refreshSession(): Promise<unknown>
}

/** What the sync transport uses: a supabase-js client has it as well. */
export type ApiClient = Pick<ReturnType<typeof createApiClient>, 'from' | 'rpc'> & { auth: SessionSource }
