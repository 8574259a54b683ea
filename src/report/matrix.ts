import type { RunReport } from './run-report.js'

export interface MatrixEntry {
  readonly algorithm: string
  readonly destination: string
}

/**
 * `{"include": [{algorithm, destination}, ...]}` for the promotions that need
 * (or, after a promotion run, got) a new commit — the shape `strategy.matrix`
 * takes through `fromJSON`. Empty `include` means there is nothing to do.
 */
export function promotionMatrix(report: Pick<RunReport, 'results'>): { include: MatrixEntry[] } {
  return {
    include: report.results
      .filter(result => result.newCommit)
      .map(result => ({ algorithm: result.algorithm, destination: result.destination }))
  }
}
