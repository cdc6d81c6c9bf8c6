/// <reference types="vite/client" />

/** The app's version (package.json), set at build time (vite.config.ts). */
declare const __APP_VERSION__: string

interface ImportMetaEnv {
  /** Supabase project URL (the local stack's gateway in development). */
  readonly VITE_SUPABASE_URL: string
  /** The project's anon (publishable) key. */
  readonly VITE_SUPABASE_ANON_KEY: string
}

interface ImportMeta {
  readonly env: ImportMetaEnv
}
