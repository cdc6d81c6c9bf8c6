/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Supabase project URL (the local stack's gateway in development). */
  readonly VITE_SUPABASE_URL: string
  /** The project's anon (publishable) key. */
  readonly VITE_SUPABASE_ANON_KEY: string
}

interface ImportMeta {
  readonly env: ImportMetaEnv
}
