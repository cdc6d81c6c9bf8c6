// The dashboard's CSV exports as rows: the totals shown (per station × theme month) and the events
// behind them, both covering the filters the figures were loaded with.
import { fenToYuanText } from '../domain/money'
import { shanghaiMonthOf } from '../domain/time'
import type { LocalEvent, StationMonthFigures, ThemeMonth, TotalsFilter } from '../domain/types'

export interface Names {
  stations: ReadonlyMap<string, string>
  teams: ReadonlyMap<string, string>
  months: ReadonlyMap<string, ThemeMonth>
}

/** Column headings from their csv.* message keys. */
type Heading = (key: string) => string

const TOTALS_COLUMNS = ['station', 'themeMonth', 'month', 'events', 'volunteers', 'hours', 'peopleServed', 'fundsYuan', 'materialsYuan']
const EVENT_COLUMNS = [
  'station', 'team', 'month', 'title', 'startedAt', 'endedAt', 'participants', 'hours', 'peopleServed',
  'fundsYuan', 'materialsYuan', 'materialsDescription', 'note',
]

/** A column of the ledger's status of each station × theme month (open, closed, adjusted), in words. */
export interface StatusColumn {
  heading: string
  of: (row: StationMonthFigures) => string
}

export function totalsRows(
  rows: readonly StationMonthFigures[],
  names: Names,
  heading: Heading,
  status?: StatusColumn,
): (string | number)[][] {
  const body = rows.map((r) => {
    const month = names.months.get(r.theme_month_id)
    const figures = [
      names.stations.get(r.station_id) ?? r.station_id,
      month?.theme ?? '',
      month?.month.slice(0, 7) ?? '',
      r.events,
      r.volunteers,
      r.volunteer_hours,
      r.people_served,
      fenToYuanText(r.funds_fen),
      fenToYuanText(r.materials_fen),
    ]
    return status ? [...figures, status.of(r)] : figures
  })
  const headings = TOTALS_COLUMNS.map(heading)
  return [status ? [...headings, status.heading] : headings, ...body]
}

/**
 * Whether an event falls within the filters. Its month is the one it starts in (Kunming), its theme
 * month's: an event saved without a theme month has no id to compare until it is edited again.
 */
export function inSelection(filter: TotalsFilter, event: LocalEvent, months: Names['months']): boolean {
  const month = shanghaiMonthOf(event.started_at) ?? ''
  return (
    !event.deleted &&
    (filter.year === null || month.startsWith(`${filter.year}-`)) &&
    (!filter.theme_month_id || months.get(filter.theme_month_id)?.month === month) &&
    (!filter.station_id || event.station_id === filter.station_id) &&
    (!filter.team_id || event.team_id === filter.team_id)
  )
}

export function eventRows(events: readonly LocalEvent[], filter: TotalsFilter, names: Names, heading: Heading): (string | number)[][] {
  const body = events
    .filter((e) => inSelection(filter, e, names.months))
    .sort((a, b) => a.started_at.localeCompare(b.started_at))
    .map((e) => [
      names.stations.get(e.station_id) ?? e.station_id,
      names.teams.get(e.team_id) ?? e.team_id,
      shanghaiMonthOf(e.started_at)?.slice(0, 7) ?? '',
      e.title,
      e.started_at,
      e.ended_at,
      e.participants.length,
      Math.round(e.participants.reduce((n, p) => n + p.hours * 100, 0)) / 100,
      e.people_served,
      fenToYuanText(e.funds_fen),
      fenToYuanText(e.materials_fen),
      e.materials_description,
      e.note,
    ])
  return [EVENT_COLUMNS.map(heading), ...body]
}

/** What an export covers, for its file name: the months of the rows, then the station and team chosen. */
export function exportName(rows: readonly StationMonthFigures[], filter: TotalsFilter, names: Names): string {
  const months = rows
    .map((r) => names.months.get(r.theme_month_id)?.month.slice(0, 7))
    .filter((m): m is string => !!m)
    .sort()
  const first = months[0]
  const last = months[months.length - 1]
  const period = !first || !last ? 'empty' : first === last ? first : `${first}_${last}`
  const station = filter.station_id ? `-${names.stations.get(filter.station_id) ?? ''}` : ''
  const team = filter.team_id ? `-${names.teams.get(filter.team_id) ?? ''}` : ''
  return `${period}${station}${team}`
}
