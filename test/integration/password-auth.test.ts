// The app's Auth client (src/api/password-auth.ts) against the local stack's Auth stand-in, which
// behaves as Supabase Auth does (auth-standin.test.ts): signing in and up, a refresh near expiry,
// no answer, a refusal, a wrong clock, two refreshes at once, and a session stored by auth-js.
// Each test runs its own stand-in, so that its sign-ins spend no one else's rate limit.
import { createClient } from '@supabase/supabase-js'
import { afterEach, describe, expect, it } from 'vitest'
import { PasswordAuth, type Session } from '../../src/api/password-auth'
import { freePort } from '../../scripts/stack/stack.ts'
import { GOOD_PASSWORD, startOwnStandIn, uniqueEmail, uniquePhone, type OwnStandIn } from './auth-harness'
import { DEMO_PASSWORD, stackEnv } from './stack-env'

const STORAGE_KEY = 'volunteer-ledger-auth'
const VOLUNTEER = { email: 'volunteer@demo.local', password: DEMO_PASSWORD }

const own: OwnStandIn[] = []
afterEach(async () => {
  for (const standIn of own.splice(0)) await standIn.stop()
})

async function standIn(): Promise<OwnStandIn> {
  const started = await startOwnStandIn()
  own.push(started)
  return started
}

/** A phone's localStorage. */
function phoneStorage() {
  const items = new Map<string, string>()
  return {
    items,
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
  }
}

/** The app's Auth client on a phone whose clock reads `clock.ms` (the real time unless moved). */
function phoneAuth(apiUrl: string, storage = phoneStorage(), clock = { ms: 0 }) {
  const auth = new PasswordAuth({
    url: `${apiUrl}/auth/v1`, apiKey: stackEnv.anonKey, storageKey: STORAGE_KEY, persistSession: true, storage,
    now: () => Date.now() + clock.ms,
  })
  return { auth, storage, clock }
}

const stored = (storage: ReturnType<typeof phoneStorage>) => JSON.parse(storage.items.get(STORAGE_KEY) ?? 'null') as Session | null

describe('the app\'s Auth client', () => {
  it('signs in by email and by phone number, and keeps the session as auth-js keeps it', async () => {
    const { apiUrl } = await standIn()
    const { auth, storage } = phoneAuth(apiUrl)
    const { data, error } = await auth.signInWithPassword(VOLUNTEER)
    expect(error).toBeNull()
    expect(data.user?.email).toBe('volunteer@demo.local')
    expect(stored(storage)?.refresh_token).toBe(data.session?.refresh_token)

    // auth-js (a supabase-js client) reads the same stored session: nothing changes for the phone.
    const supabase = createClient(apiUrl, stackEnv.anonKey, { auth: { storage, storageKey: STORAGE_KEY, autoRefreshToken: false } })
    expect((await supabase.auth.getSession()).data.session?.user.id).toBe(data.user?.id)

    const phone = uniquePhone()
    const signedUp = await phoneAuth(apiUrl).auth.signUp({ phone, password: GOOD_PASSWORD })
    expect(signedUp.error).toBeNull()
    const byPhone = await phoneAuth(apiUrl).auth.signInWithPassword({ phone, password: GOOD_PASSWORD })
    expect(byPhone.data.user?.id).toBe(signedUp.data.user?.id)
  })

  it('takes over a session that auth-js stored, and refreshes it', async () => {
    const { apiUrl } = await standIn()
    const storage = phoneStorage()
    const supabase = createClient(apiUrl, stackEnv.anonKey, { auth: { storage, storageKey: STORAGE_KEY, autoRefreshToken: false } })
    const before = (await supabase.auth.signInWithPassword(VOLUNTEER)).data.session!
    const { auth } = phoneAuth(apiUrl, storage)
    expect((await auth.getSession()).data.session?.access_token).toBe(before.access_token)
    const refreshed = await auth.refreshSession()
    expect(refreshed.error).toBeNull()
    expect(refreshed.data.session?.refresh_token).not.toBe(before.refresh_token)
    expect(stored(storage)?.user.id).toBe(before.user.id)
  })

  it('answers refusals with Auth\'s error code, and stores nothing', async () => {
    const { apiUrl } = await standIn()
    const { auth, storage } = phoneAuth(apiUrl)
    const wrong = await auth.signInWithPassword({ ...VOLUNTEER, password: 'wrong-password' })
    expect(wrong.error).toMatchObject({ status: 400, code: 'invalid_credentials', retryable: false })
    expect(storage.items.size).toBe(0)

    const email = uniqueEmail()
    await phoneAuth(apiUrl).auth.signUp({ email, password: GOOD_PASSWORD })
    const again = await auth.signUp({ email, password: GOOD_PASSWORD })
    expect(again.error).toMatchObject({ code: 'user_already_exists', retryable: false })
  })

  it('refreshes a token close to its expiry before using it, once for two callers', async () => {
    const server = await standIn()
    const { auth, storage, clock } = phoneAuth(server.apiUrl)
    const first = (await auth.signInWithPassword(VOLUNTEER)).data.session!
    // An hour later on both clocks: the access token has expired.
    clock.ms += 3_600_000
    server.advance(3600)
    const [a, b] = await Promise.all([auth.getSession(), auth.getSession()])
    expect(a.error).toBeNull()
    expect(a.data.session?.refresh_token).not.toBe(first.refresh_token)
    // One refresh for both: a second would have spent the rotated token again.
    expect(b.data.session?.refresh_token).toBe(a.data.session?.refresh_token)
    expect(stored(storage)?.refresh_token).toBe(a.data.session?.refresh_token)
    expect((await auth.refreshSession()).error).toBeNull()
  })

  it('trusts a fresh token on a phone whose clock is a day ahead', async () => {
    const { apiUrl } = await standIn()
    const { auth } = phoneAuth(apiUrl, phoneStorage(), { ms: 86_400_000 })
    const signedIn = (await auth.signInWithPassword(VOLUNTEER)).data.session!
    const { data } = await auth.getSession()
    expect(data.session?.refresh_token).toBe(signedIn.refresh_token)
  })

  it('keeps the session when Auth does not answer, and drops it when Auth refuses the refresh', async () => {
    const server = await standIn()
    const { auth, storage, clock } = phoneAuth(server.apiUrl)
    await auth.signInWithPassword(VOLUNTEER)
    const kept = storage.items.get(STORAGE_KEY)!
    clock.ms += 3_600_000

    // No answer: the same stored session on a phone whose Auth cannot be reached.
    const offline = phoneAuth(`http://127.0.0.1:${await freePort()}`, storage, clock)
    const unanswered = await offline.auth.getSession()
    expect(unanswered.data.session).toBeNull()
    expect(unanswered.error).toMatchObject({ status: 0, retryable: true })
    expect(storage.items.get(STORAGE_KEY)).toBe(kept)

    // The user signed out everywhere from another device: the refresh token is revoked.
    const elsewhere = createClient(server.apiUrl, stackEnv.anonKey, { auth: { persistSession: false, autoRefreshToken: false } })
    await elsewhere.auth.signInWithPassword(VOLUNTEER)
    await elsewhere.auth.signOut({ scope: 'global' })
    const events: string[] = []
    auth.onAuthStateChange((event) => events.push(event))
    const refused = await auth.getSession()
    expect(refused.error).toMatchObject({ retryable: false })
    expect(refused.data.session).toBeNull()
    expect(storage.items.has(STORAGE_KEY)).toBe(false)
    expect(events).toEqual(['SIGNED_OUT'])
  })

  it('signs out on the phone at once, also offline, and ends the session on the server when it can', async () => {
    const server = await standIn()
    const { auth, storage } = phoneAuth(server.apiUrl)
    const session = (await auth.signInWithPassword(VOLUNTEER)).data.session!
    expect((await auth.signOut()).error).toBeNull()
    expect(storage.items.has(STORAGE_KEY)).toBe(false)
    // The server ended it: its refresh token is no good any more.
    const revoked = createClient(server.apiUrl, stackEnv.anonKey, { auth: { persistSession: false, autoRefreshToken: false } })
    expect((await revoked.auth.refreshSession({ refresh_token: session.refresh_token })).error).not.toBeNull()

    const offlineStorage = phoneStorage()
    await phoneAuth(server.apiUrl, offlineStorage).auth.signInWithPassword(VOLUNTEER)
    const offline = phoneAuth(`http://127.0.0.1:${await freePort()}`, offlineStorage)
    expect((await offline.auth.signOut()).error).toMatchObject({ retryable: true })
    expect(offlineStorage.items.has(STORAGE_KEY)).toBe(false)
  })
})
