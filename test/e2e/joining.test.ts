// Every role's first minutes with joining and months (issue 9), at 360×740, in Chinese and in
// English: a newcomer signs up (by phone number, then by email), asks to join team 1 with its
// leader's QR link or typed code, is approved by the leader (once as a new member, once as a person
// already named in the team's events), logs an event and sees it synced; the leader cannot leave
// the team without a leader; a coordinator names the month made on the newcomer's first use of it
// and makes next year's months. The database, read directly, is the oracle.
import type { BrowserContext, Page } from 'playwright-core'
import decodeQR from 'qr/decode.js'
import { expect, it } from 'vitest'
import { PASSWORD, phoneContext, screenshot } from './support/browser'
import { seedId } from './support/db'
import { useSuite } from './support/suite'

type Lang = 'zh-CN' | 'en'

const suite = useSuite({ data: 'writes', db: true })

/** A unique mark of this run, so that a rerun against the same stack finds only its own rows. */
const run = Date.now().toString(36)
const NEWCOMER_PASSWORD = 'joining-test-password'

async function open(lang: Lang, url = suite.app.url): Promise<{ context: BrowserContext; page: Page }> {
  const context = await phoneContext(suite.browser, lang)
  const page = await context.newPage()
  await page.goto(url)
  await page.locator('#sign-in-email').waitFor()
  if (lang === 'en') {
    await page.getByRole('button', { name: 'English' }).click()
    // The choice is remembered once the English messages have arrived, not at the click.
    await page.waitForFunction(() => document.documentElement.lang === 'en')
    await page.reload()
    await page.locator('#sign-in-email').waitFor()
  }
  return { context, page }
}

/** Signs in with a demo account, by the fields' ids (either language). */
async function signIn(page: Page, email: string): Promise<void> {
  await page.locator('#sign-in-email').fill(email)
  await page.locator('#sign-in-password').fill(PASSWORD)
  await page.locator('form button[type=submit]').click()
  await page.locator('a[data-testid^="nav-"]').first().waitFor({ timeout: 30_000 })
}

/** Signs up on the sign-up form (opened by an invite link, or by its switch). */
async function signUp(page: Page, login: string): Promise<void> {
  await page.locator('#sign-in-email').fill(login)
  await page.locator('#sign-in-password').fill(NEWCOMER_PASSWORD)
  await page.locator('form button[type=submit]').click()
  await page.locator('#join-code').waitFor({ timeout: 30_000 })
}

/** The text the QR code on the page encodes, read from its pixels as a phone's camera would. */
async function scanQr(page: Page): Promise<string> {
  const image = await page.getByTestId('invite-qr').evaluate(async (svg) => {
    const size = 37 * 8
    const copy = svg.cloneNode(true) as SVGElement
    copy.setAttribute('width', String(size))
    copy.setAttribute('height', String(size))
    const picture = new Image()
    picture.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(new XMLSerializer().serializeToString(copy))}`
    await picture.decode()
    const canvas = document.createElement('canvas')
    canvas.width = size
    canvas.height = size
    const context = canvas.getContext('2d')!
    context.drawImage(picture, 0, 0, size, size)
    return { width: size, height: size, data: Array.from(context.getImageData(0, 0, size, size).data) }
  })
  return decodeQR({ width: image.width, height: image.height, data: Uint8Array.from(image.data) })
}

/** An hour that has passed today in Kunming (yesterday's evening just after midnight). */
async function earlierToday(): Promise<{ date: string; start: string; end: string; month: string }> {
  const { rows } = await suite.db.query<{ date: string; start: string; end: string; month: string }>(`
    select to_char(d, 'YYYY-MM-DD') as date,
      case when same_day then to_char(t - interval '65 minutes', 'HH24:MI') else '22:00' end as start,
      case when same_day then to_char(t - interval '5 minutes', 'HH24:MI') else '23:00' end as "end",
      to_char(date_trunc('month', d), 'YYYY-MM-DD') as month
    from (select t, (t - interval '65 minutes')::date as d,
            (t - interval '65 minutes')::date = (t - interval '5 minutes')::date as same_day
          from (select now() at time zone 'Asia/Shanghai' as t) n) x`)
  return rows[0]!
}

/** Fills and saves the log form by the fields' ids (either language), everyone in the team taking part. */
async function logEvent(page: Page, event: { title: string; date: string; start: string; end: string }): Promise<void> {
  await page.locator('#same-hours').waitFor({ timeout: 30_000 })
  await page.locator('#ev-station').selectOption({ index: 1 })
  await page.locator('#ev-date').fill(event.date)
  await page.locator('#ev-start').fill(event.start)
  await page.locator('#ev-end').fill(event.end)
  await page.locator('#same-hours').fill('1')
  await page.locator('#same-hours + button').click()
  await page.locator('#ev-title').fill(event.title)
  await page.locator('#ev-service-content').fill(event.title)
}

async function saveAndSeeSynced(page: Page, title: string): Promise<void> {
  await page.locator('.event-form button[type=submit]').click()
  await page.getByTestId('saved-notice').waitFor()
  await page.getByTestId('nav-events').click()
  await page.locator('article[data-sync-state="synced"]', { hasText: title }).waitFor({ timeout: 30_000 })
}

async function inviteCodeOfTeam1(): Promise<string> {
  const { rows } = await suite.db.query<{ code: string }>(
    'select code from public.team_invites where team_id = $1', [await seedId(suite.db, 'team-1')])
  return rows[0]!.code
}

it('lets a newcomer sign up by phone, join with the QR code, be approved, log today\'s event and see it synced (zh-CN)', async () => {
  const leader = await open('zh-CN')
  await signIn(leader.page, 'leader@demo.local')
  await leader.page.getByTestId('nav-team').click()
  // The team's code, made now if it has none yet.
  const makeCode = leader.page.getByRole('button', { name: '生成邀请码' })
  await Promise.race([makeCode.waitFor({ timeout: 30_000 }), leader.page.getByTestId('invite-code').waitFor({ timeout: 30_000 })])
  if (await makeCode.isVisible()) await makeCode.click()
  await leader.page.getByTestId('invite-qr').waitFor({ timeout: 30_000 })
  const code = await inviteCodeOfTeam1()
  await expect(leader.page.getByTestId('invite-code').textContent()).resolves.toBe(`${code.slice(0, 4)}-${code.slice(4)}`)
  await screenshot(leader.page, 'join-invite-zh-CN')

  // The QR code is the link shown under it, into this app's join page, with the code.
  const scanned = await scanQr(leader.page)
  expect(scanned).toBe(await leader.page.getByTestId('invite-link').textContent())
  expect(new URL(scanned).origin).toBe(new URL(suite.app.url).origin)
  expect(new URL(scanned).hash).toBe(`#/join/${code}`)

  // The newcomer opens the link, signs up with a mobile number, and asks to join.
  const phone = `139${String(Date.now() % 1e8).padStart(8, '0')}`
  const name = `新队员${run}`
  const newcomer = await open('zh-CN', scanned)
  await newcomer.page.getByRole('heading', { name: '注册新账号' }).waitFor()
  await signUp(newcomer.page, phone)
  await expect(newcomer.page.locator('#join-code').inputValue()).resolves.toBe(`${code.slice(0, 4)}-${code.slice(4)}`)
  await newcomer.page.getByLabel('你的姓名').fill(name)
  await newcomer.page.getByRole('button', { name: '申请加入' }).click()
  await newcomer.page.getByTestId('join-pending').filter({ hasText: name }).waitFor({ timeout: 30_000 })
  await screenshot(newcomer.page, 'join-pending-zh-CN')

  // The leader sees the request and approves it as a new member.
  await leader.page.reload()
  const request = leader.page.locator('li.join-request', { hasText: name })
  await request.waitFor({ timeout: 30_000 })
  await expect(request.getByLabel('批准为').inputValue()).resolves.toBe('')
  await request.scrollIntoViewIfNeeded()
  await screenshot(leader.page, 'join-request-zh-CN')
  await request.getByRole('button', { name: '批准' }).click()
  await leader.page.locator('.member', { hasText: name }).getByText('已关联账号').waitFor({ timeout: 30_000 })

  // The newcomer's page notices by itself, and the newcomer logs today's event.
  await newcomer.page.getByTestId('join-approved').waitFor({ timeout: 30_000 })
  await screenshot(newcomer.page, 'join-approved-zh-CN')
  await newcomer.page.getByRole('link', { name: '开始记录活动' }).click()
  const today = await earlierToday()
  const title = `入队第一次活动 ${run}`
  await logEvent(newcomer.page, { title, ...today })
  await saveAndSeeSynced(newcomer.page, title)
  await screenshot(newcomer.page, 'join-first-event-synced-zh-CN')

  const { rows } = await suite.db.query<{ display_name: string; role: string; month: string; participants: number }>(`
    select p.display_name, m.role, to_char(tm.month, 'YYYY-MM-DD') as month,
      (select count(*)::int from public.event_participants ep where ep.event_id = e.id) as participants
    from auth.users u
    join public.people p on p.user_id = u.id
    join public.team_members m on m.person_id = p.id and m.team_id = $2 and m.left_at is null
    join public.service_events e on e.title = $3
    join public.theme_months tm on tm.id = e.theme_month_id
    where u.phone = $1`, [`86${phone}`, await seedId(suite.db, 'team-1'), title])
  expect(rows).toEqual([{ display_name: name, role: 'member', month: today.month, participants: expect.any(Number) }])
  expect(rows[0]!.participants).toBeGreaterThan(1)
  await newcomer.context.close()
  await leader.context.close()
})

it('lets a newcomer named in past events join by typed code, keeps the team led, and has a coordinator name the month the newcomer made (en)', async () => {
  const db = suite.db
  const team1 = await seedId(db, 'team-1')
  const nextYear = new Date().getFullYear() + 1
  // Next year's months are made by the coordinator below; a rerun starts without them.
  await db.query('delete from public.theme_months where extract(year from month) = $1', [nextYear])
  // Someone of team 1 without an account, named in its events: the newcomer is them.
  const { rows: named } = await db.query<{ id: string; display_name: string }>(`
    select p.id, p.display_name from public.people p join public.team_members m on m.person_id = p.id
    where m.team_id = $1 and m.left_at is null and p.user_id is null
      and exists (select 1 from public.event_participants ep where ep.person_id = p.id)
    order by p.id limit 1`, [team1])
  const person = named[0]!
  // A day in the latest month before the demo program's that has no theme month (the one just
  // before it, on a fresh stack): the newcomer's event there makes it.
  const { rows: past } = await db.query<{ date: string; month: string }>(`
    select to_char(m + interval '14 days', 'YYYY-MM-DD') as date, to_char(m, 'YYYY-MM-DD') as month
    from generate_series(
      least(date_trunc('year', now() at time zone 'Asia/Shanghai'), date_trunc('month', now() at time zone 'Asia/Shanghai') - interval '1 month') - interval '1 month',
      date '2000-01-01', interval '-1 month') m
    where not exists (select 1 from public.theme_months t where t.month = m::date)
    limit 1`)
  const { date: pastDay, month: pastMonth } = past[0]!
  const code = await inviteCodeOfTeam1()

  // Sign-up by email from the app's start page; a wrong code first.
  const newcomer = await open('en')
  await newcomer.page.getByRole('button', { name: 'Create account' }).click()
  await newcomer.page.getByRole('heading', { name: 'Create an account' }).waitFor()
  const email = `newcomer-${run}@example.org`
  await signUp(newcomer.page, email)
  await newcomer.page.getByRole('link', { name: 'Join a team' }).waitFor()
  await newcomer.page.getByLabel('Invite code').fill('ZZZZ-2345')
  await newcomer.page.getByLabel('Your name').fill(person.display_name)
  await newcomer.page.getByRole('button', { name: 'Ask to join' }).click()
  await expect(newcomer.page.getByTestId('join-failure').textContent()).resolves.toBe('This invite code is not right; check it and enter it again.')
  await screenshot(newcomer.page, 'join-wrong-code-en')
  await newcomer.page.getByLabel('Invite code').fill(code.toLowerCase())
  await newcomer.page.getByRole('button', { name: 'Ask to join' }).click()
  await newcomer.page.getByTestId('join-pending').waitFor({ timeout: 30_000 })

  // The leader approves the request as the person of that name, then tries to step down.
  const leader = await open('en')
  await signIn(leader.page, 'leader@demo.local')
  await leader.page.getByTestId('nav-team').click()
  const request = leader.page.locator('li.join-request', { hasText: person.display_name })
  await request.waitFor({ timeout: 30_000 })
  await expect(request.getByLabel('Approve as').inputValue()).resolves.toBe(person.id)
  await request.getByRole('button', { name: 'Approve' }).click()
  await request.waitFor({ state: 'detached', timeout: 30_000 })

  const { rows: leaders } = await db.query<{ display_name: string }>(`
    select p.display_name from public.people p join public.team_members m on m.person_id = p.id
    where m.team_id = $1 and m.role = 'leader' and m.left_at is null and p.user_id = (select id from auth.users where email = 'leader@demo.local')`, [team1])
  const leaderName = leaders[0]!.display_name
  const ownRole = leader.page.getByLabel(`Role: ${leaderName}`)
  await ownRole.selectOption('member')
  await leader.page.getByText('Make yourself a Member? As a member you can no longer manage the team.').waitFor()
  await screenshot(leader.page, 'team-own-role-confirm-en')
  await leader.page.getByRole('button', { name: 'Change my role' }).click()
  await expect(leader.page.getByTestId('team-failure').textContent()).resolves.toBe(
    'A team with members needs a leader: make another member a leader first.')
  await expect(ownRole.inputValue()).resolves.toBe('leader')
  await screenshot(leader.page, 'team-cannot-orphan-en')
  const { rows: stillLeader } = await db.query<{ role: string; user_id: string | null }>(`
    select m.role, p.user_id::text from public.team_members m join public.people p on p.id = m.person_id
    where m.team_id = $1 and p.display_name = $2 and m.left_at is null`, [team1, leaderName])
  expect(stillLeader.map((r) => r.role)).toEqual(['leader'])
  await leader.context.close()

  // Approved, the newcomer logs an event in a month nobody has set up: the form says the month
  // will be made, and the event syncs all the same.
  await newcomer.page.getByTestId('join-approved').waitFor({ timeout: 30_000 })
  await newcomer.page.getByRole('link', { name: 'Start logging events' }).click()
  const title = `First event of a month nobody set up ${run}`
  await logEvent(newcomer.page, { title, date: pastDay, start: '09:00', end: '10:00' })
  await expect(newcomer.page.locator('#ev-theme-month').textContent()).resolves.toMatch(/To be named$/)
  await expect(newcomer.page.locator('#ev-theme-month-hint').textContent()).resolves.toBe(
    'This month has no theme month yet: it is made when the event syncs, and a coordinator names it later.')
  await newcomer.page.locator('#ev-theme-month').scrollIntoViewIfNeeded()
  await screenshot(newcomer.page, 'log-month-to-be-made-en')
  await saveAndSeeSynced(newcomer.page, title)
  const { rows: made } = await db.query<{ user_id: string; named: boolean; events: number }>(`
    select p.user_id::text, m.named, (select count(*)::int from public.service_events e where e.theme_month_id = m.id and e.title = $3) as events
    from public.people p, public.theme_months m where p.id = $1 and m.month = $2`, [person.id, pastMonth, title])
  expect(made).toEqual([{ user_id: expect.any(String), named: false, events: 1 }])
  await newcomer.context.close()

  // The coordinator names that month, and makes next year's months at once.
  const coordinator = await open('en')
  await signIn(coordinator.page, 'coordinator@demo.local')
  await coordinator.page.getByTestId('nav-manage').click()
  await coordinator.page.locator('#themes-heading').waitFor({ timeout: 30_000 })
  // The list of months is folded when long; open it.
  if (!(await coordinator.page.locator('#themes-search').isVisible())) await coordinator.page.locator('#themes-heading').click()
  const monthTitle = new Intl.DateTimeFormat('en', { timeZone: 'UTC', year: 'numeric', month: 'long' }).format(new Date(`${pastMonth}T00:00:00Z`))
  await coordinator.page.locator('#themes-search').fill(monthTitle)
  const unnamed = coordinator.page.locator('.editable-list__item', { hasText: `${monthTitle} · To be named` })
  await unnamed.getByText('To be named: choose Edit to give it a theme').waitFor()
  await screenshot(coordinator.page, 'manage-unnamed-month-en')
  await unnamed.getByRole('button', { name: 'Edit' }).click()
  await coordinator.page.locator('#themes-theme').fill('Volunteers in the neighbourhood')
  await coordinator.page.locator('.editable-form button[type=submit]').click()
  await coordinator.page.locator('.editable-list__item', { hasText: `${monthTitle} · Volunteers in the neighbourhood` }).waitFor({ timeout: 30_000 })
  const { rows: renamed } = await db.query<{ theme: string; named: boolean }>('select theme, named from public.theme_months where month = $1', [pastMonth])
  expect(renamed).toEqual([{ theme: 'Volunteers in the neighbourhood', named: true }])

  await coordinator.page.getByLabel('Theme months for a whole year').selectOption(String(nextYear))
  await coordinator.page.getByRole('button', { name: `Create the months of ${nextYear}` }).click()
  await coordinator.page.getByRole('status').filter({ hasText: `Made 12 months of ${nextYear}; name each below.` }).waitFor({ timeout: 30_000 })
  await coordinator.page.locator('#manage-heading').scrollIntoViewIfNeeded()
  await screenshot(coordinator.page, 'manage-year-made-en')
  const { rows: year } = await db.query<{ months: number; unnamed: number }>(
    'select count(*)::int as months, count(*) filter (where not named)::int as unnamed from public.theme_months where extract(year from month) = $1', [nextYear])
  expect(year).toEqual([{ months: 12, unnamed: 12 }])

  // The rosters page finds the newcomer by name, linked to their account, in team 1.
  await coordinator.page.getByTestId('nav-rosters').click()
  await coordinator.page.locator('#rosters-search').fill(person.display_name)
  await coordinator.page.locator(`[data-testid="roster-${team1}"] .member`, { hasText: person.display_name }).getByText('Has an account').waitFor({ timeout: 30_000 })
  await screenshot(coordinator.page, 'rosters-en')
  await coordinator.context.close()
})
