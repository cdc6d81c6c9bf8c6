import { describe, expect, it } from 'vitest'
import type { ServiceEventFields, ThemeMonth } from '../../src/domain/types'
import { hasHiddenCharacters, textRule, trimText, validateEvent, type ValidationContext } from '../../src/domain/validation'
import { APRIL, MARCH, PERSON, PERSON_2, STATION, TEAM, eventFields } from './support/fixtures'

const themeMonths: ThemeMonth[] = [
  { id: MARCH, month: '2023-03-01', theme: '学雷锋志愿服务' },
  { id: APRIL, month: '2023-04-01', theme: '关爱妇女儿童' },
]
const context: ValidationContext = {
  now: Date.parse('2023-03-06T00:00:00Z'),
  stations: [{ id: STATION, name: '五华区工作站', address: '' }],
  teams: [{ id: TEAM, name: '队', chamber: '' }],
  themeMonths,
  teamMembers: [{ team_id: TEAM, person_id: PERSON, role: 'leader' }, { team_id: TEAM, person_id: PERSON_2, role: 'member' }],
  allowedTeamIds: [TEAM],
}

function rulesOf(overrides: Partial<ServiceEventFields>, ctx: ValidationContext = context): string[] {
  return validateEvent(eventFields(overrides), ctx).map((issue) => `${issue.field}:${issue.rule}`)
}

describe('validateEvent mirrors the database rules', () => {
  it('accepts a valid event', () => {
    expect(rulesOf({})).toEqual([])
  })

  it.each<[string, Partial<ServiceEventFields>, string]>([
    ['title empty', { title: '' }, 'title:service_events_title_length'],
    ['title spaces only (btrim)', { title: '   ' }, 'title:service_events_title_length'],
    ['title of 101 characters', { title: '字'.repeat(101) }, 'title:service_events_title_length'],
    ['note over 2000', { note: 'x'.repeat(2001) }, 'note:service_events_note_length'],
    ['materials description over 500', { materials_description: 'x'.repeat(501) }, 'materials_description:service_events_materials_description_length'],
    ['end before start', { ended_at: '2023-03-05T08:00:00+08:00' }, 'ended_at:service_events_ends_after_start'],
    ['end equal to start', { ended_at: '2023-03-05T09:00:00+08:00' }, 'ended_at:service_events_ends_after_start'],
    ['over 24 hours', { started_at: '2023-03-03T09:00:00+08:00', ended_at: '2023-03-04T09:00:01+08:00' }, 'ended_at:service_events_duration_at_most_a_day'],
    ['negative people served', { people_served: -1 }, 'people_served:service_events_people_served_range'],
    ['too many people served', { people_served: 100_001 }, 'people_served:service_events_people_served_range'],
    ['fractional people served', { people_served: 1.5 }, 'people_served:integer_format'],
    ['funds over 10,000,000 yuan', { funds_fen: 1_000_000_001 }, 'funds_fen:service_events_funds_range'],
    ['negative funds', { funds_fen: -1 }, 'funds_fen:service_events_funds_range'],
    ['fractional fen', { funds_fen: 0.5 }, 'funds_fen:money_format'],
    ['materials over the limit', { materials_fen: 1_000_000_001, materials_description: '米' }, 'materials_fen:service_events_materials_range'],
    ['materials not described', { materials_fen: 100 }, 'materials_description:service_events_materials_described'],
    ['ends in the future', { started_at: '2023-03-06T07:00:00+08:00', ended_at: '2023-03-06T08:16:00+08:00' }, 'ended_at:service_events_not_in_future'],
    ['wrong theme month', { theme_month_id: APRIL }, 'theme_month_id:service_events_theme_month_matches_date'],
    ['no participants', { participants: [] }, 'participants:service_events_has_participants'],
    ['zero hours', { participants: [{ person_id: PERSON, hours: 0 }] }, 'participants.0.hours:event_participants_hours_range'],
    ['hours rounding to zero (numeric(4,2))', { participants: [{ person_id: PERSON, hours: 0.004 }] }, 'participants.0.hours:event_participants_hours_range'],
    ['hours over the event', { participants: [{ person_id: PERSON, hours: 3.01 }] }, 'participants.0.hours:event_participants_hours_within_event'],
    ['participant not in the team', { participants: [{ person_id: '00000000-0000-4000-8000-0000000000ee', hours: 1 }] }, 'participants.0.person_id:event_participants_team_member'],
    ['same person twice', { participants: [{ person_id: PERSON, hours: 1 }, { person_id: PERSON, hours: 1 }] }, 'participants.1.person_id:event_participants_unique'],
    ['unknown station', { station_id: '00000000-0000-4000-8000-0000000000dd' }, 'station_id:service_events_station_id_fkey'],
    ['unknown team', { team_id: '00000000-0000-4000-8000-0000000000dd' }, 'team_id:service_events_team_id_fkey'],
    ['unknown theme month', { theme_month_id: '00000000-0000-4000-8000-0000000000dd' }, 'theme_month_id:service_events_theme_month_id_fkey'],
    ['missing station', { station_id: '' }, 'station_id:required'],
    ['bad start time', { started_at: 'yesterday' }, 'started_at:time_format'],
  ])('%s', (_name, overrides, expected) => {
    expect(rulesOf(overrides)).toContain(expected)
  })

  it('accepts the limits themselves', () => {
    expect(rulesOf({
      title: '字'.repeat(100), note: 'x'.repeat(2000), materials_description: 'x'.repeat(500),
      people_served: 100_000, funds_fen: 1_000_000_000, materials_fen: 1_000_000_000,
      started_at: '2023-03-04T09:00:00+08:00', ended_at: '2023-03-05T09:00:00+08:00',
      participants: [{ person_id: PERSON, hours: 24 }],
    })).toEqual([])
  })

  it('counts characters as Postgres does (an emoji is one)', () => {
    expect(rulesOf({ title: '😀'.repeat(100) })).toEqual([])
  })

  it('tolerates an end up to 15 minutes ahead, as the server does', () => {
    expect(rulesOf({ started_at: '2023-03-06T07:00:00+08:00', ended_at: '2023-03-06T08:15:00+08:00', participants: [{ person_id: PERSON, hours: 1 }] })).toEqual([])
  })

  it('uses the Shanghai month: 00:30 on 1 April in Kunming belongs to April', () => {
    const fields = { started_at: '2023-03-31T16:30:00Z', ended_at: '2023-03-31T17:30:00Z', participants: [{ person_id: PERSON, hours: 1 }] }
    const ctx = { ...context, now: Date.parse('2023-04-02T00:00:00Z') }
    expect(rulesOf({ ...fields, theme_month_id: MARCH }, ctx)).toContain('theme_month_id:service_events_theme_month_matches_date')
    expect(rulesOf({ ...fields, theme_month_id: APRIL }, ctx)).toEqual([])
  })

  it('takes an event without a theme month: the server puts it in its month\'s, made on first use', () => {
    expect(rulesOf({ theme_month_id: null })).toEqual([])
    expect(rulesOf({ theme_month_id: null, started_at: '2031-07-05T09:00:00+08:00', ended_at: '2031-07-05T12:00:00+08:00' },
      { ...context, now: Date.parse('2031-07-06T00:00:00Z') })).toEqual([])
  })

  it('refuses a team the user is not in (RLS) and skips the check when no list is given', () => {
    expect(rulesOf({}, { ...context, allowedTeamIds: [] })).toContain('team_id:permission')
    expect(rulesOf({}, { now: context.now })).toEqual([])
  })
})

describe('typed text is trimmed and checked as the database does it', () => {
  it('trims Unicode whitespace (ideographic, no-break, tabs, line breaks) around the text, not inside it', () => {
    expect(trimText('\u3000 \t社区 义诊\u00A0\n\u2003')).toBe('社区 义诊')
    expect(trimText('\u202F\u205F\u0085\u1680')).toBe('')
  })

  it('lists exactly the control and format characters of Unicode, the zero-width joiner aside', () => {
    const unicode = /^[\p{Cc}\p{Cf}]$/u
    const differ: string[] = []
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue
      const character = String.fromCodePoint(cp)
      // Alone, a joiner is refused too (it joins nothing): that is tested below.
      const expected = unicode.test(character)
      if (cp !== 0x200d && hasHiddenCharacters(`a${character}b`) !== expected) differ.push(cp.toString(16))
    }
    expect(differ).toEqual([])
  })

  it.each<[string, Partial<ServiceEventFields>, string]>([
    ['a title of ideographic spaces (Chinese input methods)', { title: '\u3000\u3000' }, 'title:service_events_title_length'],
    ['a title of no-break spaces, a tab and a line break', { title: '\u00A0\t\n\u00A0' }, 'title:service_events_title_length'],
    ['a title of a zero-width space', { title: '\u200B' }, 'title:service_events_title_characters'],
    ['a tab inside a title', { title: '社区\t义诊' }, 'title:service_events_title_characters'],
    ['a line break inside a title', { title: '社区\n义诊' }, 'title:service_events_title_characters'],
    ['a right-to-left override in a title', { title: '社区\u202E诊义' }, 'title:service_events_title_characters'],
    ['U+0000 in a note', { note: '备注\u0000' }, 'note:service_events_note_characters'],
    ['a lone surrogate in a note (half an emoji)', { note: '备注\uD83D' }, 'note:service_events_note_characters'],
    ['a tab in a note', { note: '第一行\t第二行' }, 'note:service_events_note_characters'],
    ['a soft hyphen in a materials description', { materials_description: '米\u00AD油' }, 'materials_description:service_events_materials_description_characters'],
    ['a zero-width joiner at the end of a title', { title: '亲子活动\u200D' }, 'title:service_events_title_characters'],
    ['a zero-width joiner after a space', { title: '亲子 \u200D活动' }, 'title:service_events_title_characters'],
  ])('refuses %s', (_name, overrides, expected) => {
    expect(rulesOf(overrides)).toContain(expected)
  })

  it('takes notes with line breaks, emoji joined by zero-width joiners, and text with spaces around it', () => {
    expect(rulesOf({
      title: '\u3000\u{1F468}\u200D\u{1F469}\u200D\u{1F467} 亲子活动 ',
      note: '第一行\n第二行\r\n第三行',
      materials_fen: 100,
      materials_description: ' 米、油\u3000',
    })).toEqual([])
    expect(rulesOf({ title: ` ${'字'.repeat(100)}\u3000` })).toEqual([])
  })

  it('names the rule of each typed column of reference data', () => {
    expect(textRule('stations_name', '\u3000')).toBe('stations_name_length')
    expect(textRule('stations_address', '')).toBeNull()
    expect(textRule('teams_chamber', '浙江\u2060商会')).toBe('teams_chamber_characters')
    expect(textRule('theme_months_theme', '\t')).toBe('theme_months_theme_length')
    expect(textRule('people_display_name', '张\u200E三')).toBe('people_display_name_characters')
    expect(textRule('people_display_name', '\u3000张三\u3000')).toBeNull()
    expect(textRule('people_display_name', '名'.repeat(51))).toBe('people_display_name_length')
  })
})

describe('the membership rule holds for new participants only', () => {
  const formerMember = '00000000-0000-4000-8000-0000000000e9'

  it('keeps a participant who has left the team on an event they already took part in', () => {
    const participants = [{ person_id: PERSON, hours: 1 }, { person_id: formerMember, hours: 1 }]
    expect(rulesOf({ participants }, { ...context, keptParticipantIds: [PERSON, formerMember] })).toEqual([])
  })

  it('refuses them as a new participant', () => {
    const participants = [{ person_id: PERSON, hours: 1 }, { person_id: formerMember, hours: 1 }]
    expect(rulesOf({ participants }, { ...context, keptParticipantIds: [PERSON] }))
      .toEqual(['participants.1.person_id:event_participants_team_member'])
    expect(rulesOf({ participants })).toEqual(['participants.1.person_id:event_participants_team_member'])
  })
})
