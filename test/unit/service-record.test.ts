import { describe, expect, it } from 'vitest'
import { parseVerification, verificationUrl } from '../../src/domain/certificates'
import {
  certifiedRows, countsTowardCertifiedHours, periodKey, recordTotals, serviceRecord, unitsOf, type RecordedService,
} from '../../src/domain/service-record'

const ME = 'person-me'
const OTHER = 'person-other'
const UNITS = new Map([['team-a', '单位甲'], ['team-b', '单位乙']])

function service(id: string, changes: Partial<RecordedService> & { hours?: number }): RecordedService {
  const { hours = 1, ...rest } = changes
  return {
    id, deleted: false, confirmed: true, team_id: 'team-a', station_id: 'station', theme_month_id: 'month-2024-03',
    started_at: '2024-03-05T01:00:00Z', title: `活动 ${id}`, place: '社区', service_content: '服务',
    participants: [{ person_id: ME, hours }, { person_id: OTHER, hours: 9 }], ...rest,
  }
}

describe('the counting rule', () => {
  it('counts a confirmed record on record, nothing else', () => {
    expect(countsTowardCertifiedHours({ deleted: false, confirmed: true })).toBe(true)
    expect(countsTowardCertifiedHours({ deleted: false, confirmed: false })).toBe(false)
    expect(countsTowardCertifiedHours({ deleted: true, confirmed: true })).toBe(false)
  })
})

describe('serviceRecord', () => {
  const records = [
    service('confirmed', { hours: 0.1 }),
    service('unconfirmed', { confirmed: false, hours: 2 }),
    service('deleted', { deleted: true, hours: 4 }),
    service('not-mine', { participants: [{ person_id: OTHER, hours: 3 }] }),
    service('closed-unconfirmed', { confirmed: false, theme_month_id: 'month-closed', hours: 0.2 }),
    service('other-unit', { team_id: 'team-b', started_at: '2023-12-31T17:00:00Z', hours: 0.7 }),
    service('waiting-for-its-month', { theme_month_id: null, hours: 1 }),
  ]
  const rows = serviceRecord(records, ME, { recordingUnits: UNITS, closedPeriods: new Set([periodKey('station', 'month-closed')]) })
  const byId = new Map(rows.map((row) => [row.eventId, row]))

  it("lists the person's events on record, with their own hours", () => {
    expect([...byId.keys()].sort()).toEqual(['closed-unconfirmed', 'confirmed', 'other-unit', 'unconfirmed', 'waiting-for-its-month'])
    expect(byId.get('confirmed')!.hours).toBe(0.1)
  })

  it('says each status; a closed month shows as closed but does not make an unconfirmed record count', () => {
    expect(byId.get('confirmed')).toMatchObject({ status: 'confirmed', counts: true })
    expect(byId.get('unconfirmed')).toMatchObject({ status: 'unconfirmed', counts: false })
    expect(byId.get('closed-unconfirmed')).toMatchObject({ status: 'closed', counts: false })
  })

  it('dates in Kunming and names the recording unit', () => {
    expect(byId.get('other-unit')).toMatchObject({ date: '2024-01-01', recordingUnit: '单位乙' })
  })

  it('sums hours exactly, certified hours only from counted rows, by year and month', () => {
    const totals = recordTotals(rows)
    expect(totals.all).toEqual({ events: 5, hours: 4, certifiedHours: 1.8 })
    expect(totals.byYear.map((year) => [year.period, year.certifiedHours])).toEqual([['2024', 1.8]])
    expect(totals.byMonth.map((month) => [month.period, month.hours])).toEqual([['2024-03', 3.3], ['2024-01', 0.7]])
  })

  it("takes a certificate's rows: counted, of the unit, in the period (inclusive), oldest first", () => {
    expect(certifiedRows(rows, '单位甲', '2024-03-05', '2024-03-05')).toMatchObject({ hours: 1.1 })
    expect(certifiedRows(rows, '单位甲', '2024-03-06', '2024-12-31').rows).toEqual([])
    expect(certifiedRows(rows, '单位乙', '2024-01-01', '2024-01-01').hours).toBe(0.7)
    expect(unitsOf(rows)).toEqual([
      { recordingUnit: '单位乙', certifiedHours: 0.7, events: 1 },
      { recordingUnit: '单位甲', certifiedHours: 1.1, events: 4 },
    ])
  })
})

describe('the verification address', () => {
  const hash = 'ab'.repeat(32)

  it('holds the number and hash, and reads them back', () => {
    const url = verificationUrl('https://ledger.example/app/#/record', { certificate_no: '2026-0007', content_hash: hash })
    expect(url).toBe(`https://ledger.example/app/#/verify/2026-0007/${hash}`)
    expect(parseVerification(`2026-0007/${hash.toUpperCase()}`)).toEqual({ certificateNo: '2026-0007', hash })
  })

  it('refuses a cut or altered address', () => {
    expect(parseVerification('2026-0007')).toBeNull()
    expect(parseVerification(`2026-0007/${hash.slice(1)}`)).toBeNull()
    expect(parseVerification(`2026-0007/${hash.slice(1)}z`)).toBeNull()
    expect(parseVerification(null)).toBeNull()
  })
})
