import { ClusterApiError, ClusterUnreachableError } from './errors.js'
import { withRetry, type RetryAdvice, type RetryPolicy } from '../util/retry.js'
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
}

export interface ClusterHttpOptions {
  readonly cluster: string
  readonly apiUrl: string
  readonly apiKey: string
  readonly retry: RetryPolicy
  readonly logger: Logger
  readonly redact: (text: string) => string
  readonly requestTimeoutMs?: number
}

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000

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
          this.options.logger.info(`${this.options.cluster}: ${(error as Error).message}; retrying in ${(delayMs / 1000).toFixed(1)} s (attempt ${attempt + 1} of ${this.options.retry.maxAttempts})`)
      },
      () => this.once<T>(request)
    )
  }

  private async once<T>(request: HttpRequest): Promise<T> {
    const { cluster, apiUrl, apiKey } = this.options
    let response: Response
    try {
      response = await fetch(`${apiUrl}/v1${request.path}`, {
        method: request.method,
        headers: {
          Authorization: `Simple ${apiKey}`,
          Accept: 'application/json',
          ...(request.body === undefined ? {} : { 'Content-Type': 'application/json' })
        },
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS)
      })
    } catch (error) {
      throw new ClusterUnreachableError(cluster, request.method, request.path, this.options.redact(describeFetchFailure(error)))
    }
    const text = await readBody(response, cluster, request)
    if (!response.ok) throw this.apiError(request, response, text)
    if (response.status === 204 || text.length === 0) return undefined as T
    try {
      return JSON.parse(text) as T
    } catch {
      throw new ClusterApiError(cluster, request.method, request.path, response.status, undefined, `the answer is not JSON: ${this.options.redact(text.slice(0, 200))}`)
    }
  }

  private apiError(request: HttpRequest, response: Response, text: string): ClusterApiError {
    const { code, message } = parseErrorBody(text)
    return new ClusterApiError(
      this.options.cluster,
      request.method,
      request.path,
      response.status,
      code,
      this.options.redact(message || response.statusText || 'no message'),
      parseRetryAfter(response.headers.get('retry-after'))
    )
  }
}

async function readBody(response: Response, cluster: string, request: HttpRequest): Promise<string> {
  try {
    return await response.text()
  } catch (error) {
    throw new ClusterUnreachableError(cluster, request.method, request.path, `the answer was cut off: ${describeFetchFailure(error)}`)
  }
}

function adviseOn(error: unknown): RetryAdvice {
  if (error instanceof ClusterUnreachableError) return { retry: true }
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
      return { code: typeof code === 'number' ? code : undefined, message: typeof message === 'string' ? message : JSON.stringify(body.error) }
    }
    if (typeof body.message === 'string') return { message: body.message }
  } catch {
    // Not JSON: a proxy's HTML page, say. Keep a short excerpt.
  }
  return { message: text.replace(/\s+/g, ' ').trim().slice(0, 200) }
}

/** `Retry-After` is either delay-seconds or an HTTP date. */
export function parseRetryAfter(header: string | null, now: number = Date.now()): number | undefined {
  if (!header) return undefined
  if (/^\d+(\.\d+)?$/.test(header.trim())) return Math.ceil(Number(header) * 1000)
  const date = Date.parse(header)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

function describeFetchFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  if (error.name === 'TimeoutError') return 'timed out'
  const cause = (error as { cause?: { code?: string; message?: string } }).cause
  return cause?.code ?? cause?.message ?? error.message
}
