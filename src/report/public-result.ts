import type { PromotionResult } from '../promotion/result.js'

export type PublicResult = Omit<PromotionResult, 'changes' | 'newCommit' | 'destHeadVersion' | 'metadataDiff'>

/** A result as the `results` output (and the CLI's JSON) documents it: internal details stay out. */
export function publicResult({
  changes: _changes,
  newCommit: _newCommit,
  destHeadVersion: _destHeadVersion,
  metadataDiff: _metadataDiff,
  ...result
}: PromotionResult): PublicResult {
  return result
}
