// The quality bar, checked in headless Chromium against the built app:
// - installable: no installability errors from Chromium once the service worker controls the
//   page, and the manifest's fields and icons;
// - on every page (signed out, volunteer, leader, coordinator and admin; in Chinese and English):
//   no axe-core violations of serious or critical impact, every control at least 44×44 px, no
//   horizontal scrolling at 360×740 nor at 740×360 (of the page, nor of a table or other box in
//   it), every page link of the navigation in sight with its whole name, one main, a banner, a
//   navigation landmark holding the page links, and the document's language the one shown; a
//   screenshot of each page kept in test-results/screenshots; the follow-up's phone lists with a
//   phone added in the browser, so that they are measured whatever phones the stack holds;
// - the log form's save button in reach at the bottom of the screen without covering the field to
//   fix, its message, or the last field.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import { expect, it, onTestFinished } from 'vitest'
import { PASSWORD, phoneContext, screenshot, waitForServiceWorkerControl } from './support/browser'
import {
  horizontalOverflow,
  landmarkProblems,
  MIN_TARGET,
  navigationProblems,
  persistentPhoneContext,
  pngSize,
  seriousAxeViolations,
  sidewaysScrollers,
  smallTouchTargets,
} from './support/quality'
import { useSuite } from './support/suite'

type Lang = 'zh-CN' | 'en'

const suite = useSuite({ data: 'reads', db: true, currentThemeMonths: true })

const PORTRAIT = { width: 360, height: 740 }
const LANDSCAPE = { width: 740, height: 360 }

/** Every check of the quality bar on the page as it is now; all failures reported, none stops the rest. */
async function audit(page: Page, name: string, lang: Lang, withNavigation = true): Promise<void> {
  const label = `${name} (${lang})`
  await page.setViewportSize(PORTRAIT)
  expect.soft(await seriousAxeViolations(page), `${label}: axe-core violations of serious or critical impact`).toEqual([])
  const portraitTargets = await smallTouchTargets(page)
  expect.soft(portraitTargets.checked, `${label}: controls found to measure`).toBeGreaterThan(0)
  expect.soft(portraitTargets.small, `${label}: touch targets under ${MIN_TARGET}×${MIN_TARGET} px at 360×740`).toEqual([])
  expect.soft(await horizontalOverflow(page), `${label}: horizontal overflow at 360×740`).toBeNull()
  expect.soft(await sidewaysScrollers(page), `${label}: boxes scrolling sideways at 360×740`).toEqual([])
  expect.soft(await navigationProblems(page), `${label}: page links out of sight at 360×740`).toEqual([])
  expect.soft(await landmarkProblems(page, lang, withNavigation), `${label}: landmarks and language`).toEqual([])
  // What the phone shows, and the whole page.
  const file = `${name.replaceAll(/[^a-z0-9]+/gi, '-')}-${lang}`
  await screenshot(page, file)
  await screenshot(page, `${file}-full`, { fullPage: true })

  await page.setViewportSize(LANDSCAPE)
  expect.soft(await horizontalOverflow(page), `${label}: horizontal overflow at 740×360`).toBeNull()
  expect.soft(await sidewaysScrollers(page), `${label}: boxes scrolling sideways at 740×360`).toEqual([])
  expect.soft((await smallTouchTargets(page)).small, `${label}: touch targets under ${MIN_TARGET}×${MIN_TARGET} px at 740×360`).toEqual([])
  await page.setViewportSize(PORTRAIT)
}

async function openApp(lang: Lang): Promise<{ context: BrowserContext; page: Page }> {
  const context = await phoneContext(suite.browser, lang)
  const page = await context.newPage()
  await page.goto(suite.app.url)
  await page.locator('#sign-in-email').waitFor()
  if (lang === 'en') {
    // The choice is kept; the reload starts the page afresh (focus included) in English.
    await page.getByRole('button', { name: 'English' }).click()
    // The choice is remembered once the English messages have arrived, not at the click.
    await page.waitForFunction(() => document.documentElement.lang === 'en')
    await page.reload()
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()
  }
  return { context, page }
}

/** Signs in by the fields' ids, so that it works in either language. */
async function signIn(page: Page, email: string): Promise<void> {
  await page.locator('#sign-in-email').fill(email)
  await page.locator('#sign-in-password').fill(PASSWORD)
  await page.locator('form button[type=submit]').click()
  await page.locator('a[data-testid^="nav-"]').first().waitFor({ timeout: 30_000 })
}

/**
 * What is wrong with the log form's save bar as the page stands: the save button off the screen,
 * or the bar over the focused field, its message, or (scrolled to the end) the form's last field.
 */
async function saveBarProblems(page: Page, check: 'reach' | 'focused' | 'end'): Promise<string[]> {
  return page.evaluate((what) => {
    const save = document.querySelector<HTMLElement>('.event-form button[type=submit]')
    if (!save) return ['no save button']
    let bar: HTMLElement = save
    while (bar.parentElement && getComputedStyle(bar).position !== 'sticky') bar = bar.parentElement
    const barTop = bar.getBoundingClientRect().top
    const s = save.getBoundingClientRect()
    if (s.top < 0 || s.bottom > innerHeight) return [`save button at ${Math.round(s.top)}–${Math.round(s.bottom)}, off a ${innerHeight} px screen`]
    const covered = (el: Element | null, what: string) => {
      if (!el) return [`no ${what}`]
      const r = el.getBoundingClientRect()
      return r.top < 0 || r.bottom > barTop + 0.5 ? [`${what} at ${Math.round(r.top)}–${Math.round(r.bottom)}, save bar from ${Math.round(barTop)}`] : []
    }
    if (what === 'focused') {
      const focused = document.activeElement
      const messages = (focused?.getAttribute('aria-describedby') ?? '').split(' ').filter((id) => id.endsWith('-error'))
      if (messages.length === 0) return [`focused ${focused?.id ?? focused?.tagName} has no error message`]
      return [...covered(focused, `focused field #${focused?.id}`), ...messages.flatMap((id) => covered(document.getElementById(id), `message #${id}`))]
    }
    if (what === 'end') return covered(document.querySelector('.event-form fieldset:last-of-type .field:last-child'), 'last field')
    return []
  }, check)
}

/**
 * Adds a phone to both phone lists of every follow-up the page loads, on top of what the server
 * answers: the demo volunteer's, holding events of the three teams with the longest names. The
 * lists are then measured at their widest whatever phones other files have left (this file
 * writes nothing: a phone's report would change the program's figures that other files assert).
 */
async function widestFollowUpPhones(page: Page): Promise<void> {
  const { rows: teams } = await suite.db.query<{ id: string }>('select id from public.teams order by length(name) desc, id limit 3')
  const { rows: users } = await suite.db.query<{ id: string }>("select id from auth.users where email = 'volunteer@demo.local'")
  const phone = {
    user_id: users[0]!.id,
    device_id: crypto.randomUUID(),
    team_ids: teams.map((team) => team.id),
    events: 1234,
    oldest_waiting_since: new Date(Date.now() - 40 * 86_400_000).toISOString(),
    reported_at: new Date(Date.now() - 39 * 86_400_000).toISOString(),
    app_version: 'quality',
  }
  await page.route('**/rest/v1/rpc/follow_up', async (route) => {
    const response = await route.fetch()
    const answer = (await response.json()) as Record<string, unknown[]>
    await route.fulfill({ response, json: { ...answer, phones_waiting: [...answer.phones_waiting!, phone], phones_silent: [...answer.phones_silent!, phone] } })
  })
}

async function go(page: Page, view: string): Promise<void> {
  await page.getByTestId(`nav-${view}`).click()
  await page.locator(`a[data-testid="nav-${view}"][aria-current="page"]`).waitFor()
}

it('is installable: Chromium finds no installability errors, and the manifest is complete', async () => {
  // A profile on disk: Chromium never offers to install from an incognito (in-memory) profile.
  const profile = mkdtempSync(join(tmpdir(), 'volunteer-ledger-install-'))
  const context = await persistentPhoneContext(profile)
  onTestFinished(async () => {
    await context.close()
    rmSync(profile, { recursive: true, force: true })
  })
  const page = context.pages()[0] ?? (await context.newPage())
  await page.goto(suite.app.url)
  await waitForServiceWorkerControl(page)

  const cdp = await context.newCDPSession(page)
  const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors')
  expect(installabilityErrors).toEqual([])
  const parsed = await cdp.send('Page.getAppManifest')
  expect(parsed.errors).toEqual([])

  const href = await page.locator('link[rel="manifest"]').getAttribute('href')
  expect(href).toBeTruthy()
  const manifestUrl = new URL(href!, page.url())
  expect(parsed.url).toBe(manifestUrl.href)
  const response = await fetch(manifestUrl)
  expect(response.status).toBe(200)
  const manifest = (await response.json()) as {
    name: string
    short_name: string
    lang: string
    start_url: string
    scope: string
    display: string
    orientation?: string
    theme_color: string
    background_color: string
    icons: { src: string; sizes: string; type: string; purpose?: string }[]
  }
  expect(manifest.name).toBe('志愿服务台账')
  expect(manifest.short_name).toBeTruthy()
  expect(manifest.lang).toBe('zh-CN')
  expect(manifest.display).toBe('standalone')
  // Usable in landscape as in portrait, so not locked to one (WCAG 1.3.4).
  expect(manifest.orientation ?? 'any').toBe('any')
  expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/i)
  expect(manifest.background_color).toMatch(/^#[0-9a-f]{6}$/i)
  // The app opens where it is served, inside its scope.
  expect(new URL(manifest.start_url, manifestUrl).href).toBe(suite.app.url)
  expect(new URL(manifest.start_url, manifestUrl).href.startsWith(new URL(manifest.scope, manifestUrl).href)).toBe(true)
  // The theme colour of the page is the manifest's.
  await expect(page.locator('meta[name="theme-color"]').getAttribute('content')).resolves.toBe(manifest.theme_color)

  // Each icon is served, is a PNG of the size it claims; 192 and 512 for any purpose, and a maskable one.
  for (const icon of manifest.icons) {
    const iconResponse = await fetch(new URL(icon.src, manifestUrl))
    expect(iconResponse.status, icon.src).toBe(200)
    const { width, height } = pngSize(Buffer.from(await iconResponse.arrayBuffer()))
    expect(`${width}x${height}`, icon.src).toBe(icon.sizes)
    expect(icon.type).toBe('image/png')
  }
  const anyPurpose = manifest.icons.filter((i) => (i.purpose ?? 'any').split(' ').includes('any'))
  expect(anyPurpose.map((i) => i.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']))
  expect(manifest.icons.some((i) => (i.purpose ?? '').split(' ').includes('maskable'))).toBe(true)
})

for (const lang of ['zh-CN', 'en'] as const) {
  it(`meets the quality bar signed out (${lang}): sign-in, and a refused sign-in`, async () => {
    const { context, page } = await openApp(lang)
    await audit(page, 'sign-in', lang, false)

    // The skip link, once focused (the first Tab), is a full-size target too.
    await page.keyboard.press('Tab')
    const skip = await page.evaluate(() => {
      const el = document.activeElement
      const r = el?.getBoundingClientRect()
      return { cls: el?.className, width: r?.width ?? 0, height: r?.height ?? 0, left: r?.left ?? -1 }
    })
    expect(skip.cls).toContain('skip-link')
    expect(skip.left).toBeGreaterThanOrEqual(0)
    expect(Math.min(skip.width, skip.height)).toBeGreaterThanOrEqual(MIN_TARGET)

    await page.locator('#sign-in-email').fill('volunteer@demo.local')
    await page.locator('#sign-in-password').fill('not-the-password')
    await page.locator('form button[type=submit]').click()
    await page.locator('.sign-in [role="alert"]').waitFor({ timeout: 30_000 })
    await audit(page, 'sign-in refused', lang, false)
    await context.close()
  })

  it(`meets the quality bar on the volunteer's pages (${lang}): log form, its errors, team events, device and sync, record, profile, offline`, async () => {
    const { context, page } = await openApp(lang)
    await signIn(page, 'volunteer@demo.local')
    await page.locator('#same-hours').waitFor({ timeout: 30_000 })
    await audit(page, 'log event', lang)
    // The form is taller than the screen, and its save button is in reach all the same.
    await expect(page.evaluate(() => document.documentElement.scrollHeight)).resolves.toBeGreaterThan(PORTRAIT.height)
    expect(await saveBarProblems(page, 'reach'), 'save button at the top of the form').toEqual([])
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight))
    expect(await saveBarProblems(page, 'end'), 'scrolled to the end of the form').toEqual([])

    // Saving the empty form shows every field's error; the first is focused in sight, clear of the save bar.
    await page.locator('.event-form button[type=submit]').click()
    await page.locator('.event-form .form-alert').waitFor()
    await expect(page.locator('.event-form [aria-invalid="true"]').count()).resolves.toBeGreaterThan(0)
    await page.waitForFunction(() => document.activeElement?.closest('.event-form') && document.activeElement.tagName !== 'BUTTON')
    expect(await saveBarProblems(page, 'focused'), 'the first field to fix').toEqual([])
    await audit(page, 'log event with errors', lang)
    // "Nobody chosen" sits by the participants' search box, which is focused when it is the first to fix.
    await page.locator('#ev-station').selectOption({ index: 1 })
    await page.locator('#ev-date').fill('2023-03-05')
    await page.locator('#ev-start').fill('09:00')
    await page.locator('#ev-end').fill('10:00')
    await page.locator('.event-form button[type=submit]').click()
    await page.waitForFunction(() => document.activeElement?.id === 'participant-search')
    expect(await saveBarProblems(page, 'focused'), 'the participants search box').toEqual([])

    await go(page, 'events')
    await page.locator('article.event-card').first().waitFor({ timeout: 30_000 })
    await audit(page, 'team events', lang)

    await go(page, 'device')
    await page.getByTestId('app-version').waitFor({ timeout: 30_000 })
    await audit(page, 'device and sync', lang)

    await go(page, 'record')
    await page.locator('.record-row').first().waitFor({ timeout: 30_000 })
    await audit(page, 'my service record', lang)

    await go(page, 'profile')
    await page.locator('main form').first().waitFor({ timeout: 30_000 })
    await audit(page, 'my profile', lang)

    // Offline, the sync banner changes colour and its button is disabled.
    await context.setOffline(true)
    await page.locator('.sync-banner--offline').waitFor()
    await go(page, 'log')
    await page.locator('#same-hours').waitFor()
    await audit(page, 'log event offline', lang)
    await context.setOffline(false)
    await context.close()
  })

  it(`meets the quality bar on the leader's page (${lang})`, async () => {
    const { context, page } = await openApp(lang)
    await signIn(page, 'leader@demo.local')
    await go(page, 'team')
    await page.locator('.member').first().waitFor({ timeout: 30_000 })
    await page.locator('article.event-card').first().waitFor({ timeout: 30_000 })
    await audit(page, 'team', lang)
    // Renaming a member, and asking to delete an event.
    await page.locator('.member .actions .btn--small').first().click()
    await page.locator('.member form.inline input').waitFor()
    await page.locator('article.event-card .btn--danger-quiet').first().click()
    await page.locator('article.event-card .confirm').waitFor()
    await audit(page, 'team, renaming a member and delete asked', lang)
    await context.close()
  })

  it(`meets the quality bar on the coordinator's pages, as an admin with the most tabs (${lang}): review, dashboard, follow-up, report, close-out, adjustments, manage, rosters`, async () => {
    const { context, page } = await openApp(lang)
    await signIn(page, 'admin@demo.local')
    await expect(page.locator('a[data-testid^="nav-"]').count()).resolves.toBe(11)
    await go(page, 'review')
    await page.getByRole('heading', { level: 3 }).first().waitFor({ timeout: 30_000 })
    await audit(page, 'review', lang)

    await go(page, 'dashboard')
    await page.getByTestId('program-events').waitFor({ timeout: 30_000 })
    await page.locator('#filter-year').selectOption('2023')
    await page.getByTestId('selection').filter({ hasText: '2023' }).waitFor({ timeout: 30_000 })
    await page.locator('[data-testid^="totals-"]').first().waitFor({ timeout: 30_000 })
    await page.locator('figure.chart').waitFor({ timeout: 30_000 })
    await audit(page, 'dashboard', lang)

    await widestFollowUpPhones(page)
    await go(page, 'followup')
    await page.getByTestId('follow-up-teams_without_events').waitFor({ timeout: 30_000 })
    await page.getByTestId('follow-up-phones_silent').getByTestId('follow-up-phone').first().waitFor({ timeout: 30_000 })
    await audit(page, 'follow-up', lang)

    await go(page, 'report')
    await page.getByTestId('report-sentence').waitFor({ timeout: 30_000 })
    await audit(page, 'report', lang)

    // Close-out of a 2023 month (the seed's events), a station's close form and versions open.
    await go(page, 'closeout')
    await page.locator('#closeout-year').selectOption('2023')
    await page.locator('[data-testid^="period-"]').first().waitFor({ timeout: 30_000 })
    await page.locator('[data-testid^="period-"] .actions .btn').first().click()
    await page.locator('[data-testid^="period-"] .fold > summary').first().click()
    await audit(page, 'close-out, closing asked', lang)

    await go(page, 'adjustments')
    await page.getByTestId('decided-requests').waitFor({ timeout: 30_000 })
    await audit(page, 'adjustments', lang)

    await go(page, 'manage')
    // Long lists start folded (the theme months, the teams): the first open one shows its rows.
    await page.locator('details[open] .editable-list__item').first().waitFor({ timeout: 30_000 })
    await page.locator('#calendar-heading').waitFor({ timeout: 30_000 })
    await audit(page, 'manage', lang)
    // The teams, folded, found by search; a team far down edited where it is, the form in sight.
    await page.locator('#teams-heading').click()
    const teams = page.locator('details:has(#teams-heading) .editable-list__item')
    const allTeams = await teams.count()
    await page.locator('#teams-search').fill('湖南')
    await expect(teams.count()).resolves.toBeGreaterThan(0)
    await expect(teams.count()).resolves.toBeLessThan(allTeams)
    await page.locator('#teams-search').fill('')
    const lastTeam = page.locator('details:has(#teams-heading) [data-edit]').last()
    await lastTeam.scrollIntoViewIfNeeded()
    await lastTeam.click()
    await page.waitForFunction(() => document.activeElement?.id === 'teams-name')
    const form = await page.locator('#teams-name').boundingBox()
    expect(form && form.y >= 0 && form.y + form.height <= PORTRAIT.height, 'the edit form opens in sight').toBe(true)
    // ...while another record is asked to be deleted.
    await page.locator('details[open] .editable-list__item .btn--danger-quiet').nth(1).click()
    await page.locator('details[open] .editable-list__item .confirm').waitFor()
    await audit(page, 'manage, editing a team far down and delete asked', lang)

    // Rosters: a person found by name, their team opened with its members.
    await go(page, 'rosters')
    await page.locator('details.fold').first().waitFor({ timeout: 30_000 })
    await page.locator('#rosters-search').fill('王')
    await page.locator('details.fold[open] .member').first().waitFor()
    await audit(page, 'rosters', lang)
    await context.close()
  })
}

// The checks above pass only if they can fail: on a page broken on purpose, each one finds the break.
it('finds what it looks for on a page broken on purpose', async () => {
  const { context, page } = await openApp('zh-CN')
  await signIn(page, 'volunteer@demo.local')
  await page.locator('#same-hours').waitFor({ timeout: 30_000 })
  await page.evaluate(() => {
    const main = document.getElementById('main')!
    main.insertAdjacentHTML(
      'beforeend',
      `<input id="broken-unlabelled" type="text">
       <button id="broken-small" type="button" style="all: unset; font-size: 12px">x</button>
       <label style="display: block; height: 20px"><input id="broken-box" type="checkbox"> tiny</label>
       <p id="broken-contrast" style="color: #ddd; background: #fff">faint</p>
       <div id="broken-wide" style="width: 900px; height: 1px"></div>
       <div id="broken-scroller" style="overflow-x: auto; width: 100px"><div style="width: 300px; height: 1px"></div></div>`,
    )
    const cut = document.querySelector<HTMLElement>('[data-testid=nav-events]')!
    cut.style.cssText = 'display: inline-block; width: 20px; overflow: hidden; white-space: nowrap'
    document.querySelector<HTMLElement>('[data-testid=nav-log]')!.style.cssText = 'position: relative; left: 500px'
    const nav = document.querySelector('nav')!
    const plain = document.createElement('div')
    plain.append(...nav.childNodes)
    nav.replaceWith(plain)
    document.body.insertAdjacentHTML('beforeend', '<main>second</main>')
    document.documentElement.lang = 'en'
  })
  const axe = (await seriousAxeViolations(page)).join('\n')
  expect(axe).toMatch(/label .*#broken-unlabelled/)
  expect(axe).toMatch(/color-contrast .*#broken-contrast/)
  const { small } = await smallTouchTargets(page)
  expect(small.join('\n')).toMatch(/button#broken-small/)
  expect(small.join('\n')).toMatch(/input#broken-box/)
  expect(small.join('\n')).not.toMatch(/#same-hours|nav-/)
  await expect(horizontalOverflow(page)).resolves.toMatch(/div#broken-wide/)
  expect((await sidewaysScrollers(page)).join('\n')).toMatch(/div#broken-scroller/)
  const navigation = (await navigationProblems(page)).join('\n')
  expect(navigation).toMatch(/nav-events .* has its text cut short/)
  expect(navigation).toMatch(/nav-log .* reaches past the screen/)
  const landmarks = (await landmarkProblems(page, 'zh-CN', true)).join('\n')
  expect(landmarks).toMatch(/2 main landmarks/)
  expect(landmarks).toMatch(/0 navigation landmarks/)
  expect(landmarks).toMatch(/0 of \d+ page links inside the navigation landmark/)
  expect(landmarks).toMatch(/lang="en"/)
  await context.close()
})
