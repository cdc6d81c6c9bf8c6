// Token buckets per client, as Supabase Auth limits its endpoints (GoTrue's tollbooth limiters):
// each key (the client's IP) has a bucket of `burst` requests that refills at `perFiveMinutes`
// requests per five minutes; a request finding the bucket empty is refused. Pure: the clock is
// given, so the refill can be tested without waiting.

export interface BucketRate {
  /** Requests per five minutes, as config.toml's [auth.rate_limit] counts them. */
  perFiveMinutes: number
  /** Requests allowed at once from a full bucket (GoTrue: 30). */
  burst: number
}

export interface RateLimiter {
  /** Takes one request from the key's bucket; false when the bucket is empty. */
  take(key: string): boolean
}

export function createRateLimiter(rate: BucketRate, now: () => number): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>()
  const refillPerMs = rate.perFiveMinutes / (5 * 60 * 1000)
  return {
    take(key) {
      const at = now()
      const bucket = buckets.get(key) ?? { tokens: rate.burst, at }
      bucket.tokens = Math.min(rate.burst, bucket.tokens + (at - bucket.at) * refillPerMs)
      bucket.at = at
      buckets.set(key, bucket)
      if (bucket.tokens < 1) return false
      bucket.tokens -= 1
      return true
    },
  }
}
