import { type InputContext, quoteUnlessSecretLike } from './reader.js'
import type { CollectionsOptions } from '../core/config.js'
import { OWNER_MAX_LENGTH, OWNER_PATTERN } from '../core/rules.js'

/** Which source collections to promote: named ones, or those the promoted code references. */

/** Reads `collections` and `collections-prune`; problems go to the context, never thrown. */
export function collectionsOptions(inputs: InputContext): CollectionsOptions {
  const prune = inputs.boolean('collections-prune')
  const problems = { push: (problem: { input: string; message: string }) => inputs.problem(problem.input, problem.message) }
  const names = inputs.list('collections')
  if (names.length === 0) {
    if (prune) problems.push({ input: 'collections-prune', message: "needs 'collections': name the collections to promote, or 'auto'" })
    return { selection: { kind: 'none' }, prune }
  }
  if (names.some(name => name.toLowerCase() === 'auto')) {
    if (names.length > 1) {
      problems.push({ input: 'collections', message: "'auto' stands alone: give either 'auto' or a list of collection names" })
    }
    return { selection: { kind: 'auto' }, prune }
  }
  const seen = new Set<string>()
  for (const name of names) {
    if (name.startsWith('data://')) {
      problems.push({
        input: 'collections',
        message: `${quoteUnlessSecretLike(name)} is an address: give the collection's name only (collections of 'source-algo-owner' are promoted to the same names under the destination owner)`
      })
    } else if (!OWNER_PATTERN.test(name) || name.length > OWNER_MAX_LENGTH) {
      problems.push({
        input: 'collections',
        message: `${quoteUnlessSecretLike(name)} is not a valid collection name: use a letter followed by letters, digits or underscores, at most ${OWNER_MAX_LENGTH} characters`
      })
    } else if (seen.has(name)) {
      problems.push({ input: 'collections', message: `${quoteUnlessSecretLike(name)} is listed twice: list each collection once` })
    }
    seen.add(name)
  }
  return { selection: { kind: 'named', names }, prune }
}
