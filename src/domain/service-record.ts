// A volunteer's own service record (我的志愿服务记录) and the one rule of which records count
// toward certified hours. The database holds the same rule in one function,
// private.counts_toward_certified_hours (supabase/migrations/20261201030100_certificates.sql),
// which every certificate is built with; test/integration/certified-hours.test.ts holds the two
// to the same answers on the same records.
import { shanghaiDateOf } from './time'
import type { LocalEvent, Participant, ServiceEventFields, Station, Team, Uuid } from './types'
import { hundredthsOfHours } from './validation'

/** What the rule looks at: whether the record is still on record, and whether a leader confirmed this version. */
export interface CertifiableRecord {
  deleted: boolean
  confirmed: boolean
}

/**
 * The rule: a record counts toward certified hours when it is on record (not deleted) and a
 * leader of its team confirmed its current version (any later edit takes the confirmation away).
 * A closed month does not make an unconfirmed record count.
 */
export function countsTowardCertifiedHours(record: CertifiableRecord): boolean {
  return !record.deleted && record.confirmed
}

/** An event as the record shows it (the server's version when the phone has one). */
export interface RecordedService extends CertifiableRecord {
  id: Uuid
  team_id: Uuid
  station_id: Uuid
  /** Null while the event waits on the phone for its month's theme month (made on first use). */
  theme_month_id: Uuid | null
  started_at: string
  title: string
  place: string
  service_content: string
  participants: readonly Participant[]
}

export type RecordStatus = 'unconfirmed' | 'confirmed' | 'closed'

/** One line of a volunteer's record: one event they took part in. */
export interface RecordRow {
  eventId: Uuid
  /** YYYY-MM-DD in Kunming. */
  date: string
  title: string
  place: string
  serviceContent: string
  /** The volunteer's own hours. */
  hours: number
  teamId: Uuid
  /** The unit that recorded it and certifies it (the team's recording unit). */
  recordingUnit: string
  /** Month closed overrides the rest: the month's figures are final. */
  status: RecordStatus
  counts: boolean
}

export interface RecordContext {
  /** Each team's recording unit. */
  recordingUnits: ReadonlyMap<Uuid, string>
  /** Closed station x theme month keys, as periodKey() makes them. */
  closedPeriods: ReadonlySet<string>
}

export const periodKey = (stationId: Uuid, themeMonthId: Uuid): string => `${stationId}|${themeMonthId}`

/** Every event the person took part in (deleted ones left out), newest first. */
export function serviceRecord(records: readonly RecordedService[], personId: Uuid, context: RecordContext): RecordRow[] {
  const rows: RecordRow[] = []
  for (const record of records) {
    if (record.deleted) continue
    const mine = record.participants.find((participant) => participant.person_id === personId)
    if (!mine) continue
    const closed = record.theme_month_id !== null && context.closedPeriods.has(periodKey(record.station_id, record.theme_month_id))
    rows.push({
      eventId: record.id,
      date: shanghaiDateOf(record.started_at) ?? '',
      title: record.title,
      place: record.place,
      serviceContent: record.service_content,
      hours: Number(mine.hours),
      teamId: record.team_id,
      recordingUnit: context.recordingUnits.get(record.team_id) ?? '',
      status: closed ? 'closed' : record.confirmed ? 'confirmed' : 'unconfirmed',
      counts: countsTowardCertifiedHours(record),
    })
  }
  return rows.sort((a, b) => b.date.localeCompare(a.date) || a.eventId.localeCompare(b.eventId))
}

/** Hours given and hours certified over a group of rows, summed exactly (in hundredths). */
export interface RecordTotals {
  events: number
  hours: number
  certifiedHours: number
}

export interface PeriodTotals extends RecordTotals {
  /** YYYY for a year, YYYY-MM for a month. */
  period: string
}

function totalsOf(rows: readonly RecordRow[]): RecordTotals {
  let hundredths = 0
  let certified = 0
  for (const row of rows) {
    hundredths += hundredthsOfHours(row.hours)
    if (row.counts) certified += hundredthsOfHours(row.hours)
  }
  return { events: rows.length, hours: hundredths / 100, certifiedHours: certified / 100 }
}

function groupTotals(rows: readonly RecordRow[], periodOf: (row: RecordRow) => string): PeriodTotals[] {
  const groups = new Map<string, RecordRow[]>()
  for (const row of rows) groups.set(periodOf(row), [...(groups.get(periodOf(row)) ?? []), row])
  return [...groups].map(([period, group]) => ({ period, ...totalsOf(group) })).sort((a, b) => b.period.localeCompare(a.period))
}

/** Totals of the whole record, by year and by month (newest first). */
export function recordTotals(rows: readonly RecordRow[]): { all: RecordTotals; byYear: PeriodTotals[]; byMonth: PeriodTotals[] } {
  return {
    all: totalsOf(rows),
    byYear: groupTotals(rows, (row) => row.date.slice(0, 4)),
    byMonth: groupTotals(rows, (row) => row.date.slice(0, 7)),
  }
}

/**
 * The rows a certificate of a recording unit would hold for a period (dates inclusive, in
 * Kunming), oldest first, and their exact total: the server builds certificates with the same rule.
 */
export function certifiedRows(rows: readonly RecordRow[], recordingUnit: string, from: string, to: string): { rows: RecordRow[]; hours: number } {
  const chosen = rows
    .filter((row) => row.counts && row.recordingUnit === recordingUnit && row.date >= from && row.date <= to)
    .sort((a, b) => a.date.localeCompare(b.date) || a.eventId.localeCompare(b.eventId))
  return { rows: chosen, hours: totalsOf(chosen).certifiedHours }
}

/** The recording units the person has records with, each with its certified hours (all time). */
export function unitsOf(rows: readonly RecordRow[]): { recordingUnit: string; certifiedHours: number; events: number }[] {
  const units = [...new Set(rows.map((row) => row.recordingUnit))].sort()
  return units.map((unit) => {
    const totals = totalsOf(rows.filter((row) => row.recordingUnit === unit))
    return { recordingUnit: unit, certifiedHours: totals.certifiedHours, events: totals.events }
  })
}

/** The fields of the ledger of record, on phones that pull them. */
type RecordFields = ServiceEventFields & { place?: string; service_content?: string }

/** A team's recording unit: the server's, else its default (the chamber, else the name). */
export function recordingUnitOf(team: Team & { recording_unit?: string }): string {
  return team.recording_unit || team.chamber || team.name
}

/** An event as the record shows it: the server's version when the phone has one, else the phone's own. */
export function recordedService(record: LocalEvent, stations: ReadonlyMap<Uuid, Station>): RecordedService {
  const fields: RecordFields = record.server?.fields ?? record
  return {
    id: record.id,
    deleted: record.server ? record.server.deleted : record.deleted,
    confirmed: !!record.server?.confirmation,
    team_id: fields.team_id,
    station_id: fields.station_id,
    theme_month_id: fields.theme_month_id,
    started_at: fields.started_at,
    title: fields.title,
    place: fields.place ?? stations.get(fields.station_id)?.address ?? '',
    service_content: fields.service_content ?? fields.title,
    participants: fields.participants,
  }
}
