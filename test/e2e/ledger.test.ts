// The ledger of record on a 360 px phone: the team's leader confirms a whole theme month in one
// action (offline, then synced); the volunteer sees the event confirmed, edits it offline (it
// shows unconfirmed again) while a coordinator closes the station's month; back online the phone
// says 这个月已结账 and the volunteer sends the change as an adjustment request with a reason; the
// coordinator approves it through decide_adjustment; the phone shows the approval, and the
// station's month totals take the change.
import type { Page } from 'playwright-core'
import { expect, it } from 'vitest'
import { requireEnv } from './support/app'
import { PASSWORD, phoneContext, screenshot, signIn, waitForServiceWorkerControl } from './support/browser'
import { pastDate, stationMonthTotals } from './support/db'
import { fillEvent, saveEvent } from './support/forms'
import { useSuite } from './support/suite'

const suite = useSuite({ data: 'writes', db: true, currentThemeMonths: true })

/** A coordinator's session through the API (its access token), as the coordinators' pages would sign in. */
async function coordinatorToken(): Promise<string> {
  const response = await fetch(`${requireEnv('STACK_API_URL')}/auth/v1/token?grant_type=password`, {
    method: 'POST',
    headers: { apikey: requireEnv('STACK_ANON_KEY'), 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'coordinator@demo.local', password: PASSWORD }),
  })
  if (!response.ok) throw new Error(`sign-in: ${response.status} ${await response.text()}`)
  return ((await response.json()) as { access_token: string }).access_token
}

/** Calls a database function through the API as the coordinator. */
async function rpc(token: string, name: string, args: Record<string, unknown>): Promise<unknown> {
  const response = await fetch(`${requireEnv('STACK_API_URL')}/rest/v1/rpc/${name}`, {
    method: 'POST',
    headers: { apikey: requireEnv('STACK_ANON_KEY'), authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(args),
  })
  if (!response.ok) throw new Error(`${name}: ${response.status} ${await response.text()}`)
  return response.json()
}

/** Syncs now until the condition shows on the page (a pull may need a second round). */
async function syncUntilVisible(page: Page, testIdOrText: () => ReturnType<Page['locator']>): Promise<void> {
  for (let round = 0; round < 10; round++) {
    if (await testIdOrText().count()) return
    await page.getByRole('button', { name: '立即同步' }).click()
    await page.waitForTimeout(1000)
  }
  await testIdOrText().first().waitFor({ timeout: 10_000 })
}

const STATION = '宜良县工作站'
const STATION_ADDRESS = '昆明市宜良县'

it('confirms a month in one action, parks a change to a closed month, and turns it into an approved adjustment', async () => {
  // A seeded station no other browser test logs into, so that closing its month stops nobody else.
  const { rows: [key] } = await suite.db.query<{ station_id: string; theme_month_id: string }>(
    `select s.id::text as station_id, m.id::text as theme_month_id from public.stations s, public.theme_months m
     where s.name = $1 and m.month = $2::date`, [STATION, (await pastDate(suite.db)).month])
  const { stationId, monthId } = { stationId: key!.station_id, monthId: key!.theme_month_id }
  const { date, month } = await pastDate(suite.db)
  const coordinator = await coordinatorToken()
  // A rerun on the same stack finds the month closed by the last run: the coordinator reopens it.
  const { rows: closed } = await suite.db.query(
    `select 1 from public.period_statuses where station_id = $1 and theme_month_id = $2 and status = 'closed'`, [stationId, monthId])
  if (closed.length > 0) {
    await rpc(coordinator, 'reopen_period', { p_station_id: stationId, p_theme_month_id: monthId, p_reason: '端到端测试重跑' })
  }
  const servedAtStart = (await stationMonthTotals(suite.db, stationId, month)).people_served
  const run = Date.now().toString(36)
  const title = `结账测试 ${run}:社区义诊`
  const second = `结账测试 ${run}:环境清洁`

  // The volunteer logs two events online: the place starts at the station's address.
  const volunteerContext = await phoneContext(suite.browser)
  const phone = await volunteerContext.newPage()
  await signIn(phone, suite.app.url, 'volunteer@demo.local')
  await waitForServiceWorkerControl(phone)
  await phone.getByLabel('统一时长（小时）').waitFor()
  await fillEvent(phone, { title, serviceContent: '为社区老人测量血压', date, stationName: STATION, peopleServed: 12 })
  await expect(phone.getByLabel('地点').inputValue()).resolves.toBe(STATION_ADDRESS)
  await saveEvent(phone)
  await fillEvent(phone, { title: second, date, stationName: STATION, peopleServed: 3 })
  await saveEvent(phone)
  await phone.getByTestId('nav-events').click()
  const card = phone.locator('article', { hasText: title })
  for (const logged of [title, second]) {
    await phone.locator('article', { hasText: logged }).getByTestId('sync-state').filter({ hasText: '已同步' }).waitFor({ timeout: 30_000 })
  }
  await expect(card.getByTestId('recorded-lateness').textContent()).resolves.toMatch(/活动后.*记录/)
  const { rows: [logged] } = await suite.db.query<{ id: string; place: string; service_content: string; confirmed_at: Date | null }>(
    'select id::text, place, service_content, confirmed_at from public.service_events where title = $1', [title])
  expect(logged).toMatchObject({ place: STATION_ADDRESS, service_content: '为社区老人测量血压', confirmed_at: null })
  const eventId = logged!.id
  await expect(card.getByTestId('history-link').getAttribute('href')).resolves.toBe(`#/history/${eventId}`)

  // The leader confirms the whole theme month in one action, offline; it syncs when back online.
  const leaderContext = await phoneContext(suite.browser)
  const leader = await leaderContext.newPage()
  await signIn(leader, suite.app.url, 'leader@demo.local')
  await waitForServiceWorkerControl(leader)
  await leader.getByTestId('nav-team').click()
  await leader.getByTestId(`pending-${eventId}`).waitFor({ timeout: 30_000 })
  const monthGroup = leader.locator('.card', { has: leader.getByTestId(`pending-${eventId}`) })
  const listed = await monthGroup.locator('[data-testid^="pending-"]').evaluateAll((items) =>
    items.map((item) => item.getAttribute('data-testid')!.slice('pending-'.length)))
  expect(listed.length).toBeGreaterThanOrEqual(2)
  await leaderContext.setOffline(true)
  await monthGroup.scrollIntoViewIfNeeded()
  await screenshot(leader, 'ledger-leader-pending')
  await monthGroup.getByTestId('confirm-month').click()
  await leader.getByTestId(`pending-${eventId}`).waitFor({ state: 'detached' })
  await leaderContext.setOffline(false)
  for (let round = 0; ; round++) {
    const { rows } = await suite.db.query<{ unconfirmed: number }>(
      'select count(*)::int as unconfirmed from public.service_events where id = any($1::uuid[]) and confirmed_at is null', [listed])
    if (rows[0]!.unconfirmed === 0) break
    if (round === 30) throw new Error(`${rows[0]!.unconfirmed} of the ${listed.length} events confirmed at once are still unconfirmed`)
    await leader.waitForTimeout(1000)
  }
  await leaderContext.close()

  // The volunteer sees it confirmed, then edits it offline: it shows unconfirmed again.
  await syncUntilVisible(phone, () => card.getByTestId('confirmation').filter({ hasText: '队长已确认' }))
  const before = (await stationMonthTotals(suite.db, stationId, month)).people_served
  expect(before).toBe(servedAtStart + 15)
  await volunteerContext.setOffline(true)
  await card.getByRole('button', { name: '修改' }).click()
  await phone.getByRole('heading', { name: '修改活动' }).waitFor()
  await phone.getByLabel('服务党员群众（人次）').fill('17')
  await phone.getByRole('button', { name: '保存', exact: true }).click()
  await card.getByTestId('confirmation').filter({ hasText: '待队长确认' }).waitFor()

  // Meanwhile the coordinator closes the station's month (with a reason: other tests' events in
  // it may wait for their leader).
  const closure = (await rpc(coordinator, 'close_period', {
    p_station_id: stationId, p_theme_month_id: monthId, p_override_reason: '端到端测试：月末结账',
  })) as { version: number }

  // Back online: the change is parked, said in words, never retried blindly.
  await volunteerContext.setOffline(false)
  await card.getByTestId('sync-state').filter({ hasText: '需要处理' }).waitFor({ timeout: 30_000 })
  await expect(card.getByTestId('sync-problem').textContent()).resolves.toContain('这个月已结账')
  await card.scrollIntoViewIfNeeded()
  await screenshot(phone, 'ledger-closed-month')
  expect((await stationMonthTotals(suite.db, stationId, month)).people_served).toBe(before)

  await card.getByRole('button', { name: '申请调整' }).click()
  await card.getByLabel('调整理由').fill('漏记了五位服务对象')
  await card.getByRole('button', { name: '提交申请' }).click()
  await card.getByTestId('sync-state').filter({ hasText: '已提交调整申请，等待协调员审批' }).waitFor({ timeout: 30_000 })
  const { rows: [request] } = await suite.db.query<{ id: string; reason: string; status: string }>(
    'select id::text, reason, status from public.adjustment_requests where event_id = $1', [eventId])
  expect(request).toMatchObject({ reason: '漏记了五位服务对象', status: 'pending' })
  const myRequest = phone.getByTestId(`request-${request!.id}`)
  await myRequest.getByTestId('request-status').filter({ hasText: '待审批' }).waitFor()

  // The coordinator approves; the phone shows it, and the month's totals take the change.
  await rpc(coordinator, 'decide_adjustment', { p_request_id: request!.id, p_approve: true })
  await syncUntilVisible(phone, () => myRequest.getByTestId('request-status').filter({ hasText: '已批准' }))
  await syncUntilVisible(phone, () => card.getByTestId('sync-state').filter({ hasText: '已同步' }))
  await expect(card.textContent()).resolves.toContain('服务 17 人次')
  await myRequest.scrollIntoViewIfNeeded()
  await screenshot(phone, 'ledger-adjustment-approved')
  expect((await stationMonthTotals(suite.db, stationId, month)).people_served).toBe(before + 5)
  const { rows: versions } = await suite.db.query<{ version: number; adjusted: boolean }>(
    'select version, adjusted from public.period_closures where station_id = $1 and theme_month_id = $2 and version >= $3 order by version',
    [stationId, monthId, closure.version])
  expect(versions).toEqual([{ version: closure.version, adjusted: false }, { version: closure.version + 1, adjusted: true }])
  await volunteerContext.close()
})
