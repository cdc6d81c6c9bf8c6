// The local gateway is a proxy as Supabase's is: hop-by-hop headers (RFC 9110 §7.6.1) stay on
// their own connection both ways, the client's address travels in X-Forwarded-For, and request
// bodies are capped. Checked against a small upstream that shows what the gateway sends, and
// against the real stack under the load that used to fail.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BODY_LIMITS } from '../../scripts/stack/request-body.ts'
import { startOwnStandIn, type OwnStandIn } from './auth-harness'
import { signedInClient, stackEnv } from './stack-env'

interface Answer {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
}

/** One request on its own connection, with headers fetch() would not let a test set. */
function request(url: string, options: http.RequestOptions, body?: string | Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const sent = http.request(url, { agent: false, ...options }, (reply) => {
      const chunks: Buffer[] = []
      reply.on('data', (chunk: Buffer) => chunks.push(chunk))
      reply.on('end', () => resolve({ status: reply.statusCode!, headers: reply.headers, body: Buffer.concat(chunks).toString() }))
    })
    sent.on('error', reject)
    sent.end(body)
  })
}

describe('hop-by-hop headers (a gateway in front of an upstream that shows what it gets)', () => {
  let upstream: http.Server
  let received: http.IncomingHttpHeaders
  let gateway: OwnStandIn

  beforeAll(async () => {
    upstream = http.createServer((incoming, reply) => {
      received = incoming.headers
      reply.writeHead(200, {
        'content-type': 'application/json',
        connection: 'close, x-upstream-hop',
        'x-upstream-hop': 'for the gateway only',
        'keep-alive': 'timeout=999',
        'proxy-authenticate': 'Basic',
        'x-end-to-end': 'kept',
      })
      reply.end('[]')
    })
    await new Promise<void>((done) => upstream.listen(0, '127.0.0.1', done))
    gateway = await startOwnStandIn({}, { host: '127.0.0.1', port: (upstream.address() as AddressInfo).port })
  })

  afterAll(async () => {
    await gateway.stop()
    await new Promise((done) => upstream.close(done))
  })

  it('drops them on the way in, and the headers Connection names, and keeps the rest', async () => {
    await request(`${gateway.apiUrl}/rest/v1/stations`, {
      headers: {
        connection: 'keep-alive, x-client-hop',
        'x-client-hop': 'for the gateway only',
        'keep-alive': 'timeout=5',
        'proxy-authorization': 'Basic c2VjcmV0',
        te: 'trailers',
        upgrade: 'websocket',
        authorization: 'Bearer token',
        prefer: 'return=minimal',
        'x-forwarded-for': '2001:db8::1',
      },
    })
    for (const hop of ['x-client-hop', 'proxy-authorization', 'te', 'upgrade']) expect(received, hop).not.toHaveProperty(hop)
    // The gateway's own connection to the upstream has its own Connection and Keep-Alive, not the client's.
    expect(received.connection ?? '').not.toMatch(/x-client-hop/)
    expect(received['keep-alive']).not.toBe('timeout=5')
    expect(received).toMatchObject({ authorization: 'Bearer token', prefer: 'return=minimal' })
    expect(received['x-forwarded-for']).toBe('2001:db8::1, 127.0.0.1')
  })

  it('drops them on the way out', async () => {
    const answer = await request(`${gateway.apiUrl}/rest/v1/stations`, {})
    expect(answer.status).toBe(200)
    expect(answer.headers).not.toHaveProperty('x-upstream-hop')
    expect(answer.headers).not.toHaveProperty('proxy-authenticate')
    expect(answer.headers['keep-alive']).not.toBe('timeout=999')
    expect(answer.headers['x-end-to-end']).toBe('kept')
    expect(answer.body).toBe('[]')
  })
})

describe('the real stack', () => {
  it('answers 200 parallel pushes sent with Connection: close over pooled connections, none with 502', async () => {
    const client = await signedInClient('volunteer@demo.local')
    const accessToken = (await client.auth.getSession()).data.session!.access_token
    // A client that pools its connections, as browsers do; forwarding its Connection: close used
    // to make 43 of these 200 fail with 502.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 50 })
    const push = () =>
      request(
        `${stackEnv.apiUrl}/rest/v1/rpc/push_event_changes`,
        {
          method: 'POST',
          agent,
          headers: { connection: 'close', apikey: stackEnv.anonKey, authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
        },
        '{"changes": []}',
      )
    try {
      const answers = await Promise.all(Array.from({ length: 200 }, push))
      expect(answers.map((answer) => answer.status).filter((status) => status !== 200)).toEqual([])
    } finally {
      agent.destroy()
    }
  })

  it('refuses a REST body over the limit with 413, declared or streamed', async () => {
    const url = `${stackEnv.apiUrl}/rest/v1/rpc/push_event_changes`
    const headers = { apikey: stackEnv.anonKey, 'content-type': 'application/json' }
    const oversized = Buffer.alloc(BODY_LIMITS.rest + 1, 0x20)
    const declared = await request(url, { method: 'POST', headers: { ...headers, 'content-length': oversized.length } }, oversized)
    expect(declared.status).toBe(413)
    const streamed = await request(url, { method: 'POST', headers: { ...headers, 'transfer-encoding': 'chunked' } }, oversized)
    expect(streamed.status).toBe(413)
    expect(JSON.parse(streamed.body)).toEqual({ message: `Request body is larger than ${BODY_LIMITS.rest} bytes` })
  })
})
