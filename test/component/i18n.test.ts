import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import en from '../../src/i18n/en'
import ledgerEn from '../../src/i18n/ledger/en'
import ledgerZhCN from '../../src/i18n/ledger/zh-CN'
import pagesEn from '../../src/i18n/pages/en'
import pagesZhCN from '../../src/i18n/pages/zh-CN'
import recordEn from '../../src/i18n/record/en'
import recordZhCN from '../../src/i18n/record/zh-CN'
import zhCN from '../../src/i18n/zh-CN'

const SRC = join(import.meta.dirname, '../../src')

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? files(path) : /\.(vue|ts)$/.test(name) ? [path] : []
  })
}

function has(messages: object, key: string): boolean {
  let node: unknown = messages
  for (const part of key.split('.')) {
    if (typeof node !== 'object' || node === null || !(part in node)) return false
    node = (node as Record<string, unknown>)[part]
  }
  return typeof node === 'string'
}

/** Every message with its key: [key, text]. */
function entriesOf(messages: object, prefix = ''): [string, string][] {
  return Object.entries(messages).flatMap(([k, v]): [string, string][] =>
    typeof v === 'object' && v !== null ? entriesOf(v as object, `${prefix}${k}.`) : [[`${prefix}${k}`, String(v)]],
  )
}

/** The messages as the app holds them once every page has loaded (lazy bundles merged in). */
function merged(base: object, extra: object): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base }
  for (const [key, value] of Object.entries(extra)) {
    const current = out[key]
    out[key] = typeof value === 'object' && typeof current === 'object' && current !== null ? merged(current, value as object) : value
  }
  return out
}
// What the pages speak once all have loaded: the main messages, under `ledger` the ledger pages'
// bundle, and the other pages' and the record pages' bundles merged in at the top.
const allZhCN = merged(merged({ ...zhCN, ledger: ledgerZhCN }, pagesZhCN), recordZhCN)
const allEn = merged(merged({ ...en, ledger: ledgerEn }, pagesEn), recordEn)

const CJK = /[\u3400-\u9fff]/

/**
 * Half-width punctuation in a Chinese message, where the full-width form belongs (，：（）；？！).
 * What keeps its half-width form: placeholders ({n}), URLs, times (09:00), digit grouping (1,200).
 */
function halfWidthMarks(text: string): string[] {
  if (!CJK.test(text)) return []
  const kept = text
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/\d:\d\d/g, ' ')
    .replace(/\d,\d{3}/g, ' ')
  return [...kept.matchAll(/[,:;()?!]/g)].map((m) => `"${m[0]}" in …${text.slice(Math.max(0, m.index - 6), m.index + 7)}…`)
}

function keysOf(messages: object, prefix = ''): string[] {
  return Object.entries(messages).flatMap(([k, v]) =>
    typeof v === 'object' && v !== null ? keysOf(v as object, `${prefix}${k}.`) : [`${prefix}${k}`],
  )
}

describe('translations', () => {
  it('has every key the code asks for, in both languages', () => {
    const used = new Set<string>()
    for (const file of files(SRC)) {
      for (const match of readFileSync(file, 'utf8').matchAll(/\bt\(\s*'([a-zA-Z_.]+)'/g)) used.add(match[1]!)
    }
    expect(used.size).toBeGreaterThan(50)
    expect([...used].filter((key) => !has(allZhCN, key))).toEqual([])
    expect([...used].filter((key) => !has(allEn, key))).toEqual([])
  })

  it('has the same keys in English as in Chinese', () => {
    expect(keysOf(en).sort()).toEqual(keysOf(zhCN).sort())
    expect(keysOf(ledgerEn).sort()).toEqual(keysOf(ledgerZhCN).sort())
    expect(keysOf(recordEn).sort()).toEqual(keysOf(recordZhCN).sort())
    expect(keysOf(pagesEn).sort()).toEqual(keysOf(pagesZhCN).sort())
  })

  it('keeps the lazily loaded messages apart from the first visit\'s, without overriding them', () => {
    const lazy = [...keysOf(recordZhCN), ...keysOf(pagesZhCN)]
    expect(lazy.filter((key) => has(zhCN, key))).toEqual([])
    expect(keysOf(recordZhCN).filter((key) => has(pagesZhCN, key))).toEqual([])
  })

  it('finds half-width punctuation in Chinese text, and leaves placeholders, URLs and times alone', () => {
    expect(halfWidthMarks('64个,志愿服务队')).toHaveLength(1)
    expect(halfWidthMarks('上次同步:{time}')).toHaveLength(1)
    expect(halfWidthMarks('工作站(点)')).toHaveLength(2)
    expect(halfWidthMarks('删除吗?;')).toHaveLength(2)
    expect(halfWidthMarks('{station}：{n} 场，09:00 开始，金额 1,200 元，见 https://example.org/a?b=c')).toEqual([])
    expect(halfWidthMarks('Last synced: {time} (today)')).toEqual([])
  })

  it('writes every Chinese message with full-width punctuation', () => {
    const found = entriesOf(allZhCN).flatMap(([key, text]) => halfWidthMarks(text).map((mark) => `${key}: ${mark}`))
    expect(found).toEqual([])
  })

  it('explains every rule the phone checks and every rule the database names', () => {
    const sources = [
      readFileSync(join(SRC, 'domain/validation.ts'), 'utf8'),
      ...readdirSync(join(SRC, '../supabase/migrations')).map((f) => readFileSync(join(SRC, '../supabase/migrations', f), 'utf8')),
    ].join('\n')
    const rules = new Set<string>()
    for (const m of sources.matchAll(/rule: '([a-z_]+)'/g)) rules.add(m[1]!)
    // Raised rules (constraint = 'name') and declared constraints (constraint name check|unique|...).
    for (const m of sources.matchAll(/constraint = '([a-z_]+)'/g)) rules.add(m[1]!)
    for (const m of sources.matchAll(/constraint ([a-z_]+)\s+(?:check|unique|primary|foreign|exclude)\b/gi)) rules.add(m[1]!)
    const known = new Set(Object.keys(allZhCN.rules as object))
    const ignored = new Set(['event_participants_pkey', 'service_events_pkey', 'sync_changes_pkey', 'team_members_pkey'])
    expect([...rules].filter((r) => !known.has(r) && !ignored.has(r) && !r.endsWith('_fkey') && !r.endsWith('_pkey'))).toEqual([])
  })
})
