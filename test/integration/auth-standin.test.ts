// The local auth stand-in must behave like Supabase Auth (GoTrue) for what the app uses, through
// the real supabase-js client and the real PostgREST behind the gateway: sign-in, sign-up, refresh
// with reuse detection, logout scopes, malformed and oversized bodies, rate limits.
import { AuthApiError, AuthWeakPasswordError, isAuthSessionMissingError, type SupabaseClient } from '@supabase/supabase-js'
import { afterEach, describe, expect, it } from 'vitest'
import { clientIp, clientOf, GOOD_PASSWORD, startOwnStandIn, uniqueEmail, uniquePhone, type OwnStandIn } from './auth-harness'
import { DEMO_PASSWORD, newClient, signedInClient, stackEnv } from './stack-env'

const own: OwnStandIn[] = []
afterEach(async () => {
  for (const standIn of own.splice(0)) await standIn.stop()
})
async function ownStandIn(...args: Parameters<typeof startOwnStandIn>): Promise<OwnStandIn> {
  const standIn = await startOwnStandIn(...args)
  own.push(standIn)
  return standIn
}

/** A new volunteer signed up on the stack; each test its own account and address. */
async function signedUp(apiUrl = stackEnv.apiUrl): Promise<{ client: SupabaseClient; email: string; ip: string }> {
  const ip = clientIp()
  const email = uniqueEmail()
  const client = clientOf(apiUrl, ip)
  const { error } = await client.auth.signUp({ email, password: GOOD_PASSWORD })
  if (error) throw error
  return { client, email, ip }
}

/** Another device of the same user: a session of its own. */
async function anotherDevice(email: string, ip: string, apiUrl = stackEnv.apiUrl): Promise<SupabaseClient> {
  const client = clientOf(apiUrl, ip)
  const { error } = await client.auth.signInWithPassword({ email, password: GOOD_PASSWORD })
  if (error) throw error
  return client
}

async function refreshToken(client: SupabaseClient): Promise<string> {
  return (await client.auth.getSession()).data.session!.refresh_token
}

/** Tries a refresh token on a fresh client, as a thief or a restored backup would. */
function refreshWith(token: string, apiUrl = stackEnv.apiUrl, ip = clientIp()) {
  return clientOf(apiUrl, ip).auth.refreshSession({ refresh_token: token })
}

describe('signing in', () => {
  it('signs a demo account in with the claims PostgREST and RLS rely on', async () => {
    const { data, error } = await newClient().auth.signInWithPassword({ email: 'volunteer@demo.local', password: DEMO_PASSWORD })
    expect(error).toBeNull()
    expect(data.user?.email).toBe('volunteer@demo.local')
    const [, payload] = data.session!.access_token.split('.')
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8'))
    expect(claims).toMatchObject({ role: 'authenticated', aud: 'authenticated', sub: data.user!.id })
    expect(claims.session_id).toEqual(expect.any(String))
    expect(claims.exp - claims.iat).toBe(3600)
  })

  it('refuses a wrong password with the error code Supabase Auth uses', async () => {
    const { data, error } = await newClient().auth.signInWithPassword({ email: 'volunteer@demo.local', password: 'wrong-password' })
    expect(data.session).toBeNull()
    expect(error).toBeInstanceOf(AuthApiError)
    expect(error).toMatchObject({ status: 400, code: 'invalid_credentials' })
  })

  it('returns the signed-in user from /user', async () => {
    const client = await signedInClient('leader@demo.local')
    const { data, error } = await client.auth.getUser()
    expect(error).toBeNull()
    expect(data.user?.email).toBe('leader@demo.local')
  })

  it('lets a volunteer read only their own team through PostgREST', async () => {
    const client = await signedInClient('volunteer@demo.local')
    const { data, error } = await client.from('service_events').select('team_id')
    expect(error).toBeNull()
    expect(data!.length).toBeGreaterThan(0)
    expect(new Set(data!.map((row) => row.team_id)).size).toBe(1)
  })

  it('gives an anonymous caller nothing', async () => {
    const { data, error } = await newClient().from('service_events').select('id')
    expect(data).toBeNull()
    expect(error?.code).toBe('42501')
  })
})

describe('signing up (confirmations off, as the project is configured)', () => {
  it('creates a confirmed account with an email and answers with a session', async () => {
    const email = uniqueEmail()
    const client = clientOf(stackEnv.apiUrl, clientIp())
    const { data, error } = await client.auth.signUp({ email, password: GOOD_PASSWORD, options: { data: { display_name: '新志愿者' } } })
    expect(error).toBeNull()
    expect(data.session?.access_token).toEqual(expect.any(String))
    expect(data.user).toMatchObject({ email, app_metadata: { provider: 'email', providers: ['email'] }, user_metadata: { display_name: '新志愿者' } })
    expect(data.user?.email_confirmed_at).toEqual(expect.any(String))
    expect(data.user?.identities?.[0]).toMatchObject({ provider: 'email', user_id: data.user!.id })
    const { data: fetched } = await client.auth.getUser()
    expect(fetched.user?.id).toBe(data.user!.id)
    // Signed in, the new account sees no team's events until it joins one.
    const { data: events, error: readError } = await client.from('service_events').select('id')
    expect(readError).toBeNull()
    expect(events).toEqual([])
  })

  it('creates an account with a phone number, which then signs in with it', async () => {
    const phone = uniquePhone()
    const ip = clientIp()
    const { data, error } = await clientOf(stackEnv.apiUrl, ip).auth.signUp({ phone, password: GOOD_PASSWORD })
    expect(error).toBeNull()
    expect(data.session).not.toBeNull()
    const digits = phone.replace(/[+ ]/g, '')
    expect(data.user).toMatchObject({ phone: digits, email: '', app_metadata: { provider: 'phone' } })
    expect(data.user?.phone_confirmed_at).toEqual(expect.any(String))

    const signIn = await clientOf(stackEnv.apiUrl, ip).auth.signInWithPassword({ phone: `+${digits}`, password: GOOD_PASSWORD })
    expect(signIn.error).toBeNull()
    expect(signIn.data.user?.id).toBe(data.user!.id)
    const wrong = await clientOf(stackEnv.apiUrl, ip).auth.signInWithPassword({ phone: `+${digits}`, password: 'not-the-password' })
    expect(wrong.error).toMatchObject({ status: 400, code: 'invalid_credentials' })
  })

  it('refuses an email already registered, in any case, with 422 user_already_exists', async () => {
    const { email, ip } = await signedUp()
    const again = await clientOf(stackEnv.apiUrl, ip).auth.signUp({ email: email.toUpperCase(), password: GOOD_PASSWORD })
    expect(again.data.session).toBeNull()
    expect(again.error).toMatchObject({ status: 422, code: 'user_already_exists', message: 'User already registered' })
    const demo = await clientOf(stackEnv.apiUrl, ip).auth.signUp({ email: 'volunteer@demo.local', password: GOOD_PASSWORD })
    expect(demo.error).toMatchObject({ status: 422, code: 'user_already_exists' })
  })

  it('refuses a phone number already registered', async () => {
    const phone = uniquePhone()
    const ip = clientIp()
    expect((await clientOf(stackEnv.apiUrl, ip).auth.signUp({ phone, password: GOOD_PASSWORD })).error).toBeNull()
    const again = await clientOf(stackEnv.apiUrl, ip).auth.signUp({ phone, password: GOOD_PASSWORD })
    expect(again.error).toMatchObject({ status: 422, code: 'user_already_exists' })
  })

  it('refuses a password shorter than the project minimum as a weak password, with its reasons', async () => {
    const { data, error } = await clientOf(stackEnv.apiUrl, clientIp()).auth.signUp({ email: uniqueEmail(), password: 'short1' })
    expect(data.user).toBeNull()
    expect(error).toBeInstanceOf(AuthWeakPasswordError)
    expect(error).toMatchObject({ status: 422, code: 'weak_password', reasons: ['length'], message: 'Password should be at least 8 characters.' })
  })

  it('refuses malformed addresses and numbers as GoTrue does', async () => {
    const ip = clientIp()
    const email = await clientOf(stackEnv.apiUrl, ip).auth.signUp({ email: 'not-an-address', password: GOOD_PASSWORD })
    expect(email.error).toMatchObject({ status: 400, code: 'validation_failed', message: 'Unable to validate email address: invalid format' })
    const phone = await clientOf(stackEnv.apiUrl, ip).auth.signUp({ phone: '+86 abc', password: GOOD_PASSWORD })
    expect(phone.error).toMatchObject({ status: 400, code: 'validation_failed', message: 'Invalid phone number format (E.164 required)' })
  })

  it('refuses every sign-up with 422 signup_disabled where sign-ups are off', async () => {
    const standIn = await ownStandIn({ signupEnabled: false })
    const { data, error } = await clientOf(standIn.apiUrl, clientIp()).auth.signUp({ email: uniqueEmail(), password: GOOD_PASSWORD })
    expect(data.user).toBeNull()
    expect(error).toMatchObject({ status: 422, code: 'signup_disabled', message: 'Signups not allowed for this instance' })
  })
})

describe('refresh tokens (rotation with reuse detection)', () => {
  it('rotates the refresh token, and hands the active one out again when the client lost the answer', async () => {
    const { client } = await signedUp()
    const first = await refreshToken(client)
    const { data: refreshed, error } = await client.auth.refreshSession()
    expect(error).toBeNull()
    expect(refreshed.session?.refresh_token).not.toBe(first)
    // The parent of the active token: GoTrue answers with the active token instead of refusing.
    const retried = await refreshWith(first)
    expect(retried.error).toBeNull()
    expect(retried.data.session?.refresh_token).toBe(refreshed.session!.refresh_token)
  })

  it('accepts a rotated token within the reuse interval, and revokes the whole session when it comes back later', async () => {
    const standIn = await ownStandIn()
    const { client } = await signedUp(standIn.apiUrl)
    const first = await refreshToken(client)
    await client.auth.refreshSession()
    const second = await refreshToken(client)
    await client.auth.refreshSession()
    const active = await refreshToken(client)

    // Two rotations back, so not the active token's parent: allowed only within the interval.
    standIn.advance(5)
    const withinInterval = await refreshWith(first, standIn.apiUrl)
    expect(withinInterval.error).toBeNull()

    standIn.advance(6)
    const reused = await refreshWith(second, standIn.apiUrl)
    expect(reused.error).toMatchObject({ status: 400, code: 'refresh_token_already_used', message: 'Invalid Refresh Token: Already Used' })
    // The late reuse looks like a stolen token: the whole session is revoked, descendants included
    // (once past their own reuse interval, since GoTrue applies it to every revoked token).
    standIn.advance(10)
    for (const descendant of [active, withinInterval.data.session!.refresh_token]) {
      expect((await refreshWith(descendant, standIn.apiUrl)).error).toMatchObject({ code: 'refresh_token_already_used' })
    }
  })

  it('refuses an unknown refresh token', async () => {
    const { error } = await refreshWith('0123456789abcdef0123456789abcdef')
    expect(error).toMatchObject({ status: 400, code: 'refresh_token_not_found', message: 'Invalid Refresh Token: Refresh Token Not Found' })
  })
})

describe('logout revokes refresh tokens (scope global, local, others)', () => {
  it('global: every session of the user ends, on every device', async () => {
    const { client: phone, email, ip } = await signedUp()
    const tablet = await anotherDevice(email, ip)
    const [phoneToken, tabletToken] = [await refreshToken(phone), await refreshToken(tablet)]
    expect((await phone.auth.signOut()).error).toBeNull()
    expect((await refreshWith(phoneToken)).error).toMatchObject({ code: 'refresh_token_not_found' })
    expect((await refreshWith(tabletToken)).error).toMatchObject({ code: 'refresh_token_not_found' })
    const { error } = await tablet.auth.getUser()
    expect(isAuthSessionMissingError(error)).toBe(true)
  })

  it('local: only this device signs out', async () => {
    const { client: phone, email, ip } = await signedUp()
    const tablet = await anotherDevice(email, ip)
    const [phoneToken, tabletToken] = [await refreshToken(phone), await refreshToken(tablet)]
    expect((await phone.auth.signOut({ scope: 'local' })).error).toBeNull()
    expect((await refreshWith(phoneToken)).error).toMatchObject({ code: 'refresh_token_not_found' })
    expect((await refreshWith(tabletToken)).error).toBeNull()
  })

  it('others: every other device signs out, this one stays signed in', async () => {
    const { client: phone, email, ip } = await signedUp()
    const tablet = await anotherDevice(email, ip)
    const tabletToken = await refreshToken(tablet)
    expect((await phone.auth.signOut({ scope: 'others' })).error).toBeNull()
    expect((await refreshWith(tabletToken)).error).toMatchObject({ code: 'refresh_token_not_found' })
    expect((await phone.auth.getUser()).error).toBeNull()
    expect((await phone.auth.refreshSession()).error).toBeNull()
  })

  it('refuses an unknown scope and a request without a token', async () => {
    const { client } = await signedUp()
    const accessToken = (await client.auth.getSession()).data.session!.access_token
    const logout = (query: string, headers: Record<string, string>) =>
      fetch(`${stackEnv.apiUrl}/auth/v1/logout${query}`, { method: 'POST', headers: { apikey: stackEnv.anonKey, 'x-supabase-api-version': '2024-01-01', ...headers } })
    const badScope = await logout('?scope=everyone', { authorization: `Bearer ${accessToken}` })
    expect(badScope.status).toBe(400)
    expect(await badScope.json()).toMatchObject({ code: 'validation_failed' })
    const anonymous = await logout('', {})
    expect(anonymous.status).toBe(401)
    expect(await anonymous.json()).toMatchObject({ code: 'no_authorization' })
  })
})

describe('request bodies', () => {
  const token = (body: BodyInit, headers: Record<string, string> = {}) =>
    fetch(`${stackEnv.apiUrl}/auth/v1/token?grant_type=password`, {
      method: 'POST',
      headers: { apikey: stackEnv.anonKey, 'content-type': 'application/json', 'x-supabase-api-version': '2024-01-01', 'x-forwarded-for': clientIp(), ...headers },
      body,
      duplex: 'half',
    } as RequestInit)

  it('answers malformed JSON with 400 bad_json and a JSON error, as GoTrue does', async () => {
    for (const body of ['{"email": "volunteer@demo.local", ', '', '[1, 2]', '{"email": 5, "password": "x"}']) {
      const response = await token(body)
      expect(response.status).toBe(400)
      expect(response.headers.get('x-sb-error-code')).toBe('bad_json')
      const error = await response.json()
      expect(error).toMatchObject({ code: 'bad_json' })
      expect(error.message).toMatch(/^Could not parse request body as JSON: /)
    }
  })

  it('speaks the pre-2024 error format to clients that do not ask for the 2024 API', async () => {
    const response = await token('{', { 'x-supabase-api-version': '' })
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ code: 400, error_code: 'bad_json' })
  })

  it('refuses an oversized body with 413, keeping none of it, declared or streamed', async () => {
    const declared = await token('x'.repeat(256 * 1024))
    expect(declared.status).toBe(413)
    const chunks = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 64; i++) controller.enqueue(new Uint8Array(16 * 1024))
        controller.close()
      },
    })
    const streamed = await token(chunks)
    expect(streamed.status).toBe(413)
  })
})

describe('rate limits per client address', () => {
  it('allows bursts of 30 /token requests and then answers 429 over_request_rate_limit', async () => {
    // A stand-in of the test's own, with the project's limits: its bucket cannot refill while
    // the 31 requests take their time (150 per 5 minutes would add one every 2 s).
    const standIn = await ownStandIn()
    const ip = clientIp()
    const attempt = () => clientOf(standIn.apiUrl, ip).auth.signInWithPassword({ email: 'volunteer@demo.local', password: 'guess' })
    for (let i = 0; i < 30; i++) expect((await attempt()).error).toMatchObject({ code: 'invalid_credentials' })
    const limited = await attempt()
    expect(limited.error).toMatchObject({ status: 429, code: 'over_request_rate_limit', message: 'Request rate limit reached' })
    // Even the right password waits now; another address does not.
    const right = await clientOf(standIn.apiUrl, ip).auth.signInWithPassword({ email: 'volunteer@demo.local', password: DEMO_PASSWORD })
    expect(right.error).toMatchObject({ status: 429 })
    const elsewhere = await clientOf(standIn.apiUrl, clientIp()).auth.signInWithPassword({ email: 'volunteer@demo.local', password: DEMO_PASSWORD })
    expect(elsewhere.error).toBeNull()
  })

  it('limits sign-ups with their own bucket, which refills over time', async () => {
    const standIn = await ownStandIn({ signupRate: { perFiveMinutes: 30, burst: 2 } })
    const ip = clientIp()
    const signUp = () => clientOf(standIn.apiUrl, ip).auth.signUp({ email: uniqueEmail(), password: GOOD_PASSWORD })
    expect((await signUp()).error).toBeNull()
    expect((await signUp()).error).toBeNull()
    expect((await signUp()).error).toMatchObject({ status: 429, code: 'over_request_rate_limit' })
    // Sign-ins are counted apart.
    expect((await clientOf(standIn.apiUrl, ip).auth.signInWithPassword({ email: 'volunteer@demo.local', password: DEMO_PASSWORD })).error).toBeNull()
    standIn.advance(10) // 30 per 5 minutes: one more after 10 s
    expect((await signUp()).error).toBeNull()
    expect((await signUp()).error).toMatchObject({ status: 429 })
  })
})
