// The coordinators' side of the ledger of record (issue 10), at 360 px in Chinese: a month with
// unconfirmed events is refused a close until a reason is given, then shows closed on the
// dashboard; it is reopened with a reason and closed again (version 2); a volunteer's late
// change (an adjustment request made through the API, as the phone sends it) is approved on the
// review page, which writes a version marked adjusted and changes the totals; the event's
// history shows every step. Works on a seeded station in a month about ten weeks ago where it has
// no events, a key no other test writes to (the others log today and yesterday, or in 2023 and
// the integration tests' year), so closing it refuses no other test's writes, and the program
// keeps its stations and its 2023 figures.
import type { Page } from 'playwright-core'
import { expect, it } from 'vitest'
import { requireEnv } from './support/app'
import { PASSWORD, phoneContext, screenshot, signIn } from './support/browser'
import { seedId } from './support/db'
import { horizontalOverflow } from './support/quality'
import { useSuite } from './support/suite'

const suite = useSuite({ data: 'whole-program', db: true, currentThemeMonths: true })

const API_URL = () => requireEnv('STACK_API_URL')
const ANON_KEY = () => requireEnv('STACK_ANON_KEY')

/** A signed-in user's access token, as the phone holds it. */
async function accessToken(email: string): Promise<string> {
  const response = await fetch(`${API_URL()}/auth/v1/token?grant_type=password`, {
    method: 'POST',
    headers: { apikey: ANON_KEY(), 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  })
  const body = (await response.json()) as { access_token?: string }
  if (!body.access_token) throw new Error(`sign-in of ${email} failed: ${JSON.stringify(body)}`)
  return body.access_token
}

/** Pushes changes as the phone's sync engine does; resolves to their outcomes. */
async function push(token: string, changes: unknown[]): Promise<{ status: string; revision: number | null }[]> {
  const response = await fetch(`${API_URL()}/rest/v1/rpc/push_event_changes`, {
    method: 'POST',
    headers: { apikey: ANON_KEY(), authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ changes }),
  })
  if (!response.ok) throw new Error(`push failed: ${response.status} ${await response.text()}`)
  return (await response.json()) as { status: string; revision: number | null }[]
}

async function noSidewaysScrolling(page: Page): Promise<void> {
  await expect(horizontalOverflow(page)).resolves.toBeNull()
}

it('closes a month (refused with unconfirmed events until a reason is given), reopens and closes it again, approves an adjustment, and shows the history', async () => {
  const db = suite.db
  const run = Date.now().toString(36)
  const chosenMonth = `date_trunc('month', (now() at time zone 'Asia/Shanghai') - interval '70 days')::date`
  await db.query(`insert into public.theme_months (month, theme) values (${chosenMonth}, '端到端测试主题月') on conflict (month) do nothing`)
  const { rows: [month] } = await db.query<{ id: string; date: string; month: string }>(
    `select id, to_char(month + 14, 'YYYY-MM-DD') as date, to_char(month, 'YYYY-MM-DD') as month
     from public.theme_months where month = ${chosenMonth}`)
  const day = month!
  const monthId = month!.id
  const { rows: [station] } = await db.query<{ id: string; name: string }>(
    `select s.id, s.name from public.stations s
     where not exists (select from public.station_month_totals t where t.station_id = s.id and t.theme_month_id = $1 and (t.events > 0 or t.closed))
     order by s.name desc limit 1`,
    [monthId],
  )
  const stationId = station!.id
  const stationName = station!.name
  const teamId = await seedId(db, 'team-1')
  const volunteerPerson = await seedId(db, 'person-2')

  // The volunteer records two events there (not confirmed by the leader).
  const volunteerToken = await accessToken('volunteer@demo.local')
  const [eventA, eventB] = [crypto.randomUUID(), crypto.randomUUID()]
  const fields = (title: string, served: number) => ({
    station_id: stationId, team_id: teamId, theme_month_id: monthId,
    started_at: `${day.date}T09:00:00+08:00`, ended_at: `${day.date}T11:00:00+08:00`,
    title, note: '', people_served: served, funds_fen: 0, materials_fen: 0, materials_description: '',
    participants: [{ person_id: volunteerPerson, hours: 2 }],
  })
  const created = await push(volunteerToken, [
    { change_id: crypto.randomUUID(), event_id: eventA, op: 'upsert', base_revision: null, event: fields(`${run} 社区义诊`, 10) },
    { change_id: crypto.randomUUID(), event_id: eventB, op: 'upsert', base_revision: null, event: fields(`${run} 环境清洁`, 10) },
  ])
  expect(created.map((o) => o.status)).toEqual(['applied', 'applied'])

  const context = await phoneContext(suite.browser)
  const page = await context.newPage()
  await signIn(page, suite.app.url, 'coordinator@demo.local')
  const openCloseout = async () => {
    await page.getByTestId('nav-closeout').click()
    await page.getByRole('heading', { name: '月度结账' }).waitFor({ timeout: 30_000 })
    await page.getByLabel('年度', { exact: true }).selectOption(day.month.slice(0, 4))
    await page.getByLabel('主题月', { exact: true }).selectOption(monthId)
  }
  await openCloseout()
  const card = page.getByTestId(`period-${stationId}`)
  await card.getByText('未确认 2 场').waitFor({ timeout: 30_000 })
  await expect(card.getByTestId('period-status').textContent()).resolves.toBe('未结账 · 已确认 0/2')
  await expect(card.textContent()).resolves.toContain('活动 2 场')

  // Closing without a reason is refused, in words, at the field; nothing closes.
  await card.getByRole('button', { name: '结账', exact: true }).click()
  await card.getByRole('button', { name: '确认结账' }).click()
  await card.getByText('还有活动未经队长确认；请先确认，或填写原因后强制结账。').waitFor()
  const closedNow = async () =>
    (await db.query<{ closed: boolean }>('select closed from public.station_month_totals where station_id = $1 and theme_month_id = $2', [stationId, monthId])).rows[0]?.closed
  await expect(closedNow()).resolves.toBe(false)
  await noSidewaysScrolling(page)
  await screenshot(page, 'closeout-refused')

  // With an override reason it closes: version 1, by the coordinator, with its hash.
  await card.getByLabel('强制结账原因').fill('月末结账，两场活动待队长补确认')
  await card.getByRole('button', { name: '确认结账' }).click()
  await page.getByRole('status').filter({ hasText: `已结账：${stationName}。` }).waitFor({ timeout: 30_000 })
  await card.getByTestId('period-status').filter({ hasText: '已结账（最终）' }).waitFor()
  await expect(closedNow()).resolves.toBe(true)
  const versions = async () =>
    (
      await db.query<{ version: number; adjusted: boolean; hash: string; served: number }>(
        `select version, adjusted, encode(content_hash, 'hex') as hash, (totals ->> 'people_served')::int as served
         from public.period_closures where station_id = $1 and theme_month_id = $2 order by version`,
        [stationId, monthId],
      )
    ).rows
  const [v1] = await versions()
  expect(v1).toMatchObject({ version: 1, adjusted: false, served: 20 })
  await card.getByText('快照版本').click()
  const version1 = card.getByTestId('version-1')
  await version1.waitFor({ timeout: 30_000 })
  await expect(version1.textContent()).resolves.toContain('协调员演示')
  await expect(version1.textContent()).resolves.toContain(v1!.hash)
  await expect(version1.textContent()).resolves.toContain('强制结账原因：月末结账，两场活动待队长补确认')
  await noSidewaysScrolling(page)
  await screenshot(page, 'closeout-closed', { fullPage: true })

  // The dashboard says so for that station × month.
  await page.getByTestId('nav-dashboard').click()
  await page.getByLabel('年度', { exact: true }).selectOption(day.month.slice(0, 4))
  await page.getByLabel('工作站（点）', { exact: true }).selectOption(stationId)
  const totalsCard = page.getByTestId(`totals-${stationId}-${monthId}`)
  await totalsCard.filter({ hasText: '已结账（最终）' }).waitFor({ timeout: 30_000 })

  // Reopened with a reason (refused without one), then closed again: version 2, version 1 kept.
  await openCloseout()
  await card.getByRole('button', { name: '重新开账' }).click()
  await card.getByRole('button', { name: '确认重新开账' }).click()
  await card.getByText('请填写重新开账的原因（1 到 500 个字）。').waitFor()
  await card.getByLabel('重新开账原因').fill('核对服务人次')
  await card.getByRole('button', { name: '确认重新开账' }).click()
  await card.getByTestId('period-status').filter({ hasText: '未结账' }).waitFor({ timeout: 30_000 })
  await expect(closedNow()).resolves.toBe(false)
  await card.getByRole('button', { name: '结账', exact: true }).click()
  await card.getByLabel('强制结账原因').fill('核对完毕')
  await card.getByRole('button', { name: '确认结账' }).click()
  await card.getByTestId('period-status').filter({ hasText: '已结账（最终）' }).waitFor({ timeout: 30_000 })
  expect((await versions()).map((v) => [v.version, v.adjusted])).toEqual([[1, false], [2, false]])

  // The volunteer's late change comes as an adjustment request (op 'adjust', as the phone sends a change refused by period_closed).
  const { rows: [current] } = await db.query<{ revision: number; event: Record<string, unknown> }>(
    `select e.revision, to_jsonb(e) || jsonb_build_object('people_served', 25, 'participants',
       (select jsonb_agg(jsonb_build_object('person_id', p.person_id, 'hours', p.hours)) from public.event_participants p where p.event_id = e.id)) as event
     from public.service_events e where e.id = $1`,
    [eventA],
  )
  const requestId = crypto.randomUUID()
  const asked = await push(volunteerToken, [
    { change_id: requestId, event_id: eventA, op: 'adjust', base_revision: current!.revision, event: current!.event, reason: '服务人次少记了15人' },
  ])
  expect(asked[0]?.status).toBe('applied')

  // The coordinator reads who asked, what would change and why, and approves it.
  await page.getByTestId('nav-adjustments').click()
  const request = page.getByTestId(`request-${requestId}`)
  await request.waitFor({ timeout: 30_000 })
  const requestText = await request.textContent()
  expect(requestText).toContain('张伟')
  expect(requestText).toContain(`${run} 社区义诊`)
  expect(requestText).toContain('申请原因：服务人次少记了15人')
  await expect(request.getByTestId('request-diff').textContent()).resolves.toBe('服务党员群众（人次）：10 → 25')
  await noSidewaysScrolling(page)
  await screenshot(page, 'adjustments-pending')
  await request.getByRole('button', { name: '批准' }).click()
  await page.getByRole('status').filter({ hasText: '已处理这条申请。' }).waitFor({ timeout: 30_000 })
  await page.getByTestId('decided-requests').getByTestId(`request-${requestId}`).filter({ hasText: '已批准' }).waitFor()

  // The snapshot has a version marked adjusted, with the new totals; the close-out page shows it.
  expect((await versions()).map((v) => [v.version, v.adjusted, v.served])).toEqual([[1, false, 20], [2, false, 20], [3, true, 35]])
  await openCloseout()
  await card.getByTestId('period-status').filter({ hasText: '已结账（已调整）' }).waitFor({ timeout: 30_000 })
  await card.getByText('快照版本').click()
  const version3 = card.getByTestId('version-3')
  await version3.waitFor({ timeout: 30_000 })
  await expect(version3.textContent()).resolves.toMatch(/调整.*服务 35 人次/)
  await expect(card.getByTestId('version-1').textContent()).resolves.toContain('重新开账：核对服务人次')

  // The event's history: created, asked for, approved, and the change itself from 10 to 25.
  await page.evaluate((id) => {
    window.location.hash = `#/history/${id}`
  }, eventA)
  await page.getByRole('heading', { name: '活动变更记录' }).waitFor({ timeout: 30_000 })
  const entries = page.getByTestId('history-entries')
  await entries.getByText('批准调整申请').waitFor({ timeout: 30_000 })
  const history = await entries.textContent()
  for (const step of ['新建', '提交调整申请', '批准调整申请', '服务党员群众（人次）：10 → 25', '活动名称：' + `${run} 社区义诊`]) {
    expect(history).toContain(step)
  }
  await expect(page.getByTestId('history-event').textContent()).resolves.toBe(`活动：${run} 社区义诊`)
  await noSidewaysScrolling(page)
  await screenshot(page, 'event-history', { fullPage: true })

  // The ledger's words come in English too, loaded when the language changes.
  await page.getByRole('button', { name: 'English' }).click()
  await page.getByRole('heading', { name: 'Event history' }).waitFor({ timeout: 30_000 })
  await entries.getByText('Adjustment approved').waitFor()
  await expect(entries.textContent()).resolves.toContain('People served: 10 → 25')

  await context.close()
})
