// What the coordinators read from the phones' reports: the waiting figures under the dashboard's
// filters, and lengths of time as the sync-health page and the follow-up say them.
import { describe, expect, it } from 'vitest'
import { filterWaiting, summarizeWaiting, type WaitingRow } from '../../src/domain/waiting'
import { formatAge, formatBytes, formatDuration } from '../../src/i18n/durations'

const row = (overrides: Partial<WaitingRow>): WaitingRow => ({
  user_id: 'u1', device_id: 'd1', reported_at: '2023-03-06T10:00:00+00:00', station_id: 's1', theme_month_id: 'march',
  month: '2023-03-01', team_id: 't1', waiting_events: 1, events: 1, people_served: 10, funds_fen: 100, materials_fen: 0, volunteer_hours: 0.1, ...overrides,
})

describe('the waiting figures', () => {
  const rows = [
    row({}),
    row({ station_id: 's2', waiting_events: 2, events: 2, people_served: 5, volunteer_hours: 0.2, reported_at: '2023-03-06T09:00:00+00:00' }),
    row({ device_id: 'd2', theme_month_id: 'april', month: '2023-04-01', team_id: 't2', events: 0, people_served: -3, funds_fen: -50 }),
    row({ user_id: 'u2', theme_month_id: null, month: '2024-01-01', events: -1, people_served: -10 }),
  ]

  it('sums every phone\'s rows, counting each phone once', () => {
    expect(summarizeWaiting(rows)).toEqual({
      phones: 3, waitingEvents: 5, events: 2, people_served: 2, funds_fen: 250, materials_fen: 0, volunteer_hours: 0.5,
      oldestReportAt: '2023-03-06T09:00:00+00:00',
    })
    expect(summarizeWaiting([])).toMatchObject({ phones: 0, events: 0, oldestReportAt: null })
  })

  it('keeps to the filters of station, theme month, team and year', () => {
    const all = { year: null, station_id: null, theme_month_id: null, team_id: null }
    expect(filterWaiting(rows, all)).toHaveLength(4)
    expect(filterWaiting(rows, { ...all, station_id: 's2' })).toEqual([rows[1]])
    expect(filterWaiting(rows, { ...all, theme_month_id: 'april' })).toEqual([rows[2]])
    expect(filterWaiting(rows, { ...all, team_id: 't1' })).toEqual([rows[0], rows[1], rows[3]])
    expect(filterWaiting(rows, { ...all, year: 2024 })).toEqual([rows[3]])
    expect(summarizeWaiting(filterWaiting(rows, { ...all, year: 2023, team_id: 't1' }))).toMatchObject({ phones: 1, events: 3 })
  })
})

describe('lengths of time and storage', () => {
  it('says them in the largest unit that fits, in either language', () => {
    expect(formatDuration(2 * 86_400_000 + 3_600_000, 'zh-CN')).toBe('2天')
    expect(formatDuration(-15 * 60_000, 'en')).toBe('15 minutes')
    expect(formatAge(3 * 3_600_000, 'zh-CN')).toBe('3小时前')
    expect(formatAge(40_000, 'en')).toBe('40 seconds ago')
    expect(formatBytes(12_345_678, 'en')).toBe('12.3 MB')
    expect(formatBytes(2_500_000_000, 'zh-CN')).toBe('2.5 GB')
  })
})
