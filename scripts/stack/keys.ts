// The JWT secret and API keys of the local stack. Local only: a real Supabase project has its own
// secret and keys, given to the app through VITE_SUPABASE_URL / VITE_SUPABASE_ANON_KEY.
import { SignJWT } from 'jose'

/** The same well-known development secret the Supabase CLI uses for `supabase start`. */
export const LOCAL_JWT_SECRET = 'super-secret-jwt-token-with-at-least-32-characters-long'

const secretKey = new TextEncoder().encode(LOCAL_JWT_SECRET)

export function signJwt(claims: Record<string, unknown>, expiresInSeconds: number): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(now)
    .setExpirationTime(now + expiresInSeconds)
    .sign(secretKey)
}

export { secretKey as localJwtKey }

const TEN_YEARS = 10 * 365 * 24 * 3600

/** API keys as Supabase issues them: long-lived JWTs whose role is anon or service_role. */
export async function apiKeys(): Promise<{ anonKey: string; serviceRoleKey: string }> {
  return {
    anonKey: await signJwt({ iss: 'supabase-demo', role: 'anon' }, TEN_YEARS),
    serviceRoleKey: await signJwt({ iss: 'supabase-demo', role: 'service_role' }, TEN_YEARS),
  }
}
