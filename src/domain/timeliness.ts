// How late an event was recorded, and how long one has waited for its leader, in working days
// after the activity ended (办法 Art. 11: recorded within 10 working days). Dates are Kunming's
// (the program's calendar), the working days those of the official schedule (work_calendar).
import { shanghaiDateOf } from './time'
import type { ServiceEventFields } from './types'
import { isRecordedLate, workingDaysAfter, type CalendarException } from './workdays'

export interface Lateness {
  /** Working days after the day the activity ended. */
  workingDays: number
  /** More than the 办法 allows. */
  late: boolean
}

type Calendar = ReadonlyMap<string, CalendarException['kind']>

/** Working days from the end of the activity to an instant; null when either cannot be read. */
export function latenessAt(event: Pick<ServiceEventFields, 'ended_at'>, instant: string | number, calendar: Calendar): Lateness | null {
  const activityDate = shanghaiDateOf(event.ended_at)
  const date = shanghaiDateOf(instant)
  if (activityDate === null || date === null) return null
  const workingDays = workingDaysAfter(activityDate, date, calendar)
  return { workingDays, late: isRecordedLate(workingDays) }
}

/** How late the event was recorded; null for a version kept by an app that did not note when. */
export function recordingLateness(event: Pick<ServiceEventFields, 'ended_at' | 'recorded_at'>, calendar: Calendar): Lateness | null {
  return event.recorded_at ? latenessAt(event, event.recorded_at, calendar) : null
}
