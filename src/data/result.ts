/** What promoting one collection to one destination did (or, in a dry run, would do). */
export interface CollectionResult {
  readonly collection: string
  /** The destination's label (its `name` with `destinations`). */
  readonly destination: string
  /** `created`: the destination collection was made; `updated`: files copied or pruned; `planned`: a dry run. */
  readonly status: 'created' | 'updated' | 'unchanged' | 'planned' | 'failed'
  readonly created: boolean
  readonly copied: number
  readonly skipped: number
  readonly pruned: number
  /** Bytes copied (in a dry run: that would be copied). */
  readonly bytes: number
  readonly copiedFiles: readonly { readonly file: string; readonly bytes: number; readonly reason: string }[]
  readonly prunedFiles: readonly string[]
  /** Files only the destination has, kept because `collections-prune` is off. */
  readonly keptFiles: readonly string[]
  readonly failed: readonly { readonly file: string; readonly reason: string }[]
  /** Why the whole collection failed (no such source collection, no access, …). */
  readonly error?: string
}
