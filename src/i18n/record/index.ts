// Adds the messages of the record, profile, certificate and review pages to the app's i18n when
// one of those pages loads (imported by them only): they stay out of the first visit's download.
import { i18n } from '..'
import { registerRules } from '../rules'
import en from './en'
import zhCN from './zh-CN'

i18n.global.mergeLocaleMessage('zh-CN', zhCN)
i18n.global.mergeLocaleMessage('en', en)
registerRules(Object.keys(zhCN.rules))
