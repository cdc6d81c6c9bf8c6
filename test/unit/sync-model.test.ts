// @vitest-environment node
// A property-based model test of the whole sync path on a phone shared by two volunteers.
// fast-check generates schedules of what users and the network do: save, edit and delete
// events, sync, wait for the engine's retries, faults on the next requests (dropped, response
// lost after the server committed, duplicated, held up and delivered late and out of order,
// 500, expired token, the app killed before or after the server committed), the user editing
// or signing out while a request is in flight, going offline, the app restarted, the session
// ending by itself, sign-out (unsynced changes set aside), and either user signing in. The app
// runs as App.vue runs it (support/phone.ts). After every step, a user's views never show
// another user's unsynced events; at the end, with a healthy network, each user syncs and the
// server holds exactly what each user saved, once, under their own account, with totals equal
// to a recomputation. A failing schedule is shrunk to the smallest one that still fails.
//
// SYNC_MODEL_RUNS sets the number of schedules (npm test: 300; npm run soak: 10,000).
// A failure prints SYNC_MODEL_SEED and SYNC_MODEL_PATH, which replay its shrunk schedule.
import fc from 'fast-check'
import { IDBFactory } from 'fake-indexeddb'
import 'fake-indexeddb/auto'
import { describe, expect, it, vi } from 'vitest'
import { FAULTS, Tally, type Interleaving, type NetworkStep } from './support/faulty-network'
import { BOB, ALICE, Phone, type EventSpec } from './support/phone'

type Action =
  | { do: 'save'; event: EventSpec }
  | { do: 'edit'; pick: number; event: EventSpec }
  | { do: 'delete'; pick: number }
  | { do: 'sync' }
  | { do: 'wait'; ms: number }
  | { do: 'network'; steps: NetworkStep[] }
  | { do: 'offline' }
  | { do: 'online' }
  | { do: 'deliverHeld'; newestFirst: boolean }
  | { do: 'restart' }
  | { do: 'sessionEnds' }
  | { do: 'signOut' }
  | { do: 'signIn'; user: 'alice' | 'bob' }

const eventSpec: fc.Arbitrary<EventSpec> = fc.record({
  station: fc.constantFrom(0 as const, 1 as const),
  april: fc.boolean(),
  day: fc.integer({ min: 1, max: 27 }),
  hours: fc.integer({ min: 1, max: 6 }),
  both: fc.boolean(),
  served: fc.nat({ max: 200 }),
  funds: fc.nat({ max: 10_000_000 }),
  materials: fc.nat({ max: 1_000_000 }),
  title: fc.nat({ max: 999 }),
})

const pick = fc.nat({ max: 50 })

const interleaving: fc.Arbitrary<Interleaving> = fc.oneof(
  fc.record({ kind: fc.constant('editMeanwhile' as const), pick, event: eventSpec }),
  fc.constant({ kind: 'signOutMeanwhile' as const }),
  fc.constant({ kind: 'sessionEndsMeanwhile' as const }),
  fc.constant({ kind: 'takeOverMeanwhile' as const }),
)

const networkStep: fc.Arbitrary<NetworkStep> = fc.record(
  { fault: fc.constantFrom(...FAULTS), meanwhile: fc.option(interleaving, { freq: 3, nil: undefined }) },
  { requiredKeys: ['fault'] },
)

function describeStep({ fault, meanwhile }: NetworkStep): string {
  if (!meanwhile) return fault
  const what = meanwhile.kind === 'editMeanwhile' ? `editMeanwhile(#${meanwhile.pick}, ${JSON.stringify(meanwhile.event)})` : meanwhile.kind
  return `${what} then ${fault}`
}

function describeAction(action: Action): string {
  switch (action.do) {
    case 'save': return `save(${JSON.stringify(action.event)})`
    case 'edit': return `edit(#${action.pick}, ${JSON.stringify(action.event)})`
    case 'delete': return `delete(#${action.pick})`
    case 'wait': return `wait(${action.ms} ms)`
    case 'network': return `network(${action.steps.map(describeStep).join(', ')})`
    case 'deliverHeld': return `deliverHeld(${action.newestFirst ? 'newest first' : 'oldest first'})`
    case 'signIn': return `signIn(${action.user})`
    default: return action.do
  }
}

/** Actions print as one readable line each in a counterexample. */
const readable = (arbitrary: fc.Arbitrary<Action>): fc.Arbitrary<Action> =>
  arbitrary.map((action) => Object.assign(action, { [fc.toStringMethod]: () => describeAction(action) }))

const action: fc.Arbitrary<Action> = readable(fc.oneof(
  { arbitrary: fc.record({ do: fc.constant('save' as const), event: eventSpec }), weight: 6 },
  { arbitrary: fc.record({ do: fc.constant('edit' as const), pick, event: eventSpec }), weight: 3 },
  { arbitrary: fc.record({ do: fc.constant('delete' as const), pick }), weight: 2 },
  { arbitrary: fc.constant({ do: 'sync' as const }), weight: 3 },
  { arbitrary: fc.record({ do: fc.constant('wait' as const), ms: fc.integer({ min: 1_000, max: 120_000 }) }), weight: 2 },
  { arbitrary: fc.record({ do: fc.constant('network' as const), steps: fc.array(networkStep, { minLength: 1, maxLength: 4 }) }), weight: 5 },
  { arbitrary: fc.constant({ do: 'offline' as const }), weight: 1 },
  { arbitrary: fc.constant({ do: 'online' as const }), weight: 1 },
  { arbitrary: fc.record({ do: fc.constant('deliverHeld' as const), newestFirst: fc.boolean() }), weight: 1 },
  { arbitrary: fc.constant({ do: 'restart' as const }), weight: 1 },
  { arbitrary: fc.constant({ do: 'sessionEnds' as const }), weight: 1 },
  { arbitrary: fc.constant({ do: 'signOut' as const }), weight: 2 },
  { arbitrary: fc.record({ do: fc.constant('signIn' as const), user: fc.constantFrom('alice' as const, 'bob' as const) }), weight: 3 },
))

const schedule = fc.array(action, { maxLength: 30, size: 'max' })

const FIRST_EVENT: EventSpec = { station: 0, april: false, day: 1, hours: 1, both: false, served: 0, funds: 0, materials: 0, title: 0 }

/** Shrunk schedules that found bugs, run before the generated ones every time. */
const FOUND: Action[][] = [
  // The retry after a token refresh went without a token once the session had ended meanwhile:
  // refused as 42501, the change was parked as failed (fixed in src/sync/transport.ts).
  [{ do: 'network', steps: [{ fault: 'expiredToken', meanwhile: { kind: 'sessionEndsMeanwhile' } }] }, { do: 'save', event: FIRST_EVENT }],
  // Killed while Bob's sign-in waited for Alice's round to end: the app restarted showing Alice
  // at work under Bob's session, her changes refused forever (fixed in src/stores/session.ts).
  [{ do: 'network', steps: [{ fault: 'killedAfter', meanwhile: { kind: 'takeOverMeanwhile' } }] }, { do: 'sync' }],
  // Alice's unsynced change set aside when Bob signed in; Bob's session ended; killed while
  // Alice signed in again: her account had been taken off the aside list before she became the
  // active user, so the phone forgot her change (fixed in src/stores/session.ts).
  [
    { do: 'network', steps: [{ fault: 'ok' }, { fault: 'killedBefore', meanwhile: { kind: 'sessionEndsMeanwhile' } }] },
    { do: 'sync' },
    { do: 'save', event: FIRST_EVENT },
    { do: 'signIn', user: 'bob' },
    { do: 'network', steps: [{ fault: 'ok', meanwhile: { kind: 'sessionEndsMeanwhile' } }, { fault: 'killedAfter' }] },
    { do: 'sync' },
    { do: 'signIn', user: 'alice' },
  ],
  // Alice's session ended and Bob signed in while her change was on its way (then held up):
  // Bob's events page listed her unsynced event until the list was reloaded (fixed in
  // src/stores/events.ts).
  [{ do: 'network', steps: [{ fault: 'late', meanwhile: { kind: 'takeOverMeanwhile' } }] }, { do: 'save', event: FIRST_EVENT }],
]

async function perform(phone: Phone, step: Action): Promise<void> {
  switch (step.do) {
    case 'save': return phone.save(step.event)
    case 'edit': return phone.edit(step.pick, step.event)
    case 'delete': return phone.remove(step.pick)
    case 'sync': return phone.sync()
    case 'wait': return phone.wait(step.ms)
    case 'network': return phone.network.meet(step.steps)
    case 'offline':
      phone.network.online = false
      return
    case 'online':
      phone.network.online = true
      return
    case 'deliverHeld': return phone.network.deliverHeld(step.newestFirst)
    case 'restart': return phone.restart()
    case 'sessionEnds': return phone.sessionEnds()
    case 'signOut': return phone.signOut()
    case 'signIn': return phone.signIn(step.user === 'alice' ? ALICE : BOB)
  }
}

/** What the runs exercised, summed over all of them (shrinking included). */
const tally = new Tally()

async function runSchedule(steps: Action[]): Promise<void> {
  // Each schedule runs on a phone of its own: a fresh IndexedDB.
  globalThis.indexedDB = new IDBFactory()
  const phone = await Phone.withAliceSignedIn(tally)
  try {
    for (const step of steps) {
      phone.trace.push(describeAction(step))
      tally.add('actions')
      await perform(phone, step)
      await phone.checkViews()
    }
    await phone.syncEveryoneAndCheck()
  } catch (error) {
    if (error instanceof Error) {
      // An assertion's values, in full: the report of a shrunk schedule keeps only the message.
      const actual = 'actual' in error ? `\nActual: ${JSON.stringify(error.actual, null, 1)}` : ''
      error.message += `${actual}\nWhat happened:\n${phone.trace.join('\n')}`
    }
    throw error
  } finally {
    phone.shutDown()
  }
}

const DEFAULT_RUNS = 300
/** A schedule takes well under a second; one still running after this has hung (a failure too). */
const SCHEDULE_TIMEOUT_MS = 10_000
const runs = Number(process.env.SYNC_MODEL_RUNS ?? DEFAULT_RUNS)
const replay = process.env.SYNC_MODEL_SEED
  ? { seed: Number(process.env.SYNC_MODEL_SEED), path: process.env.SYNC_MODEL_PATH }
  : {}

/** What must have struck at least once in a run of the default size, or the model tests less than it claims. */
const MUST_STRIKE = [
  ...FAULTS.filter((fault) => fault !== 'ok').map((fault) => `${fault} push`),
  'dropped pull', 'killedBefore pull', 'offline push', 'editMeanwhile push', 'signOutMeanwhile push', 'sessionEndsMeanwhile push', 'takeOverMeanwhile push',
  'sign-out with changes kept aside', 'sign-in while another user\'s changes wait aside', 'another user\'s event in the open database', 'another user\'s event in the events page',
]

describe('the sync path on a shared phone, as a property', () => {
  it(`keeps every user's saved events, once, under their own account (${runs} schedules)`, async () => {
    // The app warns when reference data cannot be refreshed (expected under these faults): counted, not printed.
    const warn = vi.spyOn(console, 'warn').mockImplementation((message: unknown) => tally.add(`app warned: ${String(message)}`))
    const started = performance.now()
    const details = await fc
      .check(fc.asyncProperty(schedule, runSchedule), { numRuns: runs, timeout: SCHEDULE_TIMEOUT_MS, examples: FOUND.map((steps) => [steps]), ...replay })
      .finally(() => warn.mockRestore())
    const seconds = (performance.now() - started) / 1000
    const counts = [...tally.counts].sort(([a], [b]) => a.localeCompare(b)).map(([name, n]) => `  ${name}: ${n}`)
    console.log(`sync model: ${details.numRuns} schedules in ${seconds.toFixed(1)} s; struck:\n${counts.join('\n')}`)
    if (details.failed) {
      throw new Error(`${fc.defaultReportMessage(details)}\n\nReplay the shrunk schedule: SYNC_MODEL_SEED=${details.seed} `
        + `SYNC_MODEL_PATH=${details.counterexamplePath} npx vitest run test/unit/sync-model.test.ts\n\n`
        + `${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}`)
    }
    if (process.env.SYNC_MODEL_SEED || runs < DEFAULT_RUNS) return
    for (const name of MUST_STRIKE) expect(tally.get(name), name).toBeGreaterThan(0)
  }, Math.max(120_000, runs * 2_000))
})
