// The test oracle for the sync tests: the stack's database read directly as its owner (no RLS,
// no app code), and builders of events on the seed's program (ids are md5 of a name, see
// supabase/seed.sql). Every query is a single autocommit statement: an open transaction here
// would hold back pulls (they wait for every older transaction to end).
import pg from 'pg'
import type { GroupTotals, ServiceEventFields, Uuid } from '../../src/domain/types'
import { stackEnv } from './stack-env'

export async function connectOracle(): Promise<pg.Client> {
  const db = new pg.Client({ connectionString: stackEnv.databaseUrl })
  await db.connect()
  return db
}

/** Seeded ids by name, in the order given. */
export async function seedIds(db: pg.Client, names: readonly string[]): Promise<Uuid[]> {
  const { rows } = await db.query<{ id: string }>(
    'select md5(n)::uuid::text as id from unnest($1::text[]) with ordinality as t (n, i) order by i', [names])
  return rows.map((row) => row.id)
}

export interface ServerRow {
  id: Uuid
  team_id: Uuid
  station_id: Uuid
  theme_month_id: Uuid
  started_at: Date
  ended_at: Date
  title: string
  people_served: number
  funds_fen: number
  materials_fen: number
  recorded_by: Uuid
  revision: number
  deleted: boolean
  participants: { person_id: Uuid; hours: number }[]
}

/** The server's rows of these events (one per id at most: id is the primary key). */
export async function serverRows(db: pg.Client, ids: readonly Uuid[]): Promise<Map<Uuid, ServerRow>> {
  const { rows } = await db.query<ServerRow>(
    `select e.id::text, e.team_id::text, e.station_id::text, e.theme_month_id::text, e.started_at, e.ended_at,
       e.title, e.people_served, e.funds_fen::float8 as funds_fen, e.materials_fen::float8 as materials_fen,
       e.recorded_by::text, e.revision::float8 as revision, e.deleted_at is not null as deleted,
       coalesce((select json_agg(json_build_object('person_id', p.person_id, 'hours', p.hours::float8) order by p.person_id)
         from public.event_participants p where p.event_id = e.id), '[]') as participants
     from public.service_events e where e.id = any($1::uuid[])`,
    [ids],
  )
  return new Map(rows.map((row) => [row.id, row]))
}

/** How many applied changes the server recorded for these events (a duplicate adds none). */
export async function appliedChangeCount(db: pg.Client, ids: readonly Uuid[]): Promise<number> {
  const { rows } = await db.query<{ n: number }>('select count(*)::int as n from public.sync_changes where event_id = any($1::uuid[])', [ids])
  return rows[0]!.n
}

export interface KeyTotals extends GroupTotals {
  /** The volunteers counted under this key. */
  people: Set<Uuid>
}

/** The maintained totals of one station × theme month (zeros when it has no row yet). */
export async function keyTotals(db: pg.Client, stationId: Uuid, monthId: Uuid): Promise<KeyTotals> {
  const { rows } = await db.query<Omit<KeyTotals, 'people'> & { people: Uuid[] }>(
    `select coalesce(t.events, 0) as events, coalesce(t.volunteers, 0) as volunteers,
       coalesce(t.volunteer_hours, 0)::float8 as volunteer_hours, coalesce(t.people_served, 0)::float8 as people_served,
       coalesce(t.funds_fen, 0)::float8 as funds_fen, coalesce(t.materials_fen, 0)::float8 as materials_fen,
       array(select v.person_id::text from public.station_month_volunteers v
             where v.station_id = $1 and v.theme_month_id = $2) as people
     from (select $1::uuid as station_id, $2::uuid as theme_month_id) k
     left join public.station_month_totals t using (station_id, theme_month_id)`,
    [stationId, monthId],
  )
  const row = rows[0]!
  return { ...row, people: new Set(row.people) }
}

/** The seed's program as the tests use it. */
export interface Program {
  team1: Uuid
  team2: Uuid
  /** Members of team 1 (persons 2-4; person 2 is volunteer@demo.local) and of team 2 (person 12). */
  team1Members: Uuid[]
  team2Member: Uuid
  stations: Uuid[]
  /** Theme months of TEST_YEAR, January first. */
  months: Uuid[]
}

/**
 * The year the integration tests write to: not the seed's 2023, whose totals other tests compare
 * with the published report. Its theme months are made here when missing.
 */
export const TEST_YEAR = 2024

export async function loadProgram(db: pg.Client): Promise<Program> {
  const names = (prefix: string, from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `${prefix}-${from + i}`)
  const [team1, team2, team2Member, ...rest] = await seedIds(db, [
    'team-1', 'team-2', 'person-12', ...names('person', 2, 4), ...names('station', 1, 10),
  ])
  await db.query(
    `insert into public.theme_months (month, theme)
     select make_date($1, m, 1), '集成测试主题月 ' || m from generate_series(1, 12) m
     on conflict (month) do nothing`,
    [TEST_YEAR],
  )
  const { rows } = await db.query<{ id: Uuid }>(
    `select id::text from public.theme_months where extract(year from month) = $1 order by month`,
    [TEST_YEAR],
  )
  return {
    team1: team1!,
    team2: team2!,
    team2Member: team2Member!,
    team1Members: rest.slice(0, 3),
    stations: rest.slice(3, 13),
    months: rows.map((row) => row.id),
  }
}

/** A station × theme month of TEST_YEAR picked at random, so reruns on one stack spread their writes. */
export function randomKey(program: Program): { stationId: Uuid; monthId: Uuid; monthNo: number } {
  const monthNo = 1 + Math.floor(Math.random() * 12)
  return {
    stationId: program.stations[Math.floor(Math.random() * program.stations.length)]!,
    monthId: program.months[monthNo - 1]!,
    monthNo,
  }
}

/** A valid event on the 15th of the key's month, 09:00-12:00 in Kunming. */
export function eventAt(
  key: { stationId: Uuid; monthId: Uuid; monthNo: number },
  teamId: Uuid,
  participants: { person_id: Uuid; hours: number }[],
  overrides: Partial<ServiceEventFields> = {},
): ServiceEventFields {
  const month = String(key.monthNo).padStart(2, '0')
  return {
    station_id: key.stationId,
    team_id: teamId,
    theme_month_id: key.monthId,
    started_at: `${TEST_YEAR}-${month}-15T09:00:00+08:00`,
    ended_at: `${TEST_YEAR}-${month}-15T12:00:00+08:00`,
    title: '集成测试活动',
    note: '',
    people_served: 10,
    funds_fen: 10_000,
    materials_fen: 0,
    materials_description: '',
    participants,
    ...overrides,
  }
}
