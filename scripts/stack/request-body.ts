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

/**
 * Answers 413 once the client has sent its body, which is read and dropped, not kept: a client
 * that is still sending when the answer comes would get a broken pipe instead of the answer.
 */
export function refuseBody(request: IncomingMessage, response: ServerResponse, limit: number): void {
  const answer = () => {
    if (response.headersSent) return void response.destroy()
    response.writeHead(413, { 'content-type': 'application/json' })
    response.end(JSON.stringify({ message: new BodyTooLargeError(limit).message }))
  }
  request.removeAllListeners('data')
  request.resume()
  if (request.complete) answer()
  else request.once('end', answer)
}

/** Reads the whole body; past the limit it stops keeping it and refuses it. */
export function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    request.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= limit) chunks.push(chunk)
    })
    request.once('end', () => (size <= limit ? resolve(Buffer.concat(chunks)) : reject(new BodyTooLargeError(limit))))
    request.once('error', reject)
  })
}
