import { describe, expect, it } from 'vitest'
import { neutralizeFormula, toCsv } from '../../src/views/csv'

describe('CSV exports', () => {
  it('writes text that a spreadsheet would run as a formula as text', () => {
    for (const text of ['=1+2', '+86 138', '-2+3', '@SUM(A1)', '\t=1', '\r=1']) {
      expect(neutralizeFormula(text)).toBe(`'${text}`)
    }
    expect(neutralizeFormula('社区义诊 = 好')).toBe('社区义诊 = 好')
    expect(neutralizeFormula('')).toBe('')
  })

  it('neutralizes every text cell, leaves numbers as numbers, and quotes what needs quoting', () => {
    const csv = toCsv([
      ['title', 'served'],
      ['=HYPERLINK("http://x","y")', -3],
      ['a,b', 12],
    ])
    expect(csv).toBe('\uFEFFtitle,served\r\n"\'=HYPERLINK(""http://x"",""y"")",-3\r\n"a,b",12\r\n')
  })
})
