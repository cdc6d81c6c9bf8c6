// What every browser test file sets up before its tests and takes down after them: its turn on
// the stack's data (see DataUse), the stack's database (optional), the app built as it ships
// (once for all files, see shared-build.ts) and served, builds of the file's own, and a headless
// Chromium.
import type { Browser } from 'playwright-core'
import type pg from 'pg'
import { afterAll, beforeAll, inject } from 'vitest'
import { buildApp, removeBuild, serveApp, type ServedApp } from './app'
import { launchBrowser } from './browser'
import { connect, ensureCurrentThemeMonths } from './db'

/**
 * How a file's tests use the stack's data, so that two files can run at once (two Vitest
 * workers) without one's writes changing what the other asserts:
 * - 'reads': writes nothing another file asserts on (no events, no changes, no phone with
 *   unsynced events) and asserts nothing another file writes; runs beside any file.
 * - 'writes': writes rows of its own (its own events, users, requests, or a seeded row it puts
 *   back) that only it asserts on; runs beside 'reads' and 'writes' files.
 * - 'whole-program': asserts on figures of the whole program (every event, every change that
 *   reached the server, every phone's report) or picks its rows by what nobody else has written;
 *   runs only beside 'reads' files.
 * The turns are PostgreSQL advisory locks on the stack's database ('writes' shared,
 * 'whole-program' exclusive), held from the file's start to its end; the server frees them if a
 * worker dies.
 */
export type DataUse = 'reads' | 'writes' | 'whole-program'

/** The advisory lock key of the browser tests' turns (any constant; 'e2e' in ASCII). */
const TURN_LOCK = 0x653265

export interface SuiteOptions {
  data: DataUse
  /**
   * Builds of the file's own, by marker, each made in turn (the file starts serving the shared
   * build; a test can serve one of its own builds in its place).
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

/** Waits for the file's turn on the data; resolves to the connection holding it (end it to let go). */
async function takeTurn(data: DataUse): Promise<pg.Client | undefined> {
  if (data === 'reads') return undefined
  const turn = connect()
  await turn.connect()
  await turn.query(data === 'writes' ? 'select pg_advisory_lock_shared($1)' : 'select pg_advisory_lock($1)', [TURN_LOCK])
  return turn
}

/** Longest wait for a turn: a file beside it may take minutes on a busy machine. */
const TURN_TIMEOUT = 15 * 60_000

/** Registers this file's beforeAll and afterAll; the returned suite is ready inside its tests. */
export function useSuite(options: SuiteOptions): Suite {
  let turn: pg.Client | undefined
  let db: pg.Client | undefined
  let app: ServedApp | undefined
  let browser: Browser | undefined
  const builds: string[] = []

  beforeAll(async () => {
    turn = await takeTurn(options.data)
  }, TURN_TIMEOUT)

  beforeAll(async () => {
    if (options.db) {
      db = connect()
      await db.connect()
      if (options.currentThemeMonths) await ensureCurrentThemeMonths(db)
    }
    for (const marker of options.builds ?? []) builds.push(await buildApp(marker))
    app = await serveApp(inject('sharedBuild'))
    browser = await launchBrowser()
  })

  afterAll(async () => {
    await browser?.close()
    await app?.stop()
    for (const dir of builds) removeBuild(dir)
    await db?.end()
    await turn?.end()
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
