import type * as core from '@actions/core'
import type { PromotionConfig } from '../core/config.js'
import type { PromotionResult, VersionResult } from '../promotion/result.js'
import { escapeHtml } from '../report/html.js'

/** Rows shown at most; the `results` output has every version. */
const HISTORY_ROWS_MAX = 500

const STATUS_TEXT: Readonly<Record<VersionResult['status'], string>> = {
  published: 'published',
  present: 'already there',
  planned: 'would be published'
}

/**
 * With `source-versions`: every selected source version, each destination's
 * number for it, and whether the number is the source's (a caller pinned to
 * the source's number finds it only then).
 */
export function addVersionHistory(summary: typeof core.summary, config: PromotionConfig, results: readonly PromotionResult[]): void {
  const rows = results.flatMap(result => (result.versions ?? []).map(version => historyRow(result, version)))
  if (rows.length === 0) return
  const header = ['Algorithm', 'Destination', 'Source version', 'Destination version', 'Same number', 'Status']
  summary
    .addHeading(config.dryRun ? 'Version history (what would be published)' : 'Version history', 3)
    .addTable([header.map(data => ({ data, header: true })), ...rows.slice(0, HISTORY_ROWS_MAX)])
  const left = rows.length - HISTORY_ROWS_MAX
  if (left > 0) summary.addRaw(`<p><i>${left} more versions; the <code>results</code> output lists them.</i></p>`, true)
}

function historyRow(result: PromotionResult, version: VersionResult): string[] {
  return [
    result.algorithm,
    result.destination,
    version.sourceVersion,
    version.destVersion,
    version.matched ? 'yes' : 'no',
    STATUS_TEXT[version.status]
  ].map(escapeHtml)
}
