// Helpers for the tests of the local stack's auth stand-in and gateway. Clients can speak from
// an address of their own (X-Forwarded-For, as a proxy in front of the gateway would pass it),
// so rate-limit tests do not spend the bucket of 127.0.0.1 that the other tests share; and a
// test can run its own stand-in (with its own settings and clock) on the stack's database
// behind its own gateway, and a clock of its own that moves only when the test moves it (so
// what a test checks about time, such as a rate limit's refill or the refresh tokens' reuse
// interval, does not depend on how fast a busy machine answers).
import { randomInt, randomUUID } from 'node:crypto'
import type http from 'node:http'
import { createClient, type SupabaseClient } from '@supabase/supabase-js'
import pg from 'pg'
import { PROJECT_AUTH_SETTINGS, type AuthSettings } from '../../scripts/stack/auth-settings.ts'
import { createAuthStandIn } from '../../scripts/stack/auth-standin.ts'
import { startGateway } from '../../scripts/stack/gateway.ts'
import { freePort } from '../../scripts/stack/stack.ts'
import { stackEnv } from './stack-env'

/** An address of the IPv6 documentation prefix (RFC 3849), different for each call. */
export function clientIp(): string {
  return `2001:db8::${randomInt(0, 0x10000).toString(16)}:${randomInt(0, 0x10000).toString(16)}`
}

/** A supabase-js client, like one phone, speaking from `ip` when given. */
export function clientOf(apiUrl: string, ip?: string): SupabaseClient {
  return createClient(apiUrl, stackEnv.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false, storageKey: `test-${randomUUID()}` },
    global: { headers: ip ? { 'x-forwarded-for': ip } : {} },
  })
}

export const uniqueEmail = () => `volunteer-${randomUUID()}@example.org`
/** A mainland China mobile number (+86 1xx xxxx xxxx), different for each call. */
export const uniquePhone = () => `+86 13${randomInt(0, 10)} ${String(randomInt(0, 1e8)).padStart(8, '0')}`
export const GOOD_PASSWORD = 'correct-horse-battery'

export interface OwnStandIn {
  apiUrl: string
  /** Moves the stand-in's clock on (it stands still otherwise). */
  advance(seconds: number): void
  stop(): Promise<void>
}

/** A stand-in of the test's own, on the stack's database, behind a gateway of its own. */
export async function startOwnStandIn(settings: Partial<AuthSettings> = {}, rest = { host: '127.0.0.1', port: 9 }): Promise<OwnStandIn> {
  const started = Date.now()
  let offset = 0
  const db = new pg.Pool({ connectionString: stackEnv.databaseUrl, max: 2 })
  const port = await freePort()
  const apiUrl = `http://127.0.0.1:${port}`
  const auth = createAuthStandIn(db, {
    issuer: `${apiUrl}/auth/v1`,
    settings: { ...PROJECT_AUTH_SETTINGS, ...settings },
    now: () => started + offset,
  })
  const gateway: http.Server = await startGateway({ port, rest, auth })
  return {
    apiUrl,
    advance(seconds) {
      offset += seconds * 1000
    },
    async stop() {
      gateway.closeAllConnections()
      await new Promise((done) => gateway.close(done))
      await db.end()
    },
  }
}
