// A network between one phone and a FakeServer that fails on cue. Each request meets the next
// step of a queue that the test fills (a fault, and maybe the user doing something while the
// request is in flight); with the queue empty it is healthy. Requests go out with the token of
// whoever is signed in on the phone at that moment, as supabase-js sends them, and the app's
// own transport (createSupabaseTransport) runs over it through fakeApiClient, so its owner
// check and its refresh-and-retry on an expired token are part of what is tested.
import type { ApiClient } from '../../../src/api/api-client'
import type { EventChange, ReferenceData, Uuid } from '../../../src/domain/types'
import type { FakeServer } from './fake-server'
import type { EventSpec } from './phone'

/** What can happen to one request. */
export const FAULTS = [
  /** Delivered and answered. */
  'ok',
  /** Never reaches the server (fetch fails). */
  'dropped',
  /** The server commits it, the answer is lost (fetch fails). */
  'lostResponse',
  /** 500: nothing was done. */
  'serverError',
  /** 401 JWT expired: nothing was done (the transport refreshes the session and tries once more). */
  'expiredToken',
  /** Delivered twice (a proxy retried it); the second answer comes back. */
  'duplicated',
  /** Held up: the phone sees a failure, the server gets it later, after newer requests. */
  'late',
  /** The app is killed before the request leaves. */
  'killedBefore',
  /** The app is killed after the server committed the request. */
  'killedAfter',
] as const
export type Fault = (typeof FAULTS)[number]

/** Something the user does while a request is in flight, before it meets its fault. */
export type Interleaving =
  | { kind: 'editMeanwhile'; pick: number; event: EventSpec }
  | { kind: 'signOutMeanwhile' }
  /** Auth ends the session (refresh token revoked); the app asks its user to sign in again. */
  | { kind: 'sessionEndsMeanwhile' }
  /** The session ends and, on the sign-in page that follows, the other user signs in. */
  | { kind: 'takeOverMeanwhile' }

export interface NetworkStep {
  fault: Fault
  meanwhile?: Interleaving
}

export type Request =
  | { kind: 'push'; changes: EventChange[] }
  | { kind: 'pull'; after: string | null; maxRows: number }
  | { kind: 'select'; table: string }

/** What postgrest-js resolves to: it never rejects, a failed fetch is status 0. */
export interface Answer {
  data: unknown
  error: { message: string; code: string } | null
  status: number
}

const never = <T>(): Promise<T> => new Promise<T>(() => undefined)
const fetchFailed: Answer = { data: null, error: { message: 'TypeError: fetch failed', code: '' }, status: 0 }

/** Counts by name, summed over every run: what the faults struck. */
export class Tally {
  readonly counts = new Map<string, number>()
  add(name: string): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1)
  }
  get(name: string): number {
    return this.counts.get(name) ?? 0
  }
}

export class FaultyNetwork {
  online = true
  /** The user acting while a request is in flight; false when they could not (nobody signed in). */
  meanwhile: (step: Interleaving, request: Request['kind']) => Promise<boolean> = async () => false
  /** Told when the running app is killed. */
  onKill: () => void = () => undefined
  /** Pushes sent without any user's token (the server refuses them; none may happen). */
  readonly anonymousPushes: EventChange[][] = []
  private queue: NetworkStep[] = []
  private held: { account: Uuid; changes: EventChange[] }[] = []
  /** The running app; requests of a killed one never leave and never settle. */
  private liveApp = 0
  /** Requests of the running app not answered yet (a new set for each run), and who waits for there to be none. */
  private inFlight = new Set<object>()
  private waitingForQuiet: (() => void)[] = []

  constructor(
    private readonly server: FakeServer,
    private readonly reference: ReferenceData,
    readonly struck: Tally,
  ) {}

  /** From now on, only this run of the app reaches the server. */
  startApp(app: number): void {
    this.liveApp = app
    this.inFlight = new Set()
    this.waitingForQuiet = []
  }

  /** A request of the running app is in flight. */
  get busy(): boolean {
    return this.inFlight.size > 0
  }

  /** Resolves when no request of the running app is in flight (a killed one never is answered). */
  quiet(): Promise<void> {
    if (this.inFlight.size === 0) return Promise.resolve()
    return new Promise((resolve) => this.waitingForQuiet.push(resolve))
  }

  /** The next requests meet these steps, in order. */
  meet(steps: readonly NetworkStep[]): void {
    this.queue.push(...steps)
  }

  /** Healthy from now on: online, nothing queued. */
  heal(): void {
    this.online = true
    this.queue = []
  }

  /** Held-up pushes reach the server now, newest or oldest first. */
  deliverHeld(newestFirst: boolean): void {
    const held = newestFirst ? this.held.reverse() : this.held
    this.held = []
    for (const { account, changes } of held) this.server.push(changes, account)
  }

  async request(app: number, account: Uuid | null, request: Request): Promise<Answer> {
    if (app !== this.liveApp) return never()
    const inFlight = this.inFlight
    const token = {}
    inFlight.add(token)
    try {
      return await this.answer(account, request)
    } finally {
      inFlight.delete(token)
      if (inFlight === this.inFlight && inFlight.size === 0) for (const resolve of this.waitingForQuiet.splice(0)) resolve()
    }
  }

  /** The running app dies: nothing more of it leaves, until the next one starts. */
  private kill(): void {
    this.liveApp = 0
    this.onKill()
  }

  private async answer(account: Uuid | null, request: Request): Promise<Answer> {
    if (!this.online) {
      this.struck.add(`offline ${request.kind}`)
      return fetchFailed
    }
    const { fault, meanwhile } = this.queue.shift() ?? { fault: 'ok' }
    if (meanwhile && (await this.meanwhile(meanwhile, request.kind))) this.struck.add(`${meanwhile.kind} ${request.kind}`)
    if (fault !== 'ok') this.struck.add(`${fault} ${request.kind}`)
    switch (fault) {
      case 'ok':
        return this.serve(account, request)
      case 'dropped':
        return fetchFailed
      case 'lostResponse':
        this.serve(account, request)
        return fetchFailed
      case 'serverError':
        return { data: null, error: { message: 'Internal Server Error', code: '' }, status: 500 }
      case 'expiredToken':
        return { data: null, error: { message: 'JWT expired', code: 'PGRST303' }, status: 401 }
      case 'duplicated':
        this.serve(account, request)
        return this.serve(account, request)
      case 'late':
        if (request.kind === 'push' && account !== null) this.held.push({ account, changes: structuredClone(request.changes) })
        return fetchFailed
      case 'killedBefore':
        this.kill()
        return never()
      case 'killedAfter':
        this.serve(account, request)
        this.kill()
        return never()
    }
  }

  private serve(account: Uuid | null, request: Request): Answer {
    if (request.kind === 'push') {
      if (account === null) {
        this.anonymousPushes.push(structuredClone(request.changes))
        return { data: null, error: { message: 'permission denied for function push_event_changes', code: '42501' }, status: 401 }
      }
      return { data: this.server.push(request.changes, account), error: null, status: 200 }
    }
    if (request.kind === 'pull') {
      if (account === null) return { data: { changes: [], cursor: request.after, has_more: false }, error: null, status: 200 }
      return { data: this.server.pull(request.after, request.maxRows), error: null, status: 200 }
    }
    return { data: account === null ? [] : referenceRows(this.reference, request.table), error: null, status: 200 }
  }
}

function referenceRows(reference: ReferenceData, table: string): unknown[] {
  switch (table) {
    case 'stations': return reference.stations
    case 'teams': return reference.teams
    case 'theme_months': return reference.themeMonths
    case 'people': return reference.people
    case 'team_members': return reference.teamMembers
    case 'work_calendar': return reference.workCalendar
    case 'program_roles': return reference.programRole ? [{ role: reference.programRole }] : []
    default: throw new Error(`no table ${table}`)
  }
}

/**
 * The part of a Supabase client that createSupabaseTransport uses, over the faulty network:
 * the session is the phone's (`sessionUser`), each request carries the token of whoever is
 * signed in when it is sent, and `app` says which run of the app sends it.
 */
export function fakeApiClient(network: FaultyNetwork, sessionUser: () => Uuid | null, app: number): ApiClient {
  const send = (request: Request): PromiseLike<Answer> => ({
    then: (resolve, reject) => network.request(app, sessionUser(), request).then(resolve, reject),
  })
  const query = (table: string) => {
    const builder = {
      select: () => builder,
      order: () => builder,
      eq: () => builder,
      is: () => builder,
      range: () => send({ kind: 'select', table }),
      then: (resolve: (answer: Answer) => unknown, reject: (error: unknown) => unknown) => send({ kind: 'select', table }).then(resolve, reject),
    }
    return builder
  }
  const session = () => {
    const id = sessionUser()
    return { data: { session: id ? { user: { id }, access_token: `token-of-${id}` } : null }, error: null }
  }
  const client = {
    auth: { getSession: async () => session(), refreshSession: async () => session() },
    rpc: (fn: string, args: { changes?: EventChange[]; after?: string | null; max_rows?: number }) => {
      if (fn === 'push_event_changes') return send({ kind: 'push', changes: args.changes! })
      if (fn === 'pull_event_changes') return send({ kind: 'pull', after: args.after ?? null, maxRows: args.max_rows! })
      // A device report changes no event, so the model's faults leave it alone; it is answered at once.
      if (fn === 'report_device') return Promise.resolve({ data: { server_time_ms: Date.now() }, error: null, status: 200 })
      throw new Error(`no function ${fn} in the model`)
    },
    from: query,
  }
  // Only the calls above exist; the transport uses no others.
  return client as unknown as ApiClient
}
