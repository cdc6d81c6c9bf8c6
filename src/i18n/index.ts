// vue-i18n set up once: Chinese by default, English on request, the choice kept across visits.
// Chinese is part of every first visit's download; English is a chunk of its own, loaded when
// chosen (the service worker precaches it, so switching works offline too).
import { createI18n } from 'vue-i18n'
import { registerRules } from './rules'
import zhCN, { type MessageSchema } from './zh-CN'

export const LOCALES = ['zh-CN', 'en'] as const
export type Locale = (typeof LOCALES)[number]

const STORAGE_KEY = 'volunteer-ledger.locale'

const LOADERS: Record<Locale, () => Promise<{ default: MessageSchema }>> = {
  'zh-CN': async () => ({ default: zhCN }),
  en: () => import('./en'),
}

const loaded = new Map<Locale, MessageSchema>([['zh-CN', zhCN]])

function isLocale(value: unknown): value is Locale {
  return LOCALES.some((l) => l === value)
}

function storedLocale(): Locale {
  const saved = globalThis.localStorage?.getItem(STORAGE_KEY)
  return isLocale(saved) ? saved : 'zh-CN'
}

/** Fetches the messages of `locale` unless they are already here. */
export async function loadMessages(locale: Locale): Promise<MessageSchema> {
  const messages = loaded.get(locale) ?? (await LOADERS[locale]()).default
  loaded.set(locale, messages)
  return messages
}

/** An i18n instance speaking `locale`, whose messages must have been loaded (loadMessages). */
export function createAppI18n(locale: Locale = 'zh-CN') {
  if (!loaded.has(locale)) throw new Error(`the messages of ${locale} are not loaded`)
  return createI18n<[MessageSchema], Locale, false>({
    legacy: false,
    locale,
    fallbackLocale: 'zh-CN',
    messages: Object.fromEntries(loaded) as Record<Locale, MessageSchema>,
  })
}

export type AppI18n = ReturnType<typeof createAppI18n>

export const i18n = createAppI18n()

/** The messages of pages outside the first visit, by language, each loaded when first needed. */
export type MessageBundle<T extends object = object> = Record<Locale, () => Promise<{ default: T }>>

const bundles = new Set<MessageBundle>()

/** Adds a bundle's messages of `locale` to the app's (again after setLocaleMessage replaced them). */
async function mergeBundles(locale: Locale): Promise<void> {
  for (const bundle of bundles) i18n.global.mergeLocaleMessage(locale, (await bundle[locale]()).default as MessageSchema)
}

/**
 * Makes a bundle's messages part of the app: now in the language spoken, later in any language
 * switched to; its `rules` join the ones the app explains. The pages that need them wait for
 * this before they show (views/lazy.ts).
 */
export async function addMessages(bundle: MessageBundle): Promise<void> {
  const messages: { rules?: object } = (await bundle[i18n.global.locale.value]()).default
  if (bundles.has(bundle)) return
  bundles.add(bundle)
  i18n.global.mergeLocaleMessage(i18n.global.locale.value, messages as MessageSchema)
  if (messages.rules) registerRules(Object.keys(messages.rules))
}

/** Loads and speaks `locale`; false (and the current language kept) when its messages cannot be fetched. */
async function speak(locale: Locale): Promise<boolean> {
  try {
    i18n.global.setLocaleMessage(locale, await loadMessages(locale))
    await mergeBundles(locale)
  } catch (error) {
    console.warn(`the messages of ${locale} could not be loaded`, error)
    return false
  }
  i18n.global.locale.value = locale
  document.documentElement.lang = locale
  return true
}

/** Switches the language of the whole app and remembers it. */
export async function setLocale(locale: Locale): Promise<void> {
  if (await speak(locale)) globalThis.localStorage?.setItem(STORAGE_KEY, locale)
}

/** Speaks the language chosen on an earlier visit: run before the app mounts, so that it never shows Chinese first. */
export async function restoreLocale(): Promise<void> {
  await speak(storedLocale())
}
