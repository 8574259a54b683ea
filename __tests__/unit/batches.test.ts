import { describe, expect, it } from 'vitest'
import { BATCH_ALGORITHMS, batchesOf } from '../../src/run/batches.js'

const names = (count: number, prefix = 'a'): string[] => Array.from({ length: count }, (_, index) => `${prefix}${index}`)

describe('batchesOf', () => {
  it('keeps a run of up to one batch whole, with no part in its log groups', () => {
    expect(batchesOf([names(BATCH_ALGORITHMS)])).toEqual([{ algorithms: names(BATCH_ALGORITHMS) }])
    expect(batchesOf([[]])).toEqual([])
  })

  it('cuts a larger run into batches of at most the batch size, in order, and names each part', () => {
    const batches = batchesOf([names(250)], 100)
    expect(batches.map(batch => batch.algorithms.length)).toEqual([100, 100, 50])
    expect(batches.flatMap(batch => batch.algorithms)).toEqual(names(250))
    expect(batches.map(batch => batch.part)).toEqual(['algorithms 1–100 of 250', 'algorithms 101–200 of 250', 'algorithms 201–250 of 250'])
  })

  it('never mixes waves in one batch, and names the wave', () => {
    const batches = batchesOf([['c'], ['b1', 'b2', 'b3'], ['a']], 2)
    expect(batches.map(batch => batch.algorithms)).toEqual([['c'], ['b1', 'b2'], ['b3'], ['a']])
    expect(batches[1].part).toBe('wave 2 of 3, algorithms 2–3 of 5')
  })
})
