import type { PromotionConfig } from '../core/config.js'
import type { SyncOutcome } from './code-sync.js'

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
