// Money is integer fen everywhere (the database's bigint columns); text in yuan is parsed and
// formatted with integer arithmetic only, so 0.1 + 0.2 never becomes 0.30000000000000004 fen.

const YUAN_TEXT = /^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{0,2}))?$/

/** Fen of a yuan amount typed by a person ("1200", "35.5", "1,200.00", "¥8"); null if not money. */
export function parseYuan(text: string): number | null {
  const cleaned = text.trim().replace(/^[¥￥]\s*/, '').replace(/\s*元$/, '')
  const match = YUAN_TEXT.exec(cleaned)
  if (!match) return null
  const whole = match[1]!.replaceAll(',', '')
  const cents = (match[2] ?? '').padEnd(2, '0')
  const fen = Number(whole) * 100 + Number(cents)
  return Number.isSafeInteger(fen) ? fen : null
}

/** Yuan text of a fen amount for an input field: "1200", "35.50". */
export function fenToYuanText(fen: number): string {
  const yuan = Math.trunc(fen / 100)
  const cents = Math.abs(fen % 100)
  const sign = fen < 0 && yuan === 0 ? '-' : ''
  return cents === 0 ? `${sign}${yuan}` : `${sign}${yuan}.${String(cents).padStart(2, '0')}`
}

/** Rounds n / divisor half away from zero, on integers only. */
function roundedQuotient(n: number, divisor: number): number {
  const magnitude = Math.abs(n)
  const quotient = Math.floor(magnitude / divisor)
  const rest = magnitude - quotient * divisor
  const rounded = rest * 2 >= divisor ? quotient + 1 : quotient
  return n < 0 ? -rounded : rounded
}

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

/** 万元 with one decimal, as the year-end report writes money: 218300000 fen → "218.3万元". */
export function formatWanYuan(fen: number): string {
  const tenths = roundedQuotient(fen, 100_000)
  const sign = tenths < 0 ? '-' : ''
  const magnitude = Math.abs(tenths)
  return `${sign}${groupThousands(String(Math.floor(magnitude / 10)))}.${magnitude % 10}万元`
}

/** Full yuan with grouping, fen shown only when there are any: "¥2,183,000", "¥35.50". */
export function formatFullYuan(fen: number): string {
  const sign = fen < 0 ? '-' : ''
  const magnitude = Math.abs(fen)
  const cents = magnitude % 100
  const yuan = groupThousands(String((magnitude - cents) / 100))
  return cents === 0 ? `${sign}¥${yuan}` : `${sign}¥${yuan}.${String(cents).padStart(2, '0')}`
}

/** Money as each locale's report writes it: 万元 for zh-CN, full yuan otherwise. */
export function formatMoney(fen: number, locale: string): string {
  return locale.startsWith('zh') ? formatWanYuan(fen) : formatFullYuan(fen)
}
