// What every browser test file sets up before its tests and takes down after them: the stack's
// database (optional), the app built as it ships (once for all files, see shared-build.ts, or
// builds of the file's own) and served, and a headless Chromium.
import type { Browser } from 'playwright-core'
import type pg from 'pg'
import { afterAll, beforeAll, inject } from 'vitest'
import { buildApp, removeBuild, serveApp, type ServedApp } from './app'
import { launchBrowser } from './browser'
import { connect, ensureCurrentThemeMonths } from './db'

export interface SuiteOptions {
  /**
   * Builds of the file's own, by marker: each is built in turn, and the first is served. Without
   * them the file serves the build shared by all browser tests.
   */
  builds?: readonly [string, ...string[]]
  /** Connect to the stack's database (the test oracle). */
  db?: boolean
  /** Add theme months for this month and the last one, so that today's events can be logged. */
  currentThemeMonths?: boolean
}

export interface Suite {
  /** The stack's database; only with `db: true`. */
  readonly db: pg.Client
  /** The served app; a test may stop it and serve another build in its place. */
  app: ServedApp
  readonly browser: Browser
  /** The built apps' directories, in the order of `builds`. */
  readonly builds: readonly string[]
}

/** Registers this file's beforeAll and afterAll; the returned suite is ready inside its tests. */
export function useSuite(options: SuiteOptions): Suite {
  let db: pg.Client | undefined
  let app: ServedApp | undefined
  let browser: Browser | undefined
  const builds: string[] = []

  beforeAll(async () => {
    if (options.db) {
      db = connect()
      await db.connect()
      if (options.currentThemeMonths) await ensureCurrentThemeMonths(db)
    }
    for (const marker of options.builds ?? []) builds.push(await buildApp(marker))
    app = await serveApp(builds[0] ?? inject('sharedBuild'))
    browser = await launchBrowser()
  })

  afterAll(async () => {
    await browser?.close()
    await app?.stop()
    for (const dir of builds) removeBuild(dir)
    await db?.end()
  })

  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the suite has no ${what}`)
    return value
  }
  return {
    get db() {
      return ready(db, 'database (useSuite({ db: true }))')
    },
    get app() {
      return ready(app, 'app yet')
    },
    set app(served) {
      app = served
    },
    get browser() {
      return ready(browser, 'browser yet')
    },
    builds,
  }
}
