import { describe, expect, it } from 'vitest'
import { calendarOf, isRecordedLate, isWorkingDay, workingDaysAfter } from '../../src/domain/workdays'

// The official 2023 schedule around the Spring Festival and Labour Day (国办发明电〔2022〕16号):
// 1-21 to 1-27 off, 1-28 (Sat) and 1-29 (Sun) working; 4-29 to 5-3 off, 4-23 (Sun) and 5-6 (Sat) working.
const calendar = calendarOf([
  ...['2023-01-23', '2023-01-24', '2023-01-25', '2023-01-26', '2023-01-27'].map((day) => ({ day, kind: 'holiday' as const })),
  { day: '2023-01-28', kind: 'workday' }, { day: '2023-01-29', kind: 'workday' },
  ...['2023-05-01', '2023-05-02', '2023-05-03'].map((day) => ({ day, kind: 'holiday' as const })),
  { day: '2023-04-23', kind: 'workday' }, { day: '2023-05-06', kind: 'workday' },
])

describe('working days (办法 Art. 11)', () => {
  it('counts Monday to Friday, minus holidays, plus make-up working days', () => {
    expect(isWorkingDay('2023-03-06', calendar)).toBe(true) // Monday
    expect(isWorkingDay('2023-03-04', calendar)).toBe(false) // Saturday
    expect(isWorkingDay('2023-01-25', calendar)).toBe(false) // Spring Festival, a Wednesday
    expect(isWorkingDay('2023-01-29', calendar)).toBe(true) // make-up Sunday
  })

  it('counts the working days after the activity up to the day it was recorded', () => {
    expect(workingDaysAfter('2023-03-06', '2023-03-06', calendar)).toBe(0)
    expect(workingDaysAfter('2023-03-03', '2023-03-06', calendar)).toBe(1) // Friday to Monday
    expect(workingDaysAfter('2023-03-06', '2023-03-20', calendar)).toBe(10)
    // Over the Spring Festival: 1-20 (Fri) to 2-3 (Fri): 1-28, 1-29, 1-30..2-3 = 7 working days.
    expect(workingDaysAfter('2023-01-20', '2023-02-03', calendar)).toBe(7)
    // Over Labour Day: 4-28 (Fri) to 5-8 (Mon): 5-4, 5-5, 5-6 (make-up Sat), 5-8.
    expect(workingDaysAfter('2023-04-28', '2023-05-08', calendar)).toBe(4)
  })

  it('flags records made more than 10 working days after the activity', () => {
    expect(isRecordedLate(workingDaysAfter('2023-03-06', '2023-03-20', calendar))).toBe(false)
    expect(isRecordedLate(workingDaysAfter('2023-03-06', '2023-03-21', calendar))).toBe(true)
  })
})
