// The app loads a language's messages before it speaks it (src/i18n: restoreLocale, setLocale);
// component tests create their i18n instance directly, in any language, so every one is loaded
// first, with the messages of the pages outside the first visit merged in, as the app has them
// once those pages have opened.
import { LOCALES, loadMessages } from '../../src/i18n'
import { PAGE_MESSAGES } from '../../src/i18n/bundles'
import { registerRules } from '../../src/i18n/rules'

await Promise.all(
  LOCALES.map(async (locale) => {
    const main = await loadMessages(locale)
    const { rules, ...pages } = (await PAGE_MESSAGES[locale]()).default as { rules: object }
    Object.assign(main, pages, { rules: { ...main.rules, ...rules } })
    registerRules(Object.keys(rules))
  }),
)
