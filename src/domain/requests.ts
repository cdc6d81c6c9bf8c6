// The rules of a request's text, as the database names them: the reason of an adjustment, the
// note of a correction request. Both are the user's words for someone else to decide on.

export const REQUEST_TEXT_MAX_CHARS = 500

const RULES = {
  adjustment: 'adjustment_requests_reason_length',
  correction: 'correction_requests_note_length',
} as const

/** The rule the text breaks, or null when it is fine (1 to 500 characters after trimming). */
export function requestTextRule(kind: keyof typeof RULES, text: string): string | null {
  const length = [...text.trim()].length
  return length >= 1 && length <= REQUEST_TEXT_MAX_CHARS ? null : RULES[kind]
}
