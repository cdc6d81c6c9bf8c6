// Personal data shown to someone other than its owner is masked: enough to recognise, not to use.

/** "volunteer@demo.local" → "vo***@demo.local"; a short local part keeps one character. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@')
  if (at < 1) return email ? '***' : ''
  const local = email.slice(0, at)
  const shown = [...local].slice(0, local.length > 3 ? 2 : 1).join('')
  return `${shown}***${email.slice(at)}`
}

/** Hides all but `keepStart` and `keepEnd` characters (code points) of a value; short ones keep less. */
function maskMiddle(value: string, keepStart: number, keepEnd: number): string {
  const chars = [...value]
  if (chars.length === 0) return ''
  if (chars.length <= keepStart + keepEnd) return `${chars[0]}${'*'.repeat(chars.length - 1)}`
  return `${chars.slice(0, keepStart).join('')}${'*'.repeat(chars.length - keepStart - keepEnd)}${chars.slice(-keepEnd).join('')}`
}

/**
 * An ID number as others see it: "110105194912310021" → "1101**********0021" (the first four
 * and last four characters; the area, never the date of birth). As private.mask_id_number.
 */
export function maskIdNumber(idNumber: string): string {
  return maskMiddle(idNumber, 4, 4)
}

/** A phone number as others see it: "13812345678" → "138****5678". */
export function maskPhone(phone: string): string {
  return maskMiddle(phone, 3, 4)
}

/**
 * A name as a stranger sees it (the public verification page): the first character, then one
 * star per other character: "张三丰" → "张**". As private.mask_name.
 */
export function maskName(name: string): string {
  const chars = [...name]
  if (chars.length === 0) return ''
  return `${chars[0]}${'*'.repeat(Math.max(1, chars.length - 1))}`
}
