import * as core from '@actions/core'
import type { PromotionConfig } from '../inputs/config.js'
import type { RunReport } from '../promote.js'
import type { PromotionResult } from '../promotion/result.js'
import { cappedFileList, FILES_PER_LIST } from '../report/file-list.js'
import { escapeHtml } from '../report/html.js'
import { RESULT_COLUMNS, resultRows, statusCounts } from '../report/table.js'

/**
 * GitHub drops a step summary over 1 MiB (it shows an error instead); the
 * file lists stop well below that, so the table and version map always show.
 */
export const SUMMARY_BUDGET_BYTES = 900 * 1024

type Summary = typeof core.summary

/** Writes the job summary: one row per promotion, failures with their fixes, the planned file changes, and the version map. */
export async function writeJobSummary(config: PromotionConfig, report: RunReport): Promise<void> {
  const summary = core.summary
  addOverview(summary, config, report.results)
  addFailures(summary, report.results)
  // The version map comes last but must fit: the file lists get what it leaves of the budget.
  const versionMap = escapeHtml(JSON.stringify(report.versionMap, null, 2))
  const budget = SUMMARY_BUDGET_BYTES - Buffer.byteLength(versionMap) - Buffer.byteLength(summary.stringify())
  for (const section of fileListSections(report.results, budget)) summary.addRaw(section, true)
  summary.addHeading('Version map', 3).addCodeBlock(versionMap, 'json')
  await summary.write()
}

function addOverview(summary: Summary, config: PromotionConfig, results: readonly PromotionResult[]): void {
  const title = config.dryRun ? 'Algorithmia promotion plan (dry run)' : 'Algorithmia promotion'
  const source = `From <code>${escapeHtml(config.source.cluster.label)}</code> (${escapeHtml(config.source.algoOwner)})`
  const rows = resultRows(results).map(row => row.map(escapeHtml))
  summary
    .addHeading(title, 2)
    .addRaw(`${source}: ${statusCounts(results)}.`, true)
    .addTable([RESULT_COLUMNS.map(column => ({ data: column, header: true })), ...rows])
}

function addFailures(summary: Summary, results: readonly PromotionResult[]): void {
  const failures = results.filter(result => result.error)
  if (failures.length === 0) return
  summary
    .addHeading('Failures', 3)
    .addList(
      failures.map(
        result => `<b>${escapeHtml(result.algorithm)}</b> → ${escapeHtml(result.destination)}: ${escapeHtml(result.error ?? '')}`
      )
    )
}

/**
 * A `<details>` section per planned promotion with its file changes (at most
 * FILES_PER_LIST per kind), as many as fit in `budgetBytes`; then a line
 * saying how many were left out.
 */
export function fileListSections(results: readonly PromotionResult[], budgetBytes: number): string[] {
  const planned = results.filter(result => result.status === 'planned' && result.changes)
  const sections: string[] = []
  let left = budgetBytes - Buffer.byteLength(leftOutNote(planned.length))
  for (const result of planned) {
    const section = fileListSection(result)
    left -= Buffer.byteLength(section) + 1
    if (left < 0) return [...sections, leftOutNote(planned.length - sections.length)]
    sections.push(section)
  }
  return sections
}

function fileListSection(result: PromotionResult): string {
  const { added, modified, deleted } = result.changes!
  const label = `${escapeHtml(result.algorithm)} → ${escapeHtml(result.destination)}: ${added.length} added, ${modified.length} modified, ${deleted.length} deleted`
  const lines = [
    ...cappedFileList(added, FILES_PER_LIST, file => `A ${file}`),
    ...cappedFileList(modified, FILES_PER_LIST, file => `M ${file}`),
    ...cappedFileList(deleted, FILES_PER_LIST, file => `D ${file}`)
  ]
  return `<details><summary>${label}</summary>${lines.map(escapeHtml).join('<br>')}</details>`
}

function leftOutNote(count: number): string {
  return `<p><i>The file lists of ${count} more planned promotion${count === 1 ? '' : 's'} are left out: GitHub drops a job summary over 1 MiB.</i></p>`
}
