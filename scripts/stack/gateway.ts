// The local API gateway, standing where Supabase's edge and Kong do: one origin for supabase-js,
// with /rest/v1/* proxied to PostgREST and /auth/v1/* answered by the local auth stand-in.
// As a proxy it drops hop-by-hop headers both ways (RFC 9110 §7.6.1: they describe one connection,
// and forwarding e.g. `Connection: close` to PostgREST broke the pooled upstream connection under
// load), tells the services the client's address in X-Forwarded-For (Supabase Auth rate-limits by
// it), and caps request bodies (request-body.ts).
import http, { type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http'
import { Transform } from 'node:stream'
import type { AuthStandIn } from './auth-standin.ts'
import { BODY_LIMITS, BodyTooLargeError, declaredTooLarge, refuseBody } from './request-body.ts'

const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'authorization, apikey, content-type, x-client-info, x-supabase-api-version, prefer, range, accept-profile, content-profile',
  'access-control-allow-methods': 'GET, POST, PATCH, PUT, DELETE, OPTIONS',
  'access-control-expose-headers': 'content-range, x-supabase-api-version',
}

const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']

/** The headers without hop-by-hop ones: the fixed list and any that Connection names. */
export function endToEndHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const named = String(headers.connection ?? '').split(',').map((name) => name.trim().toLowerCase())
  const dropped = new Set([...HOP_BY_HOP, ...named])
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !dropped.has(name.toLowerCase())))
}

/** X-Forwarded-For with this hop's client appended, as a proxy passes it on. */
function forwardedFor(request: http.IncomingMessage): string {
  const client = request.socket.remoteAddress ?? ''
  const earlier = request.headers['x-forwarded-for']
  return earlier ? `${String(earlier)}, ${client}` : client
}

/** Passes the body through, failing once it grows past the limit. */
function capped(limit: number): Transform {
  let size = 0
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length
      done(size > limit ? new BodyTooLargeError(limit) : null, chunk)
    },
  })
}

export interface GatewayOptions {
  port: number
  /** PostgREST's address. */
  rest: { host: string; port: number }
  auth: AuthStandIn
}

export function startGateway(options: GatewayOptions): Promise<http.Server> {
  const server = http.createServer((request, response) => {
    const url = request.url ?? '/'
    if (request.method === 'OPTIONS') {
      response.writeHead(204, CORS_HEADERS).end()
      return
    }
    for (const [name, value] of Object.entries(CORS_HEADERS)) response.setHeader(name, value)
    request.headers['x-forwarded-for'] = forwardedFor(request)
    if (url.startsWith('/auth/v1/')) {
      if (declaredTooLarge(request, BODY_LIMITS.auth)) return refuseBody(request, response, BODY_LIMITS.auth)
      options.auth.handle(request, response, url.slice('/auth/v1'.length)).catch((error: unknown) => {
        console.error('auth stand-in failed:', error)
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' })
        response.end(JSON.stringify({ code: 'unexpected_failure', message: 'Unexpected failure, please check server logs for more information' }))
      })
      return
    }
    if (url.startsWith('/rest/v1/')) {
      if (declaredTooLarge(request, BODY_LIMITS.rest)) return refuseBody(request, response, BODY_LIMITS.rest)
      const upstream = http.request(
        { ...options.rest, path: url.slice('/rest/v1'.length), method: request.method, headers: endToEndHeaders(request.headers) },
        (reply) => {
          response.writeHead(reply.statusCode ?? 502, endToEndHeaders(reply.headers))
          reply.pipe(response)
        },
      )
      const body = capped(BODY_LIMITS.rest)
      let refused = false
      body.on('error', () => {
        refused = true
        upstream.destroy()
        request.unpipe(body)
        refuseBody(request, response, BODY_LIMITS.rest)
      })
      upstream.on('error', () => {
        if (refused) return
        if (response.headersSent) return void response.destroy()
        response.writeHead(502).end()
      })
      request.pipe(body).pipe(upstream)
      return
    }
    response.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"no route"}')
  })
  return new Promise((resolve) => server.listen(options.port, '127.0.0.1', () => resolve(server)))
}
