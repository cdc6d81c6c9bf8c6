// Front-end figures (issue 5, item 1): the JavaScript a volunteer's first visit loads, gzip and
// brotli, and a Lighthouse mobile run of the volunteer's start page, each against a bare
// Vue + Pinia shell (bench/shell) built and measured the same way in the same run, with the
// app's compile-time flags (issue 8, item 20): without them the shell would carry the Options API
// and the other parts the flags leave out of the app, and seem twice its size.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import * as chromeLauncher from 'chrome-launcher'
import lighthouse from 'lighthouse'
import { chromium, type Page } from 'playwright-core'
import { build, preview, resolveConfig, type PreviewServer } from 'vite'
import { REPO_ROOT, type Stack } from '../scripts/stack/stack.ts'
import { bootstrapRatio, ratioFigure, type Figure } from './measure.ts'

export const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
]

interface BuiltSite {
  outDir: string
  server: PreviewServer
  url: string
}

/** The compile-time flags of the app's production build, as vite.config.ts and its plugins resolve them. */
async function appBuildFlags(): Promise<Record<string, unknown>> {
  const { define } = await resolveConfig({ root: REPO_ROOT, logLevel: 'warn' }, 'build', 'production', 'production')
  if (!define || !('__VUE_OPTIONS_API__' in define)) throw new Error('front-end bench: the app build defines no Vue flags')
  return define
}

/** Builds `root` with the repository's config, or (the shell) with none but the given flags. */
async function buildAndServe(root: string, useRepoConfig: boolean, define?: Record<string, unknown>): Promise<BuiltSite> {
  const outDir = mkdtempSync(join(tmpdir(), 'volunteer-ledger-bench-'))
  const configFile = useRepoConfig ? undefined : false
  await build({ root, configFile, define, logLevel: 'warn', build: { outDir, emptyOutDir: true } })
  const server = await preview({ root, configFile, build: { outDir }, preview: { host: '127.0.0.1', port: 0 } })
  const address = server.httpServer.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return { outDir, server, url: `http://127.0.0.1:${port}/` }
}

interface Weight {
  files: number
  raw: number
  gzip: number
  brotli: number
}

/** Sizes of the given same-origin script URLs, read from the built files. */
function weigh(site: BuiltSite, urls: string[]): Weight {
  const weight: Weight = { files: 0, raw: 0, gzip: 0, brotli: 0 }
  for (const url of new Set(urls)) {
    const bytes = readFileSync(join(site.outDir, new URL(url).pathname))
    weight.files++
    weight.raw += bytes.length
    weight.gzip += gzipSync(bytes, { level: 9 }).length
    weight.brotli += brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length
  }
  return weight
}

/** The scripts a page loads while `visit` runs, in a fresh browser context. */
async function scriptsLoaded(url: string, visit: (page: Page) => Promise<void>): Promise<string[]> {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS })
  try {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, serviceWorkers: 'block' })
    const page = await context.newPage()
    const scripts: string[] = []
    page.on('response', (response) => {
      if (response.request().resourceType() === 'script' && response.url().startsWith(url)) scripts.push(response.url())
    })
    await page.goto(url, { waitUntil: 'networkidle' })
    await visit(page)
    await page.waitForLoadState('networkidle')
    return scripts
  } finally {
    await browser.close()
  }
}

interface LighthouseRun {
  score: number
  lcp: number
  tbt: number
  cls: number
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? NaN
}

/** Several Lighthouse mobile runs (its default form factor and throttling), each in a fresh Chromium. */
async function runLighthouse(url: string, runs: number): Promise<LighthouseRun[]> {
  const results: LighthouseRun[] = []
  for (let i = 0; i < runs; i++) {
    const chrome = await chromeLauncher.launch({ chromePath: '/usr/bin/chromium', chromeFlags: CHROMIUM_FLAGS })
    try {
      const result = await lighthouse(url, { port: chrome.port, output: 'json', onlyCategories: ['performance'], logLevel: 'error' })
      const lhr = result!.lhr
      results.push({
        score: (lhr.categories.performance?.score ?? 0) * 100,
        lcp: lhr.audits['largest-contentful-paint']?.numericValue ?? NaN,
        tbt: lhr.audits['total-blocking-time']?.numericValue ?? NaN,
        cls: lhr.audits['cumulative-layout-shift']?.numericValue ?? NaN,
      })
    } finally {
      chrome.kill()
    }
  }
  return results
}

/** The volunteer's first visit: the start page, then signing in, which opens the event form. */
async function signInAsVolunteer(page: Page): Promise<void> {
  await page.getByLabel('电子邮箱').fill('volunteer@demo.local')
  await page.getByLabel('密码').fill('demo1234')
  await page.getByRole('button', { name: '登录' }).click()
  await page.getByRole('button', { name: '退出登录' }).waitFor()
}

const BUDGET_KB = 60

export async function frontendFigures(stack: Stack, lighthouseRuns: number): Promise<Figure[]> {
  process.env.VITE_SUPABASE_URL = stack.apiUrl
  process.env.VITE_SUPABASE_ANON_KEY = stack.anonKey
  const app = await buildAndServe(REPO_ROOT, true)
  const shell = await buildAndServe(join(REPO_ROOT, 'bench/shell'), false, await appBuildFlags())
  try {
    const appWeight = weigh(app, await scriptsLoaded(app.url, signInAsVolunteer))
    const shellWeight = weigh(shell, await scriptsLoaded(shell.url, async () => {}))
    const addedGzipKb = (appWeight.gzip - shellWeight.gzip) / 1024
    const figures = [
      ratioFigure('1 front end', `volunteer first-visit JS, gzip (${appWeight.files} files)`, appWeight.gzip / 1024, 'KB', 'Vue + Pinia shell, same flags', shellWeight.gzip / 1024,
        `adds ${addedGzipKb.toFixed(1)} KB; budget ${BUDGET_KB} KB: ${addedGzipKb <= BUDGET_KB ? 'met' : 'EXCEEDED'}`),
      ratioFigure('1 front end', 'volunteer first-visit JS, brotli', appWeight.brotli / 1024, 'KB', 'Vue + Pinia shell, same flags', shellWeight.brotli / 1024,
        `adds ${((appWeight.brotli - shellWeight.brotli) / 1024).toFixed(1)} KB`),
    ]
    const appRuns = await runLighthouse(app.url, lighthouseRuns)
    const shellRuns = await runLighthouse(shell.url, lighthouseRuns)
    const note = `median of ${lighthouseRuns} mobile runs`
    const metrics: Array<[string, keyof LighthouseRun, string]> = [
      ['Lighthouse performance score, start page', 'score', 'pts'],
      ['Lighthouse LCP, start page', 'lcp', 'ms'],
      ['Lighthouse TBT, start page', 'tbt', 'ms'],
      ['Lighthouse CLS, start page', 'cls', ''],
    ]
    for (const [name, metric, unit] of metrics) {
      const appValues = appRuns.map((run) => run[metric])
      const shellValues = shellRuns.map((run) => run[metric])
      figures.push(ratioFigure('1 front end', name, median(appValues), unit, 'shell', median(shellValues), note,
        bootstrapRatio(appValues, shellValues, (a, b) => median(a) / median(b))))
    }
    return figures
  } finally {
    for (const site of [app, shell]) {
      await site.server.close()
      rmSync(site.outDir, { recursive: true, force: true })
    }
  }
}
