import { describe, expect, it } from 'vitest'
import { overallTotals, totalsByStationMonth, totalsByTeamMonth } from '../../src/domain/totals'
import { APRIL, MARCH, PERSON, PERSON_2, STATION, STATION_2, TEAM, eventFields } from './support/fixtures'

describe('totals', () => {
  const events = [
    eventFields({ funds_fen: 10, people_served: 1, participants: [{ person_id: PERSON, hours: 0.1 }, { person_id: PERSON_2, hours: 0.2 }] }),
    eventFields({ funds_fen: 20, people_served: 2, participants: [{ person_id: PERSON, hours: 0.1 }] }),
    eventFields({ station_id: STATION_2, theme_month_id: APRIL, funds_fen: 0, materials_fen: 5, materials_description: '米', people_served: 3 }),
    { ...eventFields({ funds_fen: 1000 }), deleted: true },
  ]

  it('sums per station × month, exact hours, distinct volunteers, ignoring deleted events', () => {
    expect(totalsByStationMonth(events)).toEqual([
      { group_id: STATION, theme_month_id: MARCH, events: 2, volunteers: 2, volunteer_hours: 0.4, people_served: 3, funds_fen: 30, materials_fen: 0 },
      { group_id: STATION_2, theme_month_id: APRIL, events: 1, volunteers: 1, volunteer_hours: 3, people_served: 3, funds_fen: 0, materials_fen: 5 },
    ])
  })

  it('sums per team × month and overall', () => {
    expect(totalsByTeamMonth(events).map((row) => [row.group_id, row.theme_month_id, row.events])).toEqual([
      [TEAM, MARCH, 2], [TEAM, APRIL, 1],
    ].sort((a, b) => String(a[1]).localeCompare(String(b[1]))))
    expect(overallTotals(events)).toMatchObject({ events: 3, volunteers: 2, volunteer_hours: 3.4, funds_fen: 30 })
  })
})
