import { mount, type VueWrapper } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import type { EditableItem } from '../../src/components/manage/editable'
import EditableList from '../../src/components/manage/EditableList.vue'
import { i18nWithPageMessages } from '../support/page-messages'

const fields = [
  { key: 'name', label: '名称', required: true },
  { key: 'chamber', label: '所属商会' },
]

function teams(n: number): EditableItem[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `t${i + 1}`,
    title: `第${i + 1}队`,
    detail: i % 2 === 0 ? '浙江商会' : '湖南商会',
    values: { name: `第${i + 1}队`, chamber: i % 2 === 0 ? '浙江商会' : '湖南商会' },
  }))
}

function mountList(items: EditableItem[]) {
  return mount(EditableList, {
    props: { idPrefix: 'teams', heading: '志愿服务队', fields, items },
    global: { plugins: [i18nWithPageMessages()] },
    attachTo: document.body,
  })
}

const titles = (wrapper: VueWrapper) => wrapper.findAll('.editable-list__text strong').map((s) => s.text())
const settle = async () => {
  await nextTick()
  await nextTick()
}

describe('EditableList', () => {
  it('finds records by their name or detail', async () => {
    const wrapper = mountList(teams(12))
    await wrapper.find('#teams-search').setValue('第1')
    expect(titles(wrapper)).toEqual(['第1队', '第10队', '第11队', '第12队'])
    await wrapper.find('#teams-search').setValue('湖南')
    expect(titles(wrapper)).toHaveLength(6)
    await wrapper.find('#teams-search').setValue('四川')
    expect(titles(wrapper)).toEqual([])
    expect(wrapper.text()).toContain('没有找到包含“四川”的项目。')
    wrapper.unmount()
  })

  it('folds long lists and leaves short ones open', () => {
    const long = mountList(teams(64))
    expect((long.find('details').element as HTMLDetailsElement).open).toBe(false)
    expect(long.find('summary').text()).toContain('64 项')
    long.unmount()
    const short = mountList(teams(10))
    expect((short.find('details').element as HTMLDetailsElement).open).toBe(true)
    short.unmount()
  })

  it('opens the edit form in place of the row, focused, and gives the focus back on cancel or Escape', async () => {
    const wrapper = mountList(teams(30))
    const row = () => wrapper.findAll('.editable-list__item')[27]!
    await row().find('[data-edit="t28"]').trigger('click')
    await settle()
    const form = row().find('form')
    expect(form.exists()).toBe(true)
    expect(wrapper.findAll('form')).toHaveLength(1)
    expect(document.activeElement?.id).toBe('teams-name')
    expect((document.activeElement as HTMLInputElement).value).toBe('第28队')

    await form.findAll('button').find((b) => b.text() === '取消')!.trigger('click')
    await settle()
    expect(wrapper.find('form').exists()).toBe(false)
    expect(document.activeElement?.getAttribute('data-edit')).toBe('t28')

    await row().find('[data-edit="t28"]').trigger('click')
    await settle()
    await wrapper.find('form').trigger('keydown', { key: 'Escape' })
    await settle()
    expect(wrapper.find('form').exists()).toBe(false)
    expect(document.activeElement?.getAttribute('data-edit')).toBe('t28')
    wrapper.unmount()
  })

  it('saves what was typed for that record, and closes once the save worked', async () => {
    const wrapper = mountList(teams(3))
    await wrapper.find('[data-edit="t2"]').trigger('click')
    await settle()
    await wrapper.find('#teams-name').setValue('第二队')
    await wrapper.find('form').trigger('submit')
    const [values, id, done] = wrapper.emitted<[Record<string, string>, string | undefined, () => void]>('save')![0]!
    expect([values, id]).toEqual([{ name: '第二队', chamber: '湖南商会' }, 't2'])
    expect(wrapper.find('form').exists()).toBe(true)
    done()
    await settle()
    expect(wrapper.find('form').exists()).toBe(false)
    wrapper.unmount()
  })

  it('adds a record from a blank form at the top of the list', async () => {
    const wrapper = mountList(teams(3))
    await wrapper.find('[data-add]').trigger('click')
    await settle()
    expect(document.activeElement?.id).toBe('teams-name')
    expect((document.activeElement as HTMLInputElement).value).toBe('')
    await wrapper.find('#teams-name').setValue('新队')
    await wrapper.find('form').trigger('submit')
    expect(wrapper.emitted('save')![0]!.slice(0, 2)).toEqual([{ name: '新队', chamber: '' }, undefined])
    wrapper.unmount()
  })
})
