// `algorithms` as glob patterns over the source owner's algorithms, with
// `exclude-algorithms`, through the bundled action.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startCluster, type EmulatedCluster } from '../../emulator/index.js'
import { runAction } from '../../scripts/lib/run-action.js'
import { DEST_OWNER, startClusterPair, type ClusterPair } from '../helpers/clusters.js'

const FILES = { 'src/main.py': 'def apply(x):\n    return x\n' }
const OWNED = ['sentiment_en', 'sentiment_fr', 'sentiment_legacy', 'summarize', 'translate']
const NO_SINGLE_DEST = { 'dest-api-url': '', 'dest-git-url': '', 'dest-api-key': '', 'dest-api-key-owner': '', 'dest-algo-owner': '' }

interface Result {
  algorithm: string
  destination: string
  status: string
}

describe('every algorithm of an owner', () => {
  let pair: ClusterPair
  beforeEach(async () => {
    pair = await startClusterPair()
    for (const name of OWNED) await pair.seed(name, FILES)
    // Another owner's algorithm the patterns must never reach.
    pair.dev.addUser('other')
    pair.dev.createAlgorithm('other', 'sentiment_other')
  })
  afterEach(() => pair.stop())

  it("promotes exactly the owner's algorithms that '*' selects minus the exclusions", async () => {
    const run = await runAction(pair.inputs({ algorithms: '*', 'exclude-algorithms': '*_legacy, translate' }))
    expect(run.exitCode, run.stdout).toBe(0)
    const results = JSON.parse(run.outputs.results) as Result[]
    expect(results.map(result => [result.algorithm, result.status])).toEqual([
      ['sentiment_en', 'created'],
      ['sentiment_fr', 'created'],
      ['summarize', 'created']
    ])
    for (const name of ['sentiment_en', 'sentiment_fr', 'summarize']) expect(pair.prod.getAlgorithm(DEST_OWNER, name)).toBeDefined()
    for (const name of ['sentiment_legacy', 'translate', 'sentiment_other'])
      expect(pair.prod.getAlgorithm(DEST_OWNER, name)).toBeUndefined()
    expect(run.stdout).toContain('selected: sentiment_en, sentiment_fr, summarize')
  })

  it("reads the owner's list as the spec's bare array (the default) and as pages of algorithms (a cluster may answer so)", async () => {
    for (const ownerAlgorithmList of ['array', 'paged'] as const) {
      // The paged answer is not the spec's: the contract check would rightly refuse it.
      const other = await startClusterPair({
        variants: { ownerAlgorithmList },
        contract: ownerAlgorithmList === 'paged' ? false : undefined
      })
      try {
        for (const name of OWNED) other.dev.createAlgorithm('data_science', name)
        const run = await runAction(other.inputs({ algorithms: 'sentiment_*', 'dry-run': true }))
        expect(run.exitCode, run.stdout).toBe(0)
        expect(run.stdout, ownerAlgorithmList).toContain('selected: sentiment_en, sentiment_fr, sentiment_legacy')
        const listed = other.dev.requests.filter(r => r.path === '/v1/users/data_science/algorithms')
        expect(listed.length, ownerAlgorithmList).toBeGreaterThan(0)
      } finally {
        await other.stop()
      }
    }
  })

  it('lists the expanded names in the plan matrix and writes nothing', async () => {
    pair.prod.clearRequests()
    const run = await runAction(pair.inputs({ algorithms: 'sentiment_*', 'exclude-algorithms': 'sentiment_legacy', mode: 'plan' }))
    expect(run.exitCode, run.stdout).toBe(0)
    expect(JSON.parse(run.outputs.matrix)).toEqual({
      include: [
        { algorithm: 'sentiment_en', destination: expect.any(String) },
        { algorithm: 'sentiment_fr', destination: expect.any(String) }
      ]
    })
    expect(pair.prod.requests.filter(request => request.method !== 'GET')).toEqual([])
  })

  it('stops before any write when a pattern matches nothing, naming it and some names that exist', async () => {
    pair.prod.clearRequests()
    const run = await runAction(pair.inputs({ algorithms: 'summarize, vision_*' }))
    expect(run.exitCode).not.toBe(0)
    expect(run.stdout).toContain("'vision_*' matches none of the algorithms of data_science")
    expect(run.stdout).toContain('it has sentiment_en, sentiment_fr, sentiment_legacy, summarize, translate')
    expect(run.stdout).toContain('nothing was changed')
    expect(pair.prod.requests).toEqual([])
    expect(pair.prod.getAlgorithm(DEST_OWNER, 'summarize')).toBeUndefined()
  })

  it('refuses an exclusion that matches none of the algorithms', async () => {
    const run = await runAction(pair.inputs({ algorithms: '*', 'exclude-algorithms': 'sentimentt_*' }))
    expect(run.exitCode).not.toBe(0)
    expect(run.stdout).toContain("Input 'exclude-algorithms'")
    expect(run.stdout).toContain("'sentimentt_*' matches none")
  })

  describe('with several destinations and a dry run', () => {
    let eu: EmulatedCluster
    beforeEach(async () => {
      eu = await startCluster({ name: 'prod-eu', buildDelayMs: 50 })
      eu.addUser('eu_deployer')
    })
    afterEach(() => eu.stop())

    it('plans every expanded name for every destination', async () => {
      const destinations = JSON.stringify([
        {
          name: 'us',
          'api-url': pair.prod.url,
          'git-url': pair.prod.url,
          'api-key-env': 'US_KEY',
          'api-key-owner': 'deployer',
          'algo-owner': DEST_OWNER
        },
        {
          name: 'eu',
          'api-url': eu.url,
          'git-url': eu.url,
          'api-key-env': 'EU_KEY',
          'api-key-owner': 'eu_deployer',
          'algo-owner': 'eu_deployer'
        }
      ])
      const run = await runAction(
        pair.inputs({ ...NO_SINGLE_DEST, destinations, algorithms: 's*', 'exclude-algorithms': '*_legacy', 'dry-run': true }),
        { US_KEY: pair.prodKey, EU_KEY: eu.addKey('eu_deployer') }
      )
      expect(run.exitCode, run.stdout).toBe(0)
      const planned = (JSON.parse(run.outputs.results) as Result[]).map(
        result => `${result.algorithm}@${result.destination}:${result.status}`
      )
      expect(planned.sort()).toEqual(
        ['sentiment_en@eu', 'sentiment_en@us', 'sentiment_fr@eu', 'sentiment_fr@us', 'summarize@eu', 'summarize@us'].map(
          entry => `${entry}:planned`
        )
      )
      expect(pair.prod.getAlgorithm(DEST_OWNER, 'summarize')).toBeUndefined()
    })
  })
})
