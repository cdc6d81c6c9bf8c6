// A Supabase client made of the two parts of supabase-js that every page needs: Auth
// (@supabase/auth-js) and the REST API (@supabase/postgrest-js), wired the way supabase-js's
// createClient wires them (same endpoints, same apikey and bearer-token handling). Realtime is
// needed only on the coordinators' dashboard, which loads it by itself (api/realtime.ts);
// leaving it, Storage and Functions out of the client keeps about 30 KB gzip off every
// volunteer's first visit (see `npm run bench`). A full supabase-js client works the same way
// against this project: the integration tests check both.
import { AuthClient, type SupportedStorage } from '@supabase/auth-js'
import { PostgrestClient } from '@supabase/postgrest-js'

export interface ApiClientOptions {
  storageKey: string
  persistSession: boolean
  autoRefreshToken: boolean
  /** Where the session is kept; localStorage in the browser when persisting. */
  storage?: SupportedStorage
}

export function createApiClient(url: string, key: string, options: ApiClientOptions) {
  const base = url.endsWith('/') ? url : `${url}/`
  const auth = new AuthClient({
    url: new URL('auth/v1', base).href,
    headers: { Authorization: `Bearer ${key}`, apikey: key },
    storageKey: options.storageKey,
    storage: options.storage,
    persistSession: options.persistSession,
    autoRefreshToken: options.autoRefreshToken,
    // Email and password only: no tokens ever arrive in the URL.
    detectSessionInUrl: false,
  })

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

/** What the sync transport and the auth API use: a supabase-js client has it as well. */
export type ApiClient = Pick<ReturnType<typeof createApiClient>, 'auth' | 'from' | 'rpc'>
