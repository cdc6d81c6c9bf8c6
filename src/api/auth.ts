// Signing in and out, and what the stored session says, in the terms the session store needs:
// a failure is either wrong credentials, the network, or something else; "no answer" is never
// mistaken for "signed out".
import { isAuthRetryableFetchError } from '@supabase/auth-js'
import type { ApiClient } from './api-client'
import type { Uuid } from '../domain/types'

export interface AuthUser {
  id: Uuid
  email: string
}

export type SignInFailure = 'credentials' | 'offline' | 'other'

export class SignInError extends Error {
  constructor(readonly kind: SignInFailure, message: string) {
    super(message)
    this.name = 'SignInError'
  }
}

/** What the stored session says: a user, definitely nobody, or unknown (could not reach Auth). */
export type SessionState = { state: 'signed-in'; user: AuthUser } | { state: 'signed-out' } | { state: 'unknown' }

export interface AuthApi {
  signIn(email: string, password: string): Promise<AuthUser>
  /** Forgets the session on this device even offline; tells the server when it can. */
  signOut(): Promise<void>
  sessionState(): Promise<SessionState>
  /** Calls back when Auth ends the session by itself (refresh token revoked or expired). */
  onSessionEnded(callback: () => void): () => void
}

function isOffline(error: unknown): boolean {
  return isAuthRetryableFetchError(error) || error instanceof TypeError
}

export function createAuthApi(client: ApiClient): AuthApi {
  let signingOut = false
  return {
    async signIn(email, password) {
      const { data, error } = await client.auth.signInWithPassword({ email, password })
      if (error) {
        if (isOffline(error)) throw new SignInError('offline', error.message)
        if (error.code === 'invalid_credentials' || error.status === 400) throw new SignInError('credentials', error.message)
        throw new SignInError('other', error.message)
      }
      return { id: data.user.id, email: data.user.email ?? email }
    },
    async signOut() {
      signingOut = true
      try {
        // scope 'local' removes the stored session before asking the server, so it works offline;
        // the server's answer only concerns revoking the refresh token.
        const { error } = await client.auth.signOut({ scope: 'local' })
        if (error && !isOffline(error)) console.warn('the server did not revoke the session', error)
      } finally {
        signingOut = false
      }
    },
    async sessionState() {
      const { data, error } = await client.auth.getSession()
      if (data.session) return { state: 'signed-in', user: { id: data.session.user.id, email: data.session.user.email ?? '' } }
      if (error && isOffline(error)) return { state: 'unknown' }
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
