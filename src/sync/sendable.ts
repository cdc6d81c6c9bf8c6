// Text that cannot reach the database at all: U+0000 (Postgres text cannot hold it; the whole
// request fails with 22P05) and lone UTF-16 surrogates (not Unicode; PostgREST refuses the
// whole request as invalid JSON, PGRST102). The form refuses both; a change queued with them
// anyway (by an older version of the app) is answered on the phone, never sent, so that it
// neither fails its batch nor is altered behind the user's back. The refusal names the rule
// the form and the database name for such characters (<table>_<column>_characters).
import type { ChangeOutcome, EventChange, ServiceEventFields } from '../domain/types'

const UNSENDABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

const TEXT_FIELDS = ['title', 'note', 'materials_description'] as const satisfies readonly (keyof ServiceEventFields)[]

/** The first text field of an event holding characters that cannot be sent, if any. */
export function unsendableTextField(fields: ServiceEventFields): (typeof TEXT_FIELDS)[number] | null {
  return TEXT_FIELDS.find((field) => UNSENDABLE.test(fields[field] ?? '')) ?? null
}

/** The phone's own refusal of a change that cannot be sent; null when it can be. */
export function refuseUnsendable(change: EventChange): ChangeOutcome | null {
  const field = change.event ? unsendableTextField(change.event) : null
  if (!field) return null
  return {
    change_id: change.change_id,
    event_id: change.event_id,
    status: 'rejected',
    code: '22P05',
    rule: `service_events_${field}_characters`,
    message: `${field} holds characters that cannot be stored (U+0000 or a lone surrogate)`,
  }
}
