// The built app ships its messages compiled (build/precompile-messages.ts) and vue-i18n without
// its compiler: every message must read exactly as vue-i18n reads the hand-written string.
import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import { compileMessages, precompileMessages, type MessageTree } from '../../build/precompile-messages'
import en from '../../src/i18n/en'
import ledgerEn from '../../src/i18n/ledger/en'
import ledgerZhCN from '../../src/i18n/ledger/zh-CN'
import zhCN from '../../src/i18n/zh-CN'

function leaves(tree: MessageTree, prefix = ''): Array<[string, string]> {
  return Object.entries(tree).flatMap(([key, value]) =>
    typeof value === 'string' ? [[`${prefix}${key}`, value] as [string, string]] : leaves(value, `${prefix}${key}.`),
  )
}

type Translate = (key: string, named: Record<string, unknown>, plural: number) => string

function translator(messages: Record<string, unknown>): Translate {
  const create = createI18n as (options: object) => { global: { t: Translate } }
  return create({ legacy: false, locale: 'x', messages: { x: messages } }).global.t
}

describe('precompiled messages', () => {
  for (const [locale, messages] of [['zh-CN', { ...zhCN, ledger: ledgerZhCN }], ['en', { ...en, ledger: ledgerEn }]] as const) {
    it(`read in ${locale} exactly as the source strings do, with every parameter and plural form`, () => {
      const compiled = compileMessages(messages)
      const fromSource = translator(messages)
      const fromCompiled = translator(compiled)
      const all = leaves(messages)
      expect(all.length).toBeGreaterThan(200)
      for (const [key, source] of all) {
        // What ships is vue-i18n's AST (a resource node, type 0), which its runtime formats without a compiler.
        expect(key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], compiled), key).toMatchObject({ t: 0 })
        const named = Object.fromEntries([...source.matchAll(/\{(\w+)\}/g)].map(([, name]) => [name, `<${name}>`]))
        for (const count of [0, 1, 2, 7]) {
          expect(fromCompiled(key, { ...named, n: count }, count), key).toBe(fromSource(key, { ...named, n: count }, count))
        }
      }
    })
  }

  it('refuses a malformed message at build time, naming its key', () => {
    expect(() => compileMessages({ form: { title: '活动名称 {title' } })).toThrow(/form\.title/)
  })

  it('replaces a message module by its compiled default export in the build', async () => {
    const plugin = precompileMessages(/\/i18n\/xx\.ts$/)
    const { filter, handler } = plugin.transform as { filter: { id: RegExp }; handler: (code: string, id: string) => Promise<{ code: string }> }
    const source = `import type { MessageSchema } from './zh-CN'\nconst xx = { a: { b: '共 {n} 人' } } satisfies object\nexport type Other = MessageSchema\nexport default xx\n`
    const result = await handler(source, '/app/src/i18n/xx.ts')
    const module = (await import(`data:text/javascript,${encodeURIComponent(result.code)}`)) as { default: Record<string, unknown> }
    expect(module.default).toEqual(compileMessages({ a: { b: '共 {n} 人' } }))
    expect(filter.id.test('/app/src/i18n/xx.ts') && !filter.id.test('/app/src/i18n/format.ts')).toBe(true)
  })

  it("compiles the lazy pages' bundles in the app's build too", async () => {
    const { default: config } = await import('../../vite.config')
    const resolved = typeof config === 'function' ? config({ command: 'build', mode: 'production' }) : config
    const plugin = (resolved as { plugins: { name?: string; transform?: { filter: { id: RegExp } } }[] }).plugins
      .flat()
      .find((p) => p?.name === 'volunteer-ledger:precompile-messages')
    const filter = plugin?.transform?.filter.id
    const bundles = ['zh-CN.ts', 'ledger/zh-CN.ts', 'ledger/en.ts', 'pages/zh-CN.ts', 'pages/en.ts', 'record/en.ts']
    expect(bundles.every((file) => filter?.test(`/app/src/i18n/${file}`))).toBe(true)
    expect(filter?.test('/app/src/i18n/bundles.ts')).toBe(false)
  })
})
