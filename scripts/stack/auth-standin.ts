// LOCAL ONLY: the smallest stand-in for Supabase Auth (GoTrue) that the app needs, since GoTrue
// cannot run here. It answers as GoTrue does, request for request and error code for error code,
// so the app uses the real supabase-js auth API and a real Supabase project works unchanged:
//   POST /signup                        email or phone + password; confirmed at once (confirmations
//                                       off), answered with a session
//   POST /token?grant_type=password     email or phone + password
//   POST /token?grant_type=refresh_token rotation with GoTrue's reuse detection (auth-sessions.ts)
//   GET  /user, POST /logout?scope=global|local|others
// /token and /signup are rate limited per client address (the first X-Forwarded-For entry, which
// the gateway sets) with GoTrue's token buckets; every body is capped (request-body.ts).
import type { IncomingMessage, ServerResponse } from 'node:http'
import { jwtVerify } from 'jose'
import type pg from 'pg'
import { AuthError, clientAddress, OAuthError, readParams, sendError, sendJson } from './auth-http.ts'
import { createSessionStore, type LogoutScope } from './auth-sessions.ts'
import type { AuthSettings } from './auth-settings.ts'
import { createUsers, userJson, type AuthUser, type Login } from './auth-users.ts'
import { localJwtKey, signJwt } from './keys.ts'
import { createRateLimiter, type RateLimiter } from './rate-limiter.ts'
import { BODY_LIMITS, BodyTooLargeError, refuseBody } from './request-body.ts'

export interface AuthStandIn {
  handle(request: IncomingMessage, response: ServerResponse, path: string): Promise<void>
}

export interface AuthStandInOptions {
  issuer: string
  settings: AuthSettings
  /** The clock of refresh-token reuse and rate limits (tests move it on). */
  now?: () => number
}

/** bcrypt reads at most 72 bytes, so GoTrue refuses longer passwords. */
const MAX_PASSWORD_BYTES = 72
/** GoTrue's E.164 check, on the number without '+' and spaces. */
const E164 = /^[1-9][0-9]{1,14}$/
/** The address check GoTrue uses (checkmail.ValidateFormat). */
const EMAIL_FORMAT = /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/

const formatPhone = (phone: string) => phone.replace(/^\+/, '').replaceAll(' ', '')

export function createAuthStandIn(db: pg.Pool, options: AuthStandInOptions): AuthStandIn {
  const { settings } = options
  const now = options.now ?? Date.now
  const users = createUsers(db)
  const sessions = createSessionStore({ rotation: settings.refreshTokenRotation, reuseSeconds: settings.refreshTokenReuseSeconds, now })
  const tokenLimiter = createRateLimiter(settings.tokenRate, now)
  const signupLimiter = createRateLimiter(settings.signupRate, now)

  /** GoTrue limits only requests that carry the client's address; the gateway always adds it. */
  function limit(limiter: RateLimiter, request: IncomingMessage): void {
    const address = clientAddress(request)
    if (address !== undefined && !limiter.take(address)) {
      throw new AuthError(429, 'over_request_rate_limit', 'Request rate limit reached')
    }
  }

  /** The password's weaknesses under the project's rules, or undefined when it passes. */
  function weakness(password: string): { message: string; reasons: string[] } | undefined {
    if (Buffer.byteLength(password) >= settings.minimumPasswordLength) return undefined
    return { message: `Password should be at least ${settings.minimumPasswordLength} characters.`, reasons: ['length'] }
  }

  async function session(user: AuthUser, sessionId: string, refreshToken: string) {
    const issuedAt = Math.floor(Date.now() / 1000)
    const accessToken = await signJwt(
      {
        iss: options.issuer,
        aud: 'authenticated',
        sub: user.id,
        email: user.email ?? '',
        phone: user.phone ?? '',
        role: 'authenticated',
        aal: 'aal1',
        amr: [{ method: 'password', timestamp: issuedAt }],
        session_id: sessionId,
        is_anonymous: false,
        app_metadata: user.app_metadata,
        user_metadata: user.user_metadata,
      },
      settings.accessTokenSeconds,
    )
    return {
      access_token: accessToken,
      token_type: 'bearer',
      expires_in: settings.accessTokenSeconds,
      expires_at: issuedAt + settings.accessTokenSeconds,
      refresh_token: refreshToken,
      user: userJson(user),
    }
  }

  async function signedIn(user: AuthUser) {
    await users.recordSignIn(user.id)
    const started = sessions.start(user.id)
    return session((await users.byId(user.id))!, started.sessionId, started.refreshToken)
  }

  async function passwordGrant(request: IncomingMessage, response: ServerResponse) {
    const { text } = await readParams(request, BODY_LIMITS.auth, ['email', 'phone', 'password'])
    let login: Login
    if (text.email && text.phone) {
      throw new AuthError(400, 'validation_failed', 'Only an email address or phone number should be provided on login.')
    } else if (text.email) {
      if (!settings.emailProviderEnabled) throw new AuthError(422, 'email_provider_disabled', 'Email logins are disabled')
      login = { by: 'email', email: text.email }
    } else if (text.phone) {
      if (!settings.phoneProviderEnabled) throw new AuthError(422, 'phone_provider_disabled', 'Phone logins are disabled')
      login = { by: 'phone', phone: formatPhone(text.phone) }
    } else {
      throw new AuthError(400, 'validation_failed', 'missing email or phone')
    }
    const found = await users.forLogin(login, text.password!)
    if (!found?.passwordMatches) throw new AuthError(400, 'invalid_credentials', 'Invalid login credentials')
    if (login.by === 'email' && !found.user.email_confirmed_at) throw new AuthError(400, 'email_not_confirmed', 'Email not confirmed')
    if (login.by === 'phone' && !found.user.phone_confirmed_at) throw new AuthError(400, 'phone_not_confirmed', 'Phone not confirmed')
    const weak = weakness(text.password!)
    sendJson(request, response, 200, { ...(await signedIn(found.user)), ...(weak && { weak_password: weak }) })
  }

  async function refreshGrant(request: IncomingMessage, response: ServerResponse) {
    const { text } = await readParams(request, BODY_LIMITS.auth, ['refresh_token'])
    if (!text.refresh_token) throw new OAuthError('invalid_request', 'refresh_token required')
    const outcome = sessions.refresh(text.refresh_token)
    if (outcome.kind === 'already_used') throw new AuthError(400, 'refresh_token_already_used', 'Invalid Refresh Token: Already Used')
    const user = outcome.kind === 'issued' ? await users.byId(outcome.userId) : undefined
    if (outcome.kind !== 'issued' || !user) {
      throw new AuthError(400, 'refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found')
    }
    sendJson(request, response, 200, await session(user, outcome.sessionId, outcome.refreshToken))
  }

  function signupLogin(text: Record<string, string>): Login {
    if (text.email && text.phone) {
      throw new AuthError(400, 'validation_failed', 'Only an email address or phone number should be provided on signup.')
    }
    if (text.email) {
      if (!settings.emailProviderEnabled) throw new AuthError(400, 'email_provider_disabled', 'Email signups are disabled')
      if (text.email.length > 255) throw new AuthError(400, 'validation_failed', 'An email address is too long')
      if (!EMAIL_FORMAT.test(text.email)) throw new AuthError(400, 'validation_failed', 'Unable to validate email address: invalid format')
      return { by: 'email', email: text.email.toLowerCase() }
    }
    if (!settings.phoneProviderEnabled) throw new AuthError(400, 'phone_provider_disabled', 'Phone signups are disabled')
    const phone = formatPhone(text.phone!)
    if (!E164.test(phone)) throw new AuthError(400, 'validation_failed', 'Invalid phone number format (E.164 required)')
    return { by: 'phone', phone }
  }

  async function signup(request: IncomingMessage, response: ServerResponse) {
    const { text, data } = await readParams(request, BODY_LIMITS.auth, ['email', 'phone', 'password'])
    if (!text.email && !text.phone) throw new AuthError(422, 'anonymous_provider_disabled', 'Anonymous sign-ins are disabled')
    limit(signupLimiter, request)
    if (!settings.signupEnabled) throw new AuthError(422, 'signup_disabled', 'Signups not allowed for this instance')
    const password = text.password!
    if (!password) throw new AuthError(400, 'validation_failed', 'Signup requires a valid password')
    if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) {
      throw new AuthError(400, 'validation_failed', `Password cannot be longer than ${MAX_PASSWORD_BYTES} characters`)
    }
    const weak = weakness(password)
    if (weak) throw new AuthError(422, 'weak_password', weak.message, { weak_password: { reasons: weak.reasons } })
    const login = signupLogin(text)
    const alreadyRegistered = new AuthError(422, 'user_already_exists', 'User already registered')
    if (await users.exists(login)) throw alreadyRegistered
    const user = await users.create(login, password, data)
    if (!user) throw alreadyRegistered
    sendJson(request, response, 200, await signedIn(user))
  }

  /** The signed-in caller, as GoTrue's requireAuthentication finds them. */
  async function authenticated(request: IncomingMessage): Promise<{ user: AuthUser; sessionId: string }> {
    const bearer = /^[Bb]earer (\S+)$/.exec(request.headers.authorization ?? '')?.[1]
    if (!bearer) throw new AuthError(401, 'no_authorization', 'This endpoint requires a Bearer token')
    let claims: { sub?: string; session_id?: string }
    try {
      claims = (await jwtVerify(bearer, localJwtKey)).payload
    } catch (error) {
      throw new AuthError(403, 'bad_jwt', `invalid JWT: unable to parse or verify signature, ${(error as Error).message}`)
    }
    if (!claims.sub) throw new AuthError(403, 'bad_jwt', 'invalid claim: missing sub claim')
    const user = await users.byId(claims.sub)
    if (!user) throw new AuthError(403, 'user_not_found', 'User from sub claim in JWT does not exist')
    if (!claims.session_id || !sessions.exists(claims.session_id)) {
      throw new AuthError(403, 'session_not_found', 'Session from session_id claim in JWT does not exist')
    }
    return { user, sessionId: claims.session_id }
  }

  async function logout(request: IncomingMessage, response: ServerResponse, scope: string | null) {
    const { user, sessionId } = await authenticated(request)
    const scopes: Record<string, LogoutScope> = { '': 'global', global: 'global', local: 'local', others: 'others' }
    const chosen = scopes[scope ?? '']
    if (!chosen) throw new AuthError(400, 'validation_failed', `Unsupported logout scope "${scope}"`)
    sessions.logout(user.id, sessionId, chosen)
    response.writeHead(204).end()
  }

  async function route(request: IncomingMessage, response: ServerResponse, url: URL) {
    if (request.method === 'POST' && url.pathname === '/token') {
      const grant = url.searchParams.get('grant_type')
      if (grant !== 'password' && grant !== 'refresh_token') throw new AuthError(400, 'invalid_credentials', 'unsupported_grant_type')
      limit(tokenLimiter, request)
      return grant === 'password' ? passwordGrant(request, response) : refreshGrant(request, response)
    }
    if (request.method === 'POST' && url.pathname === '/signup') return signup(request, response)
    if (request.method === 'GET' && url.pathname === '/user') {
      return sendJson(request, response, 200, userJson((await authenticated(request)).user))
    }
    if (request.method === 'POST' && url.pathname === '/logout') return logout(request, response, url.searchParams.get('scope'))
    throw new AuthError(404, 'not_found', 'Not available in the local auth stand-in')
  }

  return {
    async handle(request, response, path) {
      try {
        await route(request, response, new URL(path, 'http://local'))
      } catch (error) {
        if (error instanceof BodyTooLargeError) return refuseBody(request, response, error.limit)
        if (error instanceof AuthError || error instanceof OAuthError) return sendError(request, response, error)
        throw error
      }
    },
  }
}
