import { describe, expect, it } from 'vitest'
import { fenToYuanText, formatFullYuan, formatMoney, formatWanYuan, parseYuan } from '../../src/domain/money'

describe('parseYuan', () => {
  it.each([
    ['1200', 120_000],
    ['35.5', 3_550],
    ['35.50', 3_550],
    ['0.01', 1],
    ['0', 0],
    ['1,200.00', 120_000],
    ['  8 ', 800],
    ['¥8', 800],
    ['12.', 1_200],
    ['2183000', 218_300_000],
    ['0.29', 29],
    ['1.1', 110],
  ])('reads %j as %i fen, exactly', (text, fen) => {
    expect(parseYuan(text)).toBe(fen)
  })

  it('has no float error where 0.29 * 100 would give 28.999999999999996', () => {
    expect(0.29 * 100).not.toBe(29)
    expect(parseYuan('0.29')).toBe(29)
  })

  it.each(['', 'abc', '1.234', '-5', '1,20', '1e3', '.5', '12,34.5', '9999999999999999'])('refuses %j', (text) => {
    expect(parseYuan(text)).toBeNull()
  })
})

describe('formatting', () => {
  it('writes fen back as yuan text for inputs', () => {
    expect(fenToYuanText(120_000)).toBe('1200')
    expect(fenToYuanText(3_550)).toBe('35.50')
    expect(fenToYuanText(1)).toBe('0.01')
    expect(fenToYuanText(0)).toBe('0')
  })

  it('round-trips every amount through text', () => {
    for (const fen of [0, 1, 9, 10, 99, 100, 101, 3_550, 123_456_789]) expect(parseYuan(fenToYuanText(fen))).toBe(fen)
  })

  it('writes 万元 with one decimal as the year-end report does', () => {
    expect(formatWanYuan(218_300_000)).toBe('218.3万元')
    expect(formatWanYuan(826_100_000)).toBe('826.1万元')
    expect(formatWanYuan(0)).toBe('0.0万元')
    expect(formatWanYuan(4_999)).toBe('0.0万元')
    // Half rounds up: 0.05 万元 → 0.1万元; just below stays.
    expect(formatWanYuan(50_000)).toBe('0.1万元')
    expect(formatWanYuan(49_999)).toBe('0.0万元')
    expect(formatWanYuan(1_234_567_800_000)).toBe('1,234,567.8万元')
  })

  it('writes full yuan for English, fen only when there are any', () => {
    expect(formatFullYuan(218_300_000)).toBe('¥2,183,000')
    expect(formatFullYuan(3_550)).toBe('¥35.50')
    expect(formatFullYuan(0)).toBe('¥0')
  })

  it('picks the format by locale', () => {
    expect(formatMoney(218_300_000, 'zh-CN')).toBe('218.3万元')
    expect(formatMoney(218_300_000, 'en')).toBe('¥2,183,000')
  })
})
