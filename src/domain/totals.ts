// Totals recomputed from events, as the database's private.recomputed_totals does: the local
// view of a team's months, and the yardstick tests compare the server's maintained totals with.
// Hours are summed in integer hundredths (numeric(4, 2) on the server) so sums are exact.
// Events are grouped by the Kunming month they start in, which is their theme month's (the
// server allows no other), known on the phone even for an event saved without a theme month.
import { shanghaiMonthOf } from './time'
import { hundredthsOfHours } from './validation'
import type { GroupTotals, ServiceEventFields, Uuid } from './types'

export interface EventForTotals extends ServiceEventFields {
  /** Deleted events (tombstones) count for nothing. */
  deleted?: boolean
}

export interface KeyedTotals extends GroupTotals {
  /** station_id or team_id, depending on the grouping. */
  group_id: Uuid
  /** The month the events start in (Kunming), YYYY-MM-01: their theme month's. */
  month: string
}

interface Accumulator {
  events: number
  people: Set<Uuid>
  hundredths: number
  people_served: number
  funds_fen: number
  materials_fen: number
}

const emptyAccumulator = (): Accumulator => ({
  events: 0, people: new Set(), hundredths: 0, people_served: 0, funds_fen: 0, materials_fen: 0,
})

function add(into: Accumulator, event: EventForTotals): void {
  into.events += 1
  into.people_served += event.people_served
  into.funds_fen += event.funds_fen
  into.materials_fen += event.materials_fen
  for (const participant of event.participants) {
    into.people.add(participant.person_id)
    into.hundredths += hundredthsOfHours(participant.hours)
  }
}

function finish(accumulator: Accumulator): GroupTotals {
  return {
    events: accumulator.events,
    volunteers: accumulator.people.size,
    volunteer_hours: accumulator.hundredths / 100,
    people_served: accumulator.people_served,
    funds_fen: accumulator.funds_fen,
    materials_fen: accumulator.materials_fen,
  }
}

function totalsBy(events: readonly EventForTotals[], groupOf: (event: EventForTotals) => Uuid): KeyedTotals[] {
  const groups = new Map<string, { group_id: Uuid; month: string; sums: Accumulator }>()
  for (const event of events) {
    if (event.deleted) continue
    const group_id = groupOf(event)
    const month = shanghaiMonthOf(event.started_at) ?? ''
    const key = `${group_id}|${month}`
    let entry = groups.get(key)
    if (!entry) {
      entry = { group_id, month, sums: emptyAccumulator() }
      groups.set(key, entry)
    }
    add(entry.sums, event)
  }
  return [...groups.values()]
    .map(({ group_id, month, sums }) => ({ group_id, month, ...finish(sums) }))
    .sort((a, b) => a.group_id.localeCompare(b.group_id) || a.month.localeCompare(b.month))
}

/** Totals per station × theme month of the live (not deleted) events. */
export function totalsByStationMonth(events: readonly EventForTotals[]): KeyedTotals[] {
  return totalsBy(events, (event) => event.station_id)
}

/** Totals per team × theme month of the live (not deleted) events. */
export function totalsByTeamMonth(events: readonly EventForTotals[]): KeyedTotals[] {
  return totalsBy(events, (event) => event.team_id)
}

/** Totals over all live events given, volunteers counted once however many events they joined. */
export function overallTotals(events: readonly EventForTotals[]): GroupTotals {
  const sums = emptyAccumulator()
  for (const event of events) if (!event.deleted) add(sums, event)
  return finish(sums)
}
