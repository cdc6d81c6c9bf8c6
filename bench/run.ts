// `npm run bench`: the benchmark. Every figure is a ratio against a baseline measured in the same
// run (these machines are shared and noisy); prints a table and writes bench/results.json.
// BENCH_EVENTS sets the size of the server data set (default 1,000,000 events);
// BENCH_LIGHTHOUSE_RUNS the number of Lighthouse runs per page (default 5).
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { REPO_ROOT, startStack, stopOnSignals, type Stack } from '../scripts/stack/stack.ts'
import { frontendFigures } from './frontend.ts'
import { deviceReportFigures } from './device-report.ts'
import { ledgerFigures } from './ledger.ts'
import { localSaveFigures } from './local-save.ts'
import { printFigures, type Figure } from './measure.ts'
import { serverFigures } from './server.ts'
import { syncFigures } from './sync.ts'

const eventCount = Number(process.env.BENCH_EVENTS ?? 1_000_000)
const lighthouseRuns = Number(process.env.BENCH_LIGHTHOUSE_RUNS ?? 5)
const figures: Figure[] = []

/** The stack of the section being measured, stopped if the run is interrupted. */
let current: Stack | undefined
stopOnSignals(async () => current?.stop())

/** Each section gets a fresh seeded stack, so none sees another's data. */
async function onFreshStack(section: string, measure: (stack: Stack) => Promise<Figure[]>): Promise<void> {
  console.log(`measuring: ${section}`)
  const stack = await startStack({ seed: true })
  current = stack
  try {
    figures.push(...(await measure(stack)))
  } finally {
    await stack.stop()
    current = undefined
  }
}

await onFreshStack('front end', (stack) => frontendFigures(stack, lighthouseRuns))
console.log('measuring: local saves')
figures.push(...(await localSaveFigures()))
await onFreshStack('sync', syncFigures)
await onFreshStack('device report', deviceReportFigures)
await onFreshStack('server', (stack) => serverFigures(stack.databaseUrl, eventCount))
await onFreshStack('ledger', (stack) => ledgerFigures(stack.databaseUrl))

console.log()
printFigures(figures)
const resultsFile = join(REPO_ROOT, 'bench/results.json')
writeFileSync(resultsFile, JSON.stringify({ measuredAt: new Date().toISOString(), eventCount, figures }, null, 2))
console.log(`\nfigures written to ${resultsFile}`)
