// The one API client of the app, configured from the build's environment.
//
// Offline starts: Auth's client (password-auth.ts) keeps the stored session when a token refresh
// gets no answer and only removes it when the server rejects the refresh token; the app
// additionally keeps the signed-in user's profile in IndexedDB (stores/session) and treats "no
// session while offline" as offline, not as signed out.
import { createApiClient } from './api-client'

export const AUTH_STORAGE_KEY = 'volunteer-ledger-auth'

export const API_URL = import.meta.env.VITE_SUPABASE_URL
export const API_KEY = import.meta.env.VITE_SUPABASE_ANON_KEY

export const supabase = createApiClient(API_URL, API_KEY, {
  storageKey: AUTH_STORAGE_KEY,
  persistSession: true,
})
