// vue-i18n set up once: Chinese by default, English on request, the choice kept across visits.
import { createI18n } from 'vue-i18n'
import en from './en'
import zhCN, { type MessageSchema } from './zh-CN'

export const LOCALES = ['zh-CN', 'en'] as const
export type Locale = (typeof LOCALES)[number]

const STORAGE_KEY = 'volunteer-ledger.locale'

function isLocale(value: unknown): value is Locale {
  return LOCALES.some((l) => l === value)
}

function storedLocale(): Locale {
  const saved = globalThis.localStorage?.getItem(STORAGE_KEY)
  return isLocale(saved) ? saved : 'zh-CN'
}

export function createAppI18n(locale: Locale = storedLocale()) {
  return createI18n<[MessageSchema], Locale, false>({
    legacy: false,
    locale,
    fallbackLocale: 'zh-CN',
    messages: { 'zh-CN': zhCN, en },
  })
}

export type AppI18n = ReturnType<typeof createAppI18n>

export const i18n = createAppI18n()

/** Switches the language of the whole app and remembers it. */
export function setLocale(locale: Locale): void {
  i18n.global.locale.value = locale
  globalThis.localStorage?.setItem(STORAGE_KEY, locale)
  document.documentElement.lang = locale
}
