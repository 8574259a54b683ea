/** A non-2xx answer from a cluster's API, with the cluster and request it came from. */
export class ClusterApiError extends Error {
  constructor(
    readonly cluster: string,
    readonly method: string,
    readonly path: string,
    readonly status: number,
    /** The API's numeric error code (1002, 2001, ...) when the body carried one. */
    readonly code: number | undefined,
    /** The API's own message, already scrubbed of secrets. */
    readonly apiMessage: string,
    readonly retryAfterMs?: number
  ) {
    super(`${cluster}: ${method} ${path} answered ${status}${code === undefined ? '' : ` (code ${code})`}: ${apiMessage}`)
    this.name = 'ClusterApiError'
  }

  /** Worth retrying: timeouts, rate limits and server errors (not 501/505, which a retry cannot fix). */
  get transient(): boolean {
    return this.status === 408 || this.status === 429 || (this.status >= 500 && this.status !== 501 && this.status !== 505)
  }
}

/** The request never got an answer: refused, reset, timed out. */
export class ClusterUnreachableError extends Error {
  constructor(
    readonly cluster: string,
    readonly method: string,
    readonly path: string,
    readonly reason: string
  ) {
    super(`${cluster}: ${method} ${path} got no answer (${reason})`)
    this.name = 'ClusterUnreachableError'
  }
}

export const isNotFound = (error: unknown): error is ClusterApiError => error instanceof ClusterApiError && error.status === 404

export const ALGORITHM_NAME_TAKEN = 1002
export const VERSION_ALREADY_PUBLISHED = 1007
