// Takes out what an integration test made for itself: its team with the team's events, members and
// trail, and the theme months it added unless something else is in them now (the demo program
// has none there), so that the year report's published figures stay as seeded. With triggers off,
// as the owner: the trail is append-only and the totals would otherwise follow each delete.
// `first` removes the test's own rows that point at these (e.g. certificates), in the same
// transaction.
import type pg from 'pg'

export async function removeTestTeam(owner: pg.Client, team: string, months: readonly string[], first = async () => {}): Promise<void> {
  await owner.query('begin')
  await owner.query('set local session_replication_role = replica')
  await first()
  await owner.query('delete from public.audit_trail where team_id = $1', [team])
  await owner.query('delete from public.event_participants where event_id in (select id from public.service_events where team_id = $1)', [team])
  await owner.query('delete from public.service_events where team_id = $1', [team])
  const added = `select m.id from public.theme_months m where m.month = any($1::date[])
    and not exists (select from public.service_events e where e.theme_month_id = m.id)`
  await owner.query(`delete from public.station_month_volunteers where theme_month_id in (${added})`, [months])
  await owner.query(`delete from public.station_month_totals where theme_month_id in (${added})`, [months])
  await owner.query(`delete from public.theme_months where id in (${added})`, [months])
  await owner.query('delete from public.team_members where team_id = $1', [team])
  await owner.query('delete from public.teams where id = $1', [team])
  await owner.query('commit')
}
