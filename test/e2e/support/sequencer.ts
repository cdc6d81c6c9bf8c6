// The order in which the two workers of the browser tests take their files (other projects keep
// Vitest's order). The turns on the data (suite.ts, DataUse) keep files that must not meet apart
// whatever the order; this order keeps the workers from waiting on each other for their turns:
// the longest file that only reads first, the whole-program files beside it, then the files
// writing their own rows beside one another. A file not named here comes last.
// vite.config.ts imports this file, so Vitest's own sequencer (for everything else, and for
// sharding) is loaded only when Vitest sorts: a plain `vite build` does not load Vitest.
import type { TestSequencer, TestSpecification, Vitest } from 'vitest/node'

const E2E_ORDER = [
  'quality', // reads, the longest
  'coordinator', // whole-program
  'offline', // whole-program
  'devices', // whole-program
  'ledger-coord', // whole-program
  'joining', // writes
  'certificates', // writes
  'ledger', // writes
  'update', // reads
  'leader', // writes
]

const rank = (spec: TestSpecification): number => {
  const name = /test\/e2e\/([^/]+)\.test\.ts$/.exec(spec.moduleId)?.[1]
  const index = name === undefined ? -1 : E2E_ORDER.indexOf(name)
  return index === -1 ? E2E_ORDER.length : index
}

export default class E2eOrder implements TestSequencer {
  constructor(private readonly ctx: Vitest) {}

  private async base(): Promise<TestSequencer> {
    const { BaseSequencer } = await import('vitest/node')
    return new BaseSequencer(this.ctx)
  }

  async shard(files: TestSpecification[]): Promise<TestSpecification[]> {
    return (await this.base()).shard(files)
  }

  async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await (await this.base()).sort(files)
    const e2e = sorted.filter((spec) => spec.project.name === 'e2e').sort((a, b) => rank(a) - rank(b))
    return sorted.map((spec) => (spec.project.name === 'e2e' ? e2e.shift()! : spec))
  }
}
