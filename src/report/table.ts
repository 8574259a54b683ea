import type { PromotionResult } from '../promotion/result.js'

export const RESULT_COLUMNS = [
  'Algorithm',
  'Destination',
  'Status',
  'Source version',
  'Source commit',
  'Destination version',
  'Destination commit'
] as const

/** One row per result, in the order of RESULT_COLUMNS; shared by the job summary and the CLI table. */
export function resultRows(results: readonly PromotionResult[]): string[][] {
  return results.map(result => [
    result.algorithm,
    result.destination,
    result.status,
    result.sourceVersion || '—',
    shortCommit(result.sourceCommit),
    result.destVersion || '—',
    shortCommit(result.destCommit)
  ])
}

export function shortCommit(commit: string): string {
  return commit ? commit.slice(0, 12) : '—'
}

/** "2 updated, 1 unchanged, 1 failed" */
export function statusCounts(results: readonly PromotionResult[]): string {
  const counts = new Map<string, number>()
  for (const result of results) counts.set(result.status, (counts.get(result.status) ?? 0) + 1)
  return [...counts].map(([status, count]) => `${count} ${status}`).join(', ')
}
