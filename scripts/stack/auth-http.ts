// Requests and answers in Supabase Auth's (GoTrue's) wire format, for the local auth stand-in.
// Errors: clients that send X-Supabase-Api-Version 2024-01-01 or later (supabase-js does) get
// {"code": error_code, "message"} and the version echoed; older clients get
// {"code": status, "error_code", "msg"}. Both carry the x-sb-error-code header. Bodies are parsed
// as GoTrue parses them into its parameter structs: anything that is not a JSON object with the
// expected field types is refused with 400 bad_json.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { readBody } from './request-body.ts'

const API_VERSION_HEADER = 'x-supabase-api-version'
const API_VERSION_2024 = '2024-01-01'

/** An error GoTrue answers with an HTTP status, an error code and a message. */
export class AuthError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    /** Extra fields of the body, e.g. weak_password's reasons. */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message)
  }
}

/** GoTrue's OAuth-style error ({"error", "error_description"}, always 400). */
export class OAuthError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
  ) {
    super(description)
  }
}

function usesApi2024(request: IncomingMessage): boolean {
  const asked = request.headers[API_VERSION_HEADER]
  return typeof asked === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(asked) && asked >= API_VERSION_2024
}

export function sendJson(request: IncomingMessage, response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (usesApi2024(request)) headers[API_VERSION_HEADER] = API_VERSION_2024
  response.writeHead(status, { 'content-type': 'application/json', ...headers })
  response.end(JSON.stringify(body))
}

export function sendError(request: IncomingMessage, response: ServerResponse, error: AuthError | OAuthError): void {
  if (error instanceof OAuthError) {
    sendJson(request, response, 400, { error: error.error, error_description: error.description })
    return
  }
  const body = usesApi2024(request)
    ? { code: error.errorCode, message: error.message, ...error.extra }
    : { code: error.status, error_code: error.errorCode, msg: error.message, ...error.extra }
  sendJson(request, response, error.status, body, { 'x-sb-error-code': error.errorCode })
}

export interface Params {
  /** The string fields asked for; absent ones are ''. */
  text: Record<string, string>
  /** The `data` object (user metadata on sign-up); {} when absent. */
  data: Record<string, unknown>
}

function badJson(detail: string): AuthError {
  return new AuthError(400, 'bad_json', `Could not parse request body as JSON: ${detail}`)
}

/**
 * The body as GoTrue's parameter struct: `fields` must be strings and `data` an object. Unknown
 * fields are ignored, as Go's json.Unmarshal ignores them.
 */
export async function readParams(request: IncomingMessage, limit: number, fields: string[]): Promise<Params> {
  const text = (await readBody(request, limit)).toString('utf8')
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw badJson(text.trim() === '' ? 'unexpected end of JSON input' : (error as Error).message)
  }
  if (parsed === null) parsed = {}
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw badJson(`json: cannot unmarshal ${Array.isArray(parsed) ? 'array' : typeof parsed} into an object`)
  }
  const body = parsed as Record<string, unknown>
  const params: Params = { text: {}, data: {} }
  for (const field of fields) {
    const value = body[field] ?? ''
    if (typeof value !== 'string') throw badJson(`json: cannot unmarshal ${typeof value} into field ${field} of type string`)
    params.text[field] = value
  }
  const data = body.data ?? {}
  if (typeof data !== 'object' || Array.isArray(data)) throw badJson('json: cannot unmarshal data into an object')
  params.data = data as Record<string, unknown>
  return params
}

/** The client's address as the gateway forwards it (the first X-Forwarded-For entry). */
export function clientAddress(request: IncomingMessage): string | undefined {
  const forwarded = request.headers['x-forwarded-for']
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim()
  return first || undefined
}
