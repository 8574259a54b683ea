/**
 * Whether an HTTP status is worth another attempt: timeouts, rate limits and
 * server errors, but not 501/505, which a retry cannot fix. The one rule for
 * both the cluster API and git's HTTP transfers.
 */
export function isTransientHttpStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 505)
}
