/**
 * Bounded retries with exponential backoff and full jitter.
 *
 * One job: decide whether and when to try again. Callers classify their own
 * errors (through `adviseOn`) so this module stays ignorant of HTTP and git.
 */
export interface RetryPolicy {
  /** Total attempts, the first included. */
  readonly maxAttempts: number
  /** Delay before the first retry, in milliseconds; doubles each time. */
  readonly baseDelayMs: number
  /** Upper bound for one wait, in milliseconds. */
  readonly maxDelayMs: number
  /** Upper bound for all waits together, in milliseconds. */
  readonly maxTotalDelayMs: number
  /** How long one attempt (one API request) may take before it is abandoned and counts as a transient failure. */
  readonly attemptTimeoutMs: number
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  maxTotalDelayMs: 120_000,
  attemptTimeoutMs: 30_000
}

/** The one wording of a retry in the log, for API requests and git transfers alike. */
export function retryNotice(failure: string, attempt: number, delayMs: number, policy: RetryPolicy): string {
  return `${failure}; retrying in ${(delayMs / 1000).toFixed(1)} s (attempt ${attempt + 1} of ${policy.maxAttempts})`
}

/** What a failed attempt tells the retry loop. */
export type RetryAdvice =
  | { readonly retry: false }
  /** `afterMs` overrides the backoff, e.g. from a `Retry-After` header. */
  | { readonly retry: true; readonly afterMs?: number }

export interface RetryHooks {
  /** Classifies an error; errors not retried are rethrown at once. */
  readonly adviseOn: (error: unknown) => RetryAdvice
  /** Called before each wait, for logging. */
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void
  readonly sleep?: (ms: number) => Promise<void>
  readonly random?: () => number
}

export const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

export function backoffDelay(policy: RetryPolicy, retryNumber: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retryNumber - 1))
  // Equal jitter (half fixed, half random): concurrent runs that failed together do not retry together.
  return Math.round(ceiling / 2 + (random() * ceiling) / 2)
}

export async function withRetry<T>(policy: RetryPolicy, hooks: RetryHooks, attempt: (attemptNumber: number) => Promise<T>): Promise<T> {
  const wait = hooks.sleep ?? sleep
  let waitedMs = 0
  for (let attemptNumber = 1; ; attemptNumber++) {
    try {
      return await attempt(attemptNumber)
    } catch (error) {
      const advice = hooks.adviseOn(error)
      if (!advice.retry || attemptNumber >= policy.maxAttempts) throw error
      const delayMs = Math.min(advice.afterMs ?? backoffDelay(policy, attemptNumber, hooks.random), policy.maxDelayMs)
      if (waitedMs + delayMs > policy.maxTotalDelayMs) throw error
      hooks.onRetry?.(error, attemptNumber, delayMs)
      await wait(delayMs)
      waitedMs += delayMs
    }
  }
}
