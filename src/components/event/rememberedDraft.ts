// What a fresh event form keeps from the event saved last: its station, team, date and times, so
// that logging several events of one day (yesterday's three, say) means choosing the day once.
// The date and times are kept only on the day they were saved: a form opened the next morning
// starts at today, not at a date someone may no longer have in mind.
import { shanghaiDateOf } from '../../domain/time'
import type { EventDraft } from './eventDraft'

export interface RememberedDraft {
  station_id: string
  team_id: string
  date: string
  start: string
  end: string
  /** The day (YYYY-MM-DD, Kunming) the event was saved on. */
  savedOn: string
}

export function rememberDraft(saved: EventDraft, now: number): RememberedDraft {
  return {
    station_id: saved.station_id,
    team_id: saved.team_id,
    date: saved.date,
    start: saved.start,
    end: saved.end,
    savedOn: shanghaiDateOf(now) ?? '',
  }
}

/** The fields a fresh form takes from what was remembered: place and team always, the day and times on the day of the save. */
export function prefillFromRemembered(remembered: RememberedDraft | undefined, now: number): Partial<EventDraft> {
  if (!remembered) return {}
  const place = { station_id: remembered.station_id, team_id: remembered.team_id }
  if (remembered.savedOn !== shanghaiDateOf(now)) return place
  return { ...place, date: remembered.date, start: remembered.start, end: remembered.end }
}
