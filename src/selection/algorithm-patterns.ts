/**
 * Algorithm names and glob patterns (`*` any run of characters, `?` one
 * character), matched against an owner's algorithm names. Names are
 * case-sensitive on Algorithmia, and so is matching.
 */
import type { AlgorithmSelection } from '../core/config.js'

/** Letters, digits, underscores and the two wildcards; a pattern has at least one wildcard. */
const PATTERN_SHAPE = /^[a-zA-Z0-9_*?]+$/

export function isPattern(text: string): boolean {
  return /[*?]/.test(text)
}

/** True when the text is a usable pattern: only name characters and wildcards. */
export function isWellFormedPattern(text: string): boolean {
  return isPattern(text) && PATTERN_SHAPE.test(text)
}

/** The owner's list is needed only when something must be matched against it. */
export function needsListing(selection: AlgorithmSelection): boolean {
  return selection.include.some(isPattern) || selection.exclude.some(isPattern)
}

/**
 * Glob matching in time proportional to the pattern's length times the name's at worst: on a
 * mismatch only the most recent `*` takes one more character, never every earlier one again
 * (a regular expression of `.*` runs backtracks exponentially on `*a*a*a*…b`).
 */
export function matches(pattern: string, name: string): boolean {
  if (!isPattern(pattern)) return pattern === name
  let p = 0
  let n = 0
  let star = -1
  let resume = 0
  while (n < name.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === name[n])) {
      p++
      n++
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++
      resume = n
    } else if (star >= 0) {
      p = star + 1
      n = ++resume
    } else {
      return false
    }
  }
  while (pattern[p] === '*') p++
  return p === pattern.length
}

export interface Expansion {
  /** The selected names, in the order the patterns were given, each once. */
  readonly names: readonly string[]
  /** Patterns (in `include` or `exclude`) that match none of the available names. */
  readonly unmatched: { readonly input: 'algorithms' | 'exclude-algorithms'; readonly pattern: string }[]
}

/**
 * Expands `selection` against `available` (the owner's names). Plain names are
 * kept as given even when absent from the list, so a missing algorithm is
 * reported where it is promoted; a pattern or an exclusion must match something.
 */
export function expandSelection(selection: AlgorithmSelection, available: readonly string[]): Expansion {
  const sorted = [...available].sort()
  const unmatched: Expansion['unmatched'] = []
  const chosen: string[] = []
  for (const entry of selection.include) {
    const found = isPattern(entry) ? sorted.filter(name => matches(entry, name)) : [entry]
    if (found.length === 0) unmatched.push({ input: 'algorithms', pattern: entry })
    for (const name of found) if (!chosen.includes(name)) chosen.push(name)
  }
  for (const entry of selection.exclude) {
    const universe = isPattern(entry) ? sorted : [...sorted, ...chosen]
    if (!universe.some(name => matches(entry, name))) unmatched.push({ input: 'exclude-algorithms', pattern: entry })
  }
  const names = chosen.filter(name => !selection.exclude.some(pattern => matches(pattern, name)))
  return { names, unmatched }
}

/** A few of the owner's names for an error message, so a typo is easy to see. */
export function sampleNames(available: readonly string[], count = 5): string {
  if (available.length === 0) return 'it has no algorithms'
  const sorted = [...available].sort()
  const shown = sorted.slice(0, count).join(', ')
  return sorted.length > count ? `it has ${shown}, … (${sorted.length} in all)` : `it has ${shown}`
}
