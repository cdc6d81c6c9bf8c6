// Signing in and out, and what the stored session says, in the terms the session store needs:
// a failure is either wrong credentials, the network, or something else; "no answer" is never
// mistaken for "signed out".
import type { createApiClient } from './api-client'
import { isRetryableAuthFailure, type AuthUserRecord } from './password-auth'
import { parseLogin } from '../domain/login'
import type { Uuid } from '../domain/types'

export interface AuthUser {
  id: Uuid
  /** The user's email address, or their phone number for an account made with one. */
  email: string
}

export type SignInFailure = 'credentials' | 'offline' | 'other'

export class SignInError extends Error {
  constructor(readonly kind: SignInFailure, message: string) {
    super(message)
    this.name = 'SignInError'
  }
}

/**
 * Why a sign-up failed: the login is neither an email address nor a phone number, the account
 * exists, the password is too weak, too many sign-ups from here, no connection, the project
 * wants the address confirmed first (no session came back), or something else.
 */
export type SignUpFailure = 'invalid' | 'exists' | 'weak' | 'rate' | 'offline' | 'confirm' | 'other'

export class SignUpError extends Error {
  constructor(readonly kind: SignUpFailure, message: string) {
    super(message)
    this.name = 'SignUpError'
  }
}

/** What the stored session says: a user, definitely nobody, or unknown (could not reach Auth). */
export type SessionState = { state: 'signed-in'; user: AuthUser } | { state: 'signed-out' } | { state: 'unknown' }

export interface AuthApi {
  /** Signs in with an email address or a phone number (parseLogin) and a password. */
  signIn(login: string, password: string): Promise<AuthUser>
  /** Makes an account (email or phone number, and a password) and signs it in. */
  signUp(login: string, password: string): Promise<AuthUser>
  /** Forgets the session on this device even offline; tells the server when it can. */
  signOut(): Promise<void>
  sessionState(): Promise<SessionState>
  /** Calls back when Auth ends the session by itself (refresh token revoked or expired). */
  onSessionEnded(callback: () => void): () => void
}

function userOf(user: AuthUserRecord): AuthUser {
  return { id: user.id, email: user.email || user.phone || '' }
}

/** The kind of a sign-up refusal, by Supabase Auth's error code (and status). */
function signUpFailure(error: { code?: string; status?: number }): SignUpFailure {
  if (error.code === 'user_already_exists' || error.code === 'email_exists' || error.code === 'phone_exists') return 'exists'
  if (error.code === 'weak_password') return 'weak'
  if (error.code === 'validation_failed' || error.code === 'email_address_invalid') return 'invalid'
  if (error.code?.startsWith('over_') || error.status === 429) return 'rate'
  return 'other'
}

export function createAuthApi(client: Pick<ReturnType<typeof createApiClient>, 'auth'>): AuthApi {
  let signingOut = false
  return {
    async signIn(typed, password) {
      const login = parseLogin(typed)
      if (!login) throw new SignInError('credentials', 'neither an email address nor a phone number')
      const { data, error } = await client.auth.signInWithPassword({ ...login, password })
      if (error) {
        if (isRetryableAuthFailure(error)) throw new SignInError('offline', error.message)
        if (error.code === 'invalid_credentials' || error.status === 400) throw new SignInError('credentials', error.message)
        throw new SignInError('other', error.message)
      }
      return userOf(data.user)
    },
    async signUp(typed, password) {
      const login = parseLogin(typed)
      if (!login) throw new SignUpError('invalid', 'neither an email address nor a phone number')
      const { data, error } = await client.auth.signUp({ ...login, password })
      if (error) {
        if (isRetryableAuthFailure(error)) throw new SignUpError('offline', error.message)
        throw new SignUpError(signUpFailure(error), error.message)
      }
      if (!data.session || !data.user) throw new SignUpError('confirm', 'the project asks for a confirmation before the first sign-in')
      return userOf(data.user)
    },
    async signOut() {
      signingOut = true
      try {
        // The stored session goes before the server is asked, so this works offline; the
        // server's answer only concerns revoking the refresh token.
        const { error } = await client.auth.signOut()
        if (error && !isRetryableAuthFailure(error)) console.warn('the server did not revoke the session', error)
      } finally {
        signingOut = false
      }
    },
    async sessionState() {
      const { data, error } = await client.auth.getSession()
      if (data.session) return { state: 'signed-in', user: userOf(data.session.user) }
      if (error && isRetryableAuthFailure(error)) return { state: 'unknown' }
      return { state: 'signed-out' }
    },
    onSessionEnded(callback) {
      const { data } = client.auth.onAuthStateChange((event) => {
        if (event === 'SIGNED_OUT' && !signingOut) callback()
      })
      return () => data.subscription.unsubscribe()
    },
  }
}
