import type { CollectionResult } from '../data/result.js'
import type { PromotionResult } from '../promotion/result.js'
import type { VersionMapOutput } from './version-map.js'

/** Everything a run reports, whichever front end (action or command line) shows it. */
export interface RunReport {
  readonly results: readonly PromotionResult[]
  readonly versionMap: VersionMapOutput
  /** At least one destination got (or, in a dry run, would get) a new commit. */
  readonly changed: boolean
  readonly failed: number
  /** One per collection and destination; empty without the `collections` input. */
  readonly collections?: readonly CollectionResult[]
  /** Collections whose promotion failed (wholly or for some files). */
  readonly failedCollections?: number
  /** `version-map-file` was written in this run. */
  readonly versionMapWritten: boolean
}
