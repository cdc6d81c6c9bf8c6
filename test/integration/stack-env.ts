// The local stack that scripts/test.ts starts, as the integration tests reach it.
import { randomUUID } from 'node:crypto'
import { createClient, type SupabaseClient } from '@supabase/supabase-js'

function required(name: string): string {
  const value = process.env[name]
  if (!value) throw new Error(`${name} is not set: run the integration tests through \`npm test\``)
  return value
}

export const stackEnv = {
  apiUrl: required('STACK_API_URL'),
  anonKey: required('STACK_ANON_KEY'),
  databaseUrl: required('STACK_DATABASE_URL'),
}

export const DEMO_PASSWORD = 'demo1234'

/** A fresh client with in-memory session storage, like one phone. */
export function newClient(): SupabaseClient {
  return createClient(stackEnv.apiUrl, stackEnv.anonKey, {
    // Each client its own storage key, as each phone has its own storage.
    auth: { persistSession: false, autoRefreshToken: false, storageKey: `test-${randomUUID()}` },
  })
}

export async function signedInClient(email: string): Promise<SupabaseClient> {
  const client = newClient()
  const { error } = await client.auth.signInWithPassword({ email, password: DEMO_PASSWORD })
  if (error) throw error
  return client
}
