// One local stack, from scratch: a throwaway PostgreSQL, the Supabase bootstrap (harness only),
// the migrations through the Supabase CLI, optionally the demo seed (program and accounts),
// PostgREST, and the gateway with the local auth stand-in, all on 127.0.0.1. stop() ends every
// part by its handle or pid.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { PROJECT_AUTH_SETTINGS } from './auth-settings.ts'
import { createAuthStandIn } from './auth-standin.ts'
import { startGateway } from './gateway.ts'
import { apiKeys } from './keys.ts'
import { startCluster } from './postgres.ts'
import { startPostgrest } from './postgrest.ts'

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

export interface StackOptions {
  /** Load supabase/demo-seed.sql: the demo program and the demo accounts (local only). */
  seed: boolean
  /** Fixed port for the API gateway; a free one when absent. */
  apiPort?: number
  /** Lifetime of access tokens the auth stand-in issues. */
  accessTokenSeconds?: number
}

export interface Stack {
  databaseUrl: string
  apiUrl: string
  anonKey: string
  serviceRoleKey: string
  stop(): Promise<void>
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

export function psqlFile(databaseUrl: string, file: string): void {
  execFileSync('psql', [databaseUrl, '-q', '-v', 'ON_ERROR_STOP=1', '-f', file], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, PGOPTIONS: '--client-min-messages=warning' },
  })
}

/** Runs the Supabase CLI with a private HOME, as it needs no account or telemetry here. */
export function supabaseCli(args: string[], options: { inherit?: boolean } = {}): string {
  const home = mkdtempSync(join(tmpdir(), 'volunteer-ledger-cli-'))
  try {
    return execFileSync(join(REPO_ROOT, 'node_modules/.bin/supabase'), [...args, '--workdir', REPO_ROOT], {
      env: { ...process.env, HOME: home, SUPABASE_TELEMETRY_DISABLED: '1' },
      stdio: ['ignore', options.inherit ? 'inherit' : 'pipe', 'inherit'],
      encoding: 'utf8',
    })
  } finally {
    rmSync(home, { recursive: true, force: true })
  }
}

export function cliDatabaseUrl(databaseUrl: string): string {
  return `${databaseUrl}?sslmode=disable`
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const cluster = startCluster(await freePort())
  const parts: Array<() => Promise<void> | void> = [() => cluster.stop()]
  let stopping: Promise<void> | undefined
  /** Stops the parts in reverse order of start; later calls wait for the first. */
  const stop = () =>
    (stopping ??= (async () => {
      for (const part of [...parts].reverse()) await part()
    })())
  try {
    psqlFile(cluster.url, join(REPO_ROOT, 'scripts/stack/bootstrap.sql'))
    supabaseCli(['migration', 'up', '--db-url', cliDatabaseUrl(cluster.url)])
    if (options.seed) psqlFile(cluster.url, join(REPO_ROOT, 'supabase/demo-seed.sql'))

    const postgrestPort = await freePort()
    const postgrest = await startPostgrest(postgrestPort, cluster.port)
    parts.push(() => {
      postgrest.kill('SIGTERM')
    })

    const apiPort = options.apiPort ?? (await freePort())
    const apiUrl = `http://127.0.0.1:${apiPort}`
    const authDb = new pg.Pool({ connectionString: cluster.url, max: 4 })
    parts.push(() => authDb.end())
    const auth = createAuthStandIn(authDb, {
      issuer: `${apiUrl}/auth/v1`,
      settings: { ...PROJECT_AUTH_SETTINGS, accessTokenSeconds: options.accessTokenSeconds ?? PROJECT_AUTH_SETTINGS.accessTokenSeconds },
    })
    const gateway = await startGateway({ port: apiPort, rest: { host: '127.0.0.1', port: postgrestPort }, auth })
    parts.push(
      () =>
        new Promise<void>((done) => {
          gateway.close(() => done())
          gateway.closeAllConnections()
        }),
    )

    return { databaseUrl: cluster.url, apiUrl, ...(await apiKeys()), stop }
  } catch (error) {
    await stop()
    throw error
  }
}

/**
 * Stops the stack (and whatever else `stop` ends) when the process is interrupted, so no
 * PostgreSQL or PostgREST outlives a Ctrl-C or a killed run. A second signal while stopping (tsx
 * passes its own on to this process, so one kill often arrives twice) must not cut the stop short.
 */
export function stopOnSignals(stop: () => Promise<void>): void {
  const exitCodes = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const
  let stopping = false
  for (const signal of Object.keys(exitCodes) as (keyof typeof exitCodes)[]) {
    process.on(signal, () => {
      if (stopping) return
      stopping = true
      void stop().finally(() => process.exit(exitCodes[signal]))
    })
  }
}
