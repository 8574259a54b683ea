/**
 * The push from the partial work store must not trigger git's lazy fetches of
 * missing objects (the destination's old blobs, wanted as thin-pack bases):
 * they go to the source URL without its key (401) and then download old blobs
 * from the destination, leaving misleading "could not read Username" lines.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { RequestRecord } from '../../emulator/index.js'
import { runAction } from '../../scripts/lib/run-action.js'
import { DEST_OWNER, SOURCE_OWNER, startClusterPair, type ClusterPair } from '../helpers/clusters.js'

/** Big enough that git would want the old version as a delta base. */
const MODEL = Array.from({ length: 2_000 }, (_, i) => `weight_${i} = ${i * 7}\n`).join('')

describe('pushing from the partial work store', () => {
  let pair: ClusterPair
  beforeEach(async () => {
    pair = await startClusterPair()
  })
  afterEach(async () => {
    await pair.stop()
  })

  it('pushes a changed file without fetching anything back from either cluster', async () => {
    await pair.seed('model', { 'src/model.py': MODEL, 'README.md': 'model\n' })
    const first = await runAction(pair.inputs({ algorithms: 'model' }))
    expect(first.exitCode, first.stdout).toBe(0)
    await pair.dev.commit(SOURCE_OWNER, 'model', { 'src/model.py': MODEL + 'bias = 1\n' }, { replace: false })
    pair.dev.clearRequests()
    pair.prod.clearRequests()

    const second = await runAction(pair.inputs({ algorithms: 'model' }))

    expect(second.exitCode, second.stdout).toBe(0)
    expect(await pair.prod.readTree(DEST_OWNER, 'model')).toEqual(await pair.dev.readTree(SOURCE_OWNER, 'model'))
    expect(unauthenticated(pair.dev.requests), 'no unauthenticated request to the source').toEqual([])
    expect(summarize(fetchesAfterPushStarted(pair.prod.requests)), 'no fetch from the destination during the push').toEqual([])
    expect(second.stdout + second.stderr).not.toMatch(/could not read Username/i)
    // The destination did not move, so git must not take it for a stale push (a walk into missing history would).
    expect(second.stdout).not.toMatch(/moved on since it was fetched/)
    expect(pair.prod.requests.filter(r => r.method === 'GET' && r.gitService === 'receive-pack')).toHaveLength(1)
    expect(second.stdout).toMatch(/pushed [0-9a-f]{40} \(0 added, 1 modified, 0 deleted\)/)
  })
})

function fetchesAfterPushStarted(requests: readonly RequestRecord[]): RequestRecord[] {
  const pushStart = requests.findIndex(r => r.gitService === 'receive-pack')
  expect(pushStart, 'the destination was pushed to').toBeGreaterThanOrEqual(0)
  return requests.slice(pushStart).filter(r => r.gitService === 'upload-pack')
}

function unauthenticated(requests: readonly RequestRecord[]): string[] {
  return summarize(requests.filter(r => r.status === 401))
}

function summarize(requests: readonly RequestRecord[]): string[] {
  return requests.map(r => `${r.method} ${r.path}${r.query.service ? `?service=${r.query.service}` : ''} -> ${r.status}`)
}
