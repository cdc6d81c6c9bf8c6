// The shapes of the program's data, as the database and the sync API define them
// (supabase/migrations). Money is integer fen; times are ISO 8601 strings with offset.
import type { CalendarException } from './workdays'

export type Uuid = string

export interface Station {
  id: Uuid
  name: string
  address: string
}

export interface Team {
  id: Uuid
  name: string
  chamber: string
  /**
   * The unit that records the team's service (活动组织单位 of its events by default); absent in
   * reference data kept by app versions before the ledger.
   */
  recording_unit?: string
}

export interface ThemeMonth {
  id: Uuid
  /** First day of the month, YYYY-MM-01. */
  month: string
  theme: string
  /**
   * False while the month keeps the placeholder theme it was made with (on an event's first use
   * of it, or a year made at once) until a coordinator names it; absent in reference data kept
   * by app versions before it (those months were all named).
   */
  named?: boolean
}

export interface Person {
  id: Uuid
  display_name: string
  user_id: Uuid | null
}

export type TeamRole = 'member' | 'leader'

export interface TeamMember {
  team_id: Uuid
  person_id: Uuid
  role: TeamRole
}

export type ProgramRole = 'coordinator' | 'admin'

export interface Participant {
  person_id: Uuid
  /** Hours given, > 0, at most 24 and at most the event's duration; two decimals. */
  hours: number
}

/** What a volunteer enters for an event (the fields the push API takes). */
export interface ServiceEventFields {
  station_id: Uuid
  team_id: Uuid
  /**
   * Null when the phone knows no theme month for the event's month: the server then puts it in
   * that month's theme month, made on first use. (The server's rows always have one.)
   */
  theme_month_id: Uuid | null
  started_at: string
  ended_at: string
  title: string
  note: string
  people_served: number
  funds_fen: number
  materials_fen: number
  materials_description: string
  participants: Participant[]
  // The complete record of the 办法 (Art. 7). Absent from changes queued and events kept by app
  // versions before the ledger: the server then fills its defaults (an edit keeps its values).
  /** 地点: where it took place; by default the station's address. */
  place?: string
  /** 服务内容: what the volunteers did (apart from the free note). */
  service_content?: string
  /** 活动负责人: one of the participants; by default the team's leader. */
  person_in_charge?: Uuid | null
  /** 活动组织单位: by default the team's recording unit. */
  organizing_unit?: string
  /** When it was first saved (on the phone); taken by the server from a create only. */
  recorded_at?: string
}

/** An event as the server holds it (pull_event_changes, conflicts). */
export interface ServerEvent extends ServiceEventFields {
  id: Uuid
  recorded_by: Uuid
  revision: number
  deleted_at: string | null
  created_at: string
  updated_at: string
  /** Confirmed by a leader of the team (absent from servers before the ledger). */
  confirmed_at?: string | null
  confirmed_by?: Uuid | null
}

/**
 * What a change does: write the event (upsert, delete), confirm it as a leader, or ask for it:
 * an adjustment of a closed month (adjust) or a correction of one's own record (correct).
 */
export type ChangeOp = 'upsert' | 'delete' | 'confirm' | 'adjust' | 'correct'

/** One change sent to push_event_changes. base_revision is null for a new event. */
export interface EventChange {
  change_id: Uuid
  event_id: Uuid
  op: ChangeOp
  base_revision: number | null
  /** The event's fields: for upsert, and for adjust unless it asks for a delete. */
  event?: ServiceEventFields | null
  /** Why an adjustment is asked for (adjust). */
  reason?: string
  /** What is wrong with the record (correct). */
  note?: string
}

export type ChangeOutcome =
  /** revision is null for a request (adjust, correct): it changes no event. */
  | { change_id: Uuid; event_id: Uuid; status: 'applied' | 'duplicate'; revision: number | null }
  | { change_id: Uuid; event_id: Uuid; status: 'conflict'; reason: 'missing' | 'deleted' | 'changed'; server?: ServerEvent }
  | { change_id: Uuid; event_id: Uuid; status: 'rejected'; code: string; rule: string | null; message: string }

/** Answer of pull_event_changes: changes after the cursor, oldest first. */
export interface PullPage {
  changes: ServerEvent[]
  /** Opaque; pass back as `after`. Null until the first page with rows. */
  cursor: string | null
  has_more: boolean
}

/** The figures totalled over a group of events (the columns of the server's totals tables). */
export interface GroupTotals {
  events: number
  volunteers: number
  volunteer_hours: number
  people_served: number
  funds_fen: number
  materials_fen: number
}

/** Figures of one station × theme month within the dashboard's filters. */
export interface StationMonthFigures extends GroupTotals {
  station_id: Uuid
  theme_month_id: Uuid
}

/** Figures of one team within the dashboard's filters. */
export interface TeamFigures extends GroupTotals {
  team_id: Uuid
}

/** The dashboard's filters; null means all. */
export interface TotalsFilter {
  year: number | null
  station_id: Uuid | null
  theme_month_id: Uuid | null
  team_id: Uuid | null
}

export interface ProgramTotals {
  teams: number
  volunteers: number
  stations: number
  events: number
  volunteer_hours: number
  people_served: number
  funds_fen: number
  materials_fen: number
}

// ---- The phone's own records (IndexedDB), built on the shapes above. ----

/** Where a local event stands with the server. */
/**
 * 'awaiting': refused because its month is closed, then sent as an adjustment request; the
 * coordinator's decision is awaited (the request is on the server, the change is not applied).
 */
export type SyncState = 'pending' | 'synced' | 'failed' | 'conflict' | 'awaiting'

/** Why the server refused a change: SQLSTATE, rule (constraint) name and message. */
export interface SyncFailure {
  code: string
  rule: string | null
  message: string
}

export type ConflictReason = 'missing' | 'deleted' | 'changed'

/** The server's version of an event as the phone last saw it. */
export interface ServerCopy {
  fields: ServiceEventFields
  revision: number
  deleted: boolean
  recordedBy: Uuid | null
  confirmation: Confirmation | null
}

/** A leader's confirmation of an event, as the server recorded it. */
export interface Confirmation {
  at: string
  by: Uuid | null
}

/** An event on the phone: the fields as the user last saved them, and their sync state. */
export interface LocalEvent extends ServiceEventFields {
  id: Uuid
  /** Deleted by the user (queued) or a synced tombstone; views hide these. */
  deleted: boolean
  syncState: SyncState
  /** Set when syncState is 'failed'. */
  failure: SyncFailure | null
  /** Set when syncState is 'conflict'. */
  conflictReason: ConflictReason | null
  /** The server revision this version is based on (base_revision of the next push); null if never on the server. */
  serverRevision: number | null
  /** The latest server version seen: restored by discard / take-server. */
  server: ServerCopy | null
  /** Who recorded it (the server's recorded_by; the signed-in user for a new event). */
  recordedBy: Uuid | null
  /** When the user last saved it on this phone (ISO 8601). */
  savedAt: string
  /**
   * The leader's confirmation of this version, as far as the phone knows (absent in records of
   * app versions before the ledger); a queued confirmation shows as 'queued' until it is applied.
   */
  confirmation?: Confirmation | 'queued' | null
}

/** A request the user sent about an event, and what became of it. */
export interface EventRequest {
  /** The change id it was sent with (the server's id of the request). */
  id: Uuid
  kind: 'adjustment' | 'correction'
  eventId: Uuid
  /** The event's title when the request was made, to name it when the event is gone. */
  eventTitle: string
  /** The user's reason (adjustment) or note (correction). */
  text: string
  /** queued on the phone, pending on the server, decided, or refused by the server's rules (failure). */
  status: 'queued' | 'pending' | 'approved' | 'declined' | 'resolved' | 'refused'
  /** Why the server refused it (status 'refused'). */
  failure: SyncFailure | null
  /** Why it was declined or how it was resolved, in the decider's words. */
  decisionReason: string | null
  decidedAt: string | null
  createdAt: string
}

/** A request as my_requests() answers it. */
export interface ServerRequest {
  id: Uuid
  kind: 'adjustment' | 'correction'
  event_id: Uuid
  status: 'pending' | 'approved' | 'declined' | 'resolved'
  reason_or_note: string
  decision_reason: string | null
  decided_at: string | null
  applied_revision: number | null
}

/** Reference data the forms need offline, as the signed-in user may see it. */
export interface ReferenceData {
  stations: Station[]
  teams: Team[]
  themeMonths: ThemeMonth[]
  people: Person[]
  teamMembers: TeamMember[]
  /** The official exceptions to Monday-Friday (work_calendar), for the recording deadline. */
  workCalendar: CalendarException[]
  /** The signed-in user's program-wide role, if any. */
  programRole: ProgramRole | null
}

/** A team's invite code as its leaders see it (team_invites). */
export interface TeamInvite {
  team_id: Uuid
  /** 8 characters; shown as ABCD-EFGH. */
  code: string
  expires_at: string
}

export type JoinRequestStatus = 'pending' | 'approved' | 'declined'

/** A request to join a team (join_requests), as its requester, the team's leaders and coordinators see it. */
export interface JoinRequest {
  id: Uuid
  team_id: Uuid
  user_id: Uuid
  /** The name the newcomer gave. */
  display_name: string
  status: JoinRequestStatus
  /** The person the account was linked to, once approved. */
  person_id: Uuid | null
  decided_at: string | null
  created_at: string
}

/** A person of a team without an account, whom a leader may link to a newcomer's account. */
export interface ClaimablePerson {
  team_id: Uuid
  person_id: Uuid
  display_name: string
  /** Left the team (named in its past events). */
  former: boolean
}

/** Who the signed-in user is in the program, kept on the phone for offline starts. */
export interface Profile {
  userId: Uuid
  email: string
  programRole: ProgramRole | null
  personId: Uuid | null
  myTeamIds: Uuid[]
  ledTeamIds: Uuid[]
}
