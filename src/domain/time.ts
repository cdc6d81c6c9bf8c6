// The program runs in Kunming: its calendar (months, days, "today") is Asia/Shanghai's, as in the
// database's private.local_month. China has kept UTC+8 without daylight saving since 1991, so a
// fixed offset is exact for every date this app will see and needs no time-zone database.

const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000

/** Milliseconds since the epoch of an ISO 8601 instant, or null when it is not one. */
export function parseInstant(text: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(text)) return null
  const ms = Date.parse(text)
  return Number.isNaN(ms) ? null : ms
}

function shanghaiParts(instant: number): { year: number; month: number; day: number } {
  const shifted = new Date(instant + SHANGHAI_OFFSET_MS)
  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() }
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0')

/** First day (YYYY-MM-01) of the Shanghai calendar month an instant falls in. */
export function shanghaiMonthOf(instant: number | string): string | null {
  const ms = typeof instant === 'number' ? instant : parseInstant(instant)
  if (ms === null) return null
  const { year, month } = shanghaiParts(ms)
  return `${pad(year, 4)}-${pad(month)}-01`
}

/** The Shanghai calendar date (YYYY-MM-DD) of an instant. */
export function shanghaiDateOf(instant: number | string): string | null {
  const ms = typeof instant === 'number' ? instant : parseInstant(instant)
  if (ms === null) return null
  const { year, month, day } = shanghaiParts(ms)
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}`
}

/** The Shanghai wall-clock time (HH:mm) of an instant. */
export function shanghaiTimeOf(instant: number | string): string | null {
  const ms = typeof instant === 'number' ? instant : parseInstant(instant)
  if (ms === null) return null
  const shifted = new Date(ms + SHANGHAI_OFFSET_MS)
  return `${pad(shifted.getUTCHours())}:${pad(shifted.getUTCMinutes())}`
}

/** The instant (ISO 8601 with +08:00) of a Shanghai date and wall-clock time from a form. */
export function shanghaiInstant(date: string, time: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !/^\d{2}:\d{2}$/.test(time)) return null
  const text = `${date}T${time}:00+08:00`
  const ms = parseInstant(text)
  // Date.parse rolls 2023-02-30 over to March; a date that does not round-trip is not a date.
  if (ms === null || shanghaiDateOf(ms) !== date || shanghaiTimeOf(ms) !== time) return null
  return text
}
