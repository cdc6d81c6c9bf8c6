// The message bundles of the pages outside a volunteer's first visit, each language a chunk of its
// own, loaded with the pages that speak it (views/lazy.ts, through addMessages) and precached by
// the service worker, so that they open offline in either language.
import type { MessageBundle } from '.'

/** The leaders' and coordinators' pages, the join page and the sync-health page. */
export const PAGE_MESSAGES: MessageBundle = {
  'zh-CN': () => import('./pages/zh-CN'),
  en: () => import('./pages/en'),
}

/** The ledger's pages (close-out, adjustments, history) and the ledger's words on the others, under `ledger`. */
export const LEDGER_MESSAGES: MessageBundle = {
  'zh-CN': async () => ({ default: { ledger: (await import('./ledger/zh-CN')).default } }),
  en: async () => ({ default: { ledger: (await import('./ledger/en')).default } }),
}

/** The volunteer's own record, profile and certificates, their review, and the verification page. */
export const RECORD_MESSAGES: MessageBundle = {
  'zh-CN': () => import('./record/zh-CN'),
  en: () => import('./record/en'),
}
