/**
 * Records keyed by names that come from users or clusters (algorithms,
 * destinations, versions). A plain object inherits `constructor`, `toString`
 * and a `__proto__` setter, so such a name would read an inherited member or
 * replace the prototype instead of being a key: these helpers only ever see
 * and write own properties.
 */

export function hasEntry(record: object, key: string): boolean {
  return Object.hasOwn(record, key)
}

export function entryOf<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined
}

/** Sets `record[key]` as an own property, whatever the key (`__proto__` included). */
export function setEntry<T>(record: Record<string, T>, key: string, value: T): T {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true })
  return value
}

/** The entry under `key`, created with `create` when there is none of its own. */
export function ensureEntry<T>(record: Record<string, T>, key: string, create: () => T): T {
  return Object.hasOwn(record, key) ? record[key] : setEntry(record, key, create())
}
