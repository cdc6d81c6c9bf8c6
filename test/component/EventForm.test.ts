import { mount, type VueWrapper } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import EventForm from '../../src/components/event/EventForm.vue'
import { draftFieldOf, emptyDraft, type EventDraft } from '../../src/components/event/eventDraft'
import type { Person, ServiceEventFields, Station, Team, ThemeMonth } from '../../src/domain/types'
import { createAppI18n, type Locale } from '../../src/i18n'

const stations: Station[] = [
  { id: 's1', name: '五华区工作站', address: '五华区华山南路 1 号' },
  { id: 's2', name: '盘龙区工作站', address: '盘龙区北京路 2 号' },
]
const teams: Team[] = [
  { id: 't1', name: '浙江餐饮商会志愿服务队', chamber: '浙江餐饮商会', recording_unit: '昆明市浙江商会' },
  { id: 't2', name: '福建商会志愿服务队', chamber: '福建商会' },
]
const themeMonths: ThemeMonth[] = [
  { id: 'm-2023-03', month: '2023-03-01', theme: '学雷锋志愿服务' },
  { id: 'm-2023-04', month: '2023-04-01', theme: '关爱妇女儿童' },
]
const members: Person[] = [
  { id: 'p1', display_name: '王伟', user_id: null },
  { id: 'p2', display_name: '李芳', user_id: null },
]

function draft(overrides: Partial<EventDraft> = {}): EventDraft {
  return emptyDraft({
    station_id: 's1',
    team_id: 't1',
    theme_month_id: 'm-2023-03',
    date: '2023-03-05',
    start: '09:00',
    end: '11:00',
    title: '社区义诊',
    participants: [{ person_id: 'p1', hours: '2' }],
    place: '五华区华山南路 1 号',
    service_content: '为老人测量血压',
    person_in_charge: 'p1',
    organizing_unit: '昆明市浙江商会',
    ...overrides,
  })
}

function mountForm(modelValue: EventDraft, extra: Record<string, unknown> = {}, locale: Locale = 'zh-CN') {
  const wrapper: VueWrapper = mount(EventForm, {
    props: {
      modelValue,
      stations,
      teams,
      themeMonths,
      members,
      leaderIds: ['p2'],
      'onUpdate:modelValue': (value: EventDraft) => void wrapper.setProps({ modelValue: value }),
      ...extra,
    },
    global: { plugins: [createAppI18n(locale)] },
    attachTo: document.body,
  })
  return wrapper
}

/** The error message shown for a control, found the way assistive technology finds it. */
function errorFor(wrapper: VueWrapper, controlId: string): string | undefined {
  const control = wrapper.find(`#${controlId}`)
  const ids = control.attributes('aria-describedby')?.split(' ') ?? []
  const errorId = ids.find((id) => id.endsWith('-error'))
  return errorId ? wrapper.find(`#${errorId}`).text() : undefined
}

function currentDraft(wrapper: VueWrapper): EventDraft {
  return (wrapper.props() as { modelValue: EventDraft }).modelValue
}

describe('EventForm', () => {
  it('shows a translated message next to each missing or wrong field and does not submit', async () => {
    const wrapper = mountForm(draft({ start: '', end: '', title: '', participants: [], person_in_charge: '' }))
    await wrapper.find('form').trigger('submit')

    expect(wrapper.emitted('submit')).toBeUndefined()
    expect(errorFor(wrapper, 'ev-start')).toBe('请填写此项。')
    expect(errorFor(wrapper, 'ev-end')).toBe('请填写此项。')
    expect(errorFor(wrapper, 'ev-title')).toBe('活动名称为 1 到 100 个字。')
    expect(wrapper.find('#participants-error').text()).toBe('请至少选择一名参加的志愿者。')
    expect(wrapper.find('[role=alert]').text()).toContain('4 处需要修改')
    expect(wrapper.find('#ev-title').attributes('aria-invalid')).toBe('true')
    wrapper.unmount()
  })

  it('checks money, the end time and each volunteer\'s hours with the database\'s rules', async () => {
    const wrapper = mountForm(
      draft({ funds: '12元5角', end: '08:00', materials: '300', participants: [{ person_id: 'p1', hours: '3' }] }),
    )
    await wrapper.find('form').trigger('submit')

    expect(errorFor(wrapper, 'ev-funds')).toBe('请输入金额，最多两位小数，例如 1200 或 35.5。')
    expect(errorFor(wrapper, 'ev-end')).toBe('结束时间必须晚于开始时间。')
    expect(errorFor(wrapper, 'ev-materials-description')).toBe('填写了物资金额时，请说明是什么物资。')
    expect(wrapper.emitted('submit')).toBeUndefined()

    await wrapper.find('#ev-end').setValue('10:00')
    await wrapper.find('#ev-funds').setValue('1,200.5')
    await wrapper.find('#ev-materials-description').setValue('米、油')
    expect(errorFor(wrapper, 'ev-funds')).toBeUndefined()
    expect(errorFor(wrapper, 'hours-p1')).toBe('个人时长不能超过活动时长。')
    wrapper.unmount()
  })

  it('emits the event fields in fen and Kunming time once everything is valid', async () => {
    const wrapper = mountForm(draft({ funds: '1,200.5', materials: '0', people_served: '35' }))
    await wrapper.find('form').trigger('submit')

    const [fields] = wrapper.emitted<[ServiceEventFields]>('submit')?.[0] ?? []
    expect(fields).toMatchObject({
      station_id: 's1',
      team_id: 't1',
      theme_month_id: 'm-2023-03',
      started_at: '2023-03-05T09:00:00+08:00',
      ended_at: '2023-03-05T11:00:00+08:00',
      title: '社区义诊',
      people_served: 35,
      funds_fen: 120050,
      materials_fen: 0,
      participants: [{ person_id: 'p1', hours: 2 }],
      place: '五华区华山南路 1 号',
      service_content: '为老人测量血压',
      person_in_charge: 'p1',
      organizing_unit: '昆明市浙江商会',
    })
    wrapper.unmount()
  })

  it('asks for the complete record (办法 Art. 7) at each field, in Chinese and in English', async () => {
    for (const [locale, message] of [['zh-CN', '请填写此项。'], ['en', 'Fill this in.']] as const) {
      const wrapper = mountForm(draft({ place: ' ', service_content: '', organizing_unit: '\u3000' }), {}, locale)
      await wrapper.find('form').trigger('submit')
      expect(wrapper.emitted('submit')).toBeUndefined()
      expect(errorFor(wrapper, 'ev-place')).toBe(message)
      expect(errorFor(wrapper, 'ev-service-content')).toBe(message)
      expect(errorFor(wrapper, 'ev-organizing-unit')).toBe(message)
      wrapper.unmount()
    }
    const long = mountForm(draft({ service_content: '服'.repeat(501) }), {}, 'en')
    await long.find('form').trigger('submit')
    expect(errorFor(long, 'ev-service-content')).toBe('What was done is 1 to 500 characters.')
    long.unmount()
  })

  it('keeps the person in charge among the participants, starting at the team\'s leader', async () => {
    const wrapper = mountForm(draft({ participants: [], person_in_charge: '' }))
    await wrapper.find('#same-hours').setValue('1.5')
    await wrapper.findAll('button').find((b) => b.text() === '全部填入')?.trigger('click')
    expect(currentDraft(wrapper).person_in_charge).toBe('p2')
    const options = wrapper.findAll('#ev-person-in-charge option').map((o) => o.text())
    expect(options).toEqual(['请选择', '王伟', '李芳'])

    await wrapper.find('#ev-person-in-charge').setValue('p1')
    expect(currentDraft(wrapper).person_in_charge).toBe('p1')
    await wrapper.setProps({ modelValue: { ...currentDraft(wrapper), person_in_charge: 'p9' } })
    await wrapper.find('form').trigger('submit')
    expect(errorFor(wrapper, 'ev-person-in-charge')).toBe('活动负责人必须是参加活动的志愿者之一。')
    wrapper.unmount()
  })

  it('moves the place with the station and the organizing unit with the team, unless typed over', async () => {
    const wrapper = mountForm(draft())
    await wrapper.find('#ev-station').setValue('s2')
    expect(currentDraft(wrapper).place).toBe('盘龙区北京路 2 号')
    await wrapper.find('#ev-team').setValue('t2')
    // A team without a recording unit of its own records under its chamber, as the server fills it.
    expect(currentDraft(wrapper).organizing_unit).toBe('福建商会')

    await wrapper.find('#ev-place').setValue('翠湖公园')
    await wrapper.find('#ev-station').setValue('s1')
    expect(currentDraft(wrapper).place).toBe('翠湖公园')
    wrapper.unmount()
  })

  it('gives everyone the same hours in one step, choosing the whole team when nobody is chosen', async () => {
    const wrapper = mountForm(draft({ participants: [] }))
    await wrapper.find('#same-hours').setValue('1.5')
    await wrapper.findAll('button').find((b) => b.text() === '全部填入')?.trigger('click')

    expect(currentDraft(wrapper).participants).toEqual([
      { person_id: 'p1', hours: '1.5' },
      { person_id: 'p2', hours: '1.5' },
    ])
    expect((wrapper.find('#hours-p2').element as HTMLInputElement).value).toBe('1.5')
    wrapper.unmount()
  })

  it('moves the theme month with the date', async () => {
    const wrapper = mountForm(draft())
    await wrapper.find('#ev-date').setValue('2023-04-02')
    expect(currentDraft(wrapper).theme_month_id).toBe('m-2023-04')
    expect(wrapper.find('#ev-theme-month').text()).toBe('2023年4月 · 关爱妇女儿童')
    wrapper.unmount()
  })

  it('saves an event in a month that has no theme month yet, saying the month will be made', async () => {
    const wrapper = mountForm(draft())
    await wrapper.find('#ev-date').setValue('2024-01-10')
    expect(currentDraft(wrapper).theme_month_id).toBe('')
    expect(wrapper.find('#ev-theme-month').text()).toBe('2024年1月 · 待命名')
    expect(wrapper.find('#ev-theme-month-hint').text()).toBe('这个月还没有主题月：同步时会自动创建，主题由协调员稍后填写。')

    await wrapper.find('form').trigger('submit')
    const [fields] = wrapper.emitted<[ServiceEventFields]>('submit')?.[0] ?? []
    expect(fields).toMatchObject({ theme_month_id: null, started_at: '2024-01-10T09:00:00+08:00' })
    wrapper.unmount()
  })

  it('shows why the server refused the last save next to the field it concerns', () => {
    const wrapper = mountForm(draft(), { serverIssues: [{ field: 'end', rule: 'service_events_not_in_future' }] })
    expect(errorFor(wrapper, 'ev-end')).toBe('活动不能在未来结束。')
    wrapper.unmount()
  })

  it('refuses control and invisible characters, and trims Unicode whitespace, as the database does', async () => {
    const wrapper = mountForm(draft({ title: '\u3000\u3000', note: '半个表情\uD83D', materials: '10', materials_description: '米\u200B油' }))
    await wrapper.find('form').trigger('submit')

    expect(wrapper.emitted('submit')).toBeUndefined()
    expect(errorFor(wrapper, 'ev-title')).toBe('活动名称为 1 到 100 个字。')
    expect(errorFor(wrapper, 'ev-note')).toBe('备注里有控制符或不可见字符（如制表符、零宽空格），请删除。')
    expect(errorFor(wrapper, 'ev-materials-description')).toBe('物资说明里有控制符或不可见字符（如换行、零宽空格），请删除。')

    await wrapper.find('#ev-title').setValue('\u3000社区义诊 ')
    await wrapper.find('#ev-note').setValue('第一行\n第二行\u3000')
    await wrapper.find('#ev-materials-description').setValue('\u00A0米、油')
    await wrapper.find('form').trigger('submit')
    const [fields] = wrapper.emitted<[ServiceEventFields]>('submit')?.[0] ?? []
    expect(fields).toMatchObject({ title: '社区义诊', note: '第一行\n第二行', materials_description: '米、油' })
    wrapper.unmount()
  })

  it('places the server\'s rules on the fields they concern', () => {
    expect(draftFieldOf(null, 'service_events_title_characters')).toBe('title')
    expect(draftFieldOf(null, 'service_events_note_characters')).toBe('note')
    expect(draftFieldOf(null, 'service_events_started_at_format')).toBe('start')
    expect(draftFieldOf(null, 'service_events_ended_at_format')).toBe('end')
    expect(draftFieldOf(null, 'service_events_team_policy')).toBe('team_id')
    expect(draftFieldOf(null, 'service_events_people_served_format')).toBe('people_served')
    expect(draftFieldOf(null, 'service_events_funds_format')).toBe('funds')
    expect(draftFieldOf(null, 'service_events_materials_format')).toBe('materials')
    expect(draftFieldOf(null, 'event_participants_hours_format')).toBe('participants')
    expect(draftFieldOf(null, 'service_events_place_characters')).toBe('place')
    expect(draftFieldOf(null, 'service_events_service_content_length')).toBe('service_content')
    expect(draftFieldOf(null, 'service_events_organizing_unit_length')).toBe('organizing_unit')
    expect(draftFieldOf(null, 'service_events_person_in_charge_participant')).toBe('person_in_charge')
  })

  it('speaks English when asked', async () => {
    const wrapper = mountForm(draft({ title: '  ' }), {}, 'en')
    await wrapper.find('form').trigger('submit')
    expect(errorFor(wrapper, 'ev-title')).toBe('The title is 1 to 100 characters.')
    expect(wrapper.find('label[for=ev-station]').text()).toBe('Work station')
    wrapper.unmount()
  })
})
