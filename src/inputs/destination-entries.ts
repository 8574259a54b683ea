import { isPlainObject } from '../util/json.js'

/**
 * The objects of a `destinations` input, read leniently: for checks that run
 * before the inputs are validated (masking keys, refusing keys on a command
 * line). Malformed input gives no entries; parseConfig explains it.
 */
export function lenientDestinationEntries(text: string | undefined): Array<Record<string, unknown>> {
  try {
    const parsed: unknown = JSON.parse(text ?? '')
    return Array.isArray(parsed) ? parsed.filter(isPlainObject) : []
  } catch {
    return []
  }
}
