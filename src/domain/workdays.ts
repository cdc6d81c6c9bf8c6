// Working days as China's official calendar counts them, for the 办法's Art. 11: a service is
// recorded within 10 working days after the activity ends. Monday to Friday are working days,
// except the public holidays; weekend days the State Council makes working days (调休) count.
// The exceptions come from a table admins maintain (work_calendar), so this needs no yearly code.

/** An exception to Monday-Friday: a holiday on a weekday, or a make-up working day at a weekend. */
export interface CalendarException {
  /** YYYY-MM-DD */
  day: string
  kind: 'holiday' | 'workday'
}

/** The recording deadline of the 办法 (Art. 11), in working days after the activity. */
export const RECORDING_DEADLINE_WORKING_DAYS = 10

const DAY_MS = 24 * 60 * 60 * 1000

function dayNumber(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) / DAY_MS
}

function dateOf(dayNo: number): string {
  return new Date(dayNo * DAY_MS).toISOString().slice(0, 10)
}

export function calendarOf(exceptions: readonly CalendarException[]): Map<string, CalendarException['kind']> {
  return new Map(exceptions.map((exception) => [exception.day, exception.kind]))
}

export function isWorkingDay(date: string, calendar: ReadonlyMap<string, CalendarException['kind']>): boolean {
  const exception = calendar.get(date)
  if (exception) return exception === 'workday'
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay()
  return weekday !== 0 && weekday !== 6
}

/**
 * Working days after `activityDate` up to and including `recordedDate` (both YYYY-MM-DD in the
 * program's calendar): 0 when recorded the same day or before the next working day.
 */
export function workingDaysAfter(
  activityDate: string,
  recordedDate: string,
  calendar: ReadonlyMap<string, CalendarException['kind']>,
): number {
  let count = 0
  for (let day = dayNumber(activityDate) + 1; day <= dayNumber(recordedDate); day++) {
    if (isWorkingDay(dateOf(day), calendar)) count += 1
  }
  return count
}

/** Whether a record was made later than the 办法 allows. */
export function isRecordedLate(workingDays: number): boolean {
  return workingDays > RECORDING_DEADLINE_WORKING_DAYS
}
