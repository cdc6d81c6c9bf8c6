// The ledger pages' messages, a bundle of their own under the key `ledger`: loaded with those
// pages (views/lazy.ts) and whenever the language changes while one is open, as the main
// bundle's English is (../index.ts), so that a volunteer's first visit downloads none of it.
import { ref, watch, type Ref } from 'vue'
import { i18n, type Locale } from '../index'
import type { LedgerMessages } from './zh-CN'

const LOADERS: Record<Locale, () => Promise<{ default: LedgerMessages }>> = {
  'zh-CN': () => import('./zh-CN'),
  en: () => import('./en'),
}

const fetched = new Map<Locale, LedgerMessages>()

// The messages of one language as a tree: typed for the main bundle alone, the ledger's are added under `ledger`.
const global = i18n.global as unknown as {
  getLocaleMessage(locale: Locale): Record<string, unknown>
  setLocaleMessage(locale: Locale, messages: Record<string, unknown>): void
}

const hasLedger = (locale: Locale) => 'ledger' in global.getLocaleMessage(locale)

/**
 * Adds the ledger messages of `locale` to the app's messages unless they are there already
 * (switching the language sets a language's main messages anew, without them).
 */
export async function loadLedgerMessages(locale: Locale): Promise<void> {
  if (hasLedger(locale)) return
  const messages = fetched.get(locale) ?? (await LOADERS[locale]()).default
  fetched.set(locale, messages)
  global.setLocaleMessage(locale, { ...global.getLocaleMessage(locale), ledger: messages })
}

/** The ledger messages of the language spoken now (for a lazy page's loader). */
export function loadCurrentLedgerMessages(): Promise<void> {
  return loadLedgerMessages(i18n.global.locale.value)
}

/** Whether the ledger messages of the current language are here; follows language changes. */
export function useLedgerMessages(): Ref<boolean> {
  const ready = ref(hasLedger(i18n.global.locale.value))
  watch(
    i18n.global.locale,
    async (locale) => {
      try {
        await loadLedgerMessages(locale)
        ready.value = true
      } catch (error) {
        // Chinese, the fallback, is already here when the page opened in it; else the page says loading.
        console.warn(`the ledger messages of ${locale} could not be loaded`, error)
      }
    },
    { immediate: true },
  )
  return ready
}
