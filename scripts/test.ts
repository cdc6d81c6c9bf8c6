// `npm test`: every check of the project against one fresh local stack — type check, lint,
// `supabase db advisors` (Supabase's security and performance lints, no warning allowed), the
// pgTAP database tests (pg_prove), `supabase db lint`, and the Vitest projects (unit, component,
// integration against the stack, browser tests in headless Chromium). Exits non-zero when any
// step fails; runs all steps so one run shows every failure.
import { spawn } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { cliDatabaseUrl, psqlFile, REPO_ROOT, startStack, stopOnSignals, supabaseCli } from './stack/stack.ts'

interface StepResult {
  name: string
  ok: boolean
  seconds: number
}

/**
 * Runs a command to its end. Asynchronously: the gateway and the auth stand-in of the local stack
 * live in this process, and they must go on answering while the tests run.
 */
function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, stdio: 'inherit', env })
    child.once('error', (error) => {
      console.error(error)
      resolve(false)
    })
    child.once('exit', (code) => resolve(code === 0))
  })
}

const results: StepResult[] = []
async function step(name: string, body: () => Promise<boolean> | boolean): Promise<void> {
  console.log(`\n=== ${name}`)
  const started = performance.now()
  let ok: boolean
  try {
    ok = await body()
  } catch (error) {
    console.error(error)
    ok = false
  }
  results.push({ name, ok, seconds: (performance.now() - started) / 1000 })
}

const bin = (name: string) => join(REPO_ROOT, 'node_modules/.bin', name)
const runStarted = performance.now()

await step('type check (vue-tsc --build)', () => run(bin('vue-tsc'), ['--build']))
await step('lint (eslint)', () => run(bin('eslint'), ['.']))

const stackStarted = performance.now()
const stack = await startStack({ seed: true })
stopOnSignals(stack.stop)
console.log(`\nlocal stack started in ${((performance.now() - stackStarted) / 1000).toFixed(1)} s at ${stack.apiUrl}`)
try {
  // Before the pgTAP helpers are loaded: they are the harness's, not the schema's (their role
  // switching functions cannot pin a search_path), and the advisors judge the migrations alone.
  await step('supabase db advisors (no warnings)', () => {
    try {
      console.log(supabaseCli(['db', 'advisors', '--db-url', cliDatabaseUrl(stack.databaseUrl),
        '--type', 'all', '--level', 'warn', '--fail-on', 'warn']).trim())
      return true
    } catch (error) {
      // The CLI exits non-zero when it finds a warning; what it found is on its stdout.
      console.log(String((error as { stdout?: unknown }).stdout ?? error))
      return false
    }
  })
  await step('database tests (pgTAP)', () => {
    psqlFile(stack.databaseUrl, join(REPO_ROOT, 'scripts/stack/test-helpers.sql'))
    const files = readdirSync(join(REPO_ROOT, 'supabase/tests'))
      .filter((file) => file.endsWith('.test.sql'))
      .sort()
      .map((file) => join('supabase/tests', file))
    return run('pg_prove', ['--failures', '--dbname', stack.databaseUrl, ...files])
  })
  await step('supabase db lint', () => {
    const output = supabaseCli(['db', 'lint', '--db-url', cliDatabaseUrl(stack.databaseUrl),
      '--schema', 'public,private', '--level', 'warning'])
    console.log(output.trim() || 'No schema errors found')
    return output.trim() === '' || /No schema errors found/i.test(output)
  })
  await step('vitest (unit, component, integration, browser)', () =>
    run(bin('vitest'), ['run'], {
      ...process.env,
      STACK_API_URL: stack.apiUrl,
      STACK_ANON_KEY: stack.anonKey,
      STACK_SERVICE_ROLE_KEY: stack.serviceRoleKey,
      STACK_DATABASE_URL: stack.databaseUrl,
    }),
  )
} finally {
  await stack.stop()
}

console.log('\n=== summary')
for (const result of results) {
  console.log(`${result.ok ? 'ok  ' : 'FAIL'}  ${result.name}  (${result.seconds.toFixed(1)} s)`)
}
console.log(`total ${((performance.now() - runStarted) / 1000).toFixed(1)} s`)
process.exit(results.every((result) => result.ok) ? 0 : 1)
