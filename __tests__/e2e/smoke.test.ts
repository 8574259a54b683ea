import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runAction } from '../../scripts/lib/run-action.js'
import { DEST_OWNER, startClusterPair, type ClusterPair } from '../helpers/clusters.js'

describe('bundled action, smoke', () => {
  let pair: ClusterPair
  beforeEach(async () => {
    pair = await startClusterPair()
  })
  afterEach(() => pair.stop())

  it('promotes one algorithm and publishes it', async () => {
    const sourceCommit = await pair.seed(
      'hello',
      { 'src/hello.py': 'def apply(x): return x\n', '.env.example': 'A=1\n' },
      { publish: 'minor' }
    )
    const run = await runAction(pair.inputs({ algorithms: 'hello', publish: true }))
    expect(run.exitCode, run.stdout).toBe(0)
    const [result] = JSON.parse(run.outputs.results)
    expect(result).toMatchObject({ algorithm: 'hello', status: 'created', sourceCommit, sourceVersion: '0.1.0', destVersion: '0.1.0' })
    expect(Object.keys(await pair.prod.readTree(DEST_OWNER, 'hello')).sort()).toEqual(['.env.example', 'src/hello.py'])
  })
})
