// `npm run bench`: the benchmark. Every figure is a ratio against a baseline measured in the same
// run (these machines are shared and noisy); prints a table and writes bench/results.json.
// BENCH_EVENTS sets the size of the server data set (default 1,000,000 events).
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { REPO_ROOT, startStack } from '../scripts/stack/stack.ts'
import { printFigures, type Figure } from './measure.ts'
import { serverFigures } from './server.ts'

const eventCount = Number(process.env.BENCH_EVENTS ?? 1_000_000)
const figures: Figure[] = []

const serverStack = await startStack({ seed: true })
try {
  figures.push(...(await serverFigures(serverStack.databaseUrl, eventCount)))
} finally {
  await serverStack.stop()
}

console.log()
printFigures(figures)
const resultsFile = join(REPO_ROOT, 'bench/results.json')
writeFileSync(resultsFile, JSON.stringify({ measuredAt: new Date().toISOString(), eventCount, figures }, null, 2))
console.log(`\nfigures written to ${resultsFile}`)
