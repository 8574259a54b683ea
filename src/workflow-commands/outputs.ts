import * as core from '@actions/core'
import type { RunReport } from '../report/run-report.js'
import { publicResult, type PublicResult } from '../report/public-result.js'
import { FULL_DETAIL, publicCollection, type CollectionDetail } from '../report/collections.js'
import type { CollectionResult } from '../data/result.js'
import { promotionMatrix } from '../report/matrix.js'
import { shortened } from './job-summary.js'

/** GitHub keeps an output of up to 1 MB; the results stay below it, with room to spare. */
export const RESULTS_BUDGET_BYTES = 900 * 1024
/** Ever shorter error messages, until the results fit (the log has each message in full). */
const ERROR_LIMITS = [Number.POSITIVE_INFINITY, 1000, 200, 0]

/**
 * The results as JSON within RESULTS_BUDGET_BYTES: error messages are
 * shortened first; only if every promotion's bare result is still too much
 * are the last ones left out, with a warning.
 */
export function resultsWithinLimit(results: readonly PublicResult[]): string {
  for (const limit of ERROR_LIMITS) {
    const json = JSON.stringify(results.map(result => (result.error ? { ...result, error: shortened(result.error, limit) } : result)))
    if (Buffer.byteLength(json) <= RESULTS_BUDGET_BYTES) return json
  }
  const kept: PublicResult[] = []
  let size = 2
  for (const result of results) {
    const item = result.error ? { ...result, error: shortened(result.error, 0) } : result
    size += Buffer.byteLength(JSON.stringify(item)) + 1
    if (size > RESULTS_BUDGET_BYTES) break
    kept.push(item)
  }
  core.warning(
    `The results output holds the first ${kept.length} of ${results.length} promotions: GitHub keeps no output over 1 MB. The log and the job summary name every failure.`
  )
  return JSON.stringify(kept)
}

/** Ever less detail per collection, until the `collections` output fits (the counts stay exact; the log has the rest). */
const COLLECTION_DETAIL: readonly CollectionDetail[] = [FULL_DETAIL, { files: 20, reasonChars: 200 }, { files: 0, reasonChars: 100 }]

/** The collection results as JSON within RESULTS_BUDGET_BYTES, as resultsWithinLimit does for promotions. */
export function collectionsWithinLimit(collections: readonly CollectionResult[]): string {
  for (const detail of COLLECTION_DETAIL) {
    const json = JSON.stringify(collections.map(result => publicCollection(result, detail)))
    if (Buffer.byteLength(json) <= RESULTS_BUDGET_BYTES) return json
  }
  const least = COLLECTION_DETAIL[COLLECTION_DETAIL.length - 1]
  const kept: CollectionResult[] = []
  let size = 2
  for (const result of collections) {
    const item = publicCollection(result, least)
    size += Buffer.byteLength(JSON.stringify(item)) + 1
    if (size > RESULTS_BUDGET_BYTES) break
    kept.push(item)
  }
  core.warning(
    `The collections output holds the first ${kept.length} of ${collections.length} collection results: GitHub keeps no output over 1 MB. The log and the job summary name every failure.`
  )
  return JSON.stringify(kept)
}

/** Sets the action's outputs; `dest-commit` and `dest-version` only make sense for a single promotion. */
export function setOutputs(report: RunReport): void {
  core.setOutput('changed', String(report.changed))
  core.setOutput('results', resultsWithinLimit(report.results.map(publicResult)))
  core.setOutput('version-map', JSON.stringify(report.versionMap))
  core.setOutput('matrix', JSON.stringify(promotionMatrix(report)))
  core.setOutput('collections', collectionsWithinLimit(report.collections ?? []))
  const single = report.results.length === 1 ? report.results[0] : undefined
  core.setOutput('dest-commit', single?.destCommit ?? '')
  core.setOutput('dest-version', single?.destVersion ?? '')
}
