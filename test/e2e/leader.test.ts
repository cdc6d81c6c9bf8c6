// Scenario 3: a team leader corrects an event of the team (logged by someone else); the
// correction reaches the server and the server's totals follow it.
import { expect, it } from 'vitest'
import { phoneContext, screenshot, signIn } from './support/browser'
import { seedId } from './support/db'
import { useSuite } from './support/suite'

const suite = useSuite({ data: 'writes', db: true })

it('lets a team leader correct an event of the team', async () => {
  const eventId = await seedId(suite.db, 'event-1')
  const { rows } = await suite.db.query<{ title: string; people_served: number; station_id: string; theme_month_id: string }>(
    'select title, people_served, station_id, theme_month_id from public.service_events where id = $1',
    [eventId],
  )
  const original = rows[0]!
  const totalsOf = async () =>
    (
      await suite.db.query<{ people_served: string }>(
        'select people_served from public.station_month_totals where station_id = $1 and theme_month_id = $2',
        [original.station_id, original.theme_month_id],
      )
    ).rows[0]!.people_served
  const servedBefore = Number(await totalsOf())

  const context = await phoneContext(suite.browser)
  const page = await context.newPage()
  await signIn(page, suite.app.url, 'leader@demo.local')
  await page.getByTestId('nav-team').click()
  const card = page.getByTestId(`event-${eventId}`)
  await card.waitFor({ timeout: 30_000 })
  await screenshot(page, 'team')

  await card.getByRole('button', { name: '修改' }).click()
  await page.getByRole('heading', { name: '修改活动' }).waitFor()
  const corrected = `${original.title}(已更正)`
  await page.getByLabel('活动名称').fill(corrected)
  await page.getByLabel('服务党员群众（人次）').fill(String(original.people_served + 5))
  await page.getByRole('button', { name: '保存', exact: true }).click()

  await page.getByTestId(`event-${eventId}`).getByTestId('sync-state').filter({ hasText: '已同步' }).waitFor({ timeout: 30_000 })
  const after = await suite.db.query<{ title: string; people_served: number }>(
    'select title, people_served from public.service_events where id = $1',
    [eventId],
  )
  expect(after.rows[0]).toEqual({ title: corrected, people_served: original.people_served + 5 })
  expect(Number(await totalsOf())).toBe(servedBefore + 5)
  await context.close()

  // Put the seeded event back (the same triggers keep the totals right), so the 2023 figures stay
  // those of the published report for the other tests.
  await suite.db.query('update public.service_events set title = $2, people_served = $3 where id = $1', [
    eventId,
    original.title,
    original.people_served,
  ])
})
