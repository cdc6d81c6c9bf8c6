import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import en from '../../src/i18n/en'
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
    expect([...used].filter((key) => !has(zhCN, key))).toEqual([])
    expect([...used].filter((key) => !has(en, key))).toEqual([])
  })

  it('has the same keys in English as in Chinese', () => {
    expect(keysOf(en).sort()).toEqual(keysOf(zhCN).sort())
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
    const known = new Set(Object.keys(zhCN.rules))
    const ignored = new Set(['event_participants_pkey', 'service_events_pkey', 'sync_changes_pkey', 'team_members_pkey'])
    expect([...rules].filter((r) => !known.has(r) && !ignored.has(r) && !r.endsWith('_fkey') && !r.endsWith('_pkey'))).toEqual([])
  })
})
