import { describe, expect, it } from 'vitest'
import { emptyDraft } from '../../src/components/event/eventDraft'
import { prefillFromRemembered, rememberDraft } from '../../src/components/event/rememberedDraft'

// 2026-03-02 10:00 and 23:59 in Kunming, and the next day at 00:01.
const MORNING = Date.parse('2026-03-02T10:00:00+08:00')
const LATE = Date.parse('2026-03-02T23:59:00+08:00')
const NEXT_DAY = Date.parse('2026-03-03T00:01:00+08:00')

describe('remembered place and time of the last saved event', () => {
  const saved = emptyDraft({ station_id: 's2', team_id: 't1', date: '2026-03-01', start: '09:00', end: '11:30', title: '义诊' })

  it('keeps the station, team, date and times for the next event of the same day', () => {
    const remembered = rememberDraft(saved, MORNING)
    expect(prefillFromRemembered(remembered, LATE)).toEqual({
      station_id: 's2',
      team_id: 't1',
      date: '2026-03-01',
      start: '09:00',
      end: '11:30',
    })
  })

  it('keeps only the station and team the next day, when the date starts again at today', () => {
    expect(prefillFromRemembered(rememberDraft(saved, LATE), NEXT_DAY)).toEqual({ station_id: 's2', team_id: 't1' })
  })

  it('prefills nothing before the first save', () => {
    expect(prefillFromRemembered(undefined, MORNING)).toEqual({})
  })
})
