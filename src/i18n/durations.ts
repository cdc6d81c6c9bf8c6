// Lengths of time, ages and storage sizes as each language says them ("2天" / "2 days",
// "3小时前" / "3 hours ago", "12.3 MB"), in the largest unit that fits.
import { useI18n } from 'vue-i18n'

const UNITS = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1000],
] as const

function largestUnit(ms: number): { unit: (typeof UNITS)[number][0]; value: number } {
  const size = Math.abs(ms)
  const [unit, length] = UNITS.find(([, length]) => size >= length) ?? (['second', 1000] as const)
  return { unit, value: Math.round(size / length) }
}

/** A length of time, whatever its sign: "2天", "2 days". */
export function formatDuration(ms: number, locale: string): string {
  const { unit, value } = largestUnit(ms)
  return new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'long', maximumFractionDigits: 0 }).format(value)
}

/** How long ago something was: "3小时前", "3 hours ago". */
export function formatAge(ms: number, locale: string): string {
  const { unit, value } = largestUnit(Math.max(0, ms))
  return new Intl.RelativeTimeFormat(locale, { numeric: 'always' }).format(-value, unit)
}

/** A storage size in MB, or GB from 1,000 MB on: "12.3 MB". */
export function formatBytes(bytes: number, locale: string): string {
  const megabytes = bytes / 1_000_000
  const [unit, value] = megabytes >= 1000 ? ['gigabyte', megabytes / 1000] : ['megabyte', megabytes]
  return new Intl.NumberFormat(locale, { style: 'unit', unit, maximumFractionDigits: 1 }).format(value)
}

/** The formatters above bound to the app's current language. */
export function useDurations() {
  const { locale } = useI18n()
  return {
    duration: (ms: number) => formatDuration(ms, locale.value),
    age: (ms: number) => formatAge(ms, locale.value),
    bytes: (value: number) => formatBytes(value, locale.value),
  }
}
