import { Readable, pipeline } from 'node:stream'
import type { Response } from 'node-fetch'
import { ClusterAnswerError, ClusterApiError, ClusterRedirectError, ClusterUnreachableError } from './errors.js'
import { TransportError, proxyAnswerNote, transportFetch } from '../http/transport.js'
import { BodyLengthError, IdleTimer, discardBody, readCapped, sendable, touching } from '../http/body.js'
import { retryNotice, withRetry, type RetryAdvice, type RetryPolicy } from '../util/retry.js'
import type { Logger } from '../util/log.js'

export interface HttpRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  /** Path below `/v1`, already encoded. */
  readonly path: string
  readonly body?: unknown
  /**
   * Whether a lost answer may be retried blindly. Reads may; creating and
   * publishing may not, so their callers check the cluster's state first.
   */
  readonly idempotent?: boolean
  /** Told the number of each attempt before it is made (1 for the first). */
  readonly onAttempt?: (attempt: number) => void
}

/** A request whose body (upload) or answer (download) is streamed, never held whole. */
export interface StreamRequest {
  readonly method: 'GET' | 'PUT'
  /** Path below `/v1`, already encoded. */
  readonly path: string
  readonly body?: Readable
  /** Sent as Content-Length with `body`; a body of another length then fails rather than arriving short. */
  readonly size?: number
}

export interface StreamResponse {
  readonly status: number
  /** The answer's bytes, as they arrive. */
  readonly body: Readable
}

export interface ClusterHttpOptions {
  readonly cluster: string
  readonly apiUrl: string
  readonly apiKey: string
  readonly retry: RetryPolicy
  readonly logger: Logger
  readonly redact: (text: string) => string
}

/**
 * JSON over HTTP to one cluster's API: authentication, per-request timeout,
 * retries of transient failures, and errors that say which cluster answered.
 */
export class ClusterHttp {
  constructor(private readonly options: ClusterHttpOptions) {}

  async request<T>(request: HttpRequest): Promise<T> {
    const idempotent = request.idempotent ?? request.method !== 'POST'
    return withRetry(
      this.options.retry,
      {
        adviseOn: error => (idempotent ? adviseOn(error) : { retry: false }),
        onRetry: (error, attempt, delayMs) =>
          this.options.logger.info(retryNotice(this.withCluster((error as Error).message), attempt, delayMs, this.options.retry))
      },
      attempt => {
        request.onAttempt?.(attempt)
        return this.once<T>(request)
      }
    )
  }

  /** Our errors already start with the cluster (`127.0.0.1:36871: GET …`); others get it once. */
  private withCluster(message: string): string {
    const prefix = `${this.options.cluster}: `
    return message.startsWith(prefix) ? message : prefix + message
  }

  private get timeoutMs(): number {
    return this.options.retry.attemptTimeoutMs
  }

  /**
   * One streamed exchange, not retried: a body cannot be replayed, so the
   * caller restarts the whole transfer. The request timeout applies to each
   * silence (no byte moving either way), not to the transfer as a whole.
   * node-fetch writes a stream body through node:http, which waits while the
   * socket is full, so a large file never piles up in memory.
   */
  async stream(request: StreamRequest): Promise<StreamResponse> {
    const idle = new IdleTimer(this.timeoutMs)
    let lengthError: BodyLengthError | undefined
    const upload =
      request.body &&
      sendable(
        request.body,
        request.size,
        () => idle.touch(),
        error => (lengthError = error)
      )
    const headers = {
      ...(upload ? { 'Content-Type': 'application/octet-stream' } : {}),
      ...(request.size === undefined ? {} : { 'Content-Length': String(request.size) })
    }
    let response: Response
    try {
      response = await this.send(request, { headers, body: upload, signal: idle.signal })
    } catch (error) {
      idle.stop()
      upload?.destroy()
      // The body's own length check stopped it: that, not the connection it broke, is what went wrong.
      throw lengthError ?? error
    }
    if (!response.ok) {
      const text = this.options.redact((await readCapped(response, MAX_ANSWER_BYTES).catch(() => '')) ?? '')
      idle.stop()
      throw this.apiError(request, response, text, `${this.options.apiUrl}/v1${request.path}`)
    }
    const body = touching(() => idle.touch())
    pipeline(response.body ?? Readable.from([]), body, () => idle.stop())
    return { status: response.status, body }
  }

  private async once<T>(request: HttpRequest): Promise<T> {
    const { cluster, apiUrl, logger } = this.options
    const started = Date.now()
    const headers = { Accept: 'application/json', ...(request.body === undefined ? {} : { 'Content-Type': 'application/json' }) }
    const body = request.body === undefined ? undefined : JSON.stringify(request.body)
    // The signal covers reading the body too: a cluster that stalls half-way through an answer times out as well.
    const response = await this.send(request, { headers, body, signal: AbortSignal.timeout(this.timeoutMs) }, reason =>
      logger.debug(`${cluster}: ${request.method} ${request.path}: no answer after ${Date.now() - started} ms (${reason})`)
    )
    logger.debug(`${cluster}: ${request.method} ${request.path}: ${response.status} after ${Date.now() - started} ms`)
    // Scrubbed before anything else reads it: a cluster or proxy may echo the request, Authorization header included,
    // and a key cut in half by a later excerpt could no longer be recognised.
    const text = this.options.redact(await this.readBody(response, request))
    if (!response.ok) throw this.apiError(request, response, text, `${apiUrl}/v1${request.path}`)
    if (response.status === 204 || text.length === 0) return undefined as T
    try {
      return JSON.parse(text) as T
    } catch {
      throw new ClusterApiError(
        cluster,
        request.method,
        request.path,
        response.status,
        undefined,
        `the answer is not JSON: ${excerpt(text)}`
      )
    }
  }

  /**
   * One exchange with the cluster, signed with the key: its answer, unless there was none
   * (`onNoAnswer` hears why first) or it was a redirect, which is never followed: it would take
   * the Authorization header (the key) to wherever it points.
   */
  private async send(
    request: Pick<HttpRequest, 'method' | 'path'>,
    init: { headers: Record<string, string>; body?: string | Readable; signal: AbortSignal },
    onNoAnswer?: (reason: string) => void
  ): Promise<Response> {
    const { cluster, apiUrl, apiKey } = this.options
    let response: Response
    try {
      response = await transportFetch(`${apiUrl}/v1${request.path}`, {
        method: request.method,
        headers: { Authorization: `Simple ${apiKey}`, ...init.headers },
        body: init.body,
        signal: init.signal,
        redirect: 'manual'
      })
    } catch (error) {
      const reason = this.options.redact(describeFetchFailure(error, this.timeoutMs))
      onNoAnswer?.(reason)
      throw new ClusterUnreachableError(cluster, request.method, request.path, reason, transportKind(error))
    }
    if (response.status >= 300 && response.status < 400) {
      discardBody(response)
      throw new ClusterRedirectError(cluster, request.method, request.path, response.status, redirectTarget(response, apiUrl))
    }
    return response
  }

  private async readBody(response: Response, request: HttpRequest): Promise<string> {
    try {
      const body = await readCapped(response, MAX_ANSWER_BYTES)
      if (body === undefined) {
        throw new ClusterAnswerError(
          this.options.cluster,
          request.method,
          request.path,
          `the answer is larger than ${MAX_ANSWER_BYTES / 1024 / 1024} MiB, far more than any API answer holds, so it was cut off. Check that the API URL points at the cluster's API.`
        )
      }
      return body
    } catch (error) {
      if (error instanceof ClusterAnswerError) throw error
      const reason = `the answer was cut off: ${describeFetchFailure(error, this.timeoutMs)}`
      throw new ClusterUnreachableError(this.options.cluster, request.method, request.path, this.options.redact(reason))
    }
  }

  private apiError(request: Pick<HttpRequest, 'method' | 'path'>, response: Response, text: string, url: string): ClusterApiError {
    const { code, message } = parseErrorBody(text)
    const note = proxyAnswerNote(url, response.status)
    return new ClusterApiError(
      this.options.cluster,
      request.method,
      request.path,
      response.status,
      code,
      this.options.redact(message || response.statusText || 'no message') + note,
      parseRetryAfter(response.headers.get('retry-after'))
    )
  }
}

/** Far above any real answer (a build log is the largest), far below what would exhaust the runner's memory. */
const MAX_ANSWER_BYTES = 32 * 1024 * 1024

/** Where a redirect points, as an origin only (a path or query could carry anything). */
function redirectTarget(response: Response, base: string): string {
  const location = response.headers.get('location')
  if (!location) return ''
  try {
    return new URL(location, base).origin
  } catch {
    return 'an address that is not a URL'
  }
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat
}

function adviseOn(error: unknown): RetryAdvice {
  // A refused certificate is refused again on every attempt.
  if (error instanceof ClusterUnreachableError) return { retry: error.kind !== 'certificate' }
  if (error instanceof ClusterApiError && error.transient) return { retry: true, afterMs: error.retryAfterMs }
  return { retry: false }
}

/** Error bodies are `{"error":{"code","message"}}`, except "No such algorithm", which is a bare string. */
export function parseErrorBody(text: string): { code?: number; message: string } {
  try {
    const body = JSON.parse(text) as { error?: unknown; message?: unknown }
    if (typeof body.error === 'string') return { message: body.error }
    if (body.error && typeof body.error === 'object') {
      const { code, message } = body.error as { code?: unknown; message?: unknown }
      return {
        code: typeof code === 'number' ? code : undefined,
        message: typeof message === 'string' ? message : JSON.stringify(body.error)
      }
    }
    if (typeof body.message === 'string') return { message: body.message }
  } catch {
    // Not JSON: a proxy's HTML page, say. Keep a short excerpt.
  }
  return { message: excerpt(text) }
}

/** `Retry-After` is either delay-seconds or an HTTP date. */
export function parseRetryAfter(header: string | null, now: number = Date.now()): number | undefined {
  if (!header) return undefined
  if (/^\d+(\.\d+)?$/.test(header.trim())) return Math.ceil(Number(header) * 1000)
  const date = Date.parse(header)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/** The per-request signal is the only one, so an abort is always the time limit. */
function describeFetchFailure(error: unknown, timeoutMs: number): string {
  if (!(error instanceof Error)) return String(error)
  const cause = (error as { cause?: { name?: string; code?: string; message?: string } }).cause
  if (error.name === 'AbortError' || error.name === 'TimeoutError' || cause?.name === 'TimeoutError') {
    return `timed out after ${formatSeconds(timeoutMs)}`
  }
  if (error instanceof TransportError) return error.message
  return cause?.code ?? cause?.message ?? error.message
}

function transportKind(error: unknown): ClusterUnreachableError['kind'] {
  return error instanceof TransportError ? error.kind : 'network'
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(ms < 1000 ? 2 : 1))} s`
}
