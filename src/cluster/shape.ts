import { isPlainObject } from '../util/json.js'

/** Checks of answers whose shape this tool relies on: a surprise is reported with the cluster and the request. */
export class UnexpectedAnswerError extends Error {
  constructor(cluster: string, request: string, expected: string) {
    super(`${cluster}: ${request} answered an unexpected shape (expected ${expected})`)
    this.name = 'UnexpectedAnswerError'
  }
}

/** A JSON object; the one check lives in util/json.ts. */
export const isRecord = isPlainObject

export function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}
