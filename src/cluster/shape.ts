/** Checks of answers whose shape this tool relies on: a surprise is reported with the cluster and the request. */
export class UnexpectedAnswerError extends Error {
  constructor(cluster: string, request: string, expected: string) {
    super(`${cluster}: ${request} answered an unexpected shape (expected ${expected})`)
    this.name = 'UnexpectedAnswerError'
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}
