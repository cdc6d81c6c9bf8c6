// What a person types to sign in or up: an email address or a mobile number. Supabase Auth takes
// a phone number in E.164 form (+ and the country code); volunteers here type a mainland number
// of 11 digits, often with spaces or hyphens, so that is read as +86.

export type Login = { email: string } | { phone: string }

/** The login typed, or null when it is neither an email address nor a phone number. */
export function parseLogin(typed: string): Login | null {
  const text = typed.trim()
  if (text.includes('@')) return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text) ? { email: text } : null
  const digits = text.replace(/[\s\-()]/g, '')
  if (/^1\d{10}$/.test(digits)) return { phone: `+86${digits}` }
  if (/^\+?86 ?1\d{10}$/.test(digits)) return { phone: `+${digits.replace(/^\+/, '')}` }
  if (/^\+[1-9]\d{6,14}$/.test(digits)) return { phone: digits }
  return null
}

