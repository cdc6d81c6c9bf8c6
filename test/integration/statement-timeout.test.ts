// Supabase's time limits on API requests hold on the local stack: PostgREST applies the settings
// of the role each request runs as, so a statement over 3 s as anon, or over 8 s as a signed-in
// user, is cancelled with 57014. Run against a PostgREST of the test's own, on the stack's
// database, so the probe function it adds never reaches the API the other tests use.
import type { ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startPostgrest } from '../../scripts/stack/postgrest.ts'
import { freePort } from '../../scripts/stack/stack.ts'
import { clientIp, clientOf, startOwnStandIn, type OwnStandIn } from './auth-harness'
import { DEMO_PASSWORD, stackEnv } from './stack-env'

const probe = `sleep_probe_${randomUUID().replaceAll('-', '')}`
let db: pg.Client
let postgrest: ChildProcess
let api: OwnStandIn

beforeAll(async () => {
  db = new pg.Client({ connectionString: stackEnv.databaseUrl })
  await db.connect()
  await db.query(`create function public.${probe}(seconds double precision) returns void
    language sql set search_path = '' as $$ select pg_catalog.pg_sleep(seconds) $$`)
  const port = await freePort()
  postgrest = await startPostgrest(port, Number(new URL(stackEnv.databaseUrl).port))
  api = await startOwnStandIn({}, { host: '127.0.0.1', port })
})

afterAll(async () => {
  await api?.stop()
  postgrest?.kill('SIGTERM')
  await db.query(`drop function if exists public.${probe}(double precision)`)
  await db.end()
})

async function sleepAs(role: 'anon' | 'authenticated', seconds: number) {
  const client = clientOf(api.apiUrl, clientIp())
  if (role === 'authenticated') {
    const { error } = await client.auth.signInWithPassword({ email: 'volunteer@demo.local', password: DEMO_PASSWORD })
    if (error) throw error
  }
  return client.rpc(probe, { seconds })
}

it('cancels a statement over the role limit with 57014: 3 s for anon, 8 s for a signed-in user', async () => {
  const [anonOver, userUnder, userOver] = await Promise.all([
    sleepAs('anon', 4),
    sleepAs('authenticated', 4),
    sleepAs('authenticated', 9),
  ])
  expect(anonOver.error).toMatchObject({ code: '57014', message: 'canceling statement due to statement timeout' })
  expect(userUnder.error).toBeNull()
  expect(userOver.error).toMatchObject({ code: '57014' })
}, 30_000)
