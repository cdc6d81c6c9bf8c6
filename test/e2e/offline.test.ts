// Scenario 1: a volunteer signs in online, loses the connection, reloads (the service worker
// serves the app), stays signed in, logs several events, reloads again (they are still there,
// marked not synced), and when the connection returns they sync by themselves: the server's
// totals for that station and month rise by exactly those events, and a second sync sends nothing.
import { expect, it } from 'vitest'
import { PASSWORD, phoneContext, screenshot, signIn, waitForServiceWorkerControl } from './support/browser'
import { countSyncChanges, pastDate, seedId, stationMonthTotals } from './support/db'
import { fillEvent, saveEvent } from './support/forms'
import { useSuite } from './support/suite'

const suite = useSuite({ data: 'whole-program', db: true, currentThemeMonths: true })

it('logs events offline and syncs them exactly once when back online', async () => {
  const context = await phoneContext(suite.browser)
  const page = await context.newPage()
  const pushes: string[] = []
  // Pushes that reached the server (attempts while offline fail and do not count).
  page.on('requestfinished', (request) => {
    if (request.url().includes('/rpc/push_event_changes')) pushes.push(request.postData() ?? '')
  })

  await page.goto(suite.app.url)
  await screenshot(page, 'sign-in')
  await signIn(page, suite.app.url, 'volunteer@demo.local')
  await waitForServiceWorkerControl(page)
  // Reference data has arrived when the team's members can be picked.
  await page.getByLabel('统一时长（小时）').waitFor()

  const stationId = await seedId(suite.db, 'station-1')
  const { date, month } = await pastDate(suite.db)
  const before = await stationMonthTotals(suite.db, stationId, month)
  const changesBefore = await countSyncChanges(suite.db)

  await context.setOffline(true)
  await page.reload()
  await page.getByTestId('online-state').filter({ hasText: '离线' }).waitFor()
  await page.getByRole('button', { name: '退出登录' }).waitFor()

  // Titles unique to this run, so that a rerun against the same stack finds only its own events.
  const run = Date.now().toString(36)
  const logged = [
    { title: `离线测试 ${run}:社区义诊`, peopleServed: 12, fundsYuan: '300' },
    { title: `离线测试 ${run}:敬老院探访`, peopleServed: 20, fundsYuan: '1,250.5' },
    { title: `离线测试 ${run}:环境清洁`, peopleServed: 7, fundsYuan: '0' },
  ]
  for (const event of logged) {
    await fillEvent(page, { ...event, date, stationName: '五华区工作站' })
    await saveEvent(page)
  }
  await screenshot(page, 'log-event')

  await page.reload()
  await page.getByTestId('nav-events').click()
  for (const event of logged) {
    const card = page.locator('article', { hasText: event.title })
    await expect(card.getByTestId('sync-state').textContent()).resolves.toBe('已保存在本机 · 待同步')
  }
  await expect(page.getByTestId('unsynced-count').textContent()).resolves.toBe('3 条活动未同步')
  await screenshot(page, 'events-offline')
  expect(pushes).toEqual([])

  await context.setOffline(false)
  for (const event of logged) {
    await page
      .locator('article', { hasText: event.title })
      .getByTestId('sync-state')
      .filter({ hasText: '已同步' })
      .waitFor({ timeout: 30_000 })
  }
  await page.getByTestId('unsynced-count').filter({ hasText: '没有未同步的活动' }).waitFor()
  await screenshot(page, 'events-synced')

  const after = await stationMonthTotals(suite.db, stationId, month)
  expect(after).toEqual({
    events: before.events + 3,
    people_served: before.people_served + 39,
    funds_fen: before.funds_fen + 30_000 + 125_050,
    materials_fen: before.materials_fen,
  })
  expect(await countSyncChanges(suite.db)).toBe(changesBefore + 3)

  // A second sync has nothing to send: no new change reaches the server.
  const pushesSoFar = pushes.length
  await page.getByRole('button', { name: '立即同步' }).click()
  await page.getByRole('button', { name: '立即同步' }).waitFor()
  await page.waitForTimeout(1000)
  const resent = pushes.slice(pushesSoFar).filter((body) => body && !/"changes":\s*\[\]/.test(body))
  expect(resent).toEqual([])
  expect(await countSyncChanges(suite.db)).toBe(changesBefore + 3)
  expect(await stationMonthTotals(suite.db, stationId, month)).toEqual(after)

  await context.close()
})

// Scenario 1b: a phone shared by two volunteers. What the first leaves unsynced is kept aside,
// unseen by the second and never sent with the second's session, and it syncs when its owner
// signs in again.
it('keeps one volunteer\'s unsynced events apart from the next user of the phone', async () => {
  const context = await phoneContext(suite.browser)
  const page = await context.newPage()
  const pushed: string[] = []
  page.on('requestfinished', (request) => {
    if (request.url().includes('/rpc/push_event_changes')) pushed.push(request.postData() ?? '')
  })
  await signIn(page, suite.app.url, 'volunteer@demo.local')
  await waitForServiceWorkerControl(page)
  await page.getByLabel('统一时长（小时）').waitFor()
  const { date } = await pastDate(suite.db)
  const run = Date.now().toString(36)
  const titles = [`共用手机 ${run}:甲`, `共用手机 ${run}:乙`]

  await context.setOffline(true)
  for (const title of titles) {
    await fillEvent(page, { title, date, stationName: '五华区工作站', peopleServed: 3 })
    await saveEvent(page)
  }
  await page.getByRole('button', { name: '退出登录' }).click()
  const prompt = page.getByTestId('sign-out-prompt')
  await expect(prompt.getByTestId('sign-out-unsynced').textContent()).resolves.toContain('本机还有 2 条活动未同步')
  await screenshot(page, 'sign-out-warning')
  // The app reloads itself after a sign-out: the test goes on in the page that follows.
  const reloadedAfterWarning = page.waitForEvent('load')
  await prompt.getByRole('button', { name: '仍然退出' }).click()
  await reloadedAfterWarning
  await page.getByLabel('电子邮箱').waitFor()
  await expect(page.getByTestId('aside-notice').textContent()).resolves.toContain('vo***@demo.local 的 2 条未同步活动')

  // The second volunteer signs in online: none of the first one's events, on screen or on the wire.
  await context.setOffline(false)
  await page.getByLabel('电子邮箱').fill('volunteer2@demo.local')
  await page.getByLabel('密码').fill(PASSWORD)
  await page.getByRole('button', { name: '登录' }).click()
  await page.getByRole('button', { name: '退出登录' }).waitFor()
  await page.getByTestId('unsynced-count').filter({ hasText: '没有未同步的活动' }).waitFor()
  await page.getByTestId('nav-events').click()
  for (const title of titles) await expect(page.getByText(title).count()).resolves.toBe(0)
  await screenshot(page, 'shared-phone-second-user')
  expect(pushed.filter((body) => titles.some((title) => body.includes(title)))).toEqual([])
  const { rows: none } = await suite.db.query('select 1 from public.service_events where title = any($1)', [titles])
  expect(none).toEqual([])

  // Nothing unsynced: the second volunteer signs out at once; the first comes back and syncs.
  const reloaded = page.waitForEvent('load')
  await page.getByRole('button', { name: '退出登录' }).click()
  await reloaded
  await page.getByLabel('电子邮箱').waitFor()
  await signIn(page, suite.app.url, 'volunteer@demo.local')
  await page.getByTestId('nav-events').click()
  for (const title of titles) {
    await page.locator('article', { hasText: title }).getByTestId('sync-state').filter({ hasText: '已同步' }).waitFor({ timeout: 30_000 })
  }
  const { rows } = await suite.db.query<{ title: string; email: string }>(
    `select e.title, u.email from public.service_events e join auth.users u on u.id = e.recorded_by where e.title = any($1)`,
    [titles],
  )
  expect(rows.map((row) => row.title).sort()).toEqual([...titles].sort())
  expect(new Set(rows.map((row) => row.email))).toEqual(new Set(['volunteer@demo.local']))
  await context.close()
})
