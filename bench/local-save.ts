// Local-save figures (issue 5, item 2): saving one event on the phone through the app's real
// save path (LocalDb.saveEvent: the event and its outbox entry in one IndexedDB transaction)
// against a bare IndexedDB put of the same record, in headless Chromium on a database already
// holding 10,000 events. The page (bench/local-save/) is built with Vite from the real src/local
// code and measures both in the same run; this driver builds, serves and reads it.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { build, preview } from 'vite'
import { REPO_ROOT } from '../scripts/stack/stack.ts'
import { CHROMIUM_FLAGS } from './frontend.ts'
import type { LocalSaveOptions, LocalSaveResult } from './local-save/main.ts'
import { quantileRatioInterval, ratioFigure, type Figure } from './measure.ts'

const SECTION = '2 local save'

export async function localSaveFigures(options: LocalSaveOptions = { prefill: 10_000, saves: 500, warmup: 30 }): Promise<Figure[]> {
  const root = join(REPO_ROOT, 'bench/local-save')
  const outDir = mkdtempSync(join(tmpdir(), 'volunteer-ledger-bench-save-'))
  try {
    await build({ root, configFile: false, logLevel: 'warn', build: { outDir, emptyOutDir: true } })
    // Cross-origin isolation: otherwise Chromium rounds performance.now() to 0.1 ms, about a
    // sixth of one bare put, and the percentiles come out as coarse steps.
    const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' }
    const server = await preview({ root, configFile: false, build: { outDir }, preview: { host: '127.0.0.1', port: 0, headers } })
    try {
      const address = server.httpServer.address()
      const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`
      const result = await runInChromium(url, options)
      // The timed saves must have done their whole work, or the figure measures nothing.
      const expectedEvents = options.prefill + options.warmup + options.saves
      if (result.appEvents !== expectedEvents || result.appOutbox !== options.warmup + options.saves || result.bareEvents !== expectedEvents) {
        throw new Error(`local-save bench: unexpected contents afterwards ${JSON.stringify(result)}`)
      }
      const note = `${options.saves} saves each, on ${options.prefill} events; goal at most 2x`
      return [
        ratioFigure(SECTION, 'save one event + outbox entry, p50', result.app.p50, 'ms', 'bare IndexedDB put', result.bare.p50, note,
          quantileRatioInterval(result.app, result.bare, 0.5)),
        ratioFigure(SECTION, 'save one event + outbox entry, p95', result.app.p95, 'ms', 'bare IndexedDB put', result.bare.p95, note,
          quantileRatioInterval(result.app, result.bare, 0.95)),
      ]
    } finally {
      await server.close()
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true })
  }
}

async function runInChromium(url: string, options: LocalSaveOptions): Promise<LocalSaveResult> {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS })
  try {
    const page = await browser.newPage()
    await page.goto(url, { waitUntil: 'load' })
    await page.waitForFunction(() => typeof window.localSaveBench === 'function')
    if (!(await page.evaluate(() => window.crossOriginIsolated))) throw new Error('local-save bench: page is not cross-origin isolated')
    return await page.evaluate((opts) => window.localSaveBench(opts), options)
  } finally {
    await browser.close()
  }
}
