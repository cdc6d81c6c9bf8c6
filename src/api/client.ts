// The one Supabase client of the app; the only module that calls createClient.
//
// Offline starts: auth-js keeps the stored session when a token refresh fails for a network
// reason (a retryable fetch error) and only removes it when the server rejects the refresh
// token; the app additionally keeps the signed-in user's profile in IndexedDB (stores/session)
// and treats "no session while offline" as offline, not as signed out (auth-js #141, #226).
import { createClient } from '@supabase/supabase-js'

export const AUTH_STORAGE_KEY = 'volunteer-ledger-auth'

export const supabase = createClient(import.meta.env.VITE_SUPABASE_URL, import.meta.env.VITE_SUPABASE_ANON_KEY, {
  auth: {
    persistSession: true,
    autoRefreshToken: true,
    // Email and password only: no tokens ever arrive in the URL.
    detectSessionInUrl: false,
    storageKey: AUTH_STORAGE_KEY,
  },
})
