import type { CollectionResult } from '../data/result.js'
import { formatBytes } from '../promotion/collections-phase.js'

/** Lists of files in outputs and summaries stop here; the counts stay exact. */
export const FILES_LISTED = 100

/** A collection result as the `collections` output shows it: file lists capped, counts exact. */
export function publicCollection(result: CollectionResult): CollectionResult {
  return {
    ...result,
    copiedFiles: result.copiedFiles.slice(0, FILES_LISTED),
    prunedFiles: result.prunedFiles.slice(0, FILES_LISTED),
    keptFiles: result.keptFiles.slice(0, FILES_LISTED)
  }
}

export const COLLECTION_COLUMNS = ['collection', 'destination', 'status', 'copied', 'bytes', 'unchanged', 'pruned', 'kept', 'failed']

export function collectionRows(results: readonly CollectionResult[]): string[][] {
  return results.map(result => [
    result.collection,
    result.destination,
    result.status,
    String(result.copied),
    formatBytes(result.bytes),
    String(result.skipped),
    String(result.pruned),
    String(result.keptFiles.length),
    result.error ? `${result.failed.length} files; ${result.error}` : String(result.failed.length)
  ])
}
