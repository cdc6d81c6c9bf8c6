// Transactions of the benchmark's own connections (node-postgres has no helper for them).
import type pg from 'pg'

/** Runs `body` in a transaction: committed when it succeeds, rolled back when it throws. */
export async function inTransaction<T>(db: pg.Client, body: () => Promise<T>): Promise<T> {
  await db.query('begin')
  try {
    const result = await body()
    await db.query('commit')
    return result
  } catch (error) {
    await db.query('rollback')
    throw error
  }
}

/** Runs `body` in a transaction as PostgREST would for a signed-in user (or as service_role). */
export function asRole<T>(db: pg.Client, claims: Record<string, unknown>, body: () => Promise<T>): Promise<T> {
  return inTransaction(db, async () => {
    await db.query(`select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)`, [claims.role, JSON.stringify(claims)])
    return body()
  })
}
