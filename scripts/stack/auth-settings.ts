// The Supabase Auth settings the local auth stand-in follows: the same values supabase/config.toml
// gives the real project (keep the two in step), so the app meets here what it meets there.
import type { BucketRate } from './rate-limiter.ts'

export interface AuthSettings {
  /** [auth] jwt_expiry */
  accessTokenSeconds: number
  /** [auth] enable_signup */
  signupEnabled: boolean
  /** [auth.email] enable_signup */
  emailProviderEnabled: boolean
  /** [auth.sms] enable_signup */
  phoneProviderEnabled: boolean
  /** [auth] minimum_password_length */
  minimumPasswordLength: number
  /** [auth] enable_refresh_token_rotation */
  refreshTokenRotation: boolean
  /** [auth] refresh_token_reuse_interval: seconds a rotated refresh token may still be used. */
  refreshTokenReuseSeconds: number
  /** [auth.rate_limit] token_refresh: every /token request (password and refresh grants). */
  tokenRate: BucketRate
  /** [auth.rate_limit] sign_in_sign_ups: /signup requests. */
  signupRate: BucketRate
}

/**
 * As supabase/config.toml describes the project. Confirmations are off there (enable_confirmations
 * = false for email and sms), so sign-ups are confirmed at once and answered with a session.
 */
export const PROJECT_AUTH_SETTINGS: AuthSettings = {
  accessTokenSeconds: 3600,
  signupEnabled: true,
  emailProviderEnabled: true,
  phoneProviderEnabled: true,
  minimumPasswordLength: 8,
  refreshTokenRotation: true,
  refreshTokenReuseSeconds: 10,
  tokenRate: { perFiveMinutes: 150, burst: 30 },
  signupRate: { perFiveMinutes: 30, burst: 30 },
}
