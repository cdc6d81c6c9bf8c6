// Supabase Auth for this app: password sign-in and sign-up, the refresh of the access token and
// sign-out, over Auth's REST API (the endpoints and bodies @supabase/auth-js sends). The app uses
// nothing else of Auth, while auth-js's client carries OAuth, MFA, WebAuthn, Web3 and SSO sign-ins
// and the admin API as well: about 25 KB gzip, which put a volunteer's first visit over its
// budget (issue 8, item 20; `npm run bench`).
//
// Where the app depends on how auth-js behaves, this behaves the same:
// - the session is stored under the same key in the same shape, so a phone stays signed in
//   across the update that brings this file;
// - the calls answer `{ data, error }` in auth-js's shapes, so the sync transport works with a
//   supabase-js client as well (the integration tests use one);
// - a refresh that gets no answer, or a 5xx, keeps the session (offline is not signed out); one
//   that Auth refuses removes it and tells the listeners (SIGNED_OUT);
// - one refresh at a time across the app's tabs (Web Locks): Auth rotates refresh tokens, and
//   reusing a spent one revokes the whole session.

export interface AuthUserRecord {
  id: string
  email?: string
  phone?: string
}

export interface Session {
  access_token: string
  refresh_token: string
  token_type: string
  expires_in: number
  /** Seconds since the epoch by this device's clock (see `received`). */
  expires_at: number
  user: AuthUserRecord
}

/** An email address or a phone number (domain/login.ts tells which). */
export type PasswordLogin = { email: string } | { phone: string }

/** A refusal by Auth (its error code and HTTP status), or no answer at all (status 0). */
export class AuthFailure extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | undefined,
    /** No answer, or a server error: worth trying again later; the session stays. */
    readonly retryable: boolean,
  ) {
    super(message)
    this.name = 'AuthFailure'
  }
}

export function isRetryableAuthFailure(error: unknown): boolean {
  return error instanceof AuthFailure && error.retryable
}

export interface PasswordAuthOptions {
  /** The Auth endpoint, e.g. https://<project>.supabase.co/auth/v1. */
  url: string
  apiKey: string
  storageKey: string
  /** false keeps the session in memory only (scripts and benchmarks). */
  persistSession: boolean
  /** Where a persisted session is kept; localStorage by default. */
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>
  /** Milliseconds since the epoch; Date.now by default. */
  now?: () => number
}

type SignedIn = { data: { user: AuthUserRecord; session: Session }; error: null }
type Failed = { data: { user: null; session: null }; error: AuthFailure }
/** A sign-up that the project wants confirmed before the first sign-in: a user, no session yet. */
type AwaitingConfirmation = { data: { user: AuthUserRecord; session: null }; error: null }
type SessionResult = SignedIn | Failed

/** auth-js refreshes a token this close to its expiry rather than use it (EXPIRY_MARGIN_MS). */
const EXPIRY_MARGIN_MS = 90_000

// Server errors that say nothing about the session (auth-js: NETWORK_ERROR_CODES).
const isServerError = (status: number) => (status >= 500 && status <= 504) || (status >= 520 && status <= 530)

/** The message of an Auth error body, as auth-js reads it. */
function messageOf(body: Record<string, unknown>, fallback: string): string {
  for (const key of ['msg', 'message', 'error_description', 'error']) {
    if (typeof body[key] === 'string') return body[key]
  }
  return fallback
}

export class PasswordAuth {
  private readonly options: PasswordAuthOptions
  private readonly now: () => number
  private memorySession: Session | null = null
  private refreshing: Promise<SessionResult> | null = null
  private readonly listeners = new Set<(event: 'SIGNED_IN' | 'SIGNED_OUT') => void>()

  constructor(options: PasswordAuthOptions) {
    this.options = options
    this.now = options.now ?? Date.now
    // Another tab signed out: this one hears it, as auth-js's tabs do.
    globalThis.addEventListener?.('storage', (event) => {
      if (options.persistSession && event.key === options.storageKey && event.newValue === null) this.emit('SIGNED_OUT')
    })
  }

  async signInWithPassword(login: PasswordLogin & { password: string }): Promise<SessionResult> {
    return this.start('token?grant_type=password', login) as Promise<SessionResult>
  }

  async signUp(login: PasswordLogin & { password: string }): Promise<SessionResult | AwaitingConfirmation> {
    return this.start('signup', login)
  }

  /**
   * Forgets the session on this device at once, so that signing out works offline; then asks
   * Auth to end it (scope local, this device's only), and answers whether that failed.
   */
  async signOut(): Promise<{ error: AuthFailure | null }> {
    const session = this.stored()
    this.store(null)
    this.emit('SIGNED_OUT')
    if (!session) return { error: null }
    try {
      await this.request('logout?scope=local', {}, session.access_token)
      return { error: null }
    } catch (error) {
      // 401/403/404: the session had already ended on the server, which is what was asked.
      if (error instanceof AuthFailure && [401, 403, 404].includes(error.status)) return { error: null }
      return { error: error as AuthFailure }
    }
  }

  /** The stored session, refreshed first when its access token has (nearly) expired. */
  async getSession(): Promise<{ data: { session: Session | null }; error: AuthFailure | null }> {
    const session = this.stored()
    if (!session || session.expires_at * 1000 - this.now() >= EXPIRY_MARGIN_MS) return { data: { session }, error: null }
    const { data, error } = await this.refreshSession()
    return { data: { session: data.session }, error }
  }

  /** A new access token for the stored refresh token; one refresh at a time, across tabs too. */
  refreshSession(): Promise<SessionResult> {
    this.refreshing ??= this.withRefreshLock(() => this.refresh()).finally(() => {
      this.refreshing = null
    })
    return this.refreshing
  }

  onAuthStateChange(callback: (event: 'SIGNED_IN' | 'SIGNED_OUT') => void): { data: { subscription: { unsubscribe(): void } } } {
    this.listeners.add(callback)
    return { data: { subscription: { unsubscribe: () => this.listeners.delete(callback) } } }
  }

  private async refresh(): Promise<SessionResult> {
    const session = this.stored()
    if (!session) return { data: { user: null, session: null }, error: new AuthFailure('no session to refresh', 401, 'session_not_found', false) }
    try {
      const fresh = this.received(await this.request('token?grant_type=refresh_token', { refresh_token: session.refresh_token }))
      this.store(fresh)
      return { data: { user: fresh.user, session: fresh }, error: null }
    } catch (error) {
      const failure = error as AuthFailure
      // Another tab may have refreshed first with this very token: its session is the one to use.
      const now = this.stored()
      if (now && now.refresh_token !== session.refresh_token) return { data: { user: now.user, session: now }, error: null }
      if (!failure.retryable) {
        this.store(null)
        this.emit('SIGNED_OUT')
      }
      return { data: { user: null, session: null }, error: failure }
    }
  }

  /** Runs `refresh` holding the tabs' shared lock where the browser has one; rereads the session inside it. */
  private async withRefreshLock(refresh: () => Promise<SessionResult>): Promise<SessionResult> {
    const locks = globalThis.navigator?.locks
    if (!this.options.persistSession || !locks) return refresh()
    const before = this.stored()?.refresh_token
    return locks.request(`${this.options.storageKey}-refresh`, () => {
      const now = this.stored()
      // Refreshed by another tab while this one waited: nothing to do.
      if (now && now.refresh_token !== before) return { data: { user: now.user, session: now }, error: null }
      return refresh()
    })
  }

  private async start(path: string, body: PasswordLogin & { password: string }): Promise<SessionResult | AwaitingConfirmation> {
    try {
      const answer = await this.request(path, body)
      // A sign-up the project wants confirmed first answers the user alone, without tokens.
      if (typeof answer.access_token !== 'string') return { data: { user: answer as unknown as AuthUserRecord, session: null }, error: null }
      const session = this.received(answer)
      this.store(session)
      this.emit('SIGNED_IN')
      return { data: { user: session.user, session }, error: null }
    } catch (error) {
      return { data: { user: null, session: null }, error: error as AuthFailure }
    }
  }

  /**
   * A session as Auth sent it, its expiry counted from now by this device's clock: a phone whose
   * clock is hours off would otherwise find every token already expired, or never expiring.
   */
  private received(answer: Record<string, unknown>): Session {
    const session = answer as unknown as Session
    return { ...session, expires_at: Math.round(this.now() / 1000) + session.expires_in }
  }

  /** POSTs to Auth; throws AuthFailure for a refusal or no answer. */
  private async request(path: string, body: object, accessToken = this.options.apiKey): Promise<Record<string, unknown>> {
    let response: Response
    try {
      response = await fetch(`${this.options.url}/${path}`, {
        method: 'POST',
        headers: {
          apikey: this.options.apiKey,
          Authorization: `Bearer ${accessToken}`,
          'Content-Type': 'application/json;charset=UTF-8',
          // Errors then carry their code in `code` (Auth's API version 2024-01-01, as auth-js asks).
          'X-Supabase-Api-Version': '2024-01-01',
        },
        body: JSON.stringify(body),
      })
    } catch (error) {
      throw new AuthFailure(error instanceof Error ? error.message : String(error), 0, undefined, true)
    }
    const text = await response.text()
    let answer: Record<string, unknown> = {}
    try {
      answer = text ? (JSON.parse(text) as Record<string, unknown>) : {}
    } catch {
      answer = { message: text }
    }
    if (response.ok) return answer
    const code = typeof answer.code === 'string' ? answer.code : typeof answer.error_code === 'string' ? answer.error_code : undefined
    throw new AuthFailure(messageOf(answer, `HTTP ${response.status}`), response.status, code, isServerError(response.status))
  }

  private stored(): Session | null {
    if (!this.options.persistSession) return this.memorySession
    const text = this.storage().getItem(this.options.storageKey)
    if (!text) return null
    try {
      const session = JSON.parse(text) as Partial<Session>
      return typeof session.access_token === 'string' && typeof session.refresh_token === 'string' && session.user ? (session as Session) : null
    } catch {
      return null
    }
  }

  private store(session: Session | null): void {
    if (!this.options.persistSession) {
      this.memorySession = session
    } else if (session) {
      this.storage().setItem(this.options.storageKey, JSON.stringify(session))
    } else {
      this.storage().removeItem(this.options.storageKey)
    }
  }

  private storage(): Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> {
    return this.options.storage ?? globalThis.localStorage
  }

  private emit(event: 'SIGNED_IN' | 'SIGNED_OUT'): void {
    for (const listener of this.listeners) listener(event)
  }
}
