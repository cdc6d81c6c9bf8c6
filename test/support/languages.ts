// The app loads a language's messages before it speaks it (src/i18n: restoreLocale, setLocale);
// component tests create their i18n instance directly, in any language, so every one is loaded first.
import { LOCALES, loadMessages } from '../../src/i18n'

await Promise.all(LOCALES.map((locale) => loadMessages(locale)))
