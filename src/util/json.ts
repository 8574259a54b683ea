/** A JSON object: not null, not an array. The one check every reader of untrusted JSON uses. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A JSON value that should be text, or undefined when it is not. */
export function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}
