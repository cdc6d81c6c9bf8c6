import { mount } from '@vue/test-utils'
import { beforeEach, describe, expect, it } from 'vitest'
import SyncBanner from '../../src/components/app/SyncBanner.vue'
import { createAppI18n } from '../../src/i18n'

const props = { online: false, syncing: false, unsyncedCount: 0, failureCount: 0, lastSyncedAt: null, persisted: false }

function mountBanner(overrides: Partial<typeof props> = {}) {
  return mount(SyncBanner, { props: { ...props, ...overrides }, global: { plugins: [createAppI18n('zh-CN')] } })
}

describe('SyncBanner storage notice', () => {
  beforeEach(() => localStorage.clear())

  it('appears when unsynced data sits in storage the browser may clear, and says how to install the app', async () => {
    const banner = mountBanner()
    expect(banner.find('[data-testid=storage-notice]').exists()).toBe(false)
    await banner.setProps({ unsyncedCount: 1 })
    const notice = banner.find('[data-testid=storage-notice]')
    expect(notice.text()).toContain('浏览器可能会清理本机数据')
    expect(notice.text()).toContain('添加到主屏幕')
    expect(notice.text()).toContain('安装应用')
    expect(notice.text()).toContain('分享')
  })

  it('appears once: it stays while saves and syncs come and go, until dismissed', async () => {
    const banner = mountBanner({ unsyncedCount: 1 })
    await banner.setProps({ unsyncedCount: 0 })
    await banner.setProps({ unsyncedCount: 2 })
    expect(banner.findAll('[data-testid=storage-notice]')).toHaveLength(1)
    await banner.setProps({ unsyncedCount: 0 })
    expect(banner.find('[data-testid=storage-notice]').exists()).toBe(true)

    await banner.find('[data-testid=storage-notice] button').trigger('click')
    expect(banner.find('[data-testid=storage-notice]').exists()).toBe(false)
    await banner.setProps({ unsyncedCount: 3 })
    expect(banner.find('[data-testid=storage-notice]').exists()).toBe(false)
  })

  it('stays dismissed on this device after a reload', async () => {
    const first = mountBanner({ unsyncedCount: 1 })
    await first.find('[data-testid=storage-notice] button').trigger('click')
    first.unmount()
    expect(mountBanner({ unsyncedCount: 4 }).find('[data-testid=storage-notice]').exists()).toBe(false)
  })

  it('does not appear when storage is persisted', () => {
    expect(mountBanner({ unsyncedCount: 5, persisted: true }).find('[data-testid=storage-notice]').exists()).toBe(false)
  })
})
