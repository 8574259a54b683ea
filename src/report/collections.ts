import type { CollectionResult } from '../data/result.js'
import { formatBytes } from '../promotion/collections-phase.js'

/** Lists of files in outputs and summaries stop here; the counts stay exact. */
export const FILES_LISTED = 100

/** How much of each collection result the `collections` output shows. */
export interface CollectionDetail {
  /** Files listed per list. */
  readonly files: number
  /** Characters of each failure reason and error. */
  readonly reasonChars: number
}

/** Lists of FILES_LISTED, reasons of a thousand characters: what the output shows when it fits. */
export const FULL_DETAIL: CollectionDetail = { files: FILES_LISTED, reasonChars: 1000 }

/** A collection result as the `collections` output shows it: file lists and reasons capped, counts exact. */
export function publicCollection(result: CollectionResult, detail: CollectionDetail = FULL_DETAIL): CollectionResult {
  const capped = (text: string): string =>
    text.length <= detail.reasonChars ? text : `${text.slice(0, detail.reasonChars)}… (shortened; the log has it whole)`
  return {
    ...result,
    copiedFiles: result.copiedFiles.slice(0, detail.files),
    prunedFiles: result.prunedFiles.slice(0, detail.files),
    keptFiles: result.keptFiles.slice(0, detail.files),
    failed: result.failed.slice(0, detail.files).map(failure => ({ ...failure, reason: capped(failure.reason) })),
    ...(result.error === undefined ? {} : { error: capped(result.error) })
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
