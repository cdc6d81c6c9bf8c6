// Filling the app's event form the way a person does: by the visible labels.
import type { Page } from 'playwright-core'

export interface EventInput {
  title: string
  /** 服务内容; the title when not given. */
  serviceContent?: string
  date: string
  start?: string
  end?: string
  stationName?: string
  peopleServed?: number
  fundsYuan?: string
  hoursEach?: string
}

export async function fillEvent(page: Page, input: EventInput): Promise<void> {
  if (input.stationName) await page.getByLabel('工作站（点）').selectOption({ label: input.stationName })
  await page.getByLabel('日期').fill(input.date)
  await page.getByLabel('开始时间').fill(input.start ?? '09:00')
  await page.getByLabel('结束时间').fill(input.end ?? '11:00')
  await page.getByLabel('统一时长（小时）').fill(input.hoursEach ?? '1.5')
  await page.getByRole('button', { name: '全部填入' }).click()
  await page.getByLabel('活动名称').fill(input.title)
  await page.getByLabel('服务内容').fill(input.serviceContent ?? input.title)
  await page.getByLabel('服务党员群众（人次）').fill(String(input.peopleServed ?? 0))
  await page.getByLabel('直接投入资金（元）').fill(input.fundsYuan ?? '0')
}

export async function saveEvent(page: Page): Promise<void> {
  await page.getByRole('button', { name: '保存', exact: true }).click()
  await page.getByTestId('saved-notice').waitFor()
}
