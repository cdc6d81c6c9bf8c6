// Every rule the database enforces on an event, checked on the phone before saving, so that a
// volunteer offline learns at once what the server would refuse days later. Each issue names its
// rule exactly as the database names the constraint (or the trigger's rule), so the UI translates
// local and server errors with one table (i18n `rules.*`). A few rules have no constraint name of
// their own in the database and use the i18n table's names: 'required', '*_format',
// 'event_participants_unique' (the primary key of event_participants) and 'permission' (RLS).
// Typed text is trimmed and checked for hidden characters exactly as the database does it
// (supabase/migrations/20261201000100_typed_text.sql), for events and reference data alike.
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
  /**
   * People already taking part in the event on the server. The membership rule holds for new
   * participants only, so that a past event keeps a participant who has left the team.
   */
  keptParticipantIds?: readonly Uuid[]
}

// Limits as in supabase/migrations/20261127000200_service_events.sql (those of texts: TEXT_RULES).
export const LIMITS = {
  maxDurationMs: 24 * 60 * 60 * 1000,
  maxPeopleServed: 100_000,
  maxFen: 1_000_000_000,
  maxHundredthsOfHours: 24 * 100,
  /** The server accepts events ending up to 15 minutes ahead of its clock (fast phone clocks). */
  futureToleranceMs: 15 * 60 * 1000,
} as const

/** Characters as Postgres char_length counts them (code points, not UTF-16 units). */
const charLength = (text: string): number => [...text].length

// Unicode White_Space, as private.whitespace lists it.
const WHITESPACE = '\\t\\n\\v\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000'
const AROUND = new RegExp(`^[${WHITESPACE}]+|[${WHITESPACE}]+$`, 'gu')

/** The text without Unicode whitespace at either end, as the database stores typed text. */
export function trimText(text: string): string {
  return text.replace(AROUND, '')
}

// Control (Cc) and format (Cf) characters as private.hidden_character_pattern finds them, the
// zero-width joiner (U+200D) aside, and lone surrogates (the half of a character that JSON
// cannot carry to the server). Line feed and carriage return are listed apart: notes keep them.
const LINE_BREAKS = '\\n\\r'
const OTHER_CONTROLS = '\\u0000-\\u0009\\u000B\\u000C\\u000E-\\u001F'
const CONTROL_AND_FORMAT =
  '\\u007F-\\u009F\\u00AD\\u0600-\\u0605\\u061C\\u06DD\\u070F\\u0890\\u0891\\u08E2\\u180E\\u200B\\u200C\\u200E\\u200F' +
  '\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u206F\\uFEFF\\uFFF9-\\uFFFB\\u{110BD}\\u{110CD}\\u{13430}-\\u{1343F}' +
  '\\u{1BCA0}-\\u{1BCA3}\\u{1D173}-\\u{1D17A}\\u{E0001}\\u{E0020}-\\u{E007F}\\uD800-\\uDFFF'
// A zero-width joiner joins two visible characters (emoji); next to whitespace, a control or
// format character, or at either end, it is refused.
const JOINER_NEIGHBOURS = '\\u0000-\\u0020\\u007F-\\u00A0\\u1680\\u2000-\\u200F\\u2028-\\u202F\\u205F-\\u206F\\u3000\\uFEFF'
const STRAY_JOINER = `(?<![^${JOINER_NEIGHBOURS}])\\u200D|\\u200D(?![^${JOINER_NEIGHBOURS}])`
const HIDDEN = new RegExp(`[${LINE_BREAKS}${OTHER_CONTROLS}${CONTROL_AND_FORMAT}]|${STRAY_JOINER}`, 'u')
const HIDDEN_BUT_LINE_BREAKS = new RegExp(`[${OTHER_CONTROLS}${CONTROL_AND_FORMAT}]|${STRAY_JOINER}`, 'u')

/** Whether the text holds a control or format character (line breaks allowed when asked). */
export function hasHiddenCharacters(text: string, lineBreaks = false): boolean {
  return (lineBreaks ? HIDDEN_BUT_LINE_BREAKS : HIDDEN).test(text)
}

interface TextRule {
  min: number
  max: number
  /** Whether line breaks are allowed (notes). */
  lineBreaks?: boolean
}

/** Every column people type into, with its length limits, as in the migrations. */
export const TEXT_RULES = {
  service_events_title: { min: 1, max: 100 },
  service_events_note: { min: 0, max: 2000, lineBreaks: true },
  service_events_materials_description: { min: 0, max: 500 },
  service_events_place: { min: 0, max: 200 },
  service_events_service_content: { min: 1, max: 500, lineBreaks: true },
  service_events_organizing_unit: { min: 1, max: 100 },
  stations_name: { min: 1, max: 100 },
  stations_address: { min: 0, max: 200 },
  teams_name: { min: 1, max: 100 },
  teams_chamber: { min: 0, max: 100 },
  theme_months_theme: { min: 1, max: 100 },
  people_display_name: { min: 1, max: 50 },
} as const satisfies Record<string, TextRule>

export type TextColumn = keyof typeof TEXT_RULES

/**
 * The rule a typed text breaks once trimmed, as the database names it (`<column>_characters`,
 * `<column>_length`), or null when the database would take it.
 */
export function textRule(column: TextColumn, text: string): string | null {
  const rule: TextRule = TEXT_RULES[column]
  const trimmed = trimText(text)
  if (hasHiddenCharacters(trimmed, rule.lineBreaks)) return `${column}_characters`
  const length = charLength(trimmed)
  return length < rule.min || length > rule.max ? `${column}_length` : null
}

/** Hours as numeric(4, 2) stores them: rounded to hundredths. */
export function hundredthsOfHours(hours: number): number {
  return Math.round(Number((hours * 100).toPrecision(12)))
}

function checkText(fields: ServiceEventFields, issues: ValidationIssue[]): void {
  for (const field of ['title', 'note', 'materials_description'] as const) {
    const rule = textRule(`service_events_${field}`, fields[field] ?? '')
    if (rule) issues.push({ field, rule })
  }
  // The complete record's texts, when given: a version without them gets the server's defaults.
  for (const field of ['place', 'service_content', 'organizing_unit'] as const) {
    const text = fields[field]
    const rule = text === undefined ? null : textRule(`service_events_${field}`, text)
    if (rule) issues.push({ field, rule })
  }
}

/** The person in charge, when given, is one of the participants (as the database checks at commit). */
function checkPersonInCharge(fields: ServiceEventFields, issues: ValidationIssue[]): void {
  const person = fields.person_in_charge
  // Without participants, service_events_has_participants says what is wrong.
  if (person === undefined || person === null || (fields.participants ?? []).length === 0) return
  if (person === '') issues.push({ field: 'person_in_charge', rule: 'required' })
  else if (!fields.participants.some((p) => p.person_id === person)) {
    issues.push({ field: 'person_in_charge', rule: 'service_events_person_in_charge_participant' })
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
  if (fields.materials_fen !== 0 && trimText(fields.materials_description ?? '') === '') {
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
  ] as const
  for (const [field, known, rule] of references) {
    if (!fields[field]) issues.push({ field, rule: 'required' })
    else if (known && !known.some((row) => row.id === fields[field])) issues.push({ field, rule })
  }
  // No theme month is fine: the server puts the event in its month's, made on first use.
  if (fields.theme_month_id && context.themeMonths && !context.themeMonths.some((row) => row.id === fields.theme_month_id)) {
    issues.push({ field: 'theme_month_id', rule: 'service_events_theme_month_id_fkey' })
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
      !context.keptParticipantIds?.includes(participant.person_id) &&
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
  checkPersonInCharge(fields, issues)
  return issues
}
