import * as core from '@actions/core'
import type { PromotionConfig } from '../inputs/config.js'
import type { RunReport } from '../promote.js'
import { RESULT_COLUMNS, resultRows, statusCounts } from '../report/table.js'

/** Writes the job summary: one row per promotion, failures with their fixes, and the version map. */
export async function writeJobSummary(config: PromotionConfig, report: RunReport): Promise<void> {
  const title = config.dryRun ? 'Algorithmia promotion plan (dry run)' : 'Algorithmia promotion'
  const summary = core.summary
    .addHeading(title, 2)
    .addRaw(`From <code>${config.source.cluster.label}</code> (${config.source.algoOwner}): ${statusCounts(report.results)}.`, true)
    .addTable([RESULT_COLUMNS.map(column => ({ data: column, header: true })), ...resultRows(report.results)])
  const failures = report.results.filter(result => result.error)
  if (failures.length > 0) {
    summary.addHeading('Failures', 3).addList(failures.map(result => `<b>${result.algorithm}</b> → ${result.destination}: ${escapeHtml(result.error ?? '')}`))
  }
  const planned = report.results.filter(result => result.status === 'planned' && result.changes)
  for (const result of planned) {
    const { added, modified, deleted } = result.changes!
    summary.addDetails(`${result.algorithm} → ${result.destination}: ${added.length} added, ${modified.length} modified, ${deleted.length} deleted`, escapeHtml(
      [...added.map(f => `A ${f}`), ...modified.map(f => `M ${f}`), ...deleted.map(f => `D ${f}`)].join('\n')
    ).replaceAll('\n', '<br>'))
  }
  summary.addHeading('Version map', 3).addCodeBlock(JSON.stringify(report.versionMap, null, 2), 'json')
  await summary.write()
}

function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
}
