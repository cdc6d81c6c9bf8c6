// What a leader has to confirm: the team's events on the server that no leader has confirmed
// (nor has a confirmation queued), oldest first, by theme month, each with the working days it
// has waited since the activity: past the 办法's 10 (Art. 11), it is flagged.
import { latenessAt, type Lateness } from './timeliness'
import type { LocalEvent, ThemeMonth, Uuid } from './types'
import type { CalendarException } from './workdays'

export interface AwaitingConfirmation {
  event: LocalEvent
  /** Working days from the activity to now. */
  waited: Lateness | null
}

export interface MonthAwaitingConfirmation {
  /** The theme month's id. */
  key: Uuid
  themeMonth: ThemeMonth | undefined
  events: AwaitingConfirmation[]
}

export function awaitsConfirmation(event: LocalEvent): boolean {
  return !event.deleted && event.serverRevision !== null && !event.confirmation && event.syncState === 'synced'
}

/** The events awaiting confirmation, oldest first, grouped by theme month (the oldest month first). */
export function awaitingConfirmation(
  events: readonly LocalEvent[],
  themeMonths: readonly ThemeMonth[],
  calendar: ReadonlyMap<string, CalendarException['kind']>,
  now: number,
): MonthAwaitingConfirmation[] {
  const months = new Map(themeMonths.map((m) => [m.id, m]))
  const groups = new Map<Uuid, MonthAwaitingConfirmation>()
  const waiting = events.filter(awaitsConfirmation).sort((a, b) => a.started_at.localeCompare(b.started_at))
  for (const event of waiting) {
    // An event on the server always has its theme month; the phone's type allows none before the push.
    const key = event.theme_month_id ?? ''
    const group = groups.get(key) ?? { key, themeMonth: months.get(key), events: [] }
    group.events.push({ event, waited: latenessAt(event, now, calendar) })
    groups.set(key, group)
  }
  return [...groups.values()]
}
