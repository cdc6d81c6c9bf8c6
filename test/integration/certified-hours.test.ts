// The one counting rule, on both sides: which records count toward certified hours is decided by
// private.counts_toward_certified_hours in the database (every certificate is built with it) and
// mirrored on the phone by countsTowardCertifiedHours (the record page, offline). This holds the
// two to the same answer on the same records, as the volunteer pulls them: confirmed, unconfirmed,
// confirmed then deleted, confirmed then edited (which takes the confirmation away), and two on
// either side of the period's end in Kunming time.
import pg from 'pg'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { certifiedRows, recordedService, serviceRecord } from '../../src/domain/service-record'
import type { PullPage, ServerEvent } from '../../src/domain/types'
import { serverCopyOf, syncedRecord } from '../../src/sync/plans'
import { signedInClient, stackEnv } from './stack-env'
import { removeTestTeam } from './test-team'

const run = Date.now().toString(36)
const UNIT = `认证时长测试单位 ${run}`
const PERIOD = { from: '2021-08-01', to: '2021-08-31' }

/** The theme months the fixtures need (made here when missing, removed afterwards). */
const MONTHS = ['2021-08-01', '2021-09-01']

let owner: pg.Client
let team: string
let person: string

/** An event of the test team with the demo volunteer (hours each), confirmed when asked. */
async function insertEvent(startedAt: string, hours: number, confirmed: boolean): Promise<string> {
  const { rows } = await owner.query<{ id: string }>(`
    with event as (
      insert into public.service_events (id, station_id, team_id, theme_month_id, started_at, ended_at, title, people_served,
        funds_fen, materials_fen, materials_description, recorded_by, person_in_charge)
      select gen_random_uuid(), md5('station-1')::uuid, $1::uuid, m.id, $2::timestamptz, $2::timestamptz + interval '5 hours',
        '认证时长测试', 1, 0, 0, '', u.id, md5('person-2')::uuid
      from public.theme_months m, auth.users u
      where m.month = date_trunc('month', $2::timestamptz at time zone 'Asia/Shanghai')::date and u.email = 'leader@demo.local'
      returning id
    ), participant as (
      insert into public.event_participants (event_id, person_id, hours) select id, md5('person-2')::uuid, $3 from event
    )
    select id from event`, [team, startedAt, hours])
  const id = rows[0]!.id
  if (confirmed) {
    await owner.query(`update public.service_events e set confirmed_at = now(), confirmed_by = u.id from auth.users u
      where e.id = $1 and u.email = 'leader@demo.local'`, [id])
  }
  return id
}

beforeAll(async () => {
  owner = new pg.Client({ connectionString: stackEnv.databaseUrl })
  await owner.connect()
  person = (await owner.query<{ id: string }>(`select md5('person-2')::uuid as id`)).rows[0]!.id
  team = (await owner.query<{ id: string }>(`insert into public.teams (name, recording_unit) values ($1, $1) returning id`, [UNIT])).rows[0]!.id
  await owner.query(`insert into public.team_members (team_id, person_id, role) values ($1, md5('person-1')::uuid, 'leader'), ($1, $2, 'member')`, [team, person])
  await owner.query(`insert into public.theme_months (month, theme) values ('2021-08-01', '测试主题月 2021-08'), ('2021-09-01', '测试主题月 2021-09')
    on conflict (month) do nothing`)
  await insertEvent('2021-08-02 09:00+08', 1.5, true)
  await insertEvent('2021-08-03 09:00+08', 2, false)
  const deleted = await insertEvent('2021-08-04 09:00+08', 3, true)
  await owner.query('update public.service_events set deleted_at = now() where id = $1', [deleted])
  const edited = await insertEvent('2021-08-05 09:00+08', 4, true)
  await owner.query(`update public.service_events set title = '认证时长测试（改过）' where id = $1`, [edited])
  // The last evening of August in Kunming (the afternoon in UTC), and the first night of September
  // (still August in UTC).
  await insertEvent('2021-08-31 19:00+08', 0.75, true)
  await insertEvent('2021-09-01 00:30+08', 5, true)
})

afterAll(async () => {
  await removeTestTeam(owner, team, MONTHS)
  await owner.end()
})

it('counts the same records on the phone as the database certifies', async () => {
  // What the volunteer's phone pulls.
  const volunteer = await signedInClient('volunteer@demo.local')
  const pulled: ServerEvent[] = []
  let after: string | null = null
  for (;;) {
    const { data, error } = await volunteer.rpc('pull_event_changes', { after, max_rows: 1000 })
    if (error) throw new Error(error.message)
    const page = data as PullPage
    pulled.push(...page.changes)
    after = page.cursor
    if (!page.has_more) break
  }
  const records = pulled.filter((row) => row.team_id === team)
    .map((row) => recordedService(syncedRecord(row.id, serverCopyOf(row), row.updated_at), new Map()))
  expect(records).toHaveLength(6)
  const rows = serviceRecord(records, person, { recordingUnits: new Map([[team, UNIT]]), closedPeriods: new Set() })
  const phone = certifiedRows(rows, UNIT, PERIOD.from, PERIOD.to)

  const database = await owner.query<{ hours: string; events: number }>(
    `select coalesce(sum(hours), 0) as hours, count(*)::int as events from private.certified_service($1, $2, $3, $4)`,
    [person, UNIT, PERIOD.from, PERIOD.to])

  expect(phone.hours).toBe(Number(database.rows[0]!.hours))
  expect(phone.rows).toHaveLength(database.rows[0]!.events)
  // And what both say: the confirmed 1.5 h and 0.75 h only.
  expect(phone.hours).toBe(2.25)
})
