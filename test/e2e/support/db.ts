// The test oracle: the stack's database read directly (as its owner), never through the app.
import pg from 'pg'
import { requireEnv } from './app'

export function connect(): pg.Client {
  return new pg.Client({ connectionString: requireEnv('STACK_DATABASE_URL') })
}

/** Seeded ids are md5 of a name (supabase/seed.sql). */
export const seedId = async (db: pg.Client, name: string): Promise<string> =>
  (await db.query<{ id: string }>('select md5($1)::uuid::text as id', [name])).rows[0]!.id

/**
 * Theme months for this month and the last one (Kunming calendar), so that events dated today or
 * yesterday can be logged: the seed only covers 2023. Returns this month's id.
 */
export async function ensureCurrentThemeMonths(db: pg.Client): Promise<void> {
  await db.query(`
    insert into public.theme_months (month, theme)
    select m, '端到端测试主题月 ' || to_char(m, 'YYYY-MM')
    from (select date_trunc('month', (now() at time zone 'Asia/Shanghai') - d * interval '1 month')::date as m
          from generate_series(0, 1) d) months
    on conflict (month) do nothing`)
}

export interface StationMonthFigures {
  events: number
  people_served: number
  funds_fen: number
  materials_fen: number
}

export async function stationMonthTotals(db: pg.Client, stationId: string, month: string): Promise<StationMonthFigures> {
  const { rows } = await db.query<StationMonthFigures>(
    `select t.events::int as events, t.people_served::int as people_served, t.funds_fen::bigint as funds_fen,
       t.materials_fen::bigint as materials_fen
     from public.station_month_totals t join public.theme_months m on m.id = t.theme_month_id
     where t.station_id = $1 and m.month = $2::date`,
    [stationId, month],
  )
  const row = rows[0]
  return row
    ? { events: row.events, people_served: row.people_served, funds_fen: Number(row.funds_fen), materials_fen: Number(row.materials_fen) }
    : { events: 0, people_served: 0, funds_fen: 0, materials_fen: 0 }
}

export async function countSyncChanges(db: pg.Client): Promise<number> {
  const { rows } = await db.query<{ n: number }>('select count(*)::int as n from public.sync_changes')
  return rows[0]!.n
}

/** A date (YYYY-MM-DD, Kunming) at least a day ago, so any time on it has passed. */
export async function pastDate(db: pg.Client): Promise<{ date: string; month: string }> {
  const { rows } = await db.query<{ date: string; month: string }>(`
    select to_char((now() at time zone 'Asia/Shanghai') - interval '26 hours', 'YYYY-MM-DD') as date,
      to_char(date_trunc('month', (now() at time zone 'Asia/Shanghai') - interval '26 hours'), 'YYYY-MM-DD') as month`)
  return rows[0]!
}

export interface LoggingDay {
  /** Today and yesterday (YYYY-MM-DD, Kunming). */
  today: string
  yesterday: string
  /** A stretch of today that has passed (HH:MM), and hours each volunteer can have given in it. */
  start: string
  end: string
  hours: string
}

const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`

/** Today, yesterday, and a past stretch of today to log an event in (waits out the first minutes after midnight). */
export async function loggingDay(db: pg.Client): Promise<LoggingDay> {
  for (;;) {
    const { rows } = await db.query<{ today: string; yesterday: string; minutes: number }>(`
      select to_char(now() at time zone 'Asia/Shanghai', 'YYYY-MM-DD') as today,
        to_char((now() at time zone 'Asia/Shanghai') - interval '1 day', 'YYYY-MM-DD') as yesterday,
        (extract(hour from now() at time zone 'Asia/Shanghai') * 60 + extract(minute from now() at time zone 'Asia/Shanghai'))::int as minutes`)
    const { today, yesterday, minutes } = rows[0]!
    if (minutes < 3) {
      await new Promise((resolve) => setTimeout(resolve, 30_000))
      continue
    }
    const end = minutes - 2
    const start = Math.max(0, end - 60)
    const hours = Math.max(0.01, Math.floor(((end - start) / 60) * 100) / 100)
    return { today, yesterday, start: hhmm(start), end: hhmm(end), hours: String(hours) }
  }
}
