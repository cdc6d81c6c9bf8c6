// The local API gateway, standing where Supabase's Kong does: one origin for supabase-js, with
// /rest/v1/* proxied to PostgREST and /auth/v1/* answered by the local auth stand-in.
import http from 'node:http'
import type { AuthStandIn } from './auth-standin.ts'

const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'authorization, apikey, content-type, x-client-info, x-supabase-api-version, prefer, range, accept-profile, content-profile',
  'access-control-allow-methods': 'GET, POST, PATCH, PUT, DELETE, OPTIONS',
  'access-control-expose-headers': 'content-range, x-supabase-api-version',
}

export function startGateway(port: number, postgrestPort: number, auth: AuthStandIn): Promise<http.Server> {
  const server = http.createServer((request, response) => {
    const url = request.url ?? '/'
    if (request.method === 'OPTIONS') {
      response.writeHead(204, CORS_HEADERS).end()
      return
    }
    for (const [name, value] of Object.entries(CORS_HEADERS)) response.setHeader(name, value)
    if (url.startsWith('/auth/v1/')) {
      auth.handle(request, response, url.slice('/auth/v1'.length)).catch((error: unknown) => {
        console.error('auth stand-in failed:', error)
        if (!response.headersSent) response.writeHead(500)
        response.end()
      })
      return
    }
    if (url.startsWith('/rest/v1/')) {
      const upstream = http.request(
        { host: '127.0.0.1', port: postgrestPort, path: url.slice('/rest/v1'.length), method: request.method, headers: request.headers },
        (reply) => {
          response.writeHead(reply.statusCode ?? 502, reply.headers)
          reply.pipe(response)
        },
      )
      upstream.on('error', () => {
        if (!response.headersSent) response.writeHead(502)
        response.end()
      })
      request.pipe(upstream)
      return
    }
    response.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"no route"}')
  })
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)))
}
