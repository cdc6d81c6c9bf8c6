// A volunteer's personal information (办法 Art. 5) and its rules, exactly as the database checks
// them (supabase/migrations/20261201030000_person_profiles.sql): the form names the same rule at
// the same field before anything is sent, offline too.
import { shanghaiDateOf } from './time'
import type { SyncFailure } from './types'
import { hasHiddenCharacters, textRule, trimText } from './validation'

export const ID_TYPES = ['resident_id', 'hk_macao_permit', 'taiwan_permit', 'passport', 'foreign_permanent_residence'] as const
export type IdType = (typeof ID_TYPES)[number]

export const GENDERS = ['female', 'male'] as const
export type Gender = (typeof GENDERS)[number]

/** The service categories of the national volunteer service information system, by code. */
export const SERVICE_CATEGORIES = [
  'community', 'poverty_relief', 'education', 'health', 'elderly_disabled', 'legal', 'environment',
  'culture', 'science', 'emergency', 'safety', 'sports', 'large_events', 'civility', 'other',
] as const

export const MAX_SKILLS = 20

/** What a volunteer edits of themselves (the name is required, the rest optional). */
export interface PersonalProfile {
  display_name: string
  gender: Gender | null
  /** YYYY-MM-DD, or null. */
  birth_date: string | null
  id_type: IdType
  id_number: string
  /** 志愿者编号, as the national system issues it. */
  volunteer_number: string
  residence_area: string
  phone: string
  skills: string[]
  service_categories: string[]
}

/** The profile as the server holds it (my_profile()). */
export interface ServerProfile extends PersonalProfile {
  person_id: string
  updated_at: string | null
}

/** A profile saved on the phone and not yet on the server (sent by the sync engine). */
export interface PendingProfile {
  profile: PersonalProfile
  /** When it was saved (ISO 8601): tells this version from a later one. */
  savedAt: string
}

/** Why the server refused the pending profile saved at savedAt; it waits for the user to fix it. */
export interface ProfileFailure {
  savedAt: string
  failure: SyncFailure
}

export type ProfileField = keyof PersonalProfile

export interface ProfileIssue {
  field: ProfileField
  rule: string
}

export function emptyProfile(displayName = ''): PersonalProfile {
  return {
    display_name: displayName,
    gender: null,
    birth_date: null,
    id_type: 'resident_id',
    id_number: '',
    volunteer_number: '',
    residence_area: '',
    phone: '',
    skills: [],
    service_categories: [],
  }
}

const WHITESPACE_ANYWHERE = /[\t\n\v\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]/gu

/** The profile as the database stores it: texts trimmed, the ID number and phone without spaces, lists once each. */
export function tidyProfile(profile: PersonalProfile): PersonalProfile {
  const once = (items: readonly string[]) => [...new Set(items)]
  return {
    ...profile,
    display_name: trimText(profile.display_name),
    id_number: profile.id_number.replace(WHITESPACE_ANYWHERE, '').toUpperCase(),
    volunteer_number: trimText(profile.volunteer_number),
    residence_area: trimText(profile.residence_area),
    phone: profile.phone.replace(WHITESPACE_ANYWHERE, ''),
    skills: once(profile.skills.map(trimText).filter((skill) => skill !== '')),
    service_categories: once(profile.service_categories),
  }
}

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]

/** The ISO 7064 MOD 11-2 check character of a resident ID number's first 17 digits. */
export function residentIdCheckDigit(first17: string): string {
  const sum = WEIGHTS.reduce((total, weight, i) => total + Number(first17[i]) * weight, 0)
  return '10X98765432'[sum % 11]!
}

/** The date of birth (YYYY-MM-DD) a resident ID number holds, or null when it has no real one. */
export function birthDateInResidentId(idNumber: string): string | null {
  const match = /^\d{6}(\d{4})(\d{2})(\d{2})\d{3}[\dX]$/.exec(idNumber)
  if (!match) return null
  const [, year, month, day] = match
  const date = `${year}-${month}-${day}`
  return Number(year) >= 1900 && isValidDate(date) ? date : null
}

function idNumberRule(idType: IdType, idNumber: string): string | null {
  if (idNumber === '') return null
  if (idType !== 'resident_id') return /^[0-9A-Z()-]{5,30}$/.test(idNumber) ? null : 'person_identities_id_number_format'
  if (birthDateInResidentId(idNumber) === null) return 'person_identities_id_number_format'
  return idNumber.endsWith(residentIdCheckDigit(idNumber.slice(0, 17))) ? null : 'person_identities_id_number_check_digit'
}

function isValidDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false
  const parsed = new Date(`${text}T00:00:00Z`)
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === text
}

/** The rule a date of birth breaks: readable, from 1900 to today, the one in a valid resident ID number. */
function birthDateRule(profile: PersonalProfile, today: string): string | null {
  const birth = profile.birth_date
  if (birth === null || birth === '') return null
  if (!isValidDate(birth)) return 'person_identities_birth_date_format'
  if (birth < '1900-01-01' || birth > today) return 'person_identities_birth_date_range'
  const validId = profile.id_type === 'resident_id' && profile.id_number !== '' && idNumberRule('resident_id', profile.id_number) === null
  return validId && birthDateInResidentId(profile.id_number) !== birth ? 'person_identities_birth_date_matches_id_number' : null
}

/**
 * What the database would refuse in a profile (tidied first, as the database tidies it), one
 * rule per field. `now` is the phone's clock (ms): a date of birth cannot be after today in
 * Kunming.
 */
export function profileIssues(input: PersonalProfile, now: number): ProfileIssue[] {
  const profile = tidyProfile(input)
  const issues: ProfileIssue[] = []
  const add = (field: ProfileField, rule: string | null) => {
    if (rule) issues.push({ field, rule })
  }
  add('display_name', textRule('people_display_name', profile.display_name))
  add('gender', profile.gender === null || GENDERS.includes(profile.gender) ? null : 'person_identities_gender')
  add('id_type', ID_TYPES.includes(profile.id_type) ? null : 'person_identities_id_type')
  add('id_number', ID_TYPES.includes(profile.id_type) ? idNumberRule(profile.id_type, profile.id_number) : null)
  add('birth_date', birthDateRule(profile, shanghaiDateOf(now)!))
  add('volunteer_number', /^[0-9A-Za-z-]{0,40}$/.test(profile.volunteer_number) ? null : 'person_profiles_volunteer_number_format')
  add('residence_area', hasHiddenCharacters(profile.residence_area)
    ? 'person_profiles_residence_area_characters'
    : [...profile.residence_area].length > 100 ? 'person_profiles_residence_area_length' : null)
  add('phone', profile.phone === '' || /^(1[3-9]\d{9}|0[1-9]\d{1,2}-?\d{7,8})$/.test(profile.phone) ? null : 'person_profiles_phone_format')
  const badSkill = profile.skills.some((skill) => [...skill].length > 30 || hasHiddenCharacters(skill))
  add('skills', profile.skills.length > MAX_SKILLS || badSkill ? 'person_profiles_skills_items' : null)
  const known: readonly string[] = SERVICE_CATEGORIES
  add('service_categories', profile.service_categories.every((code) => known.includes(code)) ? null : 'person_profiles_service_categories_known')
  return issues
}
