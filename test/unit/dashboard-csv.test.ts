import { describe, expect, it } from 'vitest'
import type { TotalsFilter } from '../../src/domain/types'
import { eventRows, exportName, inSelection, totalsRows, type Names } from '../../src/views/dashboardCsv'
import { APRIL, eventFields, MARCH, pendingRecord, STATION, STATION_2, TEAM } from './support/fixtures'

const TEAM_2 = '00000000-0000-4000-8000-0000000000a2'
const JAN_2024 = '00000000-0000-4000-8000-0000000000d1'
const names: Names = {
  stations: new Map([[STATION, '五华区工作站'], [STATION_2, '盘龙区工作站']]),
  teams: new Map([[TEAM, '一队'], [TEAM_2, '二队']]),
  months: new Map([
    [MARCH, { id: MARCH, month: '2023-03-01', theme: '学雷锋' }],
    [APRIL, { id: APRIL, month: '2023-04-01', theme: '关爱妇女儿童' }],
    [JAN_2024, { id: JAN_2024, month: '2024-01-01', theme: '新春' }],
  ]),
}
const all: TotalsFilter = { year: null, station_id: null, theme_month_id: null, team_id: null }

describe('dashboard exports', () => {
  const on = (date: string) => ({ started_at: `${date}T09:00:00+08:00`, ended_at: `${date}T12:00:00+08:00` })
  const march = pendingRecord('e1', eventFields())
  const april2 = pendingRecord('e2', eventFields({ theme_month_id: APRIL, ...on('2023-04-05'), station_id: STATION_2, team_id: TEAM_2 }))
  const jan = pendingRecord('e3', eventFields({ theme_month_id: JAN_2024, ...on('2024-01-05') }))
  const deleted = pendingRecord('e4', eventFields(), { deleted: true })
  // Saved on a phone that knew no theme month for April: the server made it, the phone has no id.
  const aprilUnknown = pendingRecord('e5', eventFields({ theme_month_id: null, ...on('2023-04-20') }))

  it('takes the events of the filters chosen: year, theme month, station and team', () => {
    const ids = (filter: TotalsFilter) =>
      [march, april2, jan, deleted, aprilUnknown].filter((e) => inSelection(filter, e, names.months)).map((e) => e.id)
    expect(ids(all)).toEqual(['e1', 'e2', 'e3', 'e5'])
    expect(ids({ ...all, year: 2023 })).toEqual(['e1', 'e2', 'e5'])
    expect(ids({ ...all, year: 2024 })).toEqual(['e3'])
    expect(ids({ ...all, theme_month_id: APRIL })).toEqual(['e2', 'e5'])
    expect(ids({ ...all, station_id: STATION })).toEqual(['e1', 'e3', 'e5'])
    expect(ids({ ...all, team_id: TEAM_2 })).toEqual(['e2'])
    expect(ids({ ...all, year: 2023, team_id: TEAM })).toEqual(['e1', 'e5'])
  })

  it('writes the events chosen under translated headings, and names the file after what it covers', () => {
    const rows = eventRows([jan, march, april2], { ...all, year: 2023 }, names, (key) => `h:${key}`)
    expect(rows[0]?.[0]).toBe('h:station')
    expect(rows.slice(1).map((r) => [r[0], r[1], r[2]])).toEqual([
      ['五华区工作站', '一队', '2023-03'],
      ['盘龙区工作站', '二队', '2023-04'],
    ])
    const figures = { events: 1, volunteers: 1, volunteer_hours: 1, people_served: 1, funds_fen: 0, materials_fen: 0 }
    const shown = [
      { station_id: STATION, theme_month_id: APRIL, ...figures },
      { station_id: STATION, theme_month_id: MARCH, ...figures },
    ]
    expect(exportName(shown, { ...all, station_id: STATION, team_id: TEAM }, names)).toBe('2023-03_2023-04-五华区工作站-一队')
    expect(exportName([], all, names)).toBe('empty')
  })

  it('adds the ledger status of each station × month as a last column when asked', () => {
    const rows = [
      { station_id: STATION, theme_month_id: MARCH, events: 2, volunteers: 3, volunteer_hours: 6, people_served: 10, funds_fen: 12345, materials_fen: 0 },
      { station_id: STATION_2, theme_month_id: APRIL, events: 1, volunteers: 1, volunteer_hours: 2, people_served: 4, funds_fen: 0, materials_fen: 100 },
    ]
    const heading = (key: string) => `h:${key}`
    const withStatus = totalsRows(rows, names, heading, { heading: '结账状态', of: (r) => (r.station_id === STATION ? '已结账（最终）' : '未结账') })
    expect(withStatus[0]?.at(-1)).toBe('结账状态')
    expect(withStatus.slice(1).map((r) => [r[0], r.at(-1)])).toEqual([['五华区工作站', '已结账（最终）'], ['盘龙区工作站', '未结账']])
    const without = totalsRows(rows, names, heading)
    expect(without[0]).toHaveLength(withStatus[0]!.length - 1)
    expect(without[1]?.at(-1)).toBe(withStatus[1]?.at(-2))
  })
})
