// The demo accounts (published password, admin and coordinator among them) never reach a real
// project: `supabase db push --include-seed` loads no seed, and the demo seed refuses to run where
// Supabase Auth is installed. The local stack still has them (the other tests sign in with them).
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { cliDatabaseUrl, REPO_ROOT } from '../../scripts/stack/stack.ts'
import { stackEnv } from './stack-env'

let db: pg.Client

beforeAll(async () => {
  db = new pg.Client({ connectionString: stackEnv.databaseUrl })
  await db.connect()
})

afterAll(async () => {
  await db.end()
})

it('is refused on a database where Supabase Auth is installed, before it creates anything', async () => {
  const demoSeed = readFileSync(join(REPO_ROOT, 'supabase/demo-seed.sql'), 'utf8')
  await db.query('begin')
  try {
    // Every Supabase project has GoTrue's own role; the local stack has not.
    await db.query('create role supabase_auth_admin')
    await db.query('savepoint seeding')
    const refusal = await db.query(demoSeed).then(() => undefined, (error: pg.DatabaseError) => error)
    expect(refusal).toMatchObject({ code: '42501' })
    expect(refusal?.message).toMatch(/local stack only/)
    await db.query('rollback to savepoint seeding')
  } finally {
    await db.query('rollback')
  }
})

it('is not what `supabase db push --include-seed` loads', () => {
  const home = mkdtempSync(join(tmpdir(), 'volunteer-ledger-cli-'))
  try {
    const push = spawnSync(
      join(REPO_ROOT, 'node_modules/.bin/supabase'),
      ['db', 'push', '--db-url', cliDatabaseUrl(stackEnv.databaseUrl), '--include-seed', '--dry-run', '--workdir', REPO_ROOT],
      { env: { ...process.env, HOME: home, SUPABASE_TELEMETRY_DISABLED: '1' }, encoding: 'utf8' },
    )
    const output = push.stdout + push.stderr
    expect(push.status).toBe(0)
    expect(output).toMatch(/Skipping seed because it is disabled/)
    expect(output).not.toMatch(/demo-seed/)
  } finally {
    rmSync(home, { recursive: true, force: true })
  }
})

it('gave the local stack its demo accounts', async () => {
  const { rows } = await db.query<{ email: string }>(`select email from auth.users where email like '%@demo.local' order by email`)
  expect(rows.map((row) => row.email)).toEqual([
    'admin@demo.local', 'coordinator@demo.local', 'leader@demo.local', 'volunteer2@demo.local', 'volunteer@demo.local',
  ])
})
