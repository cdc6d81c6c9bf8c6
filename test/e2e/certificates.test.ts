// A volunteer's record, correction requests and a 志愿服务记录证明, end to end at 360×740 in
// Chinese (issue 11): the volunteer sees which records count, flags errors in two of them and asks
// for a certificate; the team leader declines one correction with a reason, corrects the record of
// the other and says so, and issues the certificate; the volunteer opens it, prints it to PDF (the
// text checked with poppler's pdftotext: every required field, and hours equal to the sum of the
// confirmed records), opens it and the record again offline; its QR code's address opens the
// verification page signed out: valid, "not found" for a tampered hash, revoked once the leader
// revokes it; the volunteer reads the leader's answers and the corrected record. The database,
// read directly, is the oracle.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import decodeQR from 'qr/decode.js'
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import { PASSWORD, phoneContext, screenshot, waitForServiceWorkerControl } from './support/browser'
import { useSuite } from './support/suite'

const suite = useSuite({ data: 'writes', db: true })

/** A unique mark of this run, so that a rerun against the same stack finds only its own rows. */
const run = Date.now().toString(36)
/** The period asked for: May 2022, before the demo program's year, where only this file's events are. */
const PERIOD = { from: '2022-05-01', to: '2022-05-31' }
const ID_NUMBER = '11010519491231002X'
const contexts: BrowserContext[] = []

interface Fixture {
  unit: string
  holder: string
  titles: { confirmed: string[]; unconfirmed: string }
  eventIds: string[]
  /** The volunteer had no ID number before this file gave them one. */
  addedIdentity: boolean
}
let fixture: Fixture

/** An event of team 1 in May 2022 with the volunteer, straight into the database. */
async function insertEvent(title: string, day: string, hours: number, confirmedBy: string | null): Promise<string> {
  // One statement, so one transaction: an event needs its participants by the time it commits.
  const { rows } = await suite.db.query<{ id: string }>(`
    with event as (
      insert into public.service_events (id, station_id, team_id, theme_month_id, started_at, ended_at, title, people_served,
        funds_fen, materials_fen, materials_description, recorded_by, person_in_charge, service_content, place)
      select gen_random_uuid(), md5('station-1')::uuid, md5('team-1')::uuid, m.id, $2::timestamptz,
        $2::timestamptz + $3 * interval '1 hour', $1, 5, 0, 0, '', $4::uuid,
        private.person_in_charge_for(null, md5('team-1')::uuid,
          jsonb_build_array(jsonb_build_object('person_id', md5('person-2')::uuid, 'hours', $3::numeric))),
        $1 || '：陪老人聊天、打扫', '五华区敬老院'
      from public.theme_months m where m.month = '2022-05-01'
      returning id
    ), participant as (
      insert into public.event_participants (event_id, person_id, hours) select id, md5('person-2')::uuid, $3 from event
    )
    select id from event`, [title, `${day} 09:00+08`, hours, await userId('leader@demo.local')])
  const id = rows[0]!.id
  if (confirmedBy) await suite.db.query('update public.service_events set confirmed_at = now(), confirmed_by = $2 where id = $1', [id, confirmedBy])
  return id
}

async function userId(email: string): Promise<string> {
  return (await suite.db.query<{ id: string }>('select id from auth.users where email = $1', [email])).rows[0]!.id
}

beforeAll(async () => {
  await suite.db.query(`insert into public.theme_months (month, theme) values ('2022-05-01', '端到端测试主题月 2022-05') on conflict (month) do nothing`)
  // The volunteer's ID number, which a certificate needs (entered on the profile page otherwise).
  const addedIdentity = !(await suite.db.query(`select 1 from public.person_identities where person_id = md5('person-2')::uuid`)).rowCount
  await suite.db.query(`
    insert into public.person_identities (person_id, id_type, id_number, birth_date)
    values (md5('person-2')::uuid, 'resident_id', $1, '1949-12-31')
    on conflict (person_id) do update set id_type = excluded.id_type, id_number = excluded.id_number, birth_date = excluded.birth_date`,
  [ID_NUMBER])
  const leader = await userId('leader@demo.local')
  const titles = { confirmed: [`证明测试 ${run}：探访敬老院`, `证明测试 ${run}：社区清洁`], unconfirmed: `证明测试 ${run}：未确认的活动` }
  const eventIds = [
    await insertEvent(titles.confirmed[0]!, '2022-05-10', 2.5, leader),
    await insertEvent(titles.confirmed[1]!, '2022-05-11', 1.25, leader),
    await insertEvent(titles.unconfirmed, '2022-05-12', 3, null),
  ]
  const unit = (await suite.db.query<{ unit: string }>(`select recording_unit as unit from public.teams where id = md5('team-1')::uuid`)).rows[0]!.unit
  const holder = (await suite.db.query<{ name: string }>(`select display_name as name from public.people where id = md5('person-2')::uuid`)).rows[0]!.name
  fixture = { unit, holder, titles, eventIds, addedIdentity }
})

afterAll(async () => {
  for (const context of contexts) await context.close()
  // Take this run's rows out again, so that other tests (the coordinators' month lists among them)
  // see the demo program as seeded: certificates are sealed against updates and the audit trail
  // is append-only, so as the owner with triggers off.
  await suite.db.query('begin')
  await suite.db.query('set local session_replication_role = replica')
  await suite.db.query(`delete from public.certificates where request_id in (select id from public.certificate_requests where note = $1)`, [`评优用 ${run}`])
  await suite.db.query('delete from public.certificate_requests where note = $1', [`评优用 ${run}`])
  for (const table of ['correction_requests', 'audit_trail', 'event_participants', 'sync_changes']) {
    await suite.db.query(`delete from public.${table} where event_id = any($1)`, [fixture.eventIds])
  }
  await suite.db.query('delete from public.service_events where id = any($1)', [fixture.eventIds])
  if (!(await suite.db.query(`select 1 from public.service_events e join public.theme_months m on m.id = e.theme_month_id where m.month = '2022-05-01'`)).rowCount) {
    for (const table of ['station_month_volunteers', 'station_month_totals']) {
      await suite.db.query(`delete from public.${table} where theme_month_id = (select id from public.theme_months where month = '2022-05-01')`)
    }
    await suite.db.query(`delete from public.theme_months where month = '2022-05-01'`)
  }
  if (fixture.addedIdentity) await suite.db.query(`delete from public.person_identities where person_id = md5('person-2')::uuid`)
  await suite.db.query('commit')
})

async function open(url = suite.app.url): Promise<Page> {
  const context = await phoneContext(suite.browser)
  contexts.push(context)
  const page = await context.newPage()
  await page.goto(url)
  return page
}

async function signIn(page: Page, email: string): Promise<void> {
  await page.locator('#sign-in-email').fill(email)
  await page.locator('#sign-in-password').fill(PASSWORD)
  await page.locator('form button[type=submit]').click()
  await page.locator('a[data-testid^="nav-"]').first().waitFor({ timeout: 30_000 })
}

/** The certified hours the database holds for the period: confirmed, not deleted, the unit's. */
async function confirmedHours(): Promise<number> {
  const { rows } = await suite.db.query<{ sum: string }>(`
    select coalesce(sum(p.hours), 0) as sum
    from public.event_participants p join public.service_events e on e.id = p.event_id join public.teams t on t.id = e.team_id
    where p.person_id = md5('person-2')::uuid and t.recording_unit = $1 and e.confirmed_at is not null and e.deleted_at is null
      and (e.started_at at time zone 'Asia/Shanghai')::date between $2 and $3`, [fixture.unit, PERIOD.from, PERIOD.to])
  return Number(rows[0]!.sum)
}

/** The text the certificate's QR code encodes, read from its pixels as a phone's camera would. */
async function scanQr(page: Page): Promise<string> {
  const image = await page.getByTestId('certificate-qr').evaluate(async (svg) => {
    const modules = Number(svg.getAttribute('viewBox')!.split(' ')[2])
    const size = modules * 8
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

/** The page printed to PDF by Chromium, as pdftotext reads it. */
async function printedText(page: Page): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'certificate-pdf-'))
  try {
    const pdf = join(dir, 'certificate.pdf')
    writeFileSync(pdf, await page.pdf({ format: 'A4', printBackground: true }))
    return execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

it('takes a volunteer from their record to a verified certificate, and a correction request there and back', async () => {
  const [firstId, , unconfirmedId] = fixture.eventIds as [string, string, string]

  // The volunteer's record: which records count, and why.
  const volunteer = await open()
  await signIn(volunteer, 'volunteer@demo.local')
  await waitForServiceWorkerControl(volunteer)
  await volunteer.getByTestId('nav-record').click()
  await volunteer.getByTestId('counts-rule').waitFor()
  const unconfirmed = volunteer.getByTestId(`record-${unconfirmedId}`)
  await unconfirmed.waitFor({ timeout: 30_000 })
  await expect(unconfirmed.getByTestId('record-status').textContent()).resolves.toContain('待队长确认')
  await expect(unconfirmed.textContent()).resolves.toContain('不计入认证时长')
  await expect(volunteer.getByTestId(`record-${firstId}`).getByTestId('record-status').textContent()).resolves.toContain('已确认')
  await screenshot(volunteer, 'record-zh-CN')

  // A correction request from a record.
  const first = volunteer.getByTestId(`record-${firstId}`)
  await first.getByRole('button', { name: '提出异议' }).click()
  const note = `实际服务了 3 小时（${run}）`
  await first.getByLabel('哪里有误？').fill(note)
  await first.getByRole('button', { name: '提交异议' }).click()
  await first.getByText('已提交').waitFor()
  await expect.poll(async () => (await suite.db.query('select 1 from public.correction_requests where note = $1', [note])).rowCount,
    { timeout: 30_000 }).toBe(1)
  // And another, which the leader will correct.
  const placeNote = `地点写错了，应为盘龙区敬老院（${run}）`
  await unconfirmed.getByRole('button', { name: '提出异议' }).click()
  await unconfirmed.getByLabel('哪里有误？').fill(placeNote)
  await unconfirmed.getByRole('button', { name: '提交异议' }).click()
  await expect.poll(async () => (await suite.db.query('select 1 from public.correction_requests where note = $1', [placeNote])).rowCount,
    { timeout: 30_000 }).toBe(1)

  // A certificate request for May 2022.
  await volunteer.getByText('申请证明', { exact: true }).click()
  await volunteer.getByLabel('记录单位').selectOption(fixture.unit)
  await volunteer.getByLabel('起始日期').fill(PERIOD.from)
  await volunteer.getByLabel('截止日期').fill(PERIOD.to)
  await volunteer.getByLabel('用途或说明（可不填）').fill(`评优用 ${run}`)
  await volunteer.getByRole('button', { name: '提交申请' }).click()
  await volunteer.getByText('申请已提交').waitFor()
  const requestId = (await suite.db.query<{ id: string }>('select id from public.certificate_requests where note = $1', [`评优用 ${run}`])).rows[0]!.id

  // The leader answers the correction and issues the certificate.
  const leader = await open()
  await signIn(leader, 'leader@demo.local')
  await leader.getByTestId('nav-review').click()
  const correction = leader.locator('[data-testid^="correction-"]', { hasText: note })
  await correction.waitFor({ timeout: 30_000 })
  await correction.getByRole('button', { name: '不予更正' }).click()
  const answer = `签到表记录为 2.5 小时（${run}）`
  await correction.getByLabel('答复理由').fill(answer)
  await correction.getByRole('button', { name: '确定' }).click()
  await correction.waitFor({ state: 'detached' })

  // The other: the leader corrects the event (an edit as any other, synced), then says so.
  const placeCorrection = leader.locator('[data-testid^="correction-"]', { hasText: placeNote })
  await placeCorrection.getByRole('link', { name: '去修改这条活动' }).click()
  await leader.getByRole('heading', { name: '修改活动' }).waitFor()
  const correctedTitle = `${fixture.titles.unconfirmed}（已更正地点）`
  await leader.getByLabel('活动名称').fill(correctedTitle)
  await leader.getByRole('button', { name: '保存', exact: true }).click()
  await expect.poll(async () => (await suite.db.query('select title from public.service_events where id = $1', [unconfirmedId])).rows[0]?.title,
    { timeout: 30_000 }).toBe(correctedTitle)
  await leader.getByTestId('nav-review').click()
  // The list loads again once the leader's edit has synced, which can close a form opened just
  // before: the form is opened until it stays open.
  await vi.waitFor(async () => {
    if (!(await placeCorrection.getByLabel('更正说明（可不填）').isVisible())) {
      await placeCorrection.getByRole('button', { name: '已更正' }).click()
    }
    await placeCorrection.getByLabel('更正说明（可不填）').waitFor({ timeout: 5_000 })
  }, { timeout: 30_000, interval: 500 })
  await placeCorrection.getByLabel('更正说明（可不填）').fill('活动名称已注明地点')
  await placeCorrection.getByRole('button', { name: '确定' }).click()
  await placeCorrection.waitFor({ state: 'detached' })
  expect((await suite.db.query('select status from public.correction_requests where note = $1', [placeNote])).rows[0]?.status).toBe('resolved')

  const request = leader.getByTestId(`certificate-request-${requestId}`)
  await request.getByRole('button', { name: '出具证明' }).click()
  await request.getByLabel('单位负责人').fill('王主任')
  await request.getByLabel('经办人').fill('李经办')
  await request.getByLabel('联系电话').fill('0871-65123456')
  await request.getByLabel('备注（可不填）').fill('经核实无误')
  await screenshot(leader, 'certificate-issue-zh-CN')
  await request.getByRole('button', { name: '确认出具' }).click()
  await leader.getByTestId('certificate').waitFor({ timeout: 30_000 })
  const issued = (await suite.db.query<{ id: string; certificate_no: string; content_hash: string; total_hours: string }>(
    'select id, certificate_no, content_hash, total_hours from public.certificates where request_id = $1', [requestId])).rows[0]!
  const expectedHours = await confirmedHours()
  expect(Number(issued.total_hours)).toBe(expectedHours)
  expect(expectedHours).toBeGreaterThanOrEqual(3.75)

  // The volunteer opens it from their record, and prints it.
  await volunteer.reload()
  const mine = volunteer.getByTestId('my-certificate').filter({ hasText: issued.certificate_no })
  await mine.waitFor({ timeout: 30_000 })
  await mine.getByRole('link', { name: '查看与打印' }).click()
  const certificate = volunteer.getByTestId('certificate')
  await certificate.waitFor({ timeout: 30_000 })
  await expect(volunteer.getByTestId('certificate-total').textContent()).resolves.toBe(String(expectedHours))
  await screenshot(volunteer, 'certificate-zh-CN', { fullPage: true })
  const text = (await printedText(volunteer)).replace(/[ \t]+/g, ' ')
  const masked = `${ID_NUMBER.slice(0, 4)}${'*'.repeat(10)}${ID_NUMBER.slice(-4)}`
  for (const field of [
    '志愿服务记录证明', `证明编号：${issued.certificate_no}`, fixture.holder, '居民身份证', masked, '志愿者编号',
    `${PERIOD.from} 至 ${PERIOD.to}`, `共计 ${expectedHours} 小时`, fixture.titles.confirmed[0]!, fixture.titles.confirmed[1]!,
    `出具单位（记录单位）：${fixture.unit}`, '单位负责人：王主任', '经办人：李经办', '联系电话：0871-65123456',
    `出具日期：`, '备注：经核实无误',
  ]) expect(text, `the printed certificate holds ${field}`).toContain(field)
  expect(text).not.toContain(ID_NUMBER)
  expect(text).not.toContain(fixture.titles.unconfirmed)
  // The hours column: the items' hours add up to the total printed.
  const itemHours = fixture.titles.confirmed.map((title) => Number(new RegExp(`${title}.*?([0-9.]+)\\s*$`, 'm').exec(text)?.[1]))
  expect(itemHours).toEqual([2.5, 1.25])

  // The QR code holds the verification page's address.
  const verifyUrl = await scanQr(volunteer)
  expect(verifyUrl).toBe(await volunteer.getByTestId('verify-url').textContent())
  expect(verifyUrl).toBe(`${suite.app.url}#/verify/${issued.certificate_no}/${issued.content_hash}`)

  // Offline, it opens (and prints) from the phone.
  await volunteer.context().setOffline(true)
  await volunteer.reload()
  await certificate.waitFor({ timeout: 30_000 })
  await volunteer.getByText('离线：显示的是本机保存的副本。').waitFor()
  expect(await printedText(volunteer)).toContain(issued.certificate_no)
  // And the record, from the events on the phone.
  await volunteer.getByTestId('nav-record').click()
  await volunteer.getByText('离线时显示本机保存的记录').waitFor()
  await expect(volunteer.getByTestId(`record-${firstId}`).getByTestId('record-hours').textContent()).resolves.toBe('2.5小时')
  await volunteer.getByTestId('my-certificate').filter({ hasText: issued.certificate_no }).waitFor()
  await screenshot(volunteer, 'record-offline-zh-CN')
  await volunteer.context().setOffline(false)

  // Anyone, signed out, checks it with the QR code's address.
  const checker = await open(verifyUrl)
  await expect(checker.getByTestId('verify-status').textContent()).resolves.toContain('证明有效')
  await expect(checker.getByTestId('verify-hours').textContent()).resolves.toBe(`${expectedHours} 小时`)
  await expect(checker.getByTestId('verify-holder').textContent()).resolves.toBe(`${fixture.holder[0]}${'*'.repeat(fixture.holder.length - 1)}`)
  await expect(checker.locator('body').textContent()).resolves.not.toContain(fixture.holder)
  await screenshot(checker, 'verify-valid-zh-CN')
  const tampered = await open(verifyUrl.replace(/[0-9a-f]$/, (last) => (last === '0' ? '1' : '0')))
  await expect(tampered.getByTestId('verify-status').textContent()).resolves.toContain('未找到')

  // The leader revokes it; the same address now says revoked.
  await leader.getByTestId('nav-review').click()
  const issuedItem = leader.getByTestId(`issued-${issued.certificate_no}`).filter({ hasText: fixture.unit })
  await issuedItem.getByRole('button', { name: '作废', exact: true }).click()
  await issuedItem.getByLabel('作废原因').fill('信息有误，重新出具')
  await issuedItem.getByRole('button', { name: '作废', exact: true }).click()
  await issuedItem.getByText('已作废').waitFor({ timeout: 30_000 })
  await checker.reload()
  await expect(checker.getByTestId('verify-status').textContent()).resolves.toContain('证明已作废')
  await screenshot(checker, 'verify-revoked-zh-CN')

  // The volunteer reads the leader's answers to the corrections, and the corrected record.
  await volunteer.reload()
  const outcome = volunteer.getByTestId('my-correction').filter({ hasText: note })
  await outcome.getByTestId('correction-status').filter({ hasText: '未予更正' }).waitFor({ timeout: 30_000 })
  await expect(outcome.textContent()).resolves.toContain(`答复：${answer}`)
  const corrected = volunteer.getByTestId('my-correction').filter({ hasText: placeNote })
  await corrected.getByTestId('correction-status').filter({ hasText: '已更正' }).waitFor({ timeout: 30_000 })
  await expect(corrected.textContent()).resolves.toContain('答复：活动名称已注明地点')
  await expect(volunteer.getByTestId(`record-${unconfirmedId}`).textContent()).resolves.toContain(correctedTitle)
  await screenshot(volunteer, 'record-correction-answered-zh-CN')
})
