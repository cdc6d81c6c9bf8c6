// Sessions and refresh tokens as Supabase Auth (GoTrue) keeps them: every sign-in starts a
// session; each refresh revokes the token it was given and issues a child. A revoked token is
// still honoured when it is the parent of the session's active token (the client lost the last
// answer: the active token is handed out again) or within the reuse interval after it was
// revoked; any other reuse looks like a stolen token, so the whole session's tokens are revoked.
// Logout deletes sessions (global, local or others), and with them their refresh tokens.
// Kept in memory, as throwaway as the local stack; pure apart from the given clock.
import { randomBytes, randomUUID } from 'node:crypto'

export type LogoutScope = 'global' | 'local' | 'others'

export type RefreshOutcome =
  | { kind: 'issued'; userId: string; sessionId: string; refreshToken: string }
  | { kind: 'not_found' }
  | { kind: 'already_used' }

export interface SessionStore {
  /** Starts a session for a sign-in; answers its id and first refresh token. */
  start(userId: string): { sessionId: string; refreshToken: string }
  refresh(refreshToken: string): RefreshOutcome
  exists(sessionId: string): boolean
  logout(userId: string, sessionId: string, scope: LogoutScope): void
}

interface RefreshToken {
  token: string
  parent: string | null
  revoked: boolean
  /** When it was issued or, once rotated, revoked: the reuse interval counts from here. */
  updatedAt: number
}

interface Session {
  userId: string
  /** In the order they were issued. */
  tokens: RefreshToken[]
}

export interface SessionOptions {
  /** Revoke a session's tokens when a rotated token is reused (enable_refresh_token_rotation). */
  rotation: boolean
  reuseSeconds: number
  now: () => number
}

export function createSessionStore(options: SessionOptions): SessionStore {
  const sessions = new Map<string, Session>()
  const sessionOfToken = new Map<string, string>()

  function issue(sessionId: string, parent: string | null): string {
    const token: RefreshToken = { token: randomBytes(16).toString('hex'), parent, revoked: false, updatedAt: options.now() }
    sessions.get(sessionId)!.tokens.push(token)
    sessionOfToken.set(token.token, sessionId)
    return token.token
  }

  function remove(sessionId: string): void {
    for (const token of sessions.get(sessionId)?.tokens ?? []) sessionOfToken.delete(token.token)
    sessions.delete(sessionId)
  }

  return {
    start(userId) {
      const sessionId = randomUUID()
      sessions.set(sessionId, { userId, tokens: [] })
      return { sessionId, refreshToken: issue(sessionId, null) }
    },

    refresh(presented) {
      const sessionId = sessionOfToken.get(presented)
      const session = sessionId ? sessions.get(sessionId) : undefined
      const token = session?.tokens.find((candidate) => candidate.token === presented)
      if (!sessionId || !session || !token) return { kind: 'not_found' }
      const issued = (refreshToken: string): RefreshOutcome => ({ kind: 'issued', userId: session.userId, sessionId, refreshToken })
      if (token.revoked) {
        const active = session.tokens.findLast((candidate) => !candidate.revoked)
        if (active?.parent === token.token) return issued(active.token)
        if (options.now() > token.updatedAt + options.reuseSeconds * 1000) {
          if (options.rotation) for (const member of session.tokens) member.revoked = true
          return { kind: 'already_used' }
        }
      } else {
        token.revoked = true
        token.updatedAt = options.now()
      }
      return issued(issue(sessionId, token.token))
    },

    exists(sessionId) {
      return sessions.has(sessionId)
    },

    logout(userId, sessionId, scope) {
      if (scope === 'local') return remove(sessionId)
      for (const [id, session] of [...sessions]) {
        if (session.userId === userId && !(scope === 'others' && id === sessionId)) remove(id)
      }
    },
  }
}
