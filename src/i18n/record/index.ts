// The messages of the record, profile, certificate, verification and review pages: loaded with
// those pages only (views/lazy.ts waits for them), so a volunteer's first visit downloads none of
// them; each language's when it is spoken. Their rule names join the ones the app explains.
import { addMessages, type MessageBundle } from '..'
import { registerRules } from '../rules'
import type { RecordMessages } from './zh-CN'

const RECORD_MESSAGES: MessageBundle<RecordMessages> = {
  'zh-CN': () => import('./zh-CN'),
  en: () => import('./en'),
}

export async function loadRecordMessages(): Promise<void> {
  registerRules(Object.keys((await addMessages(RECORD_MESSAGES)).rules))
}
