import type { PromotionResult } from '../promotion/result.js'

export type PublicResult = Omit<PromotionResult, 'changes' | 'newCommit' | 'destHeadVersion' | 'metadataDiff'>

/**
 * A result as the `results` output (and the CLI's JSON) documents it: internal details stay out.
 * `destVersion` is the destination's version of `destCommit`: the one published in this run, or for an
 * unchanged destination the one its head already carries (as the version map says).
 */
export function publicResult({
  changes: _changes,
  newCommit: _newCommit,
  destHeadVersion,
  metadataDiff: _metadataDiff,
  ...result
}: PromotionResult): PublicResult {
  if (result.status !== 'unchanged' || result.destVersion || !destHeadVersion) return result
  return { ...result, destVersion: destHeadVersion }
}
