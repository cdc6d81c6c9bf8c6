// A throwaway PostgreSQL cluster for development and tests: initdb into a temp dir, start it on
// 127.0.0.1 and a free port, stop it by pg_ctl. The server refuses to run as root, so as root the
// cluster belongs to the `postgres` system user (created by Debian's postgresql package).
import { execFileSync } from 'node:child_process'
import { chownSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin'

export interface Cluster {
  port: number
  /** Superuser connection URL (trust authentication on loopback). */
  url: string
  dataDir: string
  stop(): void
}

function asClusterOwner(command: string, args: string[]): string[] {
  return process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--', command, ...args] : [command, ...args]
}

function run(command: string, args: string[]): void {
  const [file, ...rest] = asClusterOwner(command, args)
  execFileSync(file!, rest, { stdio: ['ignore', 'pipe', 'pipe'] })
}

export function startCluster(port: number, options: { durable?: boolean } = {}): Cluster {
  const root = mkdtempSync(join(tmpdir(), 'volunteer-ledger-pg-'))
  const dataDir = join(root, 'data')
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim())
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim())
    chownSync(root, uid, gid)
  }
  run(join(BIN, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8'])
  // Durability is pointless for a throwaway cluster; turning it off makes tests several times faster.
  const fast = options.durable ? '' : ' -c fsync=off -c synchronous_commit=off -c full_page_writes=off'
  run(join(BIN, 'pg_ctl'), [
    '-D', dataDir, '-w', '-l', join(root, 'postgres.log'),
    '-o', `-p ${port} -h 127.0.0.1 -k ${root} -c max_connections=200 -c wal_level=logical${fast}`,
    'start',
  ])
  let stopped = false
  return {
    port,
    url: `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`,
    dataDir,
    stop() {
      if (stopped) return
      stopped = true
      try {
        run(join(BIN, 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', 'stop'])
      } finally {
        rmSync(root, { recursive: true, force: true })
      }
    },
  }
}
