// Certificate numbers under concurrent issuers, through the API as the app calls it: a team
// leader and a coordinator each issue certificates of one recording unit at the same moment, and
// the unit's numbers for the year come out 1..n, each once, with no gap. The database, read as
// its owner, is the oracle.
import type { SupabaseClient } from '@supabase/supabase-js'
import pg from 'pg'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { signedInClient, stackEnv } from './stack-env'
import { removeTestTeam } from './test-team'

const run = Date.now().toString(36)
const UNIT = `编号并发测试单位 ${run}`
const REQUESTS = 12
const DETAILS = { person_in_charge: '王主任', handler: '李经办', contact: '13812345678', notes: '' }

/** The theme months the fixtures need (made here when missing, removed afterwards). */
const MONTHS = ['2021-07-01']

let owner: pg.Client
let leader: SupabaseClient
let coordinator: SupabaseClient
let team: string
let requestIds: string[]

beforeAll(async () => {
  owner = new pg.Client({ connectionString: stackEnv.databaseUrl })
  await owner.connect()
  // A team of its own unit, led by the demo leader, with the demo volunteer, one confirmed event
  // in July 2021, and the volunteer's requests.
  team = (await owner.query<{ id: string }>(`insert into public.teams (name, recording_unit) values ($1, $1) returning id`, [UNIT])).rows[0]!.id
  await owner.query(`insert into public.team_members (team_id, person_id, role) values ($1, md5('person-1')::uuid, 'leader'), ($1, md5('person-2')::uuid, 'member')`, [team])
  await owner.query(`insert into public.theme_months (month, theme) values ('2021-07-01', '测试主题月 2021-07') on conflict (month) do nothing`)
  await owner.query(`
    insert into public.person_identities (person_id, id_type, id_number, birth_date)
    values (md5('person-2')::uuid, 'resident_id', '11010519491231002X', '1949-12-31')
    on conflict (person_id) do update set id_number = excluded.id_number, id_type = excluded.id_type, birth_date = excluded.birth_date`)
  await owner.query(`
    with event as (
      insert into public.service_events (id, station_id, team_id, theme_month_id, started_at, ended_at, title, people_served,
        funds_fen, materials_fen, materials_description, recorded_by, person_in_charge)
      select gen_random_uuid(), md5('station-1')::uuid, $1::uuid, m.id, '2021-07-05 09:00+08', '2021-07-05 11:00+08', '并发测试活动',
        5, 0, 0, '', u.id, md5('person-2')::uuid
      from public.theme_months m, auth.users u where m.month = '2021-07-01' and u.email = 'leader@demo.local'
      returning id
    ), participant as (
      insert into public.event_participants (event_id, person_id, hours) select id, md5('person-2')::uuid, 2 from event
    )
    select id from event`, [team])
  // The leader's confirmation: only confirmed records are certified.
  await owner.query(`update public.service_events e set confirmed_at = now(), confirmed_by = u.id from auth.users u
    where e.team_id = $1 and u.email = 'leader@demo.local'`, [team])
  requestIds = (await owner.query<{ id: string }>(`
    insert into public.certificate_requests (person_id, requested_by, recording_unit, period_start, period_end)
    select md5('person-2')::uuid, u.id, $1, '2021-07-01', '2021-07-31' from auth.users u, generate_series(1, $2) n
    where u.email = 'volunteer@demo.local'
    returning id`, [UNIT, REQUESTS])).rows.map((row) => row.id)
  ;[leader, coordinator] = await Promise.all([signedInClient('leader@demo.local'), signedInClient('coordinator@demo.local')])
})

afterAll(async () => {
  // Certificates are sealed against updates, and the two tables name each other: taken out with
  // triggers off too.
  await removeTestTeam(owner, team, MONTHS, async () => {
    await owner.query('delete from public.certificates where issuer = $1', [UNIT])
    await owner.query('delete from public.certificate_requests where recording_unit = $1', [UNIT])
    await owner.query('delete from public.certificate_counters where issuer = $1', [UNIT])
  })
  await owner.end()
})

it('numbers the certificates of two issuers at once 1..n without gaps or duplicates', async () => {
  const issue = (client: SupabaseClient, requestId: string) =>
    client.rpc('issue_certificate', { p_request_id: requestId, p_details: DETAILS }).then(({ data, error }) => {
      if (error) throw new Error(`${error.code} ${error.message}`)
      return data as { certificate_no: string; serial: number; total_hours: number }
    })
  // All at once, alternating issuers.
  const issued = await Promise.all(requestIds.map((id, index) => issue(index % 2 === 0 ? leader : coordinator, id)))

  expect(issued.map((certificate) => certificate.serial).sort((a, b) => a - b)).toEqual(Array.from({ length: REQUESTS }, (_, i) => i + 1))
  expect(new Set(issued.map((certificate) => certificate.certificate_no)).size).toBe(REQUESTS)
  expect(issued.every((certificate) => certificate.total_hours === 2)).toBe(true)
  const stored = await owner.query<{ serials: number[]; counter: number }>(`
    select array_agg(c.serial order by c.serial) as serials, (select last_serial from public.certificate_counters where issuer = $1) as counter
    from public.certificates c where c.issuer = $1`, [UNIT])
  expect(stored.rows[0]).toEqual({ serials: Array.from({ length: REQUESTS }, (_, i) => i + 1), counter: REQUESTS })
})
