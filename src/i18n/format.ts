// Numbers, money (domain/money: 万元 in Chinese, full yuan in English), dates and months shown the way each language expects. Times are shown in the
// program's time zone (Kunming), whatever the phone's setting, so that everyone reads the same
// hour for an event. Money is integer fen everywhere; only display turns it into yuan.
import { useI18n } from 'vue-i18n'
import { formatFullYuan, formatMoney } from '../domain/money'
import type { ThemeMonth } from '../domain/types'

export const PROGRAM_TIME_ZONE = 'Asia/Shanghai'

export function formatCount(value: number, locale: string, grouping = true): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 0, useGrouping: grouping }).format(value)
}

export function formatHours(value: number, locale: string): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(value)
}

export function formatDateTime(iso: string | number, locale: string): string {
  return new Intl.DateTimeFormat(locale, {
    timeZone: PROGRAM_TIME_ZONE,
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(new Date(iso))
}

export function formatTimeOfDay(iso: string | number, locale: string): string {
  return new Intl.DateTimeFormat(locale, {
    timeZone: PROGRAM_TIME_ZONE,
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(new Date(iso))
}

/** One event's amount in yuan (totals use formatMoney): "1,250.5元" or "¥1,250.50". */
export function formatYuan(fen: number, locale: string): string {
  if (!locale.startsWith('zh')) return formatFullYuan(fen)
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(fen / 100)}元`
}

/** A theme month (YYYY-MM-01) as "2023年1月" or "January 2023". */
export function formatMonth(month: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, { timeZone: 'UTC', year: 'numeric', month: 'long' }).format(
    new Date(`${month.slice(0, 10)}T00:00:00Z`),
  )
}

/** The formatters above bound to the app's current language. */
export function useFormat() {
  const { locale, t } = useI18n()
  /** A theme month's theme, or the word for one nobody has named yet. */
  const theme = (month: Pick<ThemeMonth, 'theme' | 'named'>) => (month.named === false ? t('months.unnamed') : month.theme)
  return {
    count: (value: number, grouping = true) => formatCount(value, locale.value, grouping),
    hours: (value: number) => formatHours(value, locale.value),
    money: (fen: number) => formatMoney(fen, locale.value),
    yuan: (fen: number) => formatYuan(fen, locale.value),
    dateTime: (iso: string | number) => formatDateTime(iso, locale.value),
    timeOfDay: (iso: string | number) => formatTimeOfDay(iso, locale.value),
    month: (month: string) => formatMonth(month, locale.value),
    theme,
    /** "2023年3月 · 学雷锋志愿服务", "December 2026 · To be named". */
    themeMonth: (month: Pick<ThemeMonth, 'month' | 'theme' | 'named'>) => `${formatMonth(month.month, locale.value)} · ${theme(month)}`,
  }
}
