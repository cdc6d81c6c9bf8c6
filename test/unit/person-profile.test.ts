import { describe, expect, it } from 'vitest'
import {
  birthDateInResidentId, emptyProfile, profileIssues, residentIdCheckDigit, tidyProfile, type PersonalProfile,
} from '../../src/domain/person-profile'
import { maskIdNumber, maskName, maskPhone } from '../../src/domain/privacy'

// The standard example of a resident ID number (GB 11643): born 1949-12-31, check digit X.
const VALID: PersonalProfile = {
  ...emptyProfile('志愿者甲'),
  gender: 'male',
  birth_date: '1949-12-31',
  id_number: '11010519491231002X',
  volunteer_number: '5301-0042',
  residence_area: '五华区',
  phone: '13812345678',
  skills: ['急救'],
  service_categories: ['community'],
}
const NOW = Date.parse('2026-06-01T00:00:00Z')

const issuesOf = (changes: Partial<PersonalProfile>) =>
  profileIssues({ ...VALID, ...changes }, NOW).map((issue) => `${issue.field}:${issue.rule}`)

describe('the resident ID number', () => {
  it('has its ISO 7064 MOD 11-2 check digit', () => {
    expect(residentIdCheckDigit('11010519491231002')).toBe('X')
    expect(residentIdCheckDigit('44052418800101001')).toBe('4')
    expect(residentIdCheckDigit('53010219900307123')).toBe('8')
  })

  it('catches every single mistyped digit (what MOD 11-2 is for)', () => {
    const body = '11010519491231002'
    for (let position = 0; position < body.length; position++) {
      for (const digit of '0123456789') {
        if (digit === body[position]) continue
        const mistyped = body.slice(0, position) + digit + body.slice(position + 1)
        expect(residentIdCheckDigit(mistyped), mistyped).not.toBe('X')
      }
    }
  })

  it('holds a real date of birth', () => {
    expect(birthDateInResidentId('11010519491231002X')).toBe('1949-12-31')
    expect(birthDateInResidentId('110105194902300021')).toBeNull()
    expect(birthDateInResidentId('110105189912310021')).toBeNull()
    expect(birthDateInResidentId('1101051949123100')).toBeNull()
  })
})

describe('profileIssues mirrors the database rules', () => {
  it('accepts a complete profile, and one with only a name', () => {
    expect(issuesOf({})).toEqual([])
    expect(profileIssues(emptyProfile('志愿者乙'), NOW)).toEqual([])
  })

  it.each<[string, Partial<PersonalProfile>, string]>([
    ['19 characters', { id_number: '11010519491231002X0' }, 'id_number:person_identities_id_number_format'],
    ['no real date in it', { id_number: '110105194902300021', birth_date: null }, 'id_number:person_identities_id_number_format'],
    ['a wrong check digit', { id_number: '110105194912310021' }, 'id_number:person_identities_id_number_check_digit'],
    ["a birth date not the ID's", { birth_date: '1949-12-30' }, 'birth_date:person_identities_birth_date_matches_id_number'],
    ['a short passport number', { id_type: 'passport', id_number: 'E1' }, 'id_number:person_identities_id_number_format'],
    ['an unreadable birth date', { birth_date: '1949-13-01', id_number: '' }, 'birth_date:person_identities_birth_date_format'],
    ['a birth date to come', { birth_date: '2026-06-02', id_number: '' }, 'birth_date:person_identities_birth_date_range'],
    ['a birth date before 1900', { birth_date: '1899-12-31', id_number: '' }, 'birth_date:person_identities_birth_date_range'],
    ['a short phone', { phone: '12345' }, 'phone:person_profiles_phone_format'],
    ['a slash in the volunteer number', { volunteer_number: '5301/42' }, 'volunteer_number:person_profiles_volunteer_number_format'],
    ['an unknown category', { service_categories: ['knitting'] }, 'service_categories:person_profiles_service_categories_known'],
    ['a skill of 31 characters', { skills: ['技'.repeat(31)] }, 'skills:person_profiles_skills_items'],
    ['21 skills', { skills: Array.from({ length: 21 }, (_, i) => `技能${i}`) }, 'skills:person_profiles_skills_items'],
    ['a zero-width space in the area', { residence_area: 'a\u200Bb' }, 'residence_area:person_profiles_residence_area_characters'],
    ['an ideographic space for a name', { display_name: '\u3000' }, 'display_name:people_display_name_length'],
  ])('refuses %s', (_, changes, issue) => {
    expect(issuesOf(changes)).toEqual([issue])
  })

  it.each<[string, Partial<PersonalProfile>]>([
    ['a passport says nothing of the birth date', { id_type: 'passport', id_number: 'E12345678', birth_date: '1949-12-30' }],
    ['a landline with its area code', { phone: '0871-6512345' }],
    ['the check digit x typed small, with spaces', { id_number: ' 110105 19491231002x ' }],
  ])('accepts %s', (_, changes) => {
    expect(issuesOf(changes)).toEqual([])
  })

  it('tidies as the database does', () => {
    expect(tidyProfile({ ...VALID, display_name: ' 甲 ', id_number: '11010519491231002x', skills: [' 急救 ', '摄影', '急救', ' '], phone: '138 1234 5678' }))
      .toMatchObject({ display_name: '甲', id_number: '11010519491231002X', skills: ['急救', '摄影'], phone: '13812345678' })
  })
})

describe('masks', () => {
  it("show an ID number's area and end only", () => {
    expect(maskIdNumber('11010519491231002X')).toBe('1101**********002X')
    expect(maskIdNumber('E1234567')).toBe('E*******')
    expect(maskIdNumber('')).toBe('')
  })

  it("show a phone's first three and last four digits", () => {
    expect(maskPhone('13812345678')).toBe('138****5678')
  })

  it("show a name's first character", () => {
    expect(maskName('张三丰')).toBe('张**')
    expect(maskName('李')).toBe('李*')
  })
})
