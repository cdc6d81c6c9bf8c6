// An in-memory server with the semantics of push_event_changes and pull_event_changes
// (supabase/migrations/20261127000400_sync_api.sql): idempotent by change_id, conflicts on a
// stale base_revision, deleted is final, pulls by revision including tombstones. It also keeps
// totals per station × month incrementally, as the database's triggers do, so tests can compare
// them with a recomputation. It records which account sent each change and every version of
// every row it wrote, so tests can check whose token carried a change and what anyone could
// have pulled.
import { profileIssues, tidyProfile, type PersonalProfile, type ServerProfile } from '../../../src/domain/person-profile'
import type { DeviceReport } from '../../../src/domain/device-report'
import { hundredthsOfHours } from '../../../src/domain/validation'
import { TransportError } from '../../../src/sync/errors'
import type { ChangeOutcome, EventChange, PullPage, ReferenceData, ServerEvent, ServerRequest, ServiceEventFields } from '../../../src/domain/types'
import type { SyncTransport } from '../../../src/sync/transport'
import { USER } from './fixtures'

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T

export interface MaintainedTotals {
  events: number
  people_served: number
  funds_fen: number
  materials_fen: number
  hundredths: number
  /** person_id → number of events they joined under this key. */
  tallies: Map<string, number>
}

/** A request the fake server holds (adjustment or correction). */
export interface HeldRequest {
  /** As my_requests() shows it. */
  answer: ServerRequest
  /** For an adjustment: the change asked for (fields, or null for a delete). */
  fields: ServiceEventFields | null
}

/** One change as it reached the server, and the account whose token carried it. */
export interface ReceivedChange {
  account: string
  change_id: string
  event_id: string
}

export class FakeServer {
  readonly events = new Map<string, ServerEvent>()
  readonly appliedChanges = new Map<string, number | null>()
  readonly totals = new Map<string, MaintainedTotals>()
  readonly requests = new Map<string, HeldRequest>()
  /** Closed station x theme month keys (`${station}|${month}`). */
  readonly closed = new Set<string>()
  /** Every change that reached the server, in order of arrival, resends included. */
  readonly received: ReceivedChange[] = []
  /** Every version of every row written, in order. */
  readonly written: ServerEvent[] = []
  /** The most rows one pull answers, whatever the caller asks (the real server caps at 1000). */
  pageCap = Infinity
  /** Device reports received, oldest first. */
  readonly reports: DeviceReport[] = []
  private revision = 0
  now = '2023-03-06T00:00:00.000Z'

  /** Applies changes sent with `account`'s token; a new event is recorded by that account. */
  push(changes: EventChange[], account = USER): ChangeOutcome[] {
    for (const change of changes) this.received.push({ account, change_id: change.change_id, event_id: change.event_id })
    return clone(changes).map((change) => this.apply(change, account))
  }

  pull(after: string | null, maxRows: number): PullPage {
    const from = after === null ? 0 : Number(after)
    const rows = Math.min(maxRows, this.pageCap)
    const page = [...this.events.values()]
      .filter((row) => row.revision > from)
      .sort((a, b) => a.revision - b.revision)
      .slice(0, rows)
    const last = page[page.length - 1]
    return { changes: clone(page), cursor: last ? String(last.revision) : after, has_more: page.length >= rows }
  }

  myRequests(): ServerRequest[] {
    return [...this.requests.values()].map((request) => clone(request.answer))
  }

  /** The user's profile as save_my_profile keeps it (null until saved). */
  profile: ServerProfile | null = null

  /** save_my_profile: refuses with the first rule the profile breaks, as the database would. */
  saveProfile(profile: PersonalProfile): ServerProfile {
    const issue = profileIssues(profile, Date.parse(this.now))[0]
    if (issue) throw new TransportError(`violates check constraint "${issue.rule}"`, 400, '23514', issue.rule)
    this.profile = { ...tidyProfile(clone(profile)), person_id: 'person-of-the-user', updated_at: this.now }
    return clone(this.profile)
  }

  /** Keeps the report; answers the server's clock (`now`). */
  reportDevice(report: DeviceReport): { server_time_ms: number } {
    this.reports.push(clone(report))
    return { server_time_ms: Date.parse(this.now) }
  }

  /** Another user's edit or delete, straight on the server. */
  edit(id: string, patch: Partial<ServiceEventFields> & { deleted?: boolean }): ServerEvent {
    const current = this.events.get(id)!
    const { deleted, ...fields } = patch
    const next = { ...current, ...fields, deleted_at: deleted ? this.now : current.deleted_at }
    return this.write(next, current)
  }

  insert(id: string, fields: ServiceEventFields, recordedBy = USER): ServerEvent {
    return this.write({
      ...clone(fields), id, recorded_by: recordedBy, revision: 0, deleted_at: null, created_at: this.now, updated_at: this.now,
    }, undefined)
  }

  liveEvents(): ServerEvent[] {
    return [...this.events.values()].filter((row) => row.deleted_at === null)
  }

  /** A coordinator closes a station x theme month. */
  close(stationId: string, themeMonthId: string): void {
    this.closed.add(`${stationId}|${themeMonthId}`)
  }

  /** A coordinator decides an adjustment request; approving applies the change, closed or not. */
  decide(requestId: string, approve: boolean, reason: string | null = null): void {
    const { answer: request, fields } = this.requests.get(requestId)!
    request.status = approve ? 'approved' : 'declined'
    request.decision_reason = reason
    request.decided_at = this.now
    if (!approve) return
    const current = this.events.get(request.event_id)
    const written = fields
      ? this.write(current
        ? { ...current, ...clone(fields) }
        : { ...clone(fields), id: request.event_id, recorded_by: USER, revision: 0, deleted_at: null, created_at: this.now, updated_at: this.now },
      current)
      : this.write({ ...current!, deleted_at: this.now }, current)
    request.applied_revision = written.revision
  }

  private isClosed(row: Pick<ServiceEventFields, 'station_id' | 'theme_month_id'> | undefined | null): boolean {
    return !!row && this.closed.has(`${row.station_id}|${row.theme_month_id}`)
  }

  private apply(change: EventChange, account: string): ChangeOutcome {
    const known = this.appliedChanges.get(change.change_id)
    if (known !== undefined) {
      return { change_id: change.change_id, event_id: change.event_id, status: 'duplicate', revision: known }
    }
    const base = { change_id: change.change_id, event_id: change.event_id }
    if (change.op === 'adjust' || change.op === 'correct') {
      this.requests.set(change.change_id, {
        answer: {
          id: change.change_id, kind: change.op === 'adjust' ? 'adjustment' : 'correction', event_id: change.event_id,
          status: 'pending', reason_or_note: (change.op === 'adjust' ? change.reason : change.note) ?? '', decision_reason: null,
          decided_at: null, applied_revision: null,
        },
        fields: change.event ? clone(change.event) : null,
      })
      this.appliedChanges.set(change.change_id, null)
      return { ...base, status: 'applied', revision: null }
    }
    const current = this.events.get(change.event_id)
    if (!current && (change.op !== 'upsert' || change.base_revision !== null)) {
      return { ...base, status: 'conflict', reason: 'missing' }
    }
    let revision: number
    if (current?.deleted_at && change.op === 'delete') {
      revision = current.revision
    } else if (current && (current.deleted_at !== null || change.base_revision !== current.revision)) {
      return { ...base, status: 'conflict', reason: current.deleted_at ? 'deleted' : 'changed', server: clone(current) }
    } else if (this.isClosed(current) || this.isClosed(change.event)) {
      return { ...base, status: 'rejected', code: '23514', rule: 'period_closed', message: 'the station and theme month are closed' }
    } else if (change.op === 'confirm') {
      revision = this.write({ ...current!, confirmed_at: this.now, confirmed_by: account }, current, true).revision
    } else if (change.op === 'delete') {
      revision = this.write({ ...current!, deleted_at: this.now }, current).revision
    } else {
      const fields = change.event!
      if (fields.participants.length === 0) {
        return { ...base, status: 'rejected', code: '23514', rule: 'service_events_has_participants', message: 'an event needs at least one participant' }
      }
      const participants = [...fields.participants].sort((a, b) => a.person_id.localeCompare(b.person_id))
      revision = this.write(current
        ? { ...current, ...fields, participants }
        : { ...fields, participants, id: change.event_id, recorded_by: account, revision: 0, deleted_at: null, created_at: this.now, updated_at: this.now },
      current).revision
    }
    this.appliedChanges.set(change.change_id, revision)
    return { ...base, status: 'applied', revision }
  }

  /** Writes a row; any write but a confirmation leaves the event unconfirmed, as the database does. */
  private write(next: ServerEvent, previous: ServerEvent | undefined, confirming = false): ServerEvent {
    if (previous && previous.deleted_at === null) this.count(previous, -1)
    const confirmation = confirming ? {} : { confirmed_at: null, confirmed_by: null }
    const row = { ...next, ...confirmation, revision: ++this.revision, updated_at: this.now }
    this.events.set(row.id, row)
    this.written.push(clone(row))
    if (row.deleted_at === null) this.count(row, 1)
    return row
  }

  private count(row: ServerEvent, sign: 1 | -1): void {
    const key = `${row.station_id}|${row.theme_month_id}`
    const totals = this.totals.get(key) ?? {
      events: 0, people_served: 0, funds_fen: 0, materials_fen: 0, hundredths: 0, tallies: new Map<string, number>(),
    }
    totals.events += sign
    totals.people_served += sign * row.people_served
    totals.funds_fen += sign * row.funds_fen
    totals.materials_fen += sign * row.materials_fen
    for (const participant of row.participants) {
      totals.hundredths += sign * hundredthsOfHours(participant.hours)
      const tally = (totals.tallies.get(participant.person_id) ?? 0) + sign
      if (tally === 0) totals.tallies.delete(participant.person_id)
      else totals.tallies.set(participant.person_id, tally)
    }
    this.totals.set(key, totals)
  }
}

export const emptyReference: ReferenceData = {
  workCalendar: [],
  stations: [], teams: [], themeMonths: [], people: [], teamMembers: [], programRole: null,
}

/** A transport straight onto a FakeServer, recording what it was asked. */
export class ServerTransport implements SyncTransport {
  readonly pushed: EventChange[][] = []
  readonly pulledAfter: (string | null)[] = []
  /** What fetchReference answers. */
  reference: ReferenceData = emptyReference
  constructor(readonly server: FakeServer) {}

  async push(changes: EventChange[]): Promise<ChangeOutcome[]> {
    this.pushed.push(clone(changes))
    return this.server.push(changes)
  }

  async pull(after: string | null, maxRows: number): Promise<PullPage> {
    this.pulledAfter.push(after)
    return this.server.pull(after, maxRows)
  }

  async myRequests(): Promise<ServerRequest[]> {
    return this.server.myRequests()
  }

  async fetchReference(): Promise<ReferenceData> {
    return this.reference
  }

  async saveProfile(profile: PersonalProfile): Promise<ServerProfile> {
    return this.server.saveProfile(profile)
  }

  async reportDevice(report: DeviceReport): Promise<{ server_time_ms: number }> {
    return this.server.reportDevice(report)
  }
}
