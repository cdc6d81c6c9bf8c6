// LOCAL ONLY: the smallest stand-in for Supabase Auth (GoTrue) that the app needs, since GoTrue
// cannot run here. It checks the seeded accounts' passwords in auth.users with pgcrypto exactly as
// GoTrue stores them (bcrypt), and issues the same HS256 JWT claims and session JSON GoTrue would,
// so the app uses the real supabase-js auth API and a real Supabase project works unchanged.
// Endpoints: POST /token?grant_type=password|refresh_token, GET /user, POST /logout.
import { randomBytes, randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { jwtVerify } from 'jose'
import type pg from 'pg'
import { localJwtKey, signJwt } from './keys.ts'

interface AuthUser {
  id: string
  email: string
  created_at: string
  email_confirmed_at: string | null
  app_metadata: Record<string, unknown>
  user_metadata: Record<string, unknown>
}

export interface AuthStandIn {
  handle(request: IncomingMessage, response: ServerResponse, path: string): Promise<void>
}

function send(response: ServerResponse, status: number, body?: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json', 'x-supabase-api-version': '2024-01-01' })
  response.end(body === undefined ? undefined : JSON.stringify(body))
}

function authError(response: ServerResponse, status: number, errorCode: string, message: string): void {
  send(response, status, { code: status, error_code: errorCode, msg: message })
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  const text = Buffer.concat(chunks).toString('utf8')
  if (!text) return {}
  const parsed: unknown = JSON.parse(text)
  return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {}
}

const USER_COLUMNS = `id, email, created_at, email_confirmed_at,
  coalesce(raw_app_meta_data, '{}') as app_metadata, coalesce(raw_user_meta_data, '{}') as user_metadata`

export function createAuthStandIn(db: pg.Pool, issuer: string, accessTokenSeconds: number): AuthStandIn {
  /** Refresh tokens live in memory: a restart of the local stack signs everyone out, as a reset would. */
  const refreshTokens = new Map<string, string>()

  function userJson(user: AuthUser) {
    return {
      id: user.id,
      aud: 'authenticated',
      role: 'authenticated',
      email: user.email,
      phone: '',
      email_confirmed_at: user.email_confirmed_at,
      confirmed_at: user.email_confirmed_at,
      app_metadata: user.app_metadata,
      user_metadata: user.user_metadata,
      identities: [],
      created_at: user.created_at,
      updated_at: user.created_at,
      is_anonymous: false,
    }
  }

  async function session(user: AuthUser, method: string) {
    const now = Math.floor(Date.now() / 1000)
    const accessToken = await signJwt(
      {
        iss: issuer,
        aud: 'authenticated',
        sub: user.id,
        email: user.email,
        phone: '',
        role: 'authenticated',
        aal: 'aal1',
        amr: [{ method, timestamp: now }],
        session_id: randomUUID(),
        is_anonymous: false,
        app_metadata: user.app_metadata,
        user_metadata: user.user_metadata,
      },
      accessTokenSeconds,
    )
    const refreshToken = randomBytes(16).toString('hex')
    refreshTokens.set(refreshToken, user.id)
    return {
      access_token: accessToken,
      token_type: 'bearer',
      expires_in: accessTokenSeconds,
      expires_at: now + accessTokenSeconds,
      refresh_token: refreshToken,
      user: userJson(user),
    }
  }

  async function userById(id: string): Promise<AuthUser | undefined> {
    const { rows } = await db.query<AuthUser>(`select ${USER_COLUMNS} from auth.users where id = $1`, [id])
    return rows[0]
  }

  async function signInWithPassword(body: Record<string, unknown>, response: ServerResponse) {
    const { rows } = await db.query<AuthUser>(
      `select ${USER_COLUMNS} from auth.users
       where email = lower($1) and encrypted_password = extensions.crypt($2, encrypted_password)`,
      [String(body.email ?? ''), String(body.password ?? '')],
    )
    const user = rows[0]
    if (!user) return authError(response, 400, 'invalid_credentials', 'Invalid login credentials')
    await db.query('update auth.users set last_sign_in_at = now() where id = $1', [user.id])
    send(response, 200, await session(user, 'password'))
  }

  async function refresh(body: Record<string, unknown>, response: ServerResponse) {
    const token = String(body.refresh_token ?? '')
    const userId = refreshTokens.get(token)
    const user = userId ? await userById(userId) : undefined
    if (!user) return authError(response, 400, 'refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found')
    refreshTokens.delete(token)
    send(response, 200, await session(user, 'token_refresh'))
  }

  async function currentUser(request: IncomingMessage, response: ServerResponse) {
    const bearer = request.headers.authorization?.replace(/^Bearer /i, '') ?? ''
    try {
      const { payload } = await jwtVerify(bearer, localJwtKey, { audience: 'authenticated' })
      const user = payload.sub ? await userById(payload.sub) : undefined
      if (!user) return authError(response, 403, 'user_not_found', 'User from sub claim in JWT does not exist')
      send(response, 200, userJson(user))
    } catch {
      authError(response, 403, 'bad_jwt', 'invalid JWT: unable to parse or verify signature')
    }
  }

  return {
    async handle(request, response, path) {
      const url = new URL(path, 'http://local')
      if (request.method === 'POST' && url.pathname === '/token') {
        const body = await readJson(request)
        const grant = url.searchParams.get('grant_type')
        if (grant === 'password') return signInWithPassword(body, response)
        if (grant === 'refresh_token') return refresh(body, response)
        return authError(response, 400, 'validation_failed', 'Unsupported grant type')
      }
      if (request.method === 'GET' && url.pathname === '/user') return currentUser(request, response)
      if (request.method === 'POST' && url.pathname === '/logout') {
        response.writeHead(204).end()
        return
      }
      authError(response, 404, 'not_found', 'Not available in the local auth stand-in')
    },
  }
}
