import { flattenRemoteText } from '../util/remote-text.js'
import { isTransientHttpStatus } from '../util/transient.js'

/** A non-2xx answer from a cluster's API, with the cluster and request it came from. */
export class ClusterApiError extends Error {
  /** The API's own message, already scrubbed of secrets, on one line and without control characters. */
  readonly apiMessage: string

  constructor(
    readonly cluster: string,
    readonly method: string,
    readonly path: string,
    readonly status: number,
    /** The API's numeric error code (1002, 2001, ...) when the body carried one. */
    readonly code: number | undefined,
    apiMessage: string,
    readonly retryAfterMs?: number
  ) {
    const flat = flattenRemoteText(apiMessage)
    super(`${cluster}: ${method} ${path} answered ${status}${code === undefined ? '' : ` (code ${code})`}: ${flat}`)
    this.apiMessage = flat
    this.name = 'ClusterApiError'
  }

  /** Worth retrying: see isTransientHttpStatus. */
  get transient(): boolean {
    return isTransientHttpStatus(this.status)
  }
}

/** The request never got an answer: refused, reset, timed out. */
export class ClusterUnreachableError extends Error {
  constructor(
    readonly cluster: string,
    readonly method: string,
    readonly path: string,
    readonly reason: string,
    /** A refused certificate or a failing proxy needs different advice than a cluster that is down. */
    readonly kind: 'certificate' | 'proxy' | 'network' = 'network'
  ) {
    super(`${cluster}: ${method} ${path} got no answer (${reason})`)
    this.name = 'ClusterUnreachableError'
  }
}

export const isNotFound = (error: unknown): error is ClusterApiError => error instanceof ClusterApiError && error.status === 404

export const ALGORITHM_NAME_TAKEN = 1002
export const VERSION_ALREADY_PUBLISHED = 1007

/**
 * A cluster answered, but not with something this tool can use: an answer of
 * the wrong shape, a value that is not what its field holds, an answer too
 * large to be real, or a redirect. Retrying would get the same answer.
 */
export class ClusterAnswerError extends Error {
  constructor(
    readonly cluster: string,
    readonly method: string,
    readonly path: string,
    /** What was wrong, already safe to print (remote values are quoted and flattened). */
    readonly problem: string
  ) {
    super(`${cluster}: ${method} ${path}: ${problem}`)
    this.name = 'ClusterAnswerError'
  }
}

/** The API answered with a redirect, which is never followed: the key would go with it. */
export class ClusterRedirectError extends ClusterAnswerError {
  constructor(cluster: string, method: string, path: string, status: number, location: string) {
    super(
      cluster,
      method,
      path,
      `answered ${status}, a redirect to ${location || 'an unnamed location'}; it was not followed, since the API key would go with it`
    )
    this.name = 'ClusterRedirectError'
  }
}
