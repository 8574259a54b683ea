import Table from 'cli-table3'
import type pc from 'picocolors'
import type { PromotionConfig } from '../core/config.js'
import type { RunReport } from '../report/run-report.js'
import type { PromotionStatus } from '../promotion/result.js'
import { COLLECTION_COLUMNS, collectionRows, publicCollection } from '../report/collections.js'
import { promotionMatrix } from '../report/matrix.js'
import { publicResult } from '../report/public-result.js'
import { RESULT_COLUMNS, resultRows, statusCounts } from '../report/table.js'
import { withoutTerminalControls } from '../util/remote-text.js'
import { FILES_PER_LIST, cappedFileList } from '../report/file-list.js'
import { addedAlgorithmLines, unmetReferenceLines } from '../report/dependencies.js'
import type { PromotionResult } from '../promotion/result.js'

type Colors = ReturnType<typeof pc.createColors>

/**
 * The machine-readable results: the action's `results` output (the same
 * publicResult), `version-map` and `changed`; a plan adds the action's
 * `matrix`, which is what a plan is for.
 */
export function resultsJson(config: PromotionConfig, report: RunReport): string {
  const results = report.results.map(publicResult)
  const plan = config.mode === 'plan' ? { matrix: promotionMatrix(report) } : {}
  const collections = report.collections?.length ? { collections: report.collections.map(result => publicCollection(result)) } : {}
  return `${JSON.stringify({ results, versionMap: report.versionMap, changed: report.changed, ...plan, ...collections }, null, 2)}\n`
}

/** The final table on a terminal, with the same rows as the job summary. */
export function resultsTable(report: RunReport, colors: Colors): string {
  const table = new Table({ head: RESULT_COLUMNS.map(column => colors.bold(column)), style: { head: [], border: [], compact: true } })
  const statusColumn = RESULT_COLUMNS.indexOf('Status')
  for (const row of resultRows(report.results)) {
    row[statusColumn] = colorStatus(row[statusColumn] as PromotionStatus, colors)
    table.push(row)
  }
  if (!report.collections?.length) return `${table.toString()}\n`
  const data = new Table({ head: COLLECTION_COLUMNS.map(column => colors.bold(column)), style: { head: [], border: [], compact: true } })
  for (const row of collectionRows(report.collections)) data.push(row)
  return `${table.toString()}\n${data.toString()}\n`
}

/** What follows the table: counts, each failure in full, and where the version map went. */
export function resultsSummary(config: PromotionConfig, report: RunReport, colors: Colors): string {
  const lines = [statusCounts(report.results) || 'nothing to promote']
  if (config.dryRun) lines.push(colors.dim('Dry run: nothing was pushed, created or published.'))
  if (report.versionMapWritten) {
    lines.push(`Version map written to ${config.versionMapFile}`)
  }
  for (const result of report.results) {
    const files = changedFiles(result)
    if (files.length > 0) lines.push('', ...files)
  }
  lines.push(...report.results.flatMap(historyLines))
  const added = addedAlgorithmLines(report.results)
  if (added.length > 0) lines.push('', 'Added because they are called:', ...added.map(line => `  ${withoutTerminalControls(line)}`))
  const unmet = unmetReferenceLines(report.results)
  if (unmet.length > 0) lines.push('', colors.yellow('Unmet calls:'), ...unmet.map(line => `  ${withoutTerminalControls(line)}`))
  for (const result of report.results) {
    if (!result.error) continue
    lines.push(
      '',
      colors.red(`✖ ${result.algorithm} → ${result.destination}: ${result.failedStep ?? 'promotion'} failed`),
      withoutTerminalControls(result.error)
    )
  }
  return `${lines.join('\n')}\n`
}

function colorStatus(status: PromotionStatus, colors: Colors): string {
  if (status === 'failed') return colors.red(status)
  if (status === 'created' || status === 'updated') return colors.green(status)
  return status === 'planned' ? colors.cyan(status) : status
}

/**
 * The files a dry run would change, as the job summary lists them: a line of counts, then `A`/`M`/`D`
 * and each path (at most FILES_PER_LIST of each kind). Empty for anything but a planned promotion (a
 * real run logs its counts as it pushes).
 */
export function changedFiles(result: PromotionResult): string[] {
  if (result.status !== 'planned' || !result.changes) return []
  const { added, modified, deleted } = result.changes
  if (added.length + modified.length + deleted.length === 0) return []
  return [
    `${result.algorithm} → ${result.destination} would change: ${added.length} added, ${modified.length} modified, ${deleted.length} deleted`,
    ...cappedFileList(added, FILES_PER_LIST, file => `  A ${withoutTerminalControls(file)}`),
    ...cappedFileList(modified, FILES_PER_LIST, file => `  M ${withoutTerminalControls(file)}`),
    ...cappedFileList(deleted, FILES_PER_LIST, file => `  D ${withoutTerminalControls(file)}`)
  ]
}

/** With --source-versions: each source version and its destination number, marking those numbered otherwise. */
export function historyLines(result: PromotionResult): string[] {
  if (!result.versions?.length) return []
  const versions = result.versions.map(version =>
    version.matched ? version.sourceVersion : `${version.sourceVersion} as ${version.destVersion}`
  )
  return ['', `${result.algorithm} → ${result.destination} versions: ${versions.join(', ')}`]
}
