import { describe, expect, it } from 'vitest'
import { overallTotals, totalsByStationMonth, totalsByTeamMonth } from '../../src/domain/totals'
import { APRIL, PERSON, PERSON_2, STATION, STATION_2, TEAM, eventFields } from './support/fixtures'

describe('totals', () => {
  const april = { theme_month_id: APRIL, started_at: '2023-04-05T09:00:00+08:00', ended_at: '2023-04-05T12:00:00+08:00' }
  const events = [
    eventFields({ funds_fen: 10, people_served: 1, participants: [{ person_id: PERSON, hours: 0.1 }, { person_id: PERSON_2, hours: 0.2 }] }),
    eventFields({ funds_fen: 20, people_served: 2, participants: [{ person_id: PERSON, hours: 0.1 }] }),
    eventFields({ ...april, station_id: STATION_2, funds_fen: 0, materials_fen: 5, materials_description: '米', people_served: 3 }),
    { ...eventFields({ funds_fen: 1000 }), deleted: true },
  ]

  it('sums per station × month, exact hours, distinct volunteers, ignoring deleted events', () => {
    expect(totalsByStationMonth(events)).toEqual([
      { group_id: STATION, month: '2023-03-01', events: 2, volunteers: 2, volunteer_hours: 0.4, people_served: 3, funds_fen: 30, materials_fen: 0 },
      { group_id: STATION_2, month: '2023-04-01', events: 1, volunteers: 1, volunteer_hours: 3, people_served: 3, funds_fen: 0, materials_fen: 5 },
    ])
  })

  it('sums per team × month and overall', () => {
    expect(totalsByTeamMonth(events).map((row) => [row.group_id, row.month, row.events])).toEqual([
      [TEAM, '2023-03-01', 2], [TEAM, '2023-04-01', 1],
    ])
    expect(overallTotals(events)).toMatchObject({ events: 3, volunteers: 2, volunteer_hours: 3.4, funds_fen: 30 })
  })

  it('counts an event saved without a theme month in the Kunming month it starts in', () => {
    const unknownMonth = [
      eventFields({ ...april, people_served: 4 }),
      // 23:30 on 30 April in Kunming is 15:30 UTC: still April there.
      eventFields({ theme_month_id: null, started_at: '2023-04-30T15:30:00Z', ended_at: '2023-04-30T15:45:00Z', people_served: 5,
        participants: [{ person_id: PERSON, hours: 0.25 }] }),
      // 00:30 on 1 May in Kunming is 16:30 UTC on 30 April: May there.
      eventFields({ theme_month_id: null, started_at: '2023-04-30T16:30:00Z', ended_at: '2023-04-30T17:00:00Z', people_served: 6,
        participants: [{ person_id: PERSON, hours: 0.5 }] }),
    ]
    expect(totalsByTeamMonth(unknownMonth).map((row) => [row.month, row.events, row.people_served])).toEqual([
      ['2023-04-01', 2, 9], ['2023-05-01', 1, 6],
    ])
  })
})
