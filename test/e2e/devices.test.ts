// Issue 12 in the browser: the phones' reports as the coordinator sees them, the backup of what a
// phone has not synced, and the clock check of the sync-health page.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it, onTestFinished } from 'vitest'
import { phoneContext, screenshot, signIn, waitForServiceWorkerControl } from './support/browser'
import { pastDate } from './support/db'
import { fillEvent, saveEvent } from './support/forms'
import { useSuite } from './support/suite'

const suite = useSuite({ data: 'whole-program', db: true, currentThemeMonths: true })

/** The server's events of these titles: how many rows each title has, and their sums. */
async function onServer(titles: string[]) {
  const { rows } = await suite.db.query<{ title: string; n: number }>(
    'select title, count(*)::int as n from public.service_events where title = any($1) and deleted_at is null group by title', [titles])
  const { rows: [sums] } = await suite.db.query<{ hours: string }>(
    `select coalesce(sum(p.hours), 0)::text as hours from public.service_events e join public.event_participants p on p.event_id = e.id
     where e.title = any($1) and e.deleted_at is null`, [titles])
  return { counts: Object.fromEntries(rows.map((row) => [row.title, row.n])), hours: Number(sums!.hours) }
}

it('shows the coordinator what waits on a phone, with its sums, and nothing once the phone has synced', async () => {
  // This file asserts on every phone's latest report, so it starts with none: a phone of a file
  // before it, closed before it could report its last sync, would count as still waiting (its
  // turn keeps other files' phones away meanwhile).
  await suite.db.query('delete from public.device_reports')
  const phoneSide = await phoneContext(suite.browser)
  const phone = await phoneSide.newPage()
  await signIn(phone, suite.app.url, 'volunteer@demo.local')
  await phone.getByLabel('统一时长（小时）').waitFor()
  const { date, month } = await pastDate(suite.db)
  const { rows: [theme] } = await suite.db.query<{ id: string }>('select id::text from public.theme_months where month = $1', [month])

  await phoneSide.setOffline(true)
  const run = Date.now().toString(36)
  const logged = [
    { title: `手机报告 ${run}:社区义诊`, peopleServed: 12, fundsYuan: '300' },
    { title: `手机报告 ${run}:敬老院探访`, peopleServed: 20, fundsYuan: '1,250.5' },
    { title: `手机报告 ${run}:环境清洁`, peopleServed: 7, fundsYuan: '0' },
  ]
  for (const event of logged) {
    await fillEvent(phone, { ...event, date, stationName: '五华区工作站' })
    await saveEvent(phone)
  }
  // Back online, but the server cannot take the push (it answers 503): the phone still reports.
  await phone.route('**/rest/v1/rpc/push_event_changes', (route) =>
    route.fulfill({ status: 503, contentType: 'application/json', body: '{"message":"Service Unavailable"}' }))
  const reported = phone.waitForResponse((response) => response.url().includes('/rpc/report_device') && response.ok())
  await phoneSide.setOffline(false)
  await reported

  const coordinatorSide = await phoneContext(suite.browser)
  const coordinator = await coordinatorSide.newPage()
  await signIn(coordinator, suite.app.url, 'coordinator@demo.local')
  await coordinator.getByTestId('nav-dashboard').click()
  await coordinator.locator('#filter-year').selectOption(month.slice(0, 4))
  await coordinator.locator('#filter-month').selectOption(theme!.id)
  const summary = coordinator.getByTestId('waiting-summary')
  await summary.filter({ hasText: '已知还有 1 部手机' }).waitFor({ timeout: 30_000 })
  const waitingText = await summary.textContent()
  expect(waitingText).toContain('已知还有 1 部手机上有未同步的数据：+3 场活动，+39 人次，')
  expect(waitingText).toContain('资金 +1,550.5元，物资 +0元。')
  await screenshot(coordinator, 'dashboard-waiting-on-phones')

  await coordinator.getByTestId('nav-followup').click()
  await coordinator.locator('#follow-up-month').selectOption(theme!.id)
  const phoneRow = coordinator.getByTestId('follow-up-phones_waiting').getByTestId('follow-up-phone')
  await phoneRow.first().waitFor({ timeout: 30_000 })
  await expect(phoneRow.count()).resolves.toBe(1)
  await expect(phoneRow.getByTestId('follow-up-phone-teams').textContent()).resolves.toBe('浙江餐饮商会志愿服务队')
  await expect(phoneRow.getByTestId('follow-up-phone-events').textContent()).resolves.toBe('3')
  await phoneRow.scrollIntoViewIfNeeded()
  await screenshot(coordinator, 'follow-up')

  // The push goes through again: the phone syncs, and its next report says nothing waits.
  await phone.unroute('**/rest/v1/rpc/push_event_changes')
  await phone.getByRole('button', { name: '立即同步' }).click()
  await phone.getByTestId('unsynced-count').filter({ hasText: '没有未同步的活动' }).waitFor({ timeout: 30_000 })
  const titles = logged.map((event) => event.title)
  const server = await onServer(titles)
  expect(server.counts).toEqual(Object.fromEntries(titles.map((title) => [title, 1])))
  // What the phone reported waiting is what the server now holds.
  expect(waitingText).toContain(`+${server.hours} 小时服务时长`)

  await coordinator.getByTestId('nav-dashboard').click()
  await coordinator.getByRole('button', { name: '刷新' }).click()
  await summary.filter({ hasText: '各手机最新的报告中没有未同步的数据' }).waitFor({ timeout: 30_000 })

  await phoneSide.close()
  await coordinatorSide.close()
})

it('carries unsynced events in a backup file to a phone whose data was cleared, each onto the server once', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'volunteer-ledger-backup-'))
  onTestFinished(() => rmSync(folder, { recursive: true, force: true }))
  const { date } = await pastDate(suite.db)
  const run = Date.now().toString(36)
  const titles = [`备份测试 ${run}:甲`, `备份测试 ${run}:乙`]

  const first = await phoneContext(suite.browser)
  const before = await first.newPage()
  await signIn(before, suite.app.url, 'volunteer2@demo.local')
  // Offline, the sync-health page comes from the service worker's cache.
  await waitForServiceWorkerControl(before)
  await before.getByLabel('统一时长（小时）').waitFor()
  await first.setOffline(true)
  for (const title of titles) {
    await fillEvent(before, { title, date, stationName: '盘龙区工作站', peopleServed: 4 })
    await saveEvent(before)
  }
  await before.getByTestId('nav-device').click()
  const download = before.waitForEvent('download')
  await before.getByRole('button', { name: '导出备份文件' }).click()
  const file = join(folder, (await download).suggestedFilename())
  copyFileSync((await (await download).path())!, file)
  await before.getByText('已导出 2 条活动。').waitFor()
  await screenshot(before, 'device-page', { fullPage: true })
  // The site's data is cleared: this profile and everything in it are gone.
  await first.close()

  const second = await phoneContext(suite.browser)
  const after = await second.newPage()
  await signIn(after, suite.app.url, 'volunteer2@demo.local')
  await after.getByTestId('nav-device').click()
  await after.getByTestId('backup-file').setInputFiles(file)
  await expect(after.getByTestId('backup-imported').textContent()).resolves.toContain('导入完成：新增 2 条')
  // The import syncs by itself. (The banner may still say "nothing unsynced" from before the
  // import for a moment, so the server is asked until it has them.)
  await expect.poll(async () => (await onServer(titles)).counts, { timeout: 30_000 }).toEqual({ [titles[0]!]: 1, [titles[1]!]: 1 })
  await after.getByTestId('unsynced-count').filter({ hasText: '没有未同步的活动' }).waitFor({ timeout: 30_000 })

  // Imported again, after it synced: nothing is added, nothing reaches the server twice.
  await after.getByTestId('backup-file').setInputFiles(file)
  await after.getByTestId('backup-imported').filter({ hasText: '新增 0 条，本机已有 2 条' }).waitFor()
  await after.getByRole('button', { name: '立即同步' }).first().click()
  await after.getByTestId('unsynced-count').filter({ hasText: '没有未同步的活动' }).waitFor({ timeout: 30_000 })
  expect((await onServer(titles)).counts).toEqual({ [titles[0]!]: 1, [titles[1]!]: 1 })
  const { rows } = await suite.db.query<{ n: number }>(
    'select count(*)::int as n from public.sync_changes s join public.service_events e on e.id = s.event_id where e.title = any($1)', [titles])
  expect(rows[0]!.n).toBe(2)
  await after.getByTestId('clock-ok').waitFor({ timeout: 30_000 })
  await second.close()
})

it('warns on the sync-health page when the phone\'s clock is two days ahead of the server\'s', async () => {
  const context = await phoneContext(suite.browser)
  await context.clock.install({ time: Date.now() + 2 * 86_400_000 })
  const page = await context.newPage()
  await signIn(page, suite.app.url, 'leader@demo.local')
  await page.getByTestId('nav-device').click()
  const warning = page.getByTestId('clock-warning')
  await warning.waitFor({ timeout: 30_000 })
  await expect(warning.textContent()).resolves.toContain('本机时钟比服务器快约 2天')
  await screenshot(page, 'device-clock-warning')
  await context.close()
})
