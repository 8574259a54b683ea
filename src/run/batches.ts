/**
 * The order a run takes its algorithms in. A wave waits for the waves before
 * it (a dependency is published before the algorithms that call it); within a
 * wave, algorithms go through the stages in batches of a bounded size, so what
 * a run holds per algorithm (answers asked ahead, facts of each stage, git
 * object stores) is let go batch by batch and its memory stays flat however
 * many algorithms it promotes. Only each target's result outlives its batch.
 */
export interface Batch {
  readonly algorithms: readonly string[]
  /** Which part of the run this is, for the log groups' titles; undefined when the run is one batch. */
  readonly part?: string
}

/**
 * Algorithms per batch: enough that the stages keep `concurrency` busy and
 * ask ahead usefully, few enough that per-target state stays small.
 */
export const BATCH_ALGORITHMS = 100

export function batchesOf(waves: readonly (readonly string[])[], size = BATCH_ALGORITHMS): Batch[] {
  const total = waves.reduce((sum, wave) => sum + wave.length, 0)
  const batches: Batch[] = []
  let done = 0
  for (const [index, wave] of waves.entries()) {
    for (let start = 0; start < wave.length; start += size) {
      const algorithms = wave.slice(start, start + size)
      batches.push({ algorithms, part: partOf(waves.length, index, done, algorithms.length, total) })
      done += algorithms.length
    }
  }
  return batches.length > 1 ? batches : batches.map(batch => ({ algorithms: batch.algorithms }))
}

function partOf(waves: number, wave: number, done: number, count: number, total: number): string {
  const range = `algorithms ${done + 1}–${done + count} of ${total}`
  return waves > 1 ? `wave ${wave + 1} of ${waves}, ${range}` : range
}
