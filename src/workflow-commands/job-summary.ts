import type { FileChanges } from '../git/object-store.js'
import * as core from '@actions/core'
import type { PromotionConfig } from '../core/config.js'
import type { RunReport } from '../report/run-report.js'
import type { PromotionResult } from '../promotion/result.js'
import { COLLECTION_COLUMNS, collectionRows } from '../report/collections.js'
import type { CollectionResult } from '../data/result.js'
import { cappedFileList, FILES_PER_LIST } from '../report/file-list.js'
import { escapeHtml } from '../report/html.js'
import { addedAlgorithmLines, dependencyGraph, sourceOwnerLines, unmetReferenceLines } from '../report/dependencies.js'
import { RESULT_COLUMNS, resultRows, statusCounts } from '../report/table.js'
import { addVersionHistory } from './history-summary.js'

/**
 * GitHub drops a step summary over 1 MiB (it shows an error instead); the
 * file lists stop well below that, so the table and version map always show.
 */
export const SUMMARY_BUDGET_BYTES = 900 * 1024

/** The results table may take this share of the budget; the failures and the version map need room too. */
const TABLE_SHARE = 0.4
/** A version map larger than this is left to the `version-map` output. */
const VERSION_MAP_MAX_BYTES = 200 * 1024
/** Longest failure message shown whole in the summary; the log has each one in full. */
export const SUMMARY_ERROR_MAX_CHARS = 1000
/** Room kept for the notes that say what was left out. */
const NOTE_BYTES = 512
/** What the data collections' failure list may take of the summary. */
const COLLECTION_FAILURES_SHARE = 0.15

type Summary = typeof core.summary

/**
 * Writes the job summary: one row per promotion, failures with their fixes,
 * the planned file changes, and the version map; each part within its share
 * of the budget, with a note pointing to the full data (the outputs, the log)
 * for whatever did not fit.
 */
export async function writeJobSummary(config: PromotionConfig, report: RunReport): Promise<void> {
  const summary = core.summary
  const size = (): number => Buffer.byteLength(summary.stringify())
  addOverview(summary, config, report.results, SUMMARY_BUDGET_BYTES * TABLE_SHARE)
  addCollections(summary, config, report.collections ?? [])
  // The version map comes last but must fit: the failures and the file lists get what it leaves of the budget.
  const versionMap = escapeHtml(JSON.stringify(report.versionMap, null, 2))
  const versionMapFits = Buffer.byteLength(versionMap) <= VERSION_MAP_MAX_BYTES
  const versionMapBytes = (versionMapFits ? Buffer.byteLength(versionMap) : 0) + NOTE_BYTES
  addFailures(summary, report.results, SUMMARY_BUDGET_BYTES - versionMapBytes - size())
  addMetadataChanges(summary, config, report.results)
  addVersionHistory(summary, config, report.results)
  addDependencies(summary, config, report.results)
  const budget = SUMMARY_BUDGET_BYTES - versionMapBytes - size()
  for (const section of fileListSections(report.results, budget)) summary.addRaw(section, true)
  summary.addHeading('Version map', 3)
  if (versionMapFits) summary.addCodeBlock(versionMap, 'json')
  else summary.addRaw(note('The version map is too large for the job summary; the <code>version-map</code> output holds it.'), true)
  await summary.write()
}

function addOverview(summary: Summary, config: PromotionConfig, results: readonly PromotionResult[], budgetBytes: number): void {
  const title = config.dryRun ? 'Algorithmia promotion plan (dry run)' : 'Algorithmia promotion'
  const source = `From <code>${escapeHtml(config.source.cluster.label)}</code> (${escapeHtml(config.source.algoOwner)})`
  const rows = fitting(
    resultRows(results).map(row => row.map(escapeHtml)),
    row => `<tr>${row.map(cell => `<td>${cell}</td>`).join('')}</tr>`,
    budgetBytes
  )
  summary
    .addHeading(title, 2)
    .addRaw(`${source}: ${statusCounts(results)}.`, true)
    .addTable([RESULT_COLUMNS.map(column => ({ data: column, header: true })), ...rows])
  const left = results.length - rows.length
  if (left > 0) {
    summary.addRaw(
      note(
        `${left} more promotions are left out of this table: GitHub drops a job summary over 1 MiB. The <code>results</code> output and the log list every one.`
      ),
      true
    )
  }
}

function addFailures(summary: Summary, results: readonly PromotionResult[], budgetBytes: number): void {
  const failures = results.filter(result => result.error)
  if (failures.length === 0) return
  const items = fitting(
    failures.map(
      result =>
        `<b>${escapeHtml(result.algorithm)}</b> → ${escapeHtml(result.destination)}: ${escapeHtml(shortened(result.error ?? '', SUMMARY_ERROR_MAX_CHARS))}`
    ),
    item => `<li>${item}</li>`,
    budgetBytes - NOTE_BYTES
  )
  summary.addHeading('Failures', 3).addList(items)
  const left = failures.length - items.length
  if (left > 0) {
    summary.addRaw(
      note(
        `${left} more failures are left out of this summary (GitHub drops a job summary over 1 MiB); they are in the log, each message in full.`
      ),
      true
    )
  }
}

/** A message cut at `maxChars`, saying where the rest is. */
export function shortened(message: string, maxChars: number): string {
  return message.length <= maxChars ? message : `${message.slice(0, maxChars)}… (shortened; the full message is in the log)`
}

/** The leading items whose rendered form fits in `budgetBytes`. */
function fitting<T>(items: readonly T[], render: (item: T) => string, budgetBytes: number): T[] {
  let left = budgetBytes
  const kept: T[] = []
  for (const item of items) {
    left -= Buffer.byteLength(render(item)) + 1
    if (left < 0) break
    kept.push(item)
  }
  return kept
}

function note(html: string): string {
  return `<p><i>${html}</i></p>`
}

/** Metadata lines shown at most; the `results` output has every one. */
const METADATA_LINES_MAX = 100

/** With `metadata: sync`: the fields each destination had updated (or, in a dry run, would have). */
function addMetadataChanges(summary: Summary, config: PromotionConfig, results: readonly PromotionResult[]): void {
  const changed = results.filter(result => result.metadataDiff?.length)
  if (changed.length === 0) return
  summary
    .addHeading(config.dryRun ? 'Metadata that would change' : 'Metadata changed', 3)
    .addList(
      changed
        .slice(0, METADATA_LINES_MAX)
        .map(
          result =>
            `<b>${escapeHtml(result.algorithm)}</b> → ${escapeHtml(result.destination)}: ${(result.metadataDiff ?? []).map(change => escapeHtml(change.length > 300 ? `${change.slice(0, 300)}…` : change)).join('; ')}`
        )
    )
  const left = changed.length - METADATA_LINES_MAX
  if (left > 0) summary.addRaw(note(`${left} more promotions changed metadata; the <code>results</code> output lists them.`), true)
}

/** Lines of each dependency list shown at most; the `results` output has every reference. */
const DEPENDENCY_LINES_MAX = 100

/**
 * The algorithms the promoted code calls: the graph (Mermaid, which GitHub draws), the algorithms
 * `dependencies: promote` added and why, and each call a destination does not answer.
 */
function addDependencies(summary: Summary, config: PromotionConfig, results: readonly PromotionResult[]): void {
  const graph = dependencyGraph(results, config.source.algoOwner)
  const lists: [string, string[]][] = [
    ['Added because they are called', addedAlgorithmLines(results)],
    ['Unmet calls', unmetReferenceLines(results)],
    ['Calls that name the source owner', sourceOwnerLines(results)]
  ]
  if (!graph && lists.every(([, lines]) => lines.length === 0)) return
  summary.addHeading('Algorithm dependencies', 3)
  if (graph) summary.addRaw(`\n${graph}\n`, true)
  for (const [title, lines] of lists) {
    if (lines.length === 0) continue
    summary.addRaw(`<p><b>${title}</b></p>`, true).addList(lines.slice(0, DEPENDENCY_LINES_MAX).map(line => escapeHtml(line)))
  }
}

function addCollections(summary: Summary, config: PromotionConfig, results: readonly CollectionResult[]): void {
  if (results.length === 0) return
  const heading = config.dryRun ? 'Data collections (dry run: what would be copied)' : 'Data collections'
  const rows = collectionRows(results).map(row => row.map(cell => escapeHtml(shortened(cell, SUMMARY_ERROR_MAX_CHARS))))
  summary.addHeading(heading, 3).addTable([COLLECTION_COLUMNS.map(column => ({ data: column, header: true })), ...rows])
  const failures = results.flatMap(result =>
    result.failed
      .slice(0, FILES_PER_LIST)
      .map(
        failure =>
          `${escapeHtml(result.collection)}/${escapeHtml(failure.file)} → ${escapeHtml(result.destination)}: ${escapeHtml(shortened(failure.reason, SUMMARY_ERROR_MAX_CHARS))}`
      )
  )
  const listed = fitting(failures, item => `<li>${item}</li>`, SUMMARY_BUDGET_BYTES * COLLECTION_FAILURES_SHARE)
  if (listed.length) summary.addList(listed)
  const left = results.reduce((sum, result) => sum + result.failed.length, 0) - listed.length
  if (left > 0) summary.addRaw(note(`${left} more file failures are left out of this summary; the log lists every one.`), true)
}

/**
 * A `<details>` section per planned promotion with its file changes (at most
 * FILES_PER_LIST per kind), as many as fit in `budgetBytes`; then a line
 * saying how many were left out.
 */
export function fileListSections(results: readonly PromotionResult[], budgetBytes: number): string[] {
  const planned = results.filter(
    (result): result is PromotionResult & { readonly changes: FileChanges } => result.status === 'planned' && result.changes !== undefined
  )
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

function fileListSection(result: PromotionResult & { readonly changes: FileChanges }): string {
  const { added, modified, deleted } = result.changes
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
