// Scenario 4: a volunteer logs today's event and yesterday's two without typing the date more
// than once; a coordinator watches the live totals while they sync, and the dashboard shows the
// new figures by itself (polling, as the local stack has no Realtime), every figure following
// the filters of year, team and station. Also takes the coordinator pages' screenshots.
import type { Page } from 'playwright-core'
import { expect, it } from 'vitest'
import { phoneContext, screenshot, signIn } from './support/browser'
import { loggingDay, seedId } from './support/db'
import { useSuite } from './support/suite'

const suite = useSuite({ data: 'whole-program', db: true, currentThemeMonths: true })

const count = (text: string | null) => Number((text ?? '').replace(/[^\d]/g, ''))

/** Chooses the whole team with the same hours, names the event and its people served, and saves it. */
async function completeAndSave(page: Page, title: string, hours: string, served: number): Promise<void> {
  await page.getByLabel('统一时长（小时）').fill(hours)
  await page.getByRole('button', { name: '全部填入' }).click()
  await page.getByLabel('活动名称').fill(title)
  await page.getByLabel('服务内容').fill(title)
  await page.getByLabel('服务党员群众（人次）').fill(String(served))
  await page.getByRole('button', { name: '保存', exact: true }).click()
  await page.getByTestId('saved-notice').waitFor()
}

/** The coordinator's whole-selection events once they reach the expected number. */
async function programEventsReach(page: Page, expected: number): Promise<void> {
  await page.waitForFunction(
    (n) => Number(document.querySelector('[data-testid=program-events]')?.textContent?.replace(/[^\d]/g, '')) === n,
    expected,
    { timeout: 30_000 },
  )
}

it("logs today's event and yesterday's two without retyping the date; the coordinator's filtered totals follow", async () => {
  const coordinatorContext = await phoneContext(suite.browser)
  const coordinator = await coordinatorContext.newPage()
  await signIn(coordinator, suite.app.url, 'coordinator@demo.local')
  await coordinator.getByTestId('nav-dashboard').click()
  const programEvents = coordinator.getByTestId('program-events')
  await programEvents.waitFor({ timeout: 30_000 })
  // Every year, so that the figures do not depend on which year yesterday was.
  await coordinator.getByLabel('年度', { exact: true }).selectOption({ value: '' })
  await coordinator.getByTestId('selection').filter({ hasText: '全部年度' }).waitFor({ timeout: 30_000 })
  const eventsBefore = count(await programEvents.textContent())
  const servedBefore = count(await coordinator.getByTestId('program-served').textContent())
  await screenshot(coordinator, 'dashboard')

  const volunteerContext = await phoneContext(suite.browser)
  const volunteer = await volunteerContext.newPage()
  await signIn(volunteer, suite.app.url, 'volunteer2@demo.local')
  await volunteer.getByLabel('统一时长（小时）').waitFor()
  const day = await loggingDay(suite.db)
  const date = volunteer.getByLabel('日期')
  await expect(date.inputValue()).resolves.toBe(day.today)

  const run = Date.now().toString(36)
  const titles = [`${run} 今天：义务理发`, `${run} 昨天：社区义诊`, `${run} 昨天：环境清洁`]
  await volunteer.getByLabel('工作站（点）').selectOption({ label: '盘龙区工作站' })
  await volunteer.getByLabel('开始时间').fill(day.start)
  await volunteer.getByLabel('结束时间').fill(day.end)
  await completeAndSave(volunteer, titles[0]!, day.hours, 25)

  // The next form keeps the day, the times and the station: yesterday's first event changes the date once...
  await expect(date.inputValue()).resolves.toBe(day.today)
  await expect(volunteer.getByLabel('开始时间').inputValue()).resolves.toBe(day.start)
  await expect(volunteer.getByLabel('结束时间').inputValue()).resolves.toBe(day.end)
  await date.fill(day.yesterday)
  await completeAndSave(volunteer, titles[1]!, day.hours, 5)
  // ...and the second one keeps it.
  await expect(date.inputValue()).resolves.toBe(day.yesterday)
  await expect(volunteer.getByLabel('结束时间').inputValue()).resolves.toBe(day.end)
  await expect(volunteer.getByLabel('工作站（点）').locator('option:checked').textContent()).resolves.toBe('盘龙区工作站')
  await completeAndSave(volunteer, titles[2]!, day.hours, 7)
  await screenshot(volunteer, 'log-event-remembered')
  await volunteer.getByTestId('unsynced-count').filter({ hasText: '没有未同步的活动' }).waitFor({ timeout: 30_000 })

  const { rows } = await suite.db.query<{ title: string; day: string }>(
    `select title, to_char(started_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD') as day
     from public.service_events where title = any($1)`,
    [titles],
  )
  expect(rows.sort((a, b) => titles.indexOf(a.title) - titles.indexOf(b.title))).toEqual([
    { title: titles[0], day: day.today },
    { title: titles[1], day: day.yesterday },
    { title: titles[2], day: day.yesterday },
  ])

  await programEventsReach(coordinator, eventsBefore + 3)
  expect(count(await coordinator.getByTestId('program-served').textContent())).toBe(servedBefore + 37)
  await expect(coordinator.getByTestId('freshness').textContent()).resolves.toMatch(/更新/)

  // Every figure follows the filters: the team's events only, then the team's at one station.
  const team2 = await seedId(suite.db, 'team-2')
  const station = (await suite.db.query<{ id: string }>("select id from public.stations where name = '盘龙区工作站'")).rows[0]!.id
  const eventsOf = async (stationId: string | null) =>
    (
      await suite.db.query<{ n: number }>(
        'select count(*)::int as n from public.service_events where deleted_at is null and team_id = $1 and ($2::uuid is null or station_id = $2)',
        [team2, stationId],
      )
    ).rows[0]!.n
  await coordinator.getByLabel('志愿服务队', { exact: true }).selectOption(team2)
  await programEventsReach(coordinator, await eventsOf(null))
  await expect(coordinator.getByTestId('team-totals').locator('[data-testid^="totals-"]').count()).resolves.toBe(1)
  await coordinator.getByLabel('工作站（点）', { exact: true }).selectOption(station)
  await programEventsReach(coordinator, await eventsOf(station))
  await expect(coordinator.locator(`[data-testid^="totals-"]:not([data-testid^="totals-${station}"])`).count()).resolves.toBe(1)
  await screenshot(coordinator, 'dashboard-filtered', { fullPage: true })

  await coordinator.getByTestId('nav-report').click()
  await coordinator.getByTestId('report-sentence').waitFor({ timeout: 30_000 })
  await screenshot(coordinator, 'report')
  await coordinator.getByTestId('nav-manage').click()
  await coordinator.getByRole('heading', { name: '基础数据' }).waitFor({ timeout: 30_000 })
  await screenshot(coordinator, 'manage')

  await volunteerContext.close()
  await coordinatorContext.close()
})

it('writes the 2023 figures in the form of the published report', async () => {
  const context = await phoneContext(suite.browser)
  const page = await context.newPage()
  await signIn(page, suite.app.url, 'coordinator@demo.local')
  await page.getByTestId('nav-report').click()
  await page.getByLabel('年度', { exact: true }).selectOption('2023')
  await page.getByTestId('report-sentence').filter({ hasText: '组建志愿服务队' }).waitFor({ timeout: 30_000 })
  const sentence = await page.getByTestId('report-sentence').textContent()
  // Teams and stations count the whole program; the seed's 2023 activity is the published year.
  // The sentence is pasted into official documents: full-width punctuation, as they are written.
  expect(sentence).toContain('组建志愿服务队64个，志愿服务队参与人数615人，建立工作站（点）10个，')
  expect(sentence).toContain('开展主题月活动186场次')
  expect(sentence).toContain('服务党员群众3265人次')
  expect(sentence).toContain('累计直接投入资金218.3万元')
  expect(sentence).toContain('累计投入物资826.1万元')

  // In English the same figures, with money in full yuan; the choice survives a reload.
  await page.getByRole('button', { name: 'English' }).click()
  // The choice is remembered once the English messages have arrived, not at the click.
  await page.waitForFunction(() => document.documentElement.lang === 'en')
  await page.reload()
  // The report opens on the latest year again; 2023 is chosen anew.
  await page.getByLabel('Year', { exact: true }).selectOption('2023')
  await page.getByTestId('report-sentence').filter({ hasText: '615 volunteers taking part' }).waitFor({ timeout: 30_000 })
  const english = await page.getByTestId('report-sentence').textContent()
  expect(english).toContain('615 volunteers taking part')
  expect(english).toContain('3,265 person-times served')
  expect(english).toContain('¥2,183,000 of funds invested directly')
  expect(english).toContain('¥8,261,000 of materials')
  await screenshot(page, 'report-en')
  await context.close()
})
