import type { PromotionConfig } from '../core/config.js'
import type { CollectionResult } from '../data/result.js'
import type { SyncOutcome } from './code-sync.js'
import { PromotionError } from './failure.js'

/** What the code sync found about a target, as far as deciding to publish goes. */
export interface CodeState {
  readonly sync: SyncOutcome
  /** An unchanged destination whose head is known to have no published version (not merely unknown). */
  readonly headUnpublished: boolean
}

/**
 * Publishing is asked for (and this is no dry run), and there is a commit to
 * publish: one pushed in this run, or an unchanged head known to have no
 * published version, which an earlier run left behind when it stopped during
 * the build or its build failed for a passing reason.
 */
export function needsPublishing(code: CodeState, config: PromotionConfig): boolean {
  return config.publish && !config.dryRun && (code.sync.kind === 'pushed' || code.headUnpublished)
}

/** A version published now would read files that never arrived: the code stays pushed, the next run publishes. */
export function refusePublishingWithoutData(results: readonly CollectionResult[], owner: string): void {
  const failed = results.filter(result => result.status === 'failed').map(result => `data://${owner}/${result.collection}`)
  if (failed.length === 0) return
  throw new PromotionError(
    `not published: ${failed.join(', ')} ${failed.length === 1 ? 'was' : 'were'} not fully promoted (see the data collections' log group), and a version published now would not find its data. The code is pushed; fix what the collections report and run again, which publishes it.`
  )
}
