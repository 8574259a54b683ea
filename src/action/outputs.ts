import * as core from '@actions/core'
import type { RunReport } from '../promote.js'
import { publicResult } from '../report/public-result.js'
import { promotionMatrix } from '../report/matrix.js'

/** Sets the action's outputs; `dest-commit` and `dest-version` only make sense for a single promotion. */
export function setOutputs(report: RunReport): void {
  core.setOutput('changed', String(report.changed))
  core.setOutput('results', JSON.stringify(report.results.map(publicResult)))
  core.setOutput('version-map', JSON.stringify(report.versionMap))
  core.setOutput('matrix', JSON.stringify(promotionMatrix(report)))
  const single = report.results.length === 1 ? report.results[0] : undefined
  core.setOutput('dest-commit', single?.destCommit ?? '')
  core.setOutput('dest-version', single?.destVersion ?? '')
}
