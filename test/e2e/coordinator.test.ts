// Scenario 4: a coordinator watches the live totals while a volunteer's event syncs; the
// dashboard shows the new figures by itself (polling, as the local stack has no Realtime).
// Also takes the coordinator pages' screenshots.
import { expect, it } from 'vitest'
import { phoneContext, screenshot, signIn } from './support/browser'
import { pastDate } from './support/db'
import { fillEvent, saveEvent } from './support/forms'
import { useSuite } from './support/suite'

const suite = useSuite({ builds: ['coordinator'], db: true, currentThemeMonths: true })

const count = (text: string | null) => Number((text ?? '').replace(/[^\d]/g, ''))

it('shows a volunteer\'s synced events in the coordinator\'s totals without a reload', async () => {
  const coordinatorContext = await phoneContext(suite.browser)
  const coordinator = await coordinatorContext.newPage()
  await signIn(coordinator, suite.app.url, 'coordinator@demo.local')
  await coordinator.getByTestId('nav-dashboard').click()
  const programEvents = coordinator.getByTestId('program-events')
  await programEvents.waitFor({ timeout: 30_000 })
  const eventsBefore = count(await programEvents.textContent())
  const servedBefore = count(await coordinator.getByTestId('program-served').textContent())
  await screenshot(coordinator, 'dashboard')

  const volunteerContext = await phoneContext(suite.browser)
  const volunteer = await volunteerContext.newPage()
  await signIn(volunteer, suite.app.url, 'volunteer2@demo.local')
  await volunteer.getByLabel('统一时长（小时）').waitFor()
  const { date } = await pastDate(suite.db)
  await fillEvent(volunteer, { title: '协调员观察:义务理发', date, stationName: '盘龙区工作站', peopleServed: 25 })
  await saveEvent(volunteer)
  await volunteer.getByTestId('unsynced-count').filter({ hasText: '没有未同步的活动' }).waitFor({ timeout: 30_000 })

  await coordinator.waitForFunction(
    (expected) => Number(document.querySelector('[data-testid=program-events]')?.textContent?.replace(/[^\d]/g, '')) === expected,
    eventsBefore + 1,
    { timeout: 30_000 },
  )
  expect(count(await coordinator.getByTestId('program-served').textContent())).toBe(servedBefore + 25)
  await expect(coordinator.getByTestId('freshness').textContent()).resolves.toMatch(/更新/)

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
  expect(sentence).toContain('志愿服务队参与人数615人')
  expect(sentence).toContain('开展主题月活动186场次')
  expect(sentence).toContain('服务党员群众3265人次')
  expect(sentence).toContain('累计直接投入资金218.3万元')
  expect(sentence).toContain('累计投入物资826.1万元')

  // In English the same figures, with money in full yuan; the choice survives a reload.
  await page.getByRole('button', { name: 'English' }).click()
  await page.reload()
  await page.getByTestId('report-sentence').filter({ hasText: 'volunteers taking part' }).waitFor({ timeout: 30_000 })
  const english = await page.getByTestId('report-sentence').textContent()
  expect(english).toContain('615 volunteers taking part')
  expect(english).toContain('3,265 person-times served')
  expect(english).toContain('¥2,183,000 of funds invested directly')
  expect(english).toContain('¥8,261,000 of materials')
  await screenshot(page, 'report-en')
  await context.close()
})
