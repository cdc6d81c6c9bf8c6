// Builds the app as it ships (vite build, service worker included) against the local stack and
// serves it with vite preview on 127.0.0.1. A build can carry a marker in index.html so that a
// second build is a new version to the service worker (the update scenario).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build, preview, type PreviewServer } from 'vite'
import { freePort, REPO_ROOT } from '../../../scripts/stack/stack.ts'

export function requireEnv(name: string): string {
  const value = process.env[name]
  if (!value) throw new Error(`${name} is not set: start the local stack (npx tsx scripts/stack-cli.ts) and source its exports`)
  return value
}

/** Builds the app into a new temporary directory; returns the directory. */
export async function buildApp(marker = 'a'): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), `volunteer-ledger-e2e-${marker}-`))
  // Vite reads VITE_* from process.env at build time.
  process.env.VITE_SUPABASE_URL = requireEnv('STACK_API_URL')
  process.env.VITE_SUPABASE_ANON_KEY = requireEnv('STACK_ANON_KEY')
  await build({
    root: REPO_ROOT,
    mode: 'production',
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
    plugins: [
      {
        name: 'e2e-build-marker',
        transformIndexHtml: (html) => html.replace('</head>', `<meta name="e2e-build" content="${marker}" />\n</head>`),
      },
    ],
  })
  return outDir
}

export interface ServedApp {
  url: string
  port: number
  stop(): Promise<void>
}

/** Serves a built app on 127.0.0.1 (a free port unless one is given). */
export async function serveApp(outDir: string, port?: number): Promise<ServedApp> {
  const chosen = port ?? (await freePort())
  const server: PreviewServer = await preview({
    root: REPO_ROOT,
    configFile: false,
    logLevel: 'warn',
    build: { outDir },
    preview: { host: '127.0.0.1', port: chosen, strictPort: true },
  })
  return {
    url: `http://127.0.0.1:${chosen}/`,
    port: chosen,
    stop: () => server.close(),
  }
}

export function removeBuild(outDir: string): void {
  rmSync(outDir, { recursive: true, force: true })
}
