// The app's services over fake-indexeddb, a fake transport and an auth that never reaches a
// server, with the test user's account open: what the stores run on in the unit tests.
import { afterEach } from 'vitest'
import type { AuthApi } from '../../../src/api/auth'
import { openDeviceDb } from '../../../src/local/device'
import type { Clock } from '../../../src/sync/engine'
import { configureServices, createServices, type Account, type Services } from '../../../src/sync/runtime'
import type { SyncTransport } from '../../../src/sync/transport'
import { noLock } from './engine-harness'
import { FakeClock, sequentialIds, USER } from './fixtures'

export const offlineAuth: AuthApi = {
  signIn: async () => ({ id: USER, email: 'volunteer@demo.local' }),
  signUp: async () => ({ id: USER, email: 'volunteer@demo.local' }),
  signOut: async () => undefined,
  sessionState: async () => ({ state: 'unknown' }),
  onSessionEnded: () => () => undefined,
}

let runs = 0
const made: Services[] = []

// A test's sync engine may still be sending a device report when the test ends: it is stopped
// and waited for, so that nothing of it runs on into the next test or past the environment.
afterEach(async () => {
  for (const services of made.splice(0)) {
    services.account?.engine.stop()
    await services.account?.engine.idle()
  }
})

export interface TestServicesOptions {
  auth?: AuthApi
  clock?: Clock
  /** The user whose account is open; null for nobody signed in. */
  signedIn?: string | null
}

/** Configures the app's services for a test; each call gets databases of its own. */
export async function useTestServices(
  transportFor: (userId: string) => SyncTransport,
  options: TestServicesOptions = {},
): Promise<{ services: Services; account: Account | null }> {
  const run = `${++runs}-${Math.random().toString(36).slice(2)}`
  const services = await createServices({
    auth: options.auth ?? offlineAuth,
    device: await openDeviceDb(`test-device-${run}`, `test-user-${run}-`),
    transportFor,
    clock: options.clock ?? new FakeClock(),
    random: () => 0.5,
    newId: sequentialIds('d'),
    lock: noLock,
    appVersion: '0.0.0-test',
    storage: async () => ({ persisted: true, usageBytes: 2_000_000, quotaBytes: 500_000_000 }),
  })
  made.push(services)
  configureServices(services)
  const signedIn = options.signedIn === undefined ? USER : options.signedIn
  const account = signedIn ? await services.openAccount(signedIn) : null
  if (signedIn) await services.device.setActiveUser(signedIn)
  return { services, account }
}
