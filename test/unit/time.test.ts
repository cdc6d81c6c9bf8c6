import { describe, expect, it } from 'vitest'
import { parseInstant, shanghaiDateOf, shanghaiInstant, shanghaiMonthOf } from '../../src/domain/time'

describe('Asia/Shanghai calendar', () => {
  it('puts an instant in the Shanghai month, not the UTC one', () => {
    // 16:30 UTC on 31 March is 00:30 on 1 April in Kunming.
    expect(shanghaiMonthOf('2023-03-31T16:30:00Z')).toBe('2023-04-01')
    expect(shanghaiMonthOf('2023-03-31T15:59:59Z')).toBe('2023-03-01')
    expect(shanghaiMonthOf('2023-12-31T23:00:00+08:00')).toBe('2023-12-01')
    expect(shanghaiDateOf('2023-03-31T16:30:00Z')).toBe('2023-04-01')
  })

  it('builds an instant from a form date and time', () => {
    expect(shanghaiInstant('2023-03-05', '09:30')).toBe('2023-03-05T09:30:00+08:00')
    expect(Date.parse(shanghaiInstant('2023-03-05', '09:30')!)).toBe(Date.parse('2023-03-05T01:30:00Z'))
    expect(shanghaiInstant('2023-02-30', '09:30')).toBeNull()
    expect(shanghaiInstant('2023-03-05', '25:00')).toBeNull()
  })

  it('accepts only ISO 8601 instants', () => {
    expect(parseInstant('2023-03-05T09:00:00+08:00')).toBe(Date.parse('2023-03-05T01:00:00Z'))
    expect(parseInstant('March 5, 2023')).toBeNull()
    expect(parseInstant('')).toBeNull()
  })
})
