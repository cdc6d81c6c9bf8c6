// Vitest global setup of the browser tests: the app is built once, as it ships, and every test
// file serves that one build (a build takes 10 to 20 s here; each file building its own made up
// a large share of `npm test`). A test that needs builds of its own (the update scenario) still
// makes them with buildApp().
import type { TestProject } from 'vitest/node'
import { buildApp, removeBuild } from './app'

declare module 'vitest' {
  export interface ProvidedContext {
    /** The directory of the app built once for all browser tests. */
    sharedBuild: string
  }
}

export async function setup(project: TestProject): Promise<() => void> {
  const dir = await buildApp('shared')
  project.provide('sharedBuild', dir)
  return () => removeBuild(dir)
}
