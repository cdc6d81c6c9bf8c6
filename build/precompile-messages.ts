// vue-i18n's messages compiled at build time, so that the app ships vue-i18n without its message
// compiler (the `__INTLIFY_DROP_MESSAGE_COMPILER__` flag in vite.config.ts): a volunteer's phone
// then downloads no parser for a syntax it only ever sees in finished form.
//
// The message modules (src/i18n/<locale>.ts) stay plain TypeScript objects of strings, edited by
// hand; only the built app sees their compiled form, the AST that vue-i18n's runtime formats. The
// compiler is @intlify/message-compiler at vue-i18n's own version, so the AST is the one its
// runtime reads. (@intlify/unplugin-vue-i18n precompiles only .js, .json and .yaml files whose
// default export is an object literal, not these TypeScript modules.)
import { baseCompile } from '@intlify/message-compiler'
import { transformWithOxc, type Plugin } from 'vite'

export interface MessageTree {
  [key: string]: string | MessageTree
}

/** Each message of `tree` as the AST vue-i18n's runtime formats; a malformed message throws, naming its key. */
export function compileMessages(tree: MessageTree, path = ''): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(tree).map(([key, value]) => {
      const keyPath = `${path}${key}`
      if (typeof value !== 'string') return [key, compileMessages(value, `${keyPath}.`)]
      const { ast } = baseCompile(value, {
        jit: true,
        location: false,
        minify: true,
        onError(error) {
          throw new Error(`message ${keyPath} ("${value}"): ${error.message}`)
        },
      })
      return [key, ast]
    }),
  )
}

/** Replaces the modules whose ids match `messageModules` by their compiled default export (builds only). */
export function precompileMessages(messageModules: RegExp): Plugin {
  return {
    name: 'volunteer-ledger:precompile-messages',
    apply: 'build',
    enforce: 'pre',
    transform: {
      filter: { id: messageModules },
      async handler(code, id) {
        // A message module is data: its only imports are types, so its JavaScript runs on its own.
        const { code: javascript } = await transformWithOxc(code, id, { lang: 'ts' })
        const module = (await import(`data:text/javascript;base64,${Buffer.from(javascript).toString('base64')}`)) as { default: MessageTree }
        return { code: `export default ${JSON.stringify(compileMessages(module.default))}`, map: null }
      },
    },
  }
}
