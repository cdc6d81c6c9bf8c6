import { describe, expect, it } from 'vitest'
import { formatMoney } from '../../src/domain/money'
import { formatCount, formatMonth, formatYuan } from '../../src/i18n/format'

describe('formatting for each language', () => {
  it('writes money as the report does: 万元 with one decimal in Chinese, full yuan in English', () => {
    expect(formatMoney(218_300_000, 'zh-CN')).toBe('218.3万元')
    expect(formatMoney(826_100_000, 'zh-CN')).toBe('826.1万元')
    expect(formatMoney(218_300_000, 'en')).toBe('¥2,183,000')
  })

  it('shows one event\'s amount in yuan', () => {
    expect(formatYuan(125_050, 'zh-CN')).toBe('1,250.5元')
    expect(formatYuan(125_050, 'en')).toBe('¥1,250.50')
  })

  it('counts with or without grouping, and names months in each language', () => {
    expect(formatCount(3265, 'zh-CN', false)).toBe('3265')
    expect(formatCount(3265, 'en')).toBe('3,265')
    expect(formatMonth('2023-03-01', 'zh-CN')).toBe('2023年3月')
    expect(formatMonth('2023-03-01', 'en')).toBe('March 2023')
  })
})
