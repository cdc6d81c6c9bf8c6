// Personal data shown to someone other than its owner is masked: enough to recognise, not to use.

/** "volunteer@demo.local" → "vo***@demo.local"; a short local part keeps one character. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@')
  if (at < 1) return email ? '***' : ''
  const local = email.slice(0, at)
  const shown = [...local].slice(0, local.length > 3 ? 2 : 1).join('')
  return `${shown}***${email.slice(at)}`
}
