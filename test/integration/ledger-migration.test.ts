// The complete-records migration on a database that already holds events, as a real project's
// does: a throwaway cluster gets the migrations before it, events written as the app wrote them
// then, and the rest of the migrations. Every existing event gets its place, service content,
// person in charge, organizing unit and time of recording by the rules the push uses; teams get
// their recording units; the totals and the events' revisions do not move.
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, expect, it } from 'vitest'
import { startCluster, type Cluster } from '../../scripts/stack/postgres'
import { freePort, psqlFile, REPO_ROOT } from '../../scripts/stack/stack'

const FIRST_LEDGER_MIGRATION = '20261201010000'

let cluster: Cluster
let db: pg.Client

const migrations = readdirSync(join(REPO_ROOT, 'supabase/migrations')).filter((f) => f.endsWith('.sql')).sort()
const applyMigrations = (files: string[]) => {
  for (const file of files) psqlFile(cluster.url, join(REPO_ROOT, 'supabase/migrations', file))
}

// Events of two teams at one station in March 2023, written before the ledger: with the leader
// taking part (e1), without (e2: most hours; e3: a tie), in a team without a chamber (e4),
// deleted (e5), and one without participants (e6, possible for the owner's writes).
const OLD_DATA = `
insert into public.stations (id, name, address) values (md5('s')::uuid, '测试工作站', '昆明市测试路1号');
insert into public.teams (id, name, chamber) values (md5('t1')::uuid, '有商会的队', '昆明市测试商会'),
  (md5('t2')::uuid, '没有商会的队', '');
insert into public.theme_months (id, month, theme) values (md5('m')::uuid, '2023-03-01', '测试主题');
insert into public.people (id, display_name) select md5(p)::uuid, p from unnest(array['L', 'A', 'B', 'C', 'D']) p;
insert into public.team_members (team_id, person_id, role) values (md5('t1')::uuid, md5('L')::uuid, 'leader'),
  (md5('t1')::uuid, md5('A')::uuid, 'member'), (md5('t1')::uuid, md5('B')::uuid, 'member'),
  (md5('t2')::uuid, md5('C')::uuid, 'leader'), (md5('t2')::uuid, md5('D')::uuid, 'member');
insert into auth.users (id, aud, role, email) values (md5('u')::uuid, 'authenticated', 'authenticated', 'u@tests.local');
insert into public.service_events (id, station_id, team_id, theme_month_id, started_at, ended_at, title, people_served, recorded_by)
select md5(e)::uuid, md5('s')::uuid, md5(t)::uuid, md5('m')::uuid, '2023-03-10 09:00+08', '2023-03-10 12:00+08',
  ' 活动' || e, 10, md5('u')::uuid
from (values ('e1', 't1'), ('e2', 't1'), ('e3', 't1'), ('e4', 't2'), ('e5', 't1'), ('e6', 't1')) as v (e, t);
insert into public.event_participants (event_id, person_id, hours)
select md5(e)::uuid, md5(p)::uuid, h
from (values ('e1', 'L', 2), ('e1', 'A', 3), ('e2', 'A', 2), ('e2', 'B', 3), ('e3', 'A', 2), ('e3', 'B', 2), ('e4', 'D', 1), ('e5', 'A', 2))
  as v (e, p, h);
update public.service_events set deleted_at = now() where id = md5('e5')::uuid;
`

async function state() {
  const { rows: [row] } = await db.query(`select
    (select jsonb_agg(to_jsonb(t) - 'updated_at' order by station_id, theme_month_id) from public.station_month_totals t) as totals,
    (select jsonb_object_agg(id, jsonb_build_array(revision, change_xid::text)) from public.service_events) as revisions`)
  return row as { totals: unknown; revisions: unknown }
}

afterAll(async () => {
  await db?.end()
  cluster?.stop()
})

// A cluster of its own and every migration applied: more than the default time.
it("fills the records of existing events by the push's rules, and moves no total or revision", { timeout: 180_000 }, async () => {
  cluster = startCluster(await freePort())
  psqlFile(cluster.url, join(REPO_ROOT, 'scripts/stack/bootstrap.sql'))
  db = new pg.Client({ connectionString: cluster.url })
  await db.connect()
  applyMigrations(migrations.filter((f) => f < FIRST_LEDGER_MIGRATION))
  await db.query(OLD_DATA)
  const before = await state()

  applyMigrations(migrations.filter((f) => f >= FIRST_LEDGER_MIGRATION))
  const after = await state()
  expect(after.revisions).toEqual(before.revisions)
  // The same figures (the totals have two new columns: confirmed and closed).
  const figuresOf = (rows: unknown) => (rows as Array<Record<string, unknown>>)
    .map((row) => Object.fromEntries(Object.entries(row).filter(([column]) => column !== 'confirmed' && column !== 'closed')))
  expect(figuresOf(after.totals)).toEqual(before.totals)
  expect((await db.query('select count(*)::int as n from private.totals_drift()')).rows[0].n).toBe(0)

  const { rows } = await db.query(`select (select p.display_name from public.people p where p.id = e.person_in_charge) as in_charge,
      e.place, e.service_content, e.organizing_unit, e.recorded_at = e.created_at as recorded_when_created, e.confirmed_at
    from public.service_events e order by e.title`)
  const lowerOfAB = (await db.query(`select case when md5('A')::uuid < md5('B')::uuid then 'A' else 'B' end as p`)).rows[0].p
  const common = { place: '昆明市测试路1号', recorded_when_created: true, confirmed_at: null }
  expect(rows).toEqual([
    { ...common, in_charge: 'L', service_content: '活动e1', organizing_unit: '昆明市测试商会' },
    { ...common, in_charge: 'B', service_content: '活动e2', organizing_unit: '昆明市测试商会' },
    { ...common, in_charge: lowerOfAB, service_content: '活动e3', organizing_unit: '昆明市测试商会' },
    { ...common, in_charge: 'D', service_content: '活动e4', organizing_unit: '没有商会的队' },
    { ...common, in_charge: 'A', service_content: '活动e5', organizing_unit: '昆明市测试商会' },
    { ...common, in_charge: 'L', service_content: '活动e6', organizing_unit: '昆明市测试商会' },
  ])
  const { rows: teams } = await db.query('select name, recording_unit from public.teams order by name')
  expect(teams).toEqual([{ name: '有商会的队', recording_unit: '昆明市测试商会' }, { name: '没有商会的队', recording_unit: '没有商会的队' }])

  // From here on the columns are required of every write.
  await expect(db.query(`update public.service_events set person_in_charge = null where id = md5('e1')::uuid`))
    .rejects.toMatchObject({ code: '22023', constraint: 'service_events_person_in_charge_format' })
})
