/// <reference types="vitest/config" />
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vite'
import { VitePWA } from 'vite-plugin-pwa'
import { precompileMessages } from './build/precompile-messages.ts'
import E2eOrder from './test/e2e/support/sequencer.ts'
import packageJson from './package.json' with { type: 'json' }

export default defineConfig(({ command }) => ({
  // Compile-time flags of Vue and vue-i18n that leave out what the app never uses (it has only
  // Composition API components and calls useI18n()). Builds only: the component tests mount
  // through @vue/test-utils, which relies on the Options API. The benchmark builds its baseline
  // shell with these same flags, read from this config (bench/frontend.ts).
  define:
    command === 'build'
      ? {
          __VUE_OPTIONS_API__: 'false',
          __VUE_I18N_LEGACY_API__: 'false',
          __VUE_I18N_FULL_INSTALL__: 'false',
          __INTLIFY_PROD_DEVTOOLS__: 'false',
          // Messages are compiled at build time (build/precompile-messages.ts), so the phone needs
          // only vue-i18n's runtime, not its message compiler.
          __INTLIFY_DROP_MESSAGE_COMPILER__: 'true',
        }
      : {},
  build: {
    // Browsers without <link rel="modulepreload"> (Safari before 17) still load every module,
    // only without preloading it; the polyfill would cost every first visit its bytes.
    modulePreload: { polyfill: false },
  },
  plugins: [
    vue(),
    precompileMessages(/\/src\/i18n\/(ledger\/|record\/|pages\/)?(zh-CN|en)\.ts$/),
    VitePWA({
      // A new version waits until the user accepts it, and the app only offers that when no form
      // holds unsaved input (src/pwa/): an automatic update could reload a page mid-edit.
      registerType: 'prompt',
      injectRegister: false,
      includeAssets: ['favicon.svg', 'apple-touch-icon.png'],
      manifest: {
        name: '志愿服务台账',
        short_name: '志愿台账',
        description: '春城党建新力量志愿服务台账：离线记录志愿服务活动',
        lang: 'zh-CN',
        start_url: './',
        scope: './',
        display: 'standalone',
        // Not locked to portrait: the layout works in landscape too (WCAG 1.3.4 Orientation).
        orientation: 'any',
        theme_color: '#b71c1c',
        background_color: '#fffaf5',
        icons: [
          { src: 'pwa-192x192.png', sizes: '192x192', type: 'image/png' },
          { src: 'pwa-512x512.png', sizes: '512x512', type: 'image/png' },
          { src: 'maskable-512x512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        // The whole app shell, lazy coordinator chunks included, so every page opens offline.
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
        navigateFallback: 'index.html',
        cleanupOutdatedCaches: true,
      },
    }),
    // The app's version (package.json), as its device reports and sync-health page tell it.
    { name: 'app-version', config: () => ({ define: { __APP_VERSION__: JSON.stringify(packageJson.version) } }) },
  ],
  test: {
    // The browser tests' files in an order that keeps their two workers busy (see the file).
    sequence: { sequencer: E2eOrder },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          environment: 'happy-dom',
          // npm test runs these beside the type check, lint and the stacks' tests on 2 shared
          // cores: a test of 1 s can take several there (Vitest's default limit is 5 s).
          testTimeout: 30_000,
          setupFiles: ['test/support/languages.ts'],
          include: ['test/unit/**/*.test.ts', 'test/component/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          // Talks to the local stack that scripts/test.ts starts (env: STACK_*).
          name: 'integration',
          environment: 'happy-dom',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 30_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          // Headless Chromium against the built app and the local stack. Two files at a time:
          // each waits for its turn on the stack's data (test/e2e/support/suite.ts, DataUse).
          // After the other projects when all run in one Vitest (a group of its own).
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/e2e/support/shared-build.ts'],
          // Whole scenarios (some 40 s on an idle machine), two at a time beside the other lanes
          // of npm test on 2 shared cores.
          testTimeout: 300_000,
          hookTimeout: 120_000,
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
}))
