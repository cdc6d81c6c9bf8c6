import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import { useDraftsStore } from '../../src/stores/drafts'

describe('drafts store', () => {
  beforeEach(() => {
    localStorage.clear()
    setActivePinia(createPinia())
  })

  it('keeps what was typed across a reload (a new store reading localStorage)', async () => {
    const drafts = useDraftsStore()
    drafts.put('event:new', { title: '社区义诊' }, true)
    await nextTick()

    setActivePinia(createPinia())
    const reloaded = useDraftsStore()
    expect(reloaded.get('event:new')).toEqual({ value: { title: '社区义诊' }, dirty: true })
    expect(reloaded.hasUnsavedInput).toBe(true)
  })

  it('says an update may reload only when no form holds input and nothing is being saved', async () => {
    const drafts = useDraftsStore()
    expect(drafts.hasUnsavedInput).toBe(false)
    drafts.put('event:new', { title: 'x' }, true)
    expect(drafts.hasUnsavedInput).toBe(true)
    drafts.clear('event:new')
    expect(drafts.hasUnsavedInput).toBe(false)

    let finish: () => void = () => undefined
    const saving = drafts.track(() => new Promise<void>((resolve) => (finish = resolve)))
    expect(drafts.saving).toBe(1)
    finish()
    await saving
    expect(drafts.saving).toBe(0)
  })
})
