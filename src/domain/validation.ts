// Every rule the database enforces on an event, checked on the phone before saving, so that a
// volunteer offline learns at once what the server would refuse days later. Each issue names its
// rule exactly as the database names the constraint (or the trigger's rule), so the UI translates
// local and server errors with one table (i18n `rules.*`). A few rules have no constraint name of
// their own in the database and use the i18n table's names: 'required', '*_format',
// 'event_participants_unique' (the primary key of event_participants) and 'permission' (RLS).
import { parseInstant, shanghaiMonthOf } from './time'
import type { ServiceEventFields, Station, Team, TeamMember, ThemeMonth, Uuid } from './types'

export type ValidationField =
  | keyof ServiceEventFields
  | `participants.${number}.person_id`
  | `participants.${number}.hours`

export interface ValidationIssue {
  field: ValidationField
  rule: string
}

/** What the rules need besides the fields; reference lists are checked only when given. */
export interface ValidationContext {
  /** The phone's clock, in ms since the epoch. */
  now: number
  stations?: readonly Station[]
  teams?: readonly Team[]
  themeMonths?: readonly ThemeMonth[]
  teamMembers?: readonly TeamMember[]
  /** Teams the user may record events for (RLS); every team when absent. */
  allowedTeamIds?: readonly Uuid[]
}

// Limits as in supabase/migrations/20261127000200_service_events.sql.
export const LIMITS = {
  titleChars: 100,
  noteChars: 2000,
  materialsDescriptionChars: 500,
  maxDurationMs: 24 * 60 * 60 * 1000,
  maxPeopleServed: 100_000,
  maxFen: 1_000_000_000,
  maxHundredthsOfHours: 24 * 100,
  /** The server accepts events ending up to 15 minutes ahead of its clock (fast phone clocks). */
  futureToleranceMs: 15 * 60 * 1000,
} as const

/** Characters as Postgres char_length counts them (code points, not UTF-16 units). */
const charLength = (text: string): number => [...text].length
/** Postgres btrim(text) without a second argument strips spaces only. */
const btrim = (text: string): string => text.replace(/^ +| +$/g, '')

/** Hours as numeric(4, 2) stores them: rounded to hundredths. */
export function hundredthsOfHours(hours: number): number {
  return Math.round(Number((hours * 100).toPrecision(12)))
}

function checkText(fields: ServiceEventFields, issues: ValidationIssue[]): void {
  const titleLength = charLength(btrim(fields.title ?? ''))
  if (titleLength < 1 || titleLength > LIMITS.titleChars) {
    issues.push({ field: 'title', rule: 'service_events_title_length' })
  }
  if (charLength(fields.note ?? '') > LIMITS.noteChars) {
    issues.push({ field: 'note', rule: 'service_events_note_length' })
  }
  if (charLength(fields.materials_description ?? '') > LIMITS.materialsDescriptionChars) {
    issues.push({ field: 'materials_description', rule: 'service_events_materials_description_length' })
  }
}

function checkAmounts(fields: ServiceEventFields, issues: ValidationIssue[]): void {
  if (!Number.isInteger(fields.people_served)) {
    issues.push({ field: 'people_served', rule: 'integer_format' })
  } else if (fields.people_served < 0 || fields.people_served > LIMITS.maxPeopleServed) {
    issues.push({ field: 'people_served', rule: 'service_events_people_served_range' })
  }
  const money = [
    ['funds_fen', 'service_events_funds_range'],
    ['materials_fen', 'service_events_materials_range'],
  ] as const
  for (const [field, rule] of money) {
    const fen = fields[field]
    if (!Number.isInteger(fen)) issues.push({ field, rule: 'money_format' })
    else if (fen < 0 || fen > LIMITS.maxFen) issues.push({ field, rule })
  }
  if (fields.materials_fen !== 0 && charLength(btrim(fields.materials_description ?? '')) === 0) {
    issues.push({ field: 'materials_description', rule: 'service_events_materials_described' })
  }
}

/** Checks the times; returns the event's duration in ms when both times are valid. */
function checkTimes(fields: ServiceEventFields, context: ValidationContext, issues: ValidationIssue[]): number | null {
  const started = parseInstant(fields.started_at ?? '')
  const ended = parseInstant(fields.ended_at ?? '')
  if (started === null) issues.push({ field: 'started_at', rule: 'time_format' })
  if (ended === null) issues.push({ field: 'ended_at', rule: 'time_format' })
  if (ended !== null && ended > context.now + LIMITS.futureToleranceMs) {
    issues.push({ field: 'ended_at', rule: 'service_events_not_in_future' })
  }
  if (started === null || ended === null) return null
  if (ended <= started) {
    issues.push({ field: 'ended_at', rule: 'service_events_ends_after_start' })
  } else if (ended - started > LIMITS.maxDurationMs) {
    issues.push({ field: 'ended_at', rule: 'service_events_duration_at_most_a_day' })
  }
  return ended - started
}

function checkReferences(fields: ServiceEventFields, context: ValidationContext, issues: ValidationIssue[]): void {
  const references = [
    ['station_id', context.stations, 'service_events_station_id_fkey'],
    ['team_id', context.teams, 'service_events_team_id_fkey'],
    ['theme_month_id', context.themeMonths, 'service_events_theme_month_id_fkey'],
  ] as const
  for (const [field, known, rule] of references) {
    if (!fields[field]) issues.push({ field, rule: 'required' })
    else if (known && !known.some((row) => row.id === fields[field])) issues.push({ field, rule })
  }
  if (fields.team_id && context.allowedTeamIds && !context.allowedTeamIds.includes(fields.team_id)) {
    issues.push({ field: 'team_id', rule: 'permission' })
  }
  const themeMonth = context.themeMonths?.find((row) => row.id === fields.theme_month_id)
  const startMonth = shanghaiMonthOf(fields.started_at ?? '')
  if (themeMonth && startMonth !== null && themeMonth.month !== startMonth) {
    issues.push({ field: 'theme_month_id', rule: 'service_events_theme_month_matches_date' })
  }
}

function checkParticipants(
  fields: ServiceEventFields,
  context: ValidationContext,
  durationMs: number | null,
  issues: ValidationIssue[],
): void {
  const participants = fields.participants ?? []
  if (participants.length === 0) {
    issues.push({ field: 'participants', rule: 'service_events_has_participants' })
  }
  const seen = new Set<Uuid>()
  participants.forEach((participant, index) => {
    const hoursField = `participants.${index}.hours` as const
    const personField = `participants.${index}.person_id` as const
    if (!participant.person_id) {
      issues.push({ field: personField, rule: 'required' })
    } else if (seen.has(participant.person_id)) {
      issues.push({ field: personField, rule: 'event_participants_unique' })
    } else if (
      context.teamMembers &&
      fields.team_id &&
      !context.teamMembers.some((m) => m.team_id === fields.team_id && m.person_id === participant.person_id)
    ) {
      issues.push({ field: personField, rule: 'event_participants_team_member' })
    }
    seen.add(participant.person_id)

    if (typeof participant.hours !== 'number' || !Number.isFinite(participant.hours)) {
      issues.push({ field: hoursField, rule: 'number_format' })
      return
    }
    const hundredths = hundredthsOfHours(participant.hours)
    if (hundredths <= 0 || hundredths > LIMITS.maxHundredthsOfHours) {
      issues.push({ field: hoursField, rule: 'event_participants_hours_range' })
    } else if (durationMs !== null && durationMs > 0 && hundredths * 36_000 > durationMs) {
      issues.push({ field: hoursField, rule: 'event_participants_hours_within_event' })
    }
  })
}

/** Every rule the event breaks; empty when the server would accept it (as far as the phone knows). */
export function validateEvent(fields: ServiceEventFields, context: ValidationContext): ValidationIssue[] {
  const issues: ValidationIssue[] = []
  checkReferences(fields, context, issues)
  const durationMs = checkTimes(fields, context, issues)
  checkText(fields, issues)
  checkAmounts(fields, issues)
  checkParticipants(fields, context, durationMs, issues)
  return issues
}
