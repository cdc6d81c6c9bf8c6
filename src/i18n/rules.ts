// Which message explains a refused write. Rule names are the database's constraint names (the
// domain validation uses the same names), so one table of messages serves the form's own checks
// and the server's answers alike.
import zhCN from './zh-CN'

export interface RuleFailure {
  rule: string | null
  /** SQLSTATE or HTTP-ish code, when the server gave one. */
  code?: string | null
  message?: string | null
}

const KNOWN = new Set(Object.keys(zhCN.rules))

/** Rules explained by messages that load with their pages (src/i18n/record). */
export function registerRules(names: readonly string[]): void {
  for (const name of names) KNOWN.add(name)
}

/** The i18n key and its parameters for a failure. */
export function ruleMessage(failure: RuleFailure): { key: string; params: Record<string, string> } {
  const { rule, code } = failure
  if (rule && KNOWN.has(rule)) return { key: `rules.${rule}`, params: {} }
  if (code === '42501' || code === 'PGRST301' || code === '401' || code === '403') return { key: 'rules.permission', params: {} }
  // A foreign key still pointing at a row someone tries to delete.
  if (code === '23503') return { key: 'rules.in_use', params: {} }
  if (code === 'network' || code === 'offline') return { key: 'rules.network', params: {} }
  if (code === '57014') return { key: 'rules.timeout', params: {} }
  return { key: 'rules.unknown', params: { message: failure.message ?? rule ?? code ?? '' } }
}
