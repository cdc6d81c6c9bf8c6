import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'
import PeriodCard from '../../src/components/ledger/PeriodCard.vue'
import type { PeriodStatus } from '../../src/domain/ledger'
import ledgerZhCN from '../../src/i18n/ledger/zh-CN'
import pagesZhCN from '../../src/i18n/pages/zh-CN'
import { useLedgerStore } from '../../src/stores/ledger'
import { i18nWithPageMessages } from '../support/page-messages'
import { MARCH, STATION } from '../unit/support/fixtures'

const open: PeriodStatus = {
  station_id: STATION, theme_month_id: MARCH, status: 'open', version: null, adjusted: false,
  events: 2, confirmed: 0, closed_at: null, closed_by: null,
}

function mountCard(status: PeriodStatus) {
  const i18n = i18nWithPageMessages({ ledger: ledgerZhCN })
  return mount(PeriodCard, {
    props: { status, stationName: '五华区工作站', disabled: false },
    global: { plugins: [i18n] },
    attachTo: document.body,
  })
}

const button = (wrapper: ReturnType<typeof mountCard>, text: string) => {
  const found = wrapper.findAll('button').find((b) => b.text() === text)
  if (!found) throw new Error(`no button ${text}`)
  return found
}
const settle = async () => {
  for (let i = 0; i < 4; i++) await nextTick()
}

describe('PeriodCard', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('says the status and counts, refuses a close with unconfirmed events without a reason, and closes with one', async () => {
    const ledger = useLedgerStore()
    const close = vi.fn(async () => null)
    ledger.close = close
    const wrapper = mountCard(open)
    expect(wrapper.find('[data-testid=period-status]').text()).toBe('未结账 · 已确认 0/2')
    expect(wrapper.text()).toContain('未确认 2 场')

    await button(wrapper, '结账').trigger('click')
    await button(wrapper, '确认结账').trigger('click')
    await settle()
    expect(close).not.toHaveBeenCalled()
    const field = wrapper.find('textarea')
    expect(field.attributes('aria-invalid')).toBe('true')
    expect(wrapper.find('.field__error').text()).toBe(pagesZhCN.rules.period_has_unconfirmed)

    await field.setValue('  月末结账  ')
    await button(wrapper, '确认结账').trigger('click')
    await settle()
    expect(close).toHaveBeenCalledWith(STATION, MARCH, '月末结账')
    expect(wrapper.emitted('done')).toEqual([['已结账：五华区工作站。']])
    expect(wrapper.find('textarea').exists()).toBe(false)
    wrapper.unmount()
  })

  it("shows the server's refusal in words at the field", async () => {
    const ledger = useLedgerStore()
    ledger.close = vi.fn(async () => ({ rule: 'period_already_closed', code: '23514', message: 'closed already' }))
    const wrapper = mountCard({ ...open, confirmed: 2 })
    await button(wrapper, '结账').trigger('click')
    await button(wrapper, '确认结账').trigger('click')
    await settle()
    expect(ledger.close).toHaveBeenCalledWith(STATION, MARCH, null)
    expect(wrapper.find('.field__error').text()).toBe(pagesZhCN.rules.period_already_closed)
    expect(wrapper.emitted('done')).toBeUndefined()
    wrapper.unmount()
  })

  it('reopens a closed month only with a reason', async () => {
    const ledger = useLedgerStore()
    const reopen = vi.fn(async () => null)
    ledger.reopen = reopen
    const wrapper = mountCard({ ...open, status: 'closed', version: 1, confirmed: 2, closed_at: '2023-04-01T02:00:00Z', closed_by: '协调员演示' })
    expect(wrapper.find('[data-testid=period-status]').text()).toBe('已结账（最终）')
    expect(wrapper.text()).toContain('由协调员演示结账')
    await button(wrapper, '重新开账').trigger('click')
    await button(wrapper, '确认重新开账').trigger('click')
    await settle()
    expect(reopen).not.toHaveBeenCalled()
    expect(wrapper.find('.field__error').text()).toBe(pagesZhCN.rules.period_closures_reopen_reason_length)
    await wrapper.find('textarea').setValue('复核')
    await button(wrapper, '确认重新开账').trigger('click')
    await settle()
    expect(reopen).toHaveBeenCalledWith(STATION, MARCH, '复核')
    expect(wrapper.emitted('done')).toEqual([['已重新开账：五华区工作站。']])
    wrapper.unmount()
  })
})
