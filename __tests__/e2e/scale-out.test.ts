import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startCluster, type EmulatedCluster } from '../../emulator/index.js'
import { runAction } from '../../scripts/lib/run-action.js'
import { DEST_OWNER, SOURCE_OWNER, startClusterPair, type ClusterPair } from '../helpers/clusters.js'

const FILES = { 'src/a.py': 'A = 1\n', '.config': 'x\n' }
const NO_SINGLE_DEST = { 'dest-api-url': '', 'dest-git-url': '', 'dest-api-key': '', 'dest-api-key-owner': '', 'dest-algo-owner': '' }

describe('several destinations in one run', () => {
  let pair: ClusterPair
  let eu: EmulatedCluster
  let euKey: string
  beforeEach(async () => {
    pair = await startClusterPair()
    eu = await startCluster({ name: 'prod-eu', buildDelayMs: 50 })
    eu.addUser('eu_deployer')
    euKey = eu.addKey('eu_deployer')
  })
  afterEach(async () => {
    await Promise.all([pair.stop(), eu.stop()])
  })

  const destinations = () =>
    JSON.stringify([
      {
        name: 'prod-us',
        'api-url': pair.prod.url,
        'git-url': pair.prod.url,
        'api-key-env': 'PROD_US_KEY',
        'api-key-owner': 'deployer',
        'algo-owner': DEST_OWNER
      },
      {
        name: 'prod-eu',
        'api-url': eu.url,
        'git-url': eu.url,
        'api-key-env': 'PROD_EU_KEY',
        'api-key-owner': 'eu_deployer',
        'algo-owner': 'eu_deployer'
      }
    ])

  it('promotes one source to each destination with its own key, and reports per destination', async () => {
    const sourceCommit = await pair.seed('multi', FILES, { publish: 'minor' })
    const run = await runAction(pair.inputs({ ...NO_SINGLE_DEST, algorithms: 'multi', destinations: destinations(), publish: true }), {
      PROD_US_KEY: pair.prodKey,
      PROD_EU_KEY: euKey
    })
    expect(run.exitCode, run.stdout).toBe(0)
    const results = JSON.parse(run.outputs.results)
    expect(results).toEqual([
      expect.objectContaining({ algorithm: 'multi', destination: 'prod-us', status: 'created', sourceCommit, destVersion: '0.1.0' }),
      expect.objectContaining({ algorithm: 'multi', destination: 'prod-eu', status: 'created', sourceCommit, destVersion: '0.1.0' })
    ])
    expect(JSON.parse(run.outputs['version-map'])).toEqual({
      'prod-us': { multi: { '0.1.0': '0.1.0' } },
      'prod-eu': { multi: { '0.1.0': '0.1.0' } }
    })
    const sourceTree = await pair.dev.readTree(SOURCE_OWNER, 'multi')
    expect(await pair.prod.readTree(DEST_OWNER, 'multi')).toEqual(sourceTree)
    expect(await eu.readTree('eu_deployer', 'multi')).toEqual(sourceTree)
    // One source fetch serves both (new) destinations: an ls-remote (one GET: refs are listed over protocol v0)
    // and a single fetch of the whole commit (one POST).
    const sourceUploads = pair.dev.requests.filter(r => r.gitService === 'upload-pack' && r.method === 'POST')
    expect(sourceUploads.length).toBe(1)
  })

  it('serves an existing destination (trees, then missing blobs) and a new one (whole commit) from one store', async () => {
    await pair.seed('multi', { ...FILES, 'model.bin': Buffer.alloc(50_000, 7) })
    pair.prod.createAlgorithm(DEST_OWNER, 'multi')
    await pair.prod.commit(DEST_OWNER, 'multi', { 'src/a.py': 'old\n', 'stale.txt': 'x' })
    const run = await runAction(pair.inputs({ ...NO_SINGLE_DEST, algorithms: 'multi', destinations: destinations() }), {
      PROD_US_KEY: pair.prodKey,
      PROD_EU_KEY: euKey
    })
    expect(run.exitCode, run.stdout).toBe(0)
    expect(JSON.parse(run.outputs.results).map((r: { status: string }) => r.status)).toEqual(['updated', 'created'])
    const sourceTree = await pair.dev.readTree(SOURCE_OWNER, 'multi')
    expect(await pair.prod.readTree(DEST_OWNER, 'multi')).toEqual(sourceTree)
    expect(await eu.readTree('eu_deployer', 'multi')).toEqual(sourceTree)
  })

  it('promotes only the destinations named in destination-filter', async () => {
    await pair.seed('multi', FILES)
    const run = await runAction(
      pair.inputs({ ...NO_SINGLE_DEST, algorithms: 'multi', destinations: destinations(), 'destination-filter': 'prod-eu' }),
      { PROD_US_KEY: pair.prodKey, PROD_EU_KEY: euKey }
    )
    expect(run.exitCode, run.stdout).toBe(0)
    expect(JSON.parse(run.outputs.results).map((r: { destination: string }) => r.destination)).toEqual(['prod-eu'])
    expect(pair.prod.getAlgorithm(DEST_OWNER, 'multi')).toBeUndefined()
    expect(eu.getAlgorithm('eu_deployer', 'multi')).toBeDefined()
  })
})

describe('plan mode for a matrix of jobs', () => {
  let pair: ClusterPair
  beforeEach(async () => {
    pair = await startClusterPair()
  })
  afterEach(() => pair.stop())

  it('lists only what needs promoting, writes nothing, and each matrix job then promotes its entry', async () => {
    for (const name of ['same', 'changed', 'fresh']) await pair.seed(name, { [`src/${name}.py`]: `${name}\n` })
    const first = await runAction(pair.inputs({ algorithms: 'same, changed' }))
    expect(first.exitCode, first.stdout).toBe(0)
    await pair.dev.commit(SOURCE_OWNER, 'changed', { 'src/changed.py': 'v2\n' })
    const headsBefore = await Promise.all(['same', 'changed'].map(name => pair.prod.headCommit(DEST_OWNER, name)))
    pair.prod.clearRequests()

    const plan = await runAction(pair.inputs({ algorithms: 'same, changed, fresh', mode: 'plan' }))
    expect(plan.exitCode, plan.stdout).toBe(0)
    const matrix = JSON.parse(plan.outputs.matrix)
    expect(matrix).toEqual({
      include: [
        { algorithm: 'changed', destination: expect.any(String) },
        { algorithm: 'fresh', destination: expect.any(String) }
      ]
    })
    expect(JSON.parse(plan.outputs.results).map((r: { status: string }) => r.status)).toEqual(['unchanged', 'planned', 'planned'])
    expect(plan.outputs.changed).toBe('true')
    // Nothing written, and deciding moved no trees: only commit-only (tree:0) fetches and reads.
    expect(pair.prod.requests.filter(r => r.method !== 'GET' && r.gitService !== 'upload-pack')).toEqual([])
    expect(await Promise.all(['same', 'changed'].map(name => pair.prod.headCommit(DEST_OWNER, name)))).toEqual(headsBefore)
    expect(pair.prod.getAlgorithm(DEST_OWNER, 'fresh')).toBeUndefined()

    for (const entry of matrix.include) {
      const job = await runAction(pair.inputs({ algorithms: entry.algorithm }))
      expect(job.exitCode, job.stdout).toBe(0)
      expect(await pair.prod.readTree(DEST_OWNER, entry.algorithm)).toEqual(await pair.dev.readTree(SOURCE_OWNER, entry.algorithm))
    }
  })
})
