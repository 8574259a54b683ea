/**
 * A run larger than one batch: the algorithms go through the stages a batch at
 * a time (so what the run holds per algorithm is let go as it goes), and what
 * spans the whole run still does — collections found by `auto` in any batch
 * are promoted, each once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runAction } from '../../scripts/lib/run-action.js'
import { BATCH_ALGORITHMS } from '../../src/run/batches.js'
import { DEST_OWNER, SOURCE_OWNER, startClusterPair, type ClusterPair } from '../helpers/clusters.js'

const COUNT = BATCH_ALGORITHMS + 2

describe('a run of more algorithms than one batch', () => {
  let pair: ClusterPair
  beforeEach(async () => {
    pair = await startClusterPair()
  })
  afterEach(async () => {
    await pair.stop()
  })

  it('promotes every algorithm, batch by batch, and promotes the collections each batch references once', async () => {
    for (const name of ['first', 'last', 'shared']) {
      pair.dev.data.createCollection(SOURCE_OWNER, name)
      await pair.dev.data.putFile(SOURCE_OWNER, name, 'f.txt', name)
    }
    const algorithms = Array.from({ length: COUNT }, (_, index) => `algo_${String(index).padStart(3, '0')}`)
    for (const [index, name] of algorithms.entries()) {
      const reads = index === 0 ? 'first' : index === COUNT - 1 ? 'last' : 'shared'
      await pair.seed(name, { [`src/${name}.py`]: `PATH = "data://${SOURCE_OWNER}/${reads}/f.txt"\n` })
    }
    const run = await runAction(pair.inputs({ algorithms: 'algo_*', collections: 'auto', concurrency: 8 }))
    expect(run.exitCode, run.stdout).toBe(0)
    const results = JSON.parse(run.outputs.results) as Array<{ algorithm: string; status: string }>
    expect(results.map(result => result.algorithm)).toEqual(algorithms)
    expect(results.every(result => result.status === 'created')).toBe(true)
    expect(run.stdout).toContain(`::group::Sync code (algorithms 1–${BATCH_ALGORITHMS} of ${COUNT})`)
    expect(run.stdout).toContain(`::group::Sync code (algorithms ${BATCH_ALGORITHMS + 1}–${COUNT} of ${COUNT})`)
    const collections = JSON.parse(run.outputs.collections) as Array<{ collection: string; status: string }>
    expect(collections.map(collection => collection.collection).sort()).toEqual(['first', 'last', 'shared'])
    for (const name of ['first', 'last', 'shared']) {
      expect((await pair.prod.data.readFile(DEST_OWNER, name, 'f.txt')).toString()).toBe(name)
    }
    expect(await pair.prod.readTree(DEST_OWNER, algorithms[COUNT - 1])).toEqual(
      await pair.dev.readTree(SOURCE_OWNER, algorithms[COUNT - 1])
    )
  }, 240_000)
})
