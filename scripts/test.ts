// `npm test`: every check of the project — type check, lint, `supabase db advisors` (Supabase's
// security and performance lints, no warning allowed), the pgTAP database tests (pg_prove),
// `supabase db lint`, and the Vitest projects (unit, component, integration against a local
// stack, browser tests in headless Chromium). Exits non-zero when any step fails; runs all steps
// so one run shows every failure.
//
// The steps run in four lanes at once, as they share nothing (the machine has 2 cores; most of
// the browser tests' time is spent waiting on the app, so the other lanes fill it):
// - checks:   type check, then lint;
// - unit:     the unit and component tests (no stack);
// - database: a fresh stack of its own for the advisors, pgTAP, db lint, then the integration
//             tests (pgTAP's transactions and the integration tests' writes meet no other test);
// - browser:  a fresh stack of its own for the browser tests (they read the demo program and
//             assert on program-wide figures, so no other lane writes to their database).
// Each line of output carries its lane's name; the summary gives each step's time and start.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cliDatabaseUrl, REPO_ROOT, startStack, stopOnSignals, type Stack } from './stack/stack.ts'

interface StepResult {
  lane: string
  name: string
  ok: boolean
  started: number
  seconds: number
}

const runStarted = performance.now()
const sinceStart = () => (performance.now() - runStarted) / 1000
const children = new Set<ChildProcess>()

/** Prints a child's output line by line, each line led by its lane's name. */
function relay(stream: NodeJS.ReadableStream, lane: string, into: NodeJS.WriteStream, keep?: string[]): void {
  let pending = ''
  stream.setEncoding('utf8')
  stream.on('data', (chunk: string) => {
    keep?.push(chunk)
    const lines = (pending + chunk).split('\n')
    pending = lines.pop() ?? ''
    for (const line of lines) into.write(`[${lane}] ${line}\n`)
  })
  stream.on('end', () => {
    if (pending) into.write(`[${lane}] ${pending}\n`)
  })
}

/**
 * Runs a command to its end; resolves to whether it succeeded and what it printed on stdout.
 * Asynchronously: the gateways and auth stand-ins of the local stacks live in this process, and
 * they must go on answering while the tests run.
 */
function run(lane: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ ok: boolean; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env })
    children.add(child)
    const stdout: string[] = []
    relay(child.stdout, lane, process.stdout, stdout)
    relay(child.stderr, lane, process.stderr)
    child.once('error', (error) => {
      children.delete(child)
      console.error(`[${lane}] ${String(error)}`)
      resolve({ ok: false, stdout: stdout.join('') })
    })
    child.once('close', (code) => {
      children.delete(child)
      resolve({ ok: code === 0, stdout: stdout.join('') })
    })
  })
}

/** The Supabase CLI with a private HOME (it needs no account or telemetry here), run asynchronously. */
async function supabaseCli(lane: string, args: string[]): Promise<{ ok: boolean; stdout: string }> {
  const home = mkdtempSync(join(tmpdir(), 'volunteer-ledger-cli-'))
  try {
    return await run(lane, bin('supabase'), [...args, '--workdir', REPO_ROOT], { ...process.env, HOME: home, SUPABASE_TELEMETRY_DISABLED: '1' })
  } finally {
    rmSync(home, { recursive: true, force: true })
  }
}

const results: StepResult[] = []
async function step(lane: string, name: string, body: () => Promise<boolean>): Promise<boolean> {
  const started = sinceStart()
  console.log(`\n=== [${lane}] ${name} (at ${started.toFixed(0)} s)`)
  let ok: boolean
  try {
    ok = await body()
  } catch (error) {
    console.error(`[${lane}]`, error)
    ok = false
  }
  const seconds = sinceStart() - started
  results.push({ lane, name, ok, started, seconds })
  console.log(`=== [${lane}] ${name}: ${ok ? 'ok' : 'FAILED'} in ${seconds.toFixed(1)} s`)
  return ok
}

const bin = (name: string) => join(REPO_ROOT, 'node_modules/.bin', name)
const stackEnv = (stack: Stack): NodeJS.ProcessEnv => ({
  ...process.env,
  STACK_API_URL: stack.apiUrl,
  STACK_ANON_KEY: stack.anonKey,
  STACK_SERVICE_ROLE_KEY: stack.serviceRoleKey,
  STACK_DATABASE_URL: stack.databaseUrl,
})
const vitest = (lane: string, project: string, env?: NodeJS.ProcessEnv) =>
  run(lane, bin('vitest'), ['run', '--project', project], env).then((result) => result.ok)

const stacks: Stack[] = []
stopOnSignals(async () => {
  for (const child of children) child.kill('SIGTERM')
  await Promise.all(stacks.map((stack) => stack.stop()))
})

/** Starts a stack for a lane (a failed start fails the lane's first step). */
async function laneStack(lane: string): Promise<Stack | undefined> {
  let stack: Stack | undefined
  await step(lane, 'start a local stack', async () => {
    stack = await startStack({ seed: true })
    stacks.push(stack)
    console.log(`[${lane}] local stack at ${stack.apiUrl}`)
    return true
  })
  return stack
}

async function checksLane(): Promise<void> {
  await step('checks', 'type check (vue-tsc --build)', async () => (await run('checks', bin('vue-tsc'), ['--build'])).ok)
  await step('checks', 'lint (eslint)', async () => (await run('checks', bin('eslint'), ['.'])).ok)
}

async function unitLane(): Promise<void> {
  await step('unit', 'vitest unit and component', () => vitest('unit', 'unit'))
}

async function browserLane(stack: Stack): Promise<void> {
  await step('browser', 'vitest browser (e2e)', () => vitest('browser', 'e2e', stackEnv(stack)))
}

async function databaseLane(stack: Stack): Promise<void> {
  const lane = 'database'
  const dbUrl = cliDatabaseUrl(stack.databaseUrl)
  // Before the pgTAP helpers are loaded: they are the harness's, not the schema's (their role
  // switching functions cannot pin a search_path), and the advisors judge the migrations alone.
  // The CLI exits non-zero when it finds a warning, and prints what it found.
  await step(lane, 'supabase db advisors (no warnings)', async () =>
    (await supabaseCli(lane, ['db', 'advisors', '--db-url', dbUrl, '--type', 'all', '--level', 'warn', '--fail-on', 'warn'])).ok)
  await step(lane, 'database tests (pgTAP)', async () => {
    const helpers = await run(lane, 'psql', [stack.databaseUrl, '-q', '-v', 'ON_ERROR_STOP=1', '-f', join(REPO_ROOT, 'scripts/stack/test-helpers.sql')],
      { ...process.env, PGOPTIONS: '--client-min-messages=warning' })
    if (!helpers.ok) return false
    const files = readdirSync(join(REPO_ROOT, 'supabase/tests'))
      .filter((file) => file.endsWith('.test.sql'))
      .sort()
      .map((file) => join('supabase/tests', file))
    return (await run(lane, 'pg_prove', ['--failures', '--dbname', stack.databaseUrl, ...files])).ok
  })
  await step(lane, 'supabase db lint', async () => {
    const { ok, stdout } = await supabaseCli(lane, ['db', 'lint', '--db-url', dbUrl, '--schema', 'public,private', '--level', 'warning'])
    if (!stdout.trim()) console.log(`[${lane}] No schema errors found`)
    return ok && (stdout.trim() === '' || /No schema errors found/i.test(stdout))
  })
  await step(lane, 'vitest integration', () => vitest(lane, 'integration', stackEnv(stack)))
}

const lanes: Promise<void>[] = [checksLane(), unitLane()]
try {
  // The browser lane is the longest: its stack first. (A stack starts partly synchronously, so
  // the two start one after the other.)
  const browserStack = await laneStack('browser')
  if (browserStack) lanes.push(browserLane(browserStack))
  const databaseStack = await laneStack('database')
  if (databaseStack) lanes.push(databaseLane(databaseStack))
  await Promise.all(lanes)
} finally {
  await Promise.all(stacks.map((stack) => stack.stop()))
}

console.log('\n=== summary (seconds; start is from the beginning of the run)')
for (const result of results.sort((a, b) => a.started - b.started)) {
  console.log(`${result.ok ? 'ok  ' : 'FAIL'}  [${result.lane}] ${result.name}  ${result.seconds.toFixed(1)} s  (start ${result.started.toFixed(1)})`)
}
console.log(`total ${sinceStart().toFixed(1)} s`)
process.exit(results.every((result) => result.ok) ? 0 : 1)
