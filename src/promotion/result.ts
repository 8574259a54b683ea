import type { FileChanges } from '../git/object-store.js'

export type PromotionStatus = 'created' | 'updated' | 'unchanged' | 'planned' | 'failed'

/** Where a promotion stood when it failed; named in error messages and reports. */
export type PromotionStep =
  'resolve source' | 'prepare destination' | 'sync metadata' | 'sync code' | 'check dependencies' | 'build' | 'smoke test' | 'publish'

/** The outcome of promoting one algorithm to one destination: the `results` output's items. */
export interface PromotionResult {
  readonly algorithm: string
  /** The destination cluster's label; distinguishes results when there are several destinations. */
  readonly destination: string
  readonly status: PromotionStatus
  readonly sourceCommit: string
  /** The source's published version at `sourceCommit`, or '' if that commit was never published. */
  readonly sourceVersion: string
  /** The destination's head after the run ('' if unknown, e.g. a planned creation). */
  readonly destCommit: string
  /** The version published in this run, or ''. */
  readonly destVersion: string
  /** For an unchanged destination: the version its head was published as in an earlier run, or ''. */
  readonly destHeadVersion?: string
  readonly error?: string
  readonly failedStep?: PromotionStep
  /** The destination got (or, in a dry run, would get) a new commit — also when a later build or publish failed. */
  readonly newCommit: boolean
  /** Files the promotion changes (or would change, in a dry run). */
  readonly changes?: FileChanges
  /** With `metadata: sync`: the fields updated (or, in a dry run, to be updated), e.g. `settings.license`. */
  readonly metadataChanges?: readonly string[]
  /** The same fields with their old and new values, for the plan and the log. */
  readonly metadataDiff?: readonly string[]
  /**
   * With `source-versions`: every selected source version and its destination version, oldest first —
   * found present, published in this run, or (dry run, plan) to be published.
   */
  readonly versions?: readonly VersionResult[]
  /** The algorithms the promoted code calls, as checked at this destination (when `dependencies` read them). */
  readonly references?: readonly ReferenceResult[]
  /** Calls whose target is built at run time: found, never checked. */
  readonly dynamicCalls?: number
  /** With `dependencies: promote`: why the run took an algorithm that was not named (`called by A as B 1.*`). */
  readonly addedBecause?: string
}

/** One source version of a replayed history at one destination. */
export interface VersionResult {
  readonly sourceVersion: string
  readonly sourceCommit: string
  readonly destVersion: string
  readonly destCommit: string
  /** The destination number is the source's. */
  readonly matched: boolean
  readonly status: 'published' | 'present' | 'planned'
}

/** One algorithm reference of the promoted code at one destination. */
export interface ReferenceResult {
  /** `owner/name/1.*`, or `owner/name` for the latest version. */
  readonly address: string
  readonly status: 'satisfied' | 'unmet'
  readonly reason?: string
  /** The call names the source owner while the destination owner differs (reported, never rewritten). */
  readonly namesSourceOwner?: boolean
}
