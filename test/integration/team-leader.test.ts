// Two leaders of a team step down at the same moment, each in a transaction of its own: the rule
// that a team with members keeps a leader (team_members_team_has_leader) must see the other's
// change. Row by row it could not (each sees the other still leading, as neither has committed);
// the rule locks the team's row, so the second waits for the first and is refused.
import pg from 'pg'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { stackEnv } from './stack-env'

let owner: pg.Client
let first: pg.Client
let second: pg.Client
let team: string

beforeAll(async () => {
  const connect = () => new pg.Client({ connectionString: stackEnv.databaseUrl })
  owner = connect()
  first = connect()
  second = connect()
  await Promise.all([owner.connect(), first.connect(), second.connect()])
  team = (await owner.query<{ id: string }>(`insert into public.teams (name) values ('Two leaders ' || gen_random_uuid()) returning id`)).rows[0]!.id
  await owner.query(`
    with made as (
      insert into public.people (display_name) select unnest(array['Leader A', 'Leader B', 'Member C']) returning id, display_name
    )
    insert into public.team_members (team_id, person_id, role)
    select $1, id, case when display_name = 'Member C' then 'member' else 'leader' end from made`, [team])
})

afterAll(async () => {
  const people = await owner.query<{ person_id: string }>('select person_id from public.team_members where team_id = $1', [team])
  await owner.query('delete from public.teams where id = $1', [team])
  await owner.query('delete from public.people where id = any($1)', [people.rows.map((row) => row.person_id)])
  await Promise.all([owner.end(), first.end(), second.end()])
})

const stepDown = (client: pg.Client, name: string) =>
  client.query(
    `update public.team_members m set role = 'member' from public.people p
     where m.team_id = $1 and p.id = m.person_id and p.display_name = $2`,
    [team, name],
  )

it('lets one of two leaders stepping down at once go, and refuses the other', async () => {
  await first.query('begin')
  await second.query('begin')
  await stepDown(first, 'Leader A')
  // The second waits for the first (the team's row is locked) ...
  let secondDone = false
  const secondOutcome = stepDown(second, 'Leader B').then(
    () => 'stepped down',
    (error: pg.DatabaseError) => `${error.code} ${error.constraint}`,
  ).finally(() => {
    secondDone = true
  })
  await new Promise((resolve) => setTimeout(resolve, 300))
  expect(secondDone).toBe(false)
  // ... and, once the first has committed, sees that it would leave the team without a leader.
  await first.query('commit')
  await expect(secondOutcome).resolves.toBe('23514 team_members_team_has_leader')
  await second.query('rollback')

  const { rows } = await owner.query<{ display_name: string }>(`
    select p.display_name from public.team_members m join public.people p on p.id = m.person_id
    where m.team_id = $1 and m.role = 'leader' and m.left_at is null`, [team])
  expect(rows.map((row) => row.display_name)).toEqual(['Leader B'])
})
