import { mount, type VueWrapper } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import EventForm from '../../src/components/event/EventForm.vue'
import ParticipantPicker from '../../src/components/event/ParticipantPicker.vue'
import { emptyDraft, type EventDraft, type ParticipantDraft } from '../../src/components/event/eventDraft'
import type { Person } from '../../src/domain/types'
import { createAppI18n } from '../../src/i18n'

const members: Person[] = [
  { id: 'p1', display_name: '王伟', user_id: null },
  { id: 'p2', display_name: '李芳', user_id: null },
  { id: 'p3', display_name: '王芳', user_id: null },
]

function mountPicker(modelValue: ParticipantDraft[] = [], extra: Record<string, unknown> = {}) {
  const wrapper: VueWrapper = mount(ParticipantPicker, {
    props: {
      members,
      modelValue,
      errors: {},
      'onUpdate:modelValue': (value: ParticipantDraft[]) => void wrapper.setProps({ modelValue: value }),
      ...extra,
    },
    global: { plugins: [createAppI18n('zh-CN')] },
  })
  return wrapper
}

const chipNames = (wrapper: VueWrapper) => wrapper.findAll('.chip').map((chip) => chip.text())
const chosen = (wrapper: VueWrapper) => (wrapper.props() as { modelValue: ParticipantDraft[] }).modelValue

describe('ParticipantPicker', () => {
  it('filters the team by the name typed into the search box', async () => {
    const wrapper = mountPicker()
    expect(chipNames(wrapper)).toEqual(['王伟', '李芳', '王芳'])
    await wrapper.find('#participant-search').setValue('王')
    expect(chipNames(wrapper)).toEqual(['王伟', '王芳'])
    await wrapper.find('#participant-search').setValue('芳')
    expect(chipNames(wrapper)).toEqual(['李芳', '王芳'])
    await wrapper.find('#participant-search').setValue('张')
    expect(chipNames(wrapper)).toEqual([])
    expect(wrapper.text()).toContain('没有姓名包含“张”的队员')
  })

  it('lists the chosen ones with an hours box each, chosen while searching, removable', async () => {
    const wrapper = mountPicker()
    await wrapper.find('#participant-search').setValue('芳')
    await wrapper.findAll('.chip input')[1]!.setValue(true)
    expect(chosen(wrapper)).toEqual([{ person_id: 'p3', hours: '' }])
    expect(wrapper.find('[data-testid=chosen-count]').text()).toBe('已选 1 人')
    await wrapper.find('#hours-p3').setValue('2.5')
    expect(chosen(wrapper)).toEqual([{ person_id: 'p3', hours: '2.5' }])
    expect(wrapper.find('#hours-p3').attributes('aria-label')).toBe('王芳 的服务时长（小时）')

    // The chosen stay listed, with their hours, when the search moves on.
    await wrapper.find('#participant-search').setValue('李')
    expect(wrapper.findAll('.chosen__name').map((n) => n.text())).toEqual(['王芳'])
    await wrapper.find('button[aria-label="移除 王芳"]').trigger('click')
    expect(chosen(wrapper)).toEqual([])
    expect(wrapper.find('.chosen').exists()).toBe(false)
  })

  it('keeps "same hours for all": everyone chosen gets them', async () => {
    const wrapper = mountPicker([
      { person_id: 'p1', hours: '1' },
      { person_id: 'p2', hours: '' },
    ])
    await wrapper.find('#same-hours').setValue('3')
    await wrapper.findAll('button').find((b) => b.text() === '全部填入')!.trigger('click')
    expect(chosen(wrapper)).toEqual([
      { person_id: 'p1', hours: '3' },
      { person_id: 'p2', hours: '3' },
    ])
  })

  it('shows "nobody chosen" right under the search box, which carries it', () => {
    const wrapper = mountPicker([], { listError: '请至少选择一名参加的志愿者。' })
    const search = wrapper.find('#participant-search')
    expect(search.attributes('aria-describedby')).toBe('participants-error')
    expect(search.attributes('aria-invalid')).toBe('true')
    expect(search.element.nextElementSibling?.id).toBe('participants-error')
  })
})

describe('EventForm with nobody chosen and no title', () => {
  it('moves the focus to the first of them in the form: the participants search box, next to its message', async () => {
    const draft: EventDraft = emptyDraft({
      station_id: 's1', team_id: 't1', theme_month_id: 'm', date: '2023-03-05', start: '09:00', end: '11:00', title: '',
      place: '五华区', service_content: '义诊', organizing_unit: '一队',
    })
    const wrapper = mount(EventForm, {
      props: {
        modelValue: draft,
        stations: [{ id: 's1', name: '五华区工作站', address: '' }],
        teams: [{ id: 't1', name: '一队', chamber: '' }],
        themeMonths: [{ id: 'm', month: '2023-03-01', theme: '学雷锋' }],
        members,
        leaderIds: [],
      },
      global: { plugins: [createAppI18n('zh-CN')] },
      attachTo: document.body,
    })
    await wrapper.find('form').trigger('submit')
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(document.activeElement?.id).toBe('participant-search')
    expect(wrapper.find('#participants-error').text()).toBe('请至少选择一名参加的志愿者。')
    wrapper.unmount()
  })
})
