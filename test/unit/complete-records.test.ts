// The complete record (办法 Art. 7) and its timeliness (Art. 11) on the phone: what the form
// starts with, what is checked, what travels (and what an older app's version leaves to the
// server), how late an event was recorded, and what a leader has to confirm.
import 'fake-indexeddb/auto'
import { openDB } from 'idb'
import { describe, expect, it } from 'vitest'
import { emptyDraft, fieldsFromDraft, followDefaults, withDefaults, type DraftDefaults } from '../../src/components/event/eventDraft'
import { awaitingConfirmation } from '../../src/domain/confirmations'
import { latenessAt, recordingLateness } from '../../src/domain/timeliness'
import type { LocalEvent, ServerEvent } from '../../src/domain/types'
import { validateEvent } from '../../src/domain/validation'
import { calendarOf } from '../../src/domain/workdays'
import { openLocalDb } from '../../src/local/db'
import { changeToSend, fieldsOf, planPull, serverCopyOf, syncedRecord } from '../../src/sync/plans'
import { eventFields, MARCH, PERSON, PERSON_2, STATION, STATION_2, TEAM, USER, pendingRecord } from './support/fixtures'

// The 2023 Labour Day schedule: 4-29 to 5-3 off, 4-23 (Sun) and 5-6 (Sat) working.
const calendar = calendarOf([
  ...['2023-05-01', '2023-05-02', '2023-05-03'].map((day) => ({ day, kind: 'holiday' as const })),
  { day: '2023-04-23', kind: 'workday' as const },
  { day: '2023-05-06', kind: 'workday' as const },
])

const defaults: DraftDefaults = {
  stations: [
    { id: STATION, name: '五华区工作站', address: '昆明市五华区' },
    { id: STATION_2, name: '盘龙区工作站', address: '昆明市盘龙区' },
  ],
  teams: [{ id: TEAM, name: '浙江餐饮商会志愿服务队', chamber: '浙江餐饮商会', recording_unit: '昆明市浙江商会' }],
  leaderIds: [PERSON_2],
}

describe('the complete record in the form', () => {
  it('starts a draft kept by an older app at the defaults: the station\'s address, the team\'s unit, its leader taking part', () => {
    const older = { ...emptyDraft(), station_id: STATION, team_id: TEAM, participants: [{ person_id: PERSON, hours: '2' }, { person_id: PERSON_2, hours: '1' }] }
    delete (older as Partial<typeof older>).place
    const draft = withDefaults(emptyDraft(older), defaults)
    expect(draft).toMatchObject({ place: '昆明市五华区', organizing_unit: '昆明市浙江商会', person_in_charge: PERSON_2, service_content: '' })
  })

  it('puts the first participant in charge when no leader takes part, and keeps a choice among the participants', () => {
    const draft = withDefaults(emptyDraft({ team_id: TEAM, participants: [{ person_id: PERSON, hours: '2' }] }), defaults)
    expect(draft.person_in_charge).toBe(PERSON)
    const withLeader = followDefaults(draft, { ...draft, participants: [...draft.participants, { person_id: PERSON_2, hours: '1' }] }, defaults)
    expect(withLeader.person_in_charge).toBe(PERSON)
    const without = followDefaults(withLeader, { ...withLeader, participants: [{ person_id: PERSON_2, hours: '1' }] }, defaults)
    expect(without.person_in_charge).toBe(PERSON_2)
  })

  it('moves the place with the station unless the user typed another', () => {
    const draft = withDefaults(emptyDraft({ station_id: STATION }), defaults)
    expect(followDefaults(draft, { ...draft, station_id: STATION_2 }, defaults).place).toBe('昆明市盘龙区')
    const typed = { ...draft, place: '翠湖公园' }
    expect(followDefaults(typed, { ...typed, station_id: STATION_2 }, defaults).place).toBe('翠湖公园')
  })

  it('requires each field at the form and trims it as the database does', () => {
    const blank = emptyDraft({ participants: [{ person_id: PERSON, hours: '1' }] })
    expect(fieldsFromDraft(blank).issues.filter((i) => i.rule === 'required').map((i) => i.field)).toEqual(
      expect.arrayContaining(['place', 'service_content', 'organizing_unit', 'person_in_charge']),
    )
    const filled = fieldsFromDraft({ ...blank, place: '\u3000翠湖公园 ', service_content: ' 打扫\n测血压 ', organizing_unit: '商会', person_in_charge: PERSON })
    expect(filled.fields).toMatchObject({ place: '翠湖公园', service_content: '打扫\n测血压', organizing_unit: '商会', person_in_charge: PERSON })
  })
})

describe('the complete record\'s rules', () => {
  const now = Date.parse('2023-06-01T00:00:00Z')

  it('names the database\'s rules for the new fields', () => {
    const issues = validateEvent(
      eventFields({ place: 'x'.repeat(201), service_content: '', organizing_unit: '商会\u200B', person_in_charge: PERSON_2 }),
      { now },
    )
    expect(issues).toEqual(expect.arrayContaining([
      { field: 'place', rule: 'service_events_place_length' },
      { field: 'service_content', rule: 'service_events_service_content_length' },
      { field: 'organizing_unit', rule: 'service_events_organizing_unit_characters' },
      { field: 'person_in_charge', rule: 'service_events_person_in_charge_participant' },
    ]))
  })

  it('lets an older app\'s version without them pass: the server fills them', () => {
    expect(validateEvent(eventFields(), { now })).toEqual([])
  })
})

describe('what travels', () => {
  it('sends an older app\'s queued change without the new keys, so the server fills its defaults', () => {
    const older = pendingRecord('e1')
    const change = changeToSend({ change_id: 'c1', event_id: 'e1', op: 'upsert', fields: fieldsOf(older), queued_at: '', sent: false }, older)
    for (const key of ['place', 'service_content', 'person_in_charge', 'organizing_unit', 'recorded_at']) {
      expect(change.event).not.toHaveProperty(key)
    }
  })

  it('carries the new fields when the version has them', () => {
    const record = { place: '翠湖公园', service_content: '测血压', person_in_charge: PERSON, organizing_unit: '商会', recorded_at: '2023-03-06T01:00:00.000Z' }
    expect(fieldsOf(eventFields(record))).toMatchObject(record)
  })

  it('takes the server\'s row at the revision the phone has when the phone\'s version lacks the record: its defaults reach the phone', () => {
    const fields = eventFields()
    const row: ServerEvent = {
      ...fields, place: '昆明市五华区', service_content: fields.title, person_in_charge: PERSON, organizing_unit: '昆明市浙江商会',
      recorded_at: '2023-03-05T04:00:00.000Z', id: 'e1', recorded_by: USER, revision: 4, deleted_at: null, created_at: '', updated_at: '',
    }
    const held = syncedRecord('e1', { ...serverCopyOf(row), fields }, '2023-03-05T12:00:00.000Z')
    const writes = planPull({ events: new Map([['e1', held]]), outbox: [] }, [row], '4', '2023-03-06T00:00:00.000Z')
    expect(writes.putEvents?.[0]).toMatchObject({ place: '昆明市五华区', organizing_unit: '昆明市浙江商会', serverRevision: 4 })
    // A version that has the record keeps the phone's own text of it (times as the phone wrote them).
    const complete = syncedRecord('e1', { ...serverCopyOf(row), fields: { ...fields, place: '翠湖公园' } }, '2023-03-05T12:00:00.000Z')
    expect(planPull({ events: new Map([['e1', complete]]), outbox: [] }, [row], '4', '2023-03-06T00:00:00.000Z').putEvents).toEqual([])
  })

  it('pulls from the start once after the upgrade that brings the work calendar', async () => {
    const name = `upgrade-${Math.random().toString(36).slice(2)}`
    const v3 = await openDB(name, 3, {
      upgrade(database) {
        for (const store of ['events', 'stations', 'teams', 'theme_months', 'people', 'requests']) database.createObjectStore(store, { keyPath: 'id' })
        database.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true }).createIndex('by_event', 'event_id')
        database.createObjectStore('team_members', { keyPath: ['team_id', 'person_id'] })
        database.createObjectStore('meta', { keyPath: 'key' })
      },
    })
    await v3.put('meta', { key: 'pullCursor', value: '7:100' })
    v3.close()
    const db = await openLocalDb(name)
    expect(await db.getMeta('pullCursor')).toBeNull()
    expect((await db.loadReference()).workCalendar).toEqual([])
    db.close()
  })
})

describe('timeliness (办法 Art. 11)', () => {
  it('counts the working days from the end of the activity to its recording, in Kunming\'s calendar', () => {
    // Ended Friday 4-28 at 23:30 in Kunming (15:30 UTC); recorded Monday 5-8: 5-4, 5-5, 5-6, 5-8.
    const event = { ended_at: '2023-04-28T15:30:00Z', recorded_at: '2023-05-08T02:00:00Z' }
    expect(recordingLateness(event, calendar)).toEqual({ workingDays: 4, late: false })
    expect(latenessAt(event, '2023-05-16T02:00:00Z', calendar)).toEqual({ workingDays: 10, late: false })
    expect(latenessAt(event, '2023-05-17T02:00:00Z', calendar)).toEqual({ workingDays: 11, late: true })
  })

  it('says nothing for a version kept without its time of recording', () => {
    expect(recordingLateness({ ended_at: '2023-04-28T15:30:00Z' }, calendar)).toBeNull()
  })
})

describe('what a leader has to confirm', () => {
  const synced = (id: string, startedAt: string, overrides: Partial<LocalEvent> = {}): LocalEvent =>
    pendingRecord(id, eventFields({ started_at: startedAt, ended_at: startedAt.replace('T09', 'T10') }), {
      syncState: 'synced', serverRevision: 1, confirmation: null, ...overrides,
    })

  it('lists the synced, unconfirmed events oldest first by theme month, flagging those past 10 working days', () => {
    const events = [
      synced('late', '2023-04-03T09:00:00+08:00', { theme_month_id: 'april' }),
      synced('recent', '2023-05-15T09:00:00+08:00', { theme_month_id: 'may' }),
      synced('older', '2023-03-20T09:00:00+08:00', { theme_month_id: MARCH }),
      synced('confirmed', '2023-03-21T09:00:00+08:00', { confirmation: { at: '2023-03-22T00:00:00Z', by: USER } }),
      synced('queued', '2023-03-22T09:00:00+08:00', { confirmation: 'queued' }),
      synced('edited', '2023-03-23T09:00:00+08:00', { syncState: 'pending' }),
      synced('deleted', '2023-03-24T09:00:00+08:00', { deleted: true }),
      pendingRecord('never-synced'),
    ]
    const months = [{ id: MARCH, month: '2023-03-01', theme: '学雷锋' }, { id: 'april', month: '2023-04-01', theme: '植树' }]
    const groups = awaitingConfirmation(events, months, calendar, Date.parse('2023-05-17T02:00:00Z'))
    expect(groups.map((g) => [g.key, g.themeMonth?.theme, g.events.map((e) => e.event.id)])).toEqual([
      [MARCH, '学雷锋', ['older']],
      ['april', '植树', ['late']],
      ['may', undefined, ['recent']],
    ])
    expect(groups.map((g) => g.events[0]!.waited?.late)).toEqual([true, true, false])
  })
})
