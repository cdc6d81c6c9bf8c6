import { describe, expect, it } from 'vitest'
import {
  calendarNoteRule, historyChanges, periodState, recordingUnitRule, requestedChanges, statusIndex, unconfirmedOf, yearState,
  type PeriodStatus,
} from '../../src/domain/ledger'
import { MARCH, PERSON, PERSON_2, STATION, STATION_2 } from './support/fixtures'

const status = (overrides: Partial<PeriodStatus> = {}): PeriodStatus => ({
  station_id: STATION,
  theme_month_id: MARCH,
  status: 'open',
  version: null,
  adjusted: false,
  events: 5,
  confirmed: 3,
  closed_at: null,
  closed_by: null,
  ...overrides,
})

describe('period statuses', () => {
  it('says open, closed (final) or adjusted; a reopened period that was adjusted is open again', () => {
    expect(periodState(status())).toBe('open')
    expect(periodState(status({ status: 'closed', version: 1 }))).toBe('closed')
    expect(periodState(status({ status: 'closed', version: 2, adjusted: true }))).toBe('adjusted')
    expect(periodState(status({ status: 'open', version: 2, adjusted: true }))).toBe('open')
  })

  it('counts the unconfirmed events, never below zero', () => {
    expect(unconfirmedOf(status())).toBe(2)
    expect(unconfirmedOf(status({ events: 2, confirmed: 2 }))).toBe(0)
    expect(unconfirmedOf(status({ events: 0, confirmed: 1 }))).toBe(0)
  })

  it('finds a status by station and theme month', () => {
    const index = statusIndex([status(), status({ station_id: STATION_2, status: 'closed' })])
    expect(index.get(`${STATION_2}:${MARCH}`)?.status).toBe('closed')
    expect(index.get(`${STATION}:${MARCH}`)?.status).toBe('open')
    expect(index.get(`${MARCH}:${STATION}`)).toBeUndefined()
  })

  it('calls a year final only when it has periods and all are closed', () => {
    expect(yearState({ periods: 12, closed_periods: 12, is_final: true })).toBe('final')
    expect(yearState({ periods: 12, closed_periods: 11, is_final: false })).toBe('provisional')
    expect(yearState({ periods: 0, closed_periods: 0, is_final: false })).toBe('empty')
  })
})

describe('what an adjustment request changes', () => {
  const current = {
    title: '社区义诊',
    station_id: STATION,
    started_at: '2023-03-05T01:00:00+00:00',
    people_served: 10,
    funds_fen: 5000,
    note: '',
    participants: [{ person_id: PERSON, hours: 3 }],
  }

  it('lists the fields that differ, as from → to, and each participant whose hours change', () => {
    const fields = {
      ...current,
      // The same instant written in Beijing time is no change.
      started_at: '2023-03-05T09:00:00+08:00',
      people_served: 25,
      funds_fen: '5000',
      note: null,
      station_id: STATION_2,
      participants: [{ person_id: PERSON, hours: 2 }, { person_id: PERSON_2, hours: 1.5 }],
    }
    expect(requestedChanges(current, fields)).toEqual({
      kind: 'edit',
      changes: [
        { field: 'station_id', from: STATION, to: STATION_2 },
        { field: 'people_served', from: 10, to: 25 },
        { field: 'participants', person: PERSON, from: 3, to: 2 },
        { field: 'participants', person: PERSON_2, from: null, to: 1.5 },
      ],
    })
  })

  it('asks for a delete without fields, and for a new event without a current one', () => {
    expect(requestedChanges(current, null)).toEqual({ kind: 'delete', changes: [] })
    const created = requestedChanges(null, { title: '新活动', people_served: 3, participants: [{ person_id: PERSON, hours: 1 }] })
    expect(created.kind).toBe('create')
    expect(created.changes).toEqual([
      { field: 'title', from: undefined, to: '新活动' },
      { field: 'people_served', from: undefined, to: 3 },
      { field: 'participants', person: PERSON, from: null, to: 1 },
    ])
  })
})

describe('an event history entry', () => {
  it('sets each field on an insert, leaving out what nobody reads', () => {
    expect(
      historyChanges({
        subject: 'event',
        action: 'insert',
        changes: { people_served: 10, title: '义诊', recorded_by: 'u1', change_xid: '9' },
      }),
    ).toEqual([
      { field: 'title', from: undefined, to: '义诊' },
      { field: 'people_served', from: undefined, to: 10 },
    ])
  })

  it('changes fields from → to on an edit, in the form order, without the confirmer account', () => {
    expect(
      historyChanges({
        subject: 'event',
        action: 'edit',
        changes: { people_served: [10, 25], confirmed_by: ['u1', null], confirmed_at: ['2023-03-06T00:00:00Z', null], title: ['a', 'b'] },
      }),
    ).toEqual([
      { field: 'title', from: 'a', to: 'b' },
      { field: 'people_served', from: 10, to: 25 },
      { field: 'confirmed_at', from: '2023-03-06T00:00:00Z', to: null },
    ])
  })

  it("gives each participant's hours before and after", () => {
    expect(historyChanges({ subject: 'event', action: 'participants', changes: { [PERSON_2]: [null, 2], [PERSON]: [3, null] } })).toEqual([
      { field: 'participants', person: PERSON, from: 3, to: null },
      { field: 'participants', person: PERSON_2, from: null, to: 2 },
    ])
  })

  it('sets the status and reason of a request when it is made', () => {
    expect(
      historyChanges({ subject: 'adjustment_request', action: 'request', changes: { status: [null, 'pending'], reason: [null, '少记一人'], fields: [null, {}] } }),
    ).toEqual([
      { field: 'status', from: undefined, to: 'pending' },
      { field: 'reason', from: undefined, to: '少记一人' },
    ])
  })

  it("gives a request's status and words, not its stored fields", () => {
    expect(
      historyChanges({
        subject: 'adjustment_request',
        action: 'decline',
        changes: { status: ['pending', 'declined'], decision_reason: [null, '没有依据'], decided_by: [null, 'u2'], fields: [null, {}] },
      }),
    ).toEqual([
      { field: 'status', from: 'pending', to: 'declined' },
      { field: 'decision_reason', from: null, to: '没有依据' },
    ])
  })
})

describe('typed settings', () => {
  it('takes a recording unit of 1 to 100 characters after trimming', () => {
    expect(recordingUnitRule('  浙江省商会  ')).toBeNull()
    expect(recordingUnitRule('   ')).toBe('teams_recording_unit_length')
    expect(recordingUnitRule('会'.repeat(100))).toBeNull()
    expect(recordingUnitRule('会'.repeat(101))).toBe('teams_recording_unit_length')
  })

  it('takes a calendar note of at most 100 characters', () => {
    expect(calendarNoteRule('')).toBeNull()
    expect(calendarNoteRule('节'.repeat(101))).toBe('work_calendar_note_length')
  })
})
