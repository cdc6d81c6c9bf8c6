// Component tests of the pages outside a volunteer's first visit: the app's i18n with those pages'
// messages merged in (and `extra`, e.g. the ledger's), their rules known, as the app has them once
// such a page has opened (views/lazy.ts).
import { createAppI18n } from '../../src/i18n'
import pagesZhCN from '../../src/i18n/pages/zh-CN'
import { registerRules } from '../../src/i18n/rules'

export function i18nWithPageMessages(extra: object = {}) {
  const i18n = createAppI18n('zh-CN')
  const messages = i18n.global as unknown as { mergeLocaleMessage(locale: string, messages: object): void }
  messages.mergeLocaleMessage('zh-CN', { ...pagesZhCN, ...extra })
  registerRules(Object.keys(pagesZhCN.rules))
  return i18n
}
