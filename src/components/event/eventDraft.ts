// What the event form holds while someone types (strings, as the inputs give them), and its
// conversion to the fields the store saves. Dates and times are read in the program's time zone
// (Kunming), the zone the server uses to match an event to its theme month.
import { fenToYuanText, parseYuan } from '../../domain/money'
import { shanghaiDateOf, shanghaiInstant, shanghaiTimeOf } from '../../domain/time'
import type { Participant, ServiceEventFields, Station, Team, ThemeMonth, Uuid } from '../../domain/types'
import { trimText, validateEvent, type ValidationContext } from '../../domain/validation'

export interface ParticipantDraft {
  person_id: string
  hours: string
}

export interface EventDraft {
  station_id: string
  team_id: string
  /** The date's theme month as the phone knows it; '' when it knows none (the server makes it). */
  theme_month_id: string
  /** YYYY-MM-DD in Kunming. */
  date: string
  /** HH:MM in Kunming. */
  start: string
  end: string
  participants: ParticipantDraft[]
  people_served: string
  funds: string
  materials: string
  materials_description: string
  title: string
  note: string
  /** 地点; starts at the station's address. */
  place: string
  /** 服务内容 */
  service_content: string
  /** 活动负责人: a participant's person id; starts at the team's leader when taking part. */
  person_in_charge: string
  /** 活动组织单位; starts at the team's recording unit. */
  organizing_unit: string
}

/** The form's own fields, and `participant:<person_id>` for one volunteer's hours. */
export type DraftField = Exclude<keyof EventDraft, 'participants'> | 'participants' | `participant:${string}`

export interface FieldIssue {
  field: DraftField
  rule: string
}

export function themeMonthForDate(themeMonths: readonly ThemeMonth[], date: string): ThemeMonth | undefined {
  return themeMonths.find((m) => m.month.slice(0, 7) === date.slice(0, 7))
}

export function emptyDraft(prefill: Partial<EventDraft> = {}): EventDraft {
  return {
    station_id: '',
    team_id: '',
    theme_month_id: '',
    date: shanghaiDateOf(Date.now()) ?? '',
    start: '',
    end: '',
    participants: [],
    people_served: '0',
    funds: '0',
    materials: '0',
    materials_description: '',
    title: '',
    note: '',
    place: '',
    service_content: '',
    person_in_charge: '',
    organizing_unit: '',
    ...prefill,
  }
}

export function draftFromEvent(event: ServiceEventFields): EventDraft {
  return {
    station_id: event.station_id,
    team_id: event.team_id,
    theme_month_id: event.theme_month_id ?? '',
    date: shanghaiDateOf(event.started_at) ?? '',
    start: shanghaiTimeOf(event.started_at) ?? '',
    end: shanghaiTimeOf(event.ended_at) ?? '',
    participants: event.participants.map((p) => ({ person_id: p.person_id, hours: String(p.hours) })),
    people_served: String(event.people_served),
    funds: fenToYuanText(event.funds_fen),
    materials: fenToYuanText(event.materials_fen),
    materials_description: event.materials_description,
    title: event.title,
    note: event.note,
    // An event kept by an app before the ledger has none of these: the form fills its defaults.
    place: event.place ?? '',
    service_content: event.service_content ?? '',
    person_in_charge: event.person_in_charge ?? '',
    organizing_unit: event.organizing_unit ?? '',
  }
}

/** What the complete record's defaults come from: the chosen station's address, the team's unit and leaders. */
export interface DraftDefaults {
  stations: readonly Station[]
  teams: readonly Team[]
  /** The people who lead the draft's team now. */
  leaderIds: readonly Uuid[]
}

/** The unit that records a team's service: its recording unit, else (as the server fills it) its chamber or name. */
export function recordingUnitOf(team: Team | undefined): string {
  if (!team) return ''
  return team.recording_unit || team.chamber || team.name
}

function addressOf(defaults: DraftDefaults, stationId: string): string {
  return defaults.stations.find((s) => s.id === stationId)?.address ?? ''
}

/** The person in charge: the one chosen while taking part, else a leader taking part, else the first participant. */
function personInChargeOf(draft: EventDraft, leaderIds: readonly Uuid[]): string {
  const ids = draft.participants.map((p) => p.person_id)
  if (ids.includes(draft.person_in_charge)) return draft.person_in_charge
  return ids.find((id) => leaderIds.includes(id)) ?? ids[0] ?? ''
}

/**
 * The draft after a change, its defaults following: the place follows the station and the
 * organizing unit the team while they still hold the previous default (or nothing), so that
 * what the user typed stays; the person in charge stays one of the participants.
 */
export function followDefaults(previous: EventDraft, next: EventDraft, defaults: DraftDefaults): EventDraft {
  const followed = { ...next }
  const oldAddress = addressOf(defaults, previous.station_id)
  if (next.place === '' || (next.station_id !== previous.station_id && next.place === oldAddress)) {
    followed.place = addressOf(defaults, next.station_id)
  }
  const oldUnit = recordingUnitOf(defaults.teams.find((t) => t.id === previous.team_id))
  if (next.organizing_unit === '' || (next.team_id !== previous.team_id && next.organizing_unit === oldUnit)) {
    followed.organizing_unit = recordingUnitOf(defaults.teams.find((t) => t.id === next.team_id))
  }
  followed.person_in_charge = personInChargeOf(next, defaults.leaderIds)
  return followed
}

/** A draft whose empty complete-record fields take their defaults (a fresh form, an older event or draft). */
export function withDefaults(draft: EventDraft, defaults: DraftDefaults): EventDraft {
  return followDefaults(draft, draft, defaults)
}

/**
 * The draft read as event fields, and the inputs that cannot be read at all (text where a
 * number belongs, a time that does not exist). Unreadable values are left empty or zero in the
 * fields so that the domain rules can still check everything else.
 */
export function fieldsFromDraft(draft: EventDraft): { fields: ServiceEventFields; issues: FieldIssue[] } {
  const issues: FieldIssue[] = []
  if (!draft.date) issues.push({ field: 'date', rule: 'required' })
  // The 办法 (Art. 7) asks for each of these; the database takes an empty place (its default,
  // the station's address, may be empty), the form does not.
  // Without participants there is nobody to put in charge: the participants' message says it.
  const required = ['place', 'service_content', 'organizing_unit', ...(draft.participants.length > 0 ? ['person_in_charge' as const] : [])] as const
  for (const field of required) {
    if (trimText(draft[field]) === '') issues.push({ field, rule: 'required' })
  }
  for (const field of ['start', 'end'] as const) {
    if (!draft[field]) issues.push({ field, rule: 'required' })
  }
  const startedAt = shanghaiInstant(draft.date, draft.start)
  const endedAt = shanghaiInstant(draft.date, draft.end)
  if (draft.date && draft.start && !startedAt) issues.push({ field: 'start', rule: 'time_format' })
  if (draft.date && draft.end && !endedAt) issues.push({ field: 'end', rule: 'time_format' })
  const peopleServed = draft.people_served.trim() === '' ? 0 : Number(draft.people_served)
  if (!Number.isInteger(peopleServed)) issues.push({ field: 'people_served', rule: 'integer_format' })
  const funds = draft.funds.trim() === '' ? 0 : parseYuan(draft.funds)
  if (funds === null) issues.push({ field: 'funds', rule: 'money_format' })
  const materials = draft.materials.trim() === '' ? 0 : parseYuan(draft.materials)
  if (materials === null) issues.push({ field: 'materials', rule: 'money_format' })
  const participants: Participant[] = draft.participants.map((p) => {
    const hours = Number(p.hours)
    if (p.hours.trim() === '' || !Number.isFinite(hours)) {
      issues.push({ field: `participant:${p.person_id}`, rule: 'number_format' })
      return { person_id: p.person_id, hours: 0 }
    }
    return { person_id: p.person_id, hours }
  })
  return {
    fields: {
      station_id: draft.station_id,
      team_id: draft.team_id,
      // Unknown here: the server puts the event in its month's theme month, made on first use.
      theme_month_id: draft.theme_month_id || null,
      started_at: startedAt ?? '',
      ended_at: endedAt ?? '',
      // Trimmed as the database trims typed text (Unicode whitespace, e.g. an ideographic space).
      title: trimText(draft.title),
      note: trimText(draft.note),
      people_served: Number.isInteger(peopleServed) ? peopleServed : 0,
      funds_fen: funds ?? 0,
      materials_fen: materials ?? 0,
      materials_description: trimText(draft.materials_description),
      participants,
      place: trimText(draft.place),
      service_content: trimText(draft.service_content),
      person_in_charge: draft.person_in_charge || null,
      organizing_unit: trimText(draft.organizing_unit),
    },
    issues,
  }
}

/** Where on the form a rule about a field of the saved event (or of the server) is shown. */
export function draftFieldOf(
  field: string | null | undefined,
  rule: string | null | undefined,
  participants: readonly Participant[] = [],
): DraftField {
  // One participant's value, named by index ("participants.2.hours" or "participants[2].hours").
  const indexed = field ? /^participants(?:\.|\[)(\d+)/.exec(field) : null
  if (indexed) {
    const person = participants[Number(indexed[1])]
    return person ? `participant:${person.person_id}` : 'participants'
  }
  const byField: Record<string, DraftField> = {
    station_id: 'station_id',
    team_id: 'team_id',
    theme_month_id: 'theme_month_id',
    started_at: 'start',
    ended_at: 'end',
    title: 'title',
    note: 'note',
    people_served: 'people_served',
    funds_fen: 'funds',
    materials_fen: 'materials',
    materials_description: 'materials_description',
    participants: 'participants',
    place: 'place',
    service_content: 'service_content',
    person_in_charge: 'person_in_charge',
    organizing_unit: 'organizing_unit',
  }
  if (field && byField[field]) return byField[field]
  const byRule: Record<string, DraftField> = {
    service_events_title_length: 'title',
    service_events_title_characters: 'title',
    service_events_note_length: 'note',
    service_events_note_characters: 'note',
    service_events_materials_description_length: 'materials_description',
    service_events_materials_description_characters: 'materials_description',
    service_events_station_id_format: 'station_id',
    service_events_team_id_format: 'team_id',
    service_events_team_policy: 'team_id',
    service_events_theme_month_id_format: 'theme_month_id',
    service_events_started_at_format: 'start',
    service_events_ended_at_format: 'end',
    service_events_people_served_format: 'people_served',
    service_events_funds_format: 'funds',
    service_events_materials_format: 'materials',
    service_events_ends_after_start: 'end',
    service_events_duration_at_most_a_day: 'end',
    service_events_not_in_future: 'end',
    service_events_people_served_range: 'people_served',
    service_events_funds_range: 'funds',
    service_events_materials_range: 'materials',
    service_events_materials_described: 'materials_description',
    service_events_theme_month_matches_date: 'theme_month_id',
    service_events_has_participants: 'participants',
    service_events_place_length: 'place',
    service_events_place_characters: 'place',
    service_events_service_content_length: 'service_content',
    service_events_service_content_characters: 'service_content',
    service_events_organizing_unit_length: 'organizing_unit',
    service_events_organizing_unit_characters: 'organizing_unit',
    service_events_person_in_charge_format: 'person_in_charge',
    service_events_person_in_charge_participant: 'person_in_charge',
    service_events_person_in_charge_fkey: 'person_in_charge',
    service_events_station_id_fkey: 'station_id',
    service_events_team_id_fkey: 'team_id',
    service_events_theme_month_id_fkey: 'theme_month_id',
  }
  return (rule && byRule[rule]) || 'participants'
}

/**
 * The draft checked against the database's rules: the fields to save when nothing is wrong,
 * and every issue otherwise (unreadable inputs first, so they win over what follows from them).
 */
export function validateDraft(
  draft: EventDraft,
  context: ValidationContext,
): { fields: ServiceEventFields | null; issues: FieldIssue[] } {
  const read = fieldsFromDraft(draft)
  const ruleIssues = validateEvent(read.fields, context).map((issue) => ({
    field: draftFieldOf(issue.field, issue.rule, read.fields.participants),
    rule: issue.rule,
  }))
  const issues = [...read.issues, ...ruleIssues]
  return { fields: issues.length === 0 ? read.fields : null, issues }
}
