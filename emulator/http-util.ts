// HTTP helpers shared by the API, git and fault handlers. Every body byte
// read or written goes through an Exchange so the request log can count it.
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http'
import { ApiError, ErrorCode, apiError } from './errors.js'

/** What the request log learns about one request while it is handled. */
export interface Exchange {
  url: URL
  kind: 'api' | 'git'
  gitService?: 'upload-pack' | 'receive-pack'
  /** Key owner's name; never the key. */
  principal?: string
  bytesIn: number
  bytesOut: number
  /** The parsed JSON request body, kept for the contract check. */
  requestJson?: unknown
  /** The JSON answer as sent, kept for the contract check. */
  responseJson?: string
  /** A fault rule answered instead of the API: a test's stand-in for a proxy or an overloaded server. */
  faulted?: boolean
}

const MAX_JSON_BODY = 10 * 1024 * 1024

export async function readBody(req: IncomingMessage, exchange: Exchange, limit = MAX_JSON_BODY): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    exchange.bytesIn += chunk.length
    if (size > limit) throw apiError(413, ErrorCode.invalidRequest, `Request body larger than ${limit} bytes`)
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

/** Parses a JSON body; an empty body is `undefined`, malformed JSON is error 2013. */
export async function readJson(req: IncomingMessage, exchange: Exchange): Promise<unknown> {
  const text = (await readBody(req, exchange)).toString('utf8')
  if (text.trim() === '') return undefined
  try {
    exchange.requestJson = JSON.parse(text) as unknown
    return exchange.requestJson
  } catch {
    throw apiError(400, ErrorCode.malformedJson, 'Malformed JSON in request body')
  }
}

/**
 * A JSON request body as the spec describes one: sent as `application/json`
 * (any other content type is refused) and, where the spec marks the body
 * required, present. `what` names the body for the error, e.g. "BuildRequest".
 */
export async function readJsonRequest(req: IncomingMessage, exchange: Exchange, what: string, required: boolean): Promise<unknown> {
  const contentType = req.headers['content-type']
  const body = await readJson(req, exchange)
  if (body === undefined) {
    if (required) throw apiError(400, ErrorCode.invalidRequest, `This request needs a JSON body (${what}), sent as application/json`)
    return undefined
  }
  if (!/^application\/json\s*(;|$)/i.test(contentType ?? '')) {
    throw apiError(
      400,
      ErrorCode.invalidRequest,
      `The ${what} body must be sent as application/json, not ${JSON.stringify(contentType ?? 'no content type')}`
    )
  }
  return body
}

export function send(
  res: ServerResponse,
  exchange: Exchange,
  status: number,
  body: Buffer | string,
  headers: OutgoingHttpHeaders = {}
): void {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body
  exchange.bytesOut += bytes.length
  if (typeof body === 'string' && /json/i.test(String(headers['Content-Type'] ?? ''))) exchange.responseJson = body
  res.writeHead(status, { ...headers, 'Content-Length': bytes.length })
  res.end(bytes)
}

export function sendJson(res: ServerResponse, exchange: Exchange, status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
  if (body === undefined) {
    res.writeHead(status, headers)
    res.end()
    return
  }
  send(res, exchange, status, JSON.stringify(body), { 'Content-Type': 'application/json', ...headers })
}

export function sendApiError(res: ServerResponse, exchange: Exchange, error: ApiError, headers?: OutgoingHttpHeaders): void {
  sendJson(res, exchange, error.status, error.body, headers)
}

/** Reports an unexpected failure as 500 / 5001 without leaking internals to the client. */
export function sendInternalError(res: ServerResponse, exchange: Exchange, error: unknown): void {
  console.error('[emulator] internal error:', error instanceof Error ? error.message : error)
  if (res.headersSent) {
    res.destroy()
    return
  }
  sendApiError(res, exchange, apiError(500, ErrorCode.internal, 'Internal server error'))
}
