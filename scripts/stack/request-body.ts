// Request-body limits of the local gateway. Supabase publishes no body limit for /auth/v1 or
// /rest/v1; these are the gateway's own, far above anything the app sends (a full push batch of
// 100 events at their longest texts is about 2.5 MB), so they never refuse what Supabase would
// accept from it, while a runaway request can no longer grow the process without bound.
import type { IncomingMessage, ServerResponse } from 'node:http'

export const BODY_LIMITS = {
  /** Sign-in, sign-up and refresh bodies are a few hundred bytes. */
  auth: 64 * 1024,
  rest: 10 * 1024 * 1024,
} as const

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`Request body is larger than ${limit} bytes`)
  }
}

/** The declared Content-Length when it is already over the limit, so the body need not be read. */
export function declaredTooLarge(request: IncomingMessage, limit: number): boolean {
  return Number(request.headers['content-length'] ?? 0) > limit
}

export function sendBodyTooLarge(response: ServerResponse, limit: number): void {
  if (response.headersSent) {
    response.destroy()
    return
  }
  // Close the connection: the rest of the oversized body is not read.
  response.writeHead(413, { 'content-type': 'application/json', connection: 'close' })
  response.end(JSON.stringify({ message: new BodyTooLargeError(limit).message }))
}

/** Reads the whole body, refusing it as soon as it grows past the limit. */
export async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request) {
    size += (chunk as Buffer).length
    if (size > limit) throw new BodyTooLargeError(limit)
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks)
}
