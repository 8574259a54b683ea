/**
 * End to end: the bundled action promotes hosted data collections from the
 * emulated "dev" cluster to "prod" along with the algorithms. Assertions are
 * made on the clusters' stored files, ACLs and request logs.
 */
import { execFile } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { RequestRecord } from '../../emulator/index.js'
import { runAction, type ActionRun } from '../../scripts/lib/run-action.js'
import { DEST_OWNER, SOURCE_OWNER, startClusterPair, type ClusterPair } from '../helpers/clusters.js'
import type { CollectionResult } from '../../src/data/result.js'
import { windowsEssentials } from '../helpers/platform.js'

const RECORD_FILE = '.algorithmia-promote.json'
const CLI_ENTRY = fileURLToPath(new URL('../../dist/cli/index.js', import.meta.url))
const CODE = { 'src/sentiment.py': 'MODEL = "data://data_science/models/weights.bin"\n' }

describe('data collections, end to end', () => {
  let pair: ClusterPair
  const runRoots: string[] = []
  let weights: Buffer

  beforeEach(async () => {
    pair = await startClusterPair()
    pair.dev.data.createCollection(SOURCE_OWNER, 'models', ['user://*'])
    weights = randomBytes(5 * 1024 * 1024 + 3)
    await pair.dev.data.putFile(SOURCE_OWNER, 'models', 'weights.bin', weights)
    await pair.dev.data.putFile(SOURCE_OWNER, 'models', 'vocab.txt', 'alpha\nbeta\n')
    await pair.seed('sentiment', CODE)
  })
  afterEach(async () => {
    await pair.stop()
    await Promise.all(runRoots.splice(0).map(dir => rm(dir, { recursive: true, force: true })))
  })

  async function promote(overrides: Record<string, string> = {}): Promise<ActionRun> {
    const run = await runAction(pair.inputs({ algorithms: 'sentiment', collections: 'models', ...overrides }))
    runRoots.push(path.dirname(run.runnerTemp))
    return run
  }

  function collections(run: ActionRun): CollectionResult[] {
    return JSON.parse(run.outputs.collections) as CollectionResult[]
  }

  async function prodBytes(file: string): Promise<Buffer> {
    return pair.prod.data.readFile(DEST_OWNER, 'models', file)
  }

  async function promotedRecord(): Promise<{ files: Record<string, { size: number; sha256: string }> }> {
    return JSON.parse((await prodBytes(RECORD_FILE)).toString('utf8'))
  }

  /** File transfers (not listings) on the data API of a cluster. */
  function fileTransfers(requests: RequestRecord[], method: string): RequestRecord[] {
    return requests.filter(r => r.method === method && /^\/v1\/(connector\/)?data\/[^/]+\/[^/]+\/[^/]+$/.test(r.path))
  }

  it('creates the collection with its ACL and copies every file byte-identical, warning that the code reads the source owner', async () => {
    const run = await promote()
    expect(run.exitCode, run.stdout).toBe(0)
    expect(pair.prod.data.readAcl(DEST_OWNER, 'models')).toEqual(['user://*'])
    expect(sha(await prodBytes('weights.bin'))).toBe(sha(weights))
    expect((await prodBytes('vocab.txt')).toString()).toBe('alpha\nbeta\n')
    const [result] = collections(run)
    expect(result).toMatchObject({ collection: 'models', status: 'created', created: true, copied: 2, skipped: 0, failed: [] })
    expect(result.bytes).toBe(weights.length + 11)
    expect((await promotedRecord()).files['weights.bin']).toMatchObject({ size: weights.length, sha256: sha(weights) })
    expect(run.summary).toContain('Data collections')
    expect(run.stdout).toMatch(/::warning::.*reads data:\/\/data_science\/… \(models\).*not ml_prod's/)
  })

  it('moves no file bytes when re-run with nothing changed, and copies a changed file of the same size', async () => {
    expect((await promote()).exitCode).toBe(0)
    pair.dev.clearRequests()
    pair.prod.clearRequests()
    const again = await promote()
    expect(again.exitCode, again.stdout).toBe(0)
    expect(collections(again)[0]).toMatchObject({ status: 'unchanged', copied: 0, skipped: 2, bytes: 0 })
    expect(fileTransfers(pair.dev.requests, 'GET')).toEqual([])
    expect(fileTransfers(pair.prod.requests, 'PUT')).toEqual([])
    // The destination's record of promoted files is the only file read there.
    expect(fileTransfers(pair.prod.requests, 'GET').map(r => path.basename(r.path))).toEqual([RECORD_FILE])

    const changed = randomBytes(weights.length)
    await pair.dev.data.putFile(SOURCE_OWNER, 'models', 'weights.bin', changed)
    const third = await promote()
    expect(third.exitCode, third.stdout).toBe(0)
    expect(collections(third)[0]).toMatchObject({ status: 'updated', copied: 1, skipped: 1 })
    expect(collections(third)[0].copiedFiles).toEqual([{ file: 'weights.bin', bytes: weights.length, reason: 'changed' }])
    expect(sha(await prodBytes('weights.bin'))).toBe(sha(changed))
  })

  it('reads the promoted code for the owner warning only when it pushes that code: an unchanged re-run fetches nothing from the source', async () => {
    const warning = /::warning::.*reads data:\/\/data_science\/… \(models\).*not ml_prod's/
    expect((await promote()).stdout).toMatch(warning)
    pair.dev.clearRequests()
    const again = await promote()
    expect(again.exitCode, again.stdout).toBe(0)
    expect(collections(again)[0]).toMatchObject({ status: 'unchanged', copied: 0 })
    expect(pair.dev.requests.filter(r => r.gitService === 'upload-pack' && r.method === 'POST')).toEqual([])
    expect(again.stdout).not.toMatch(warning)

    await pair.dev.commit(SOURCE_OWNER, 'sentiment', { 'src/sentiment.py': `${CODE['src/sentiment.py']}VERSION = 2\n` })
    const changed = await promote()
    expect(changed.exitCode, changed.stdout).toBe(0)
    expect(changed.stdout).toMatch(/sentiment → .*: pushed/)
    expect(changed.stdout).toMatch(warning)
  })

  it("copies named collections while the code is synced, and shows the copy's lines in the data collections' log group", async () => {
    const run = await promote()
    expect(run.exitCode, run.stdout).toBe(0)
    const listed = pair.dev.requests.find(r => r.path === `/v1/connector/data/${SOURCE_OWNER}/models`)
    const pushed = pair.prod.requests.find(r => r.gitService === 'receive-pack' && r.method === 'POST')
    expect(listed!.at).toBeLessThan(pushed!.at)
    const start = run.stdout.indexOf('::group::Promote data collections')
    expect(start).toBeGreaterThan(run.stdout.indexOf('::group::Sync code'))
    const group = run.stdout.slice(start, run.stdout.indexOf('::endgroup::', start))
    expect(group).toMatch(/data:\/\/ml_prod\/models: created with read ACL \["user:\/\/\*"\]/)
    expect(group).toMatch(/data:\/\/ml_prod\/models: created, copied 2 files/)
    expect(run.stdout.slice(0, start)).not.toContain('data://ml_prod/models')
  })

  it('still promotes named collections, and shows what it did, when the code push fails', async () => {
    pair.prod.faults.add({ method: 'POST', path: `/git/${DEST_OWNER}/sentiment.git/git-receive-pack`, status: 403, times: 10 })
    const run = await promote()
    expect(run.exitCode).not.toBe(0)
    expect(JSON.parse(run.outputs.results)[0]).toMatchObject({ status: 'failed', failedStep: 'sync code' })
    expect(collections(run)[0]).toMatchObject({ collection: 'models', status: 'created', copied: 2 })
    expect(sha(await prodBytes('weights.bin'))).toBe(sha(weights))
    expect(run.stdout).toMatch(/data:\/\/ml_prod\/models: created, copied 2 files/)
  })

  it('keeps and lists destination-only files without prune, and deletes them with collections-prune', async () => {
    expect((await promote()).exitCode).toBe(0)
    await pair.prod.data.putFile(DEST_OWNER, 'models', 'extra.txt', 'only here')
    const kept = await promote()
    expect(collections(kept)[0]).toMatchObject({ status: 'unchanged', pruned: 0, keptFiles: ['extra.txt'] })
    expect(pair.prod.data.listFiles(DEST_OWNER, 'models')?.map(f => f.filename)).toContain('extra.txt')

    const pruned = await promote({ 'collections-prune': 'true' })
    expect(pruned.exitCode, pruned.stdout).toBe(0)
    expect(collections(pruned)[0]).toMatchObject({ status: 'updated', pruned: 1, prunedFiles: ['extra.txt'], keptFiles: [] })
    expect(
      pair.prod.data
        .listFiles(DEST_OWNER, 'models')
        ?.map(f => f.filename)
        .sort()
    ).toEqual([RECORD_FILE, 'vocab.txt', 'weights.bin'])
  })

  it('retries an upload cut mid-stream, and records nothing for a file whose every attempt was cut', async () => {
    pair.prod.data.faults.add({ method: 'PUT', path: /weights\.bin$/, cutAfterBytes: 1_000_000 })
    const retried = await promote()
    expect(retried.exitCode, retried.stdout).toBe(0)
    expect(sha(await prodBytes('weights.bin'))).toBe(sha(weights))
    expect(
      fileTransfers(pair.prod.requests, 'PUT')
        .filter(r => r.path.endsWith('weights.bin'))
        .map(r => r.status)
    ).toEqual([0, 200])

    const changed = randomBytes(weights.length)
    await pair.dev.data.putFile(SOURCE_OWNER, 'models', 'weights.bin', changed)
    await pair.dev.data.putFile(SOURCE_OWNER, 'models', 'vocab.txt', 'gamma\ndelta\n')
    pair.prod.data.faults.add({ method: 'PUT', path: /weights\.bin$/, cutAfterBytes: 1_000_000, times: 10 })
    const failed = await promote({ 'max-attempts': '2' })
    expect(failed.exitCode).not.toBe(0)
    const [result] = collections(failed)
    expect(result).toMatchObject({ status: 'failed', copied: 1 })
    expect(result.failed.map(f => f.file)).toEqual(['weights.bin'])
    expect(sha(await prodBytes('weights.bin'))).toBe(sha(weights)) // the old copy, never half of the new one
    const record = await promotedRecord()
    expect(record.files['weights.bin']).toBeUndefined()
    expect(record.files['vocab.txt']).toBeDefined() // the other file was promoted and recorded
    expect(failed.stdout).toMatch(/::error::.*data collections were not fully promoted/)

    pair.prod.data.faults.clear()
    const healed = await promote()
    expect(healed.exitCode, healed.stdout).toBe(0)
    expect(collections(healed)[0].copiedFiles.map(f => f.file)).toEqual(['weights.bin'])
    expect(sha(await prodBytes('weights.bin'))).toBe(sha(changed))
  })

  it("'auto' finds the collections named in a model_manifest.json and through data://.my/, and reports other owners' references", async () => {
    pair.dev.data.createCollection(SOURCE_OWNER, 'vocab')
    await pair.dev.data.putFile(SOURCE_OWNER, 'vocab', 'words.txt', 'one\ntwo\n')
    pair.dev.data.createCollection(SOURCE_OWNER, 'tokens')
    await pair.dev.data.putFile(SOURCE_OWNER, 'tokens', 't.txt', 'tok')
    await pair.seed('classifier', {
      'model_manifest.json': JSON.stringify({ required_files: [{ name: 'words', source_uri: 'data://data_science/vocab/words.txt' }] }),
      'src/classifier.py': 'CACHE = "data://.my/cache/x"\nTOKENS = "data://.my/tokens/t.txt"\nSHARED = "data://partner/shared/y"\n'
    })
    const run = await promote({ algorithms: 'classifier', collections: 'auto' })
    expect(run.exitCode, run.stdout).toBe(0)
    expect(collections(run).map(c => c.collection)).toEqual(['tokens', 'vocab'])
    expect((await pair.prod.data.readFile(DEST_OWNER, 'vocab', 'words.txt')).toString()).toBe('one\ntwo\n')
    expect((await pair.prod.data.readFile(DEST_OWNER, 'tokens', 't.txt')).toString()).toBe('tok')
    expect(pair.prod.data.listFiles(DEST_OWNER, 'models')).toBeUndefined()
    expect(pair.prod.data.listFiles(DEST_OWNER, 'cache')).toBeUndefined()
    expect(pair.prod.data.readAcl(DEST_OWNER, 'vocab')).toEqual(['algo://.my/*'])
    expect(run.stdout).toMatch(/data:\/\/partner\/shared; these are not copied/)
    expect(run.stdout).toMatch(/reads data:\/\/\.my\/cache, which data_science does not have on .*: nothing to copy/)
  })

  it('copies sub-folders recursively, records nested files, skips them when unchanged, and prunes them with collections-prune', async () => {
    await pair.dev.data.putFile(SOURCE_OWNER, 'models', 'v2/weights.bin', 'nested weights')
    await pair.dev.data.putFile(SOURCE_OWNER, 'models', 'v2/deep/config.json', '{"layers": 3}')
    const run = await promote()
    expect(run.exitCode, run.stdout).toBe(0)
    expect((await prodBytes('v2/weights.bin')).toString()).toBe('nested weights')
    expect((await prodBytes('v2/deep/config.json')).toString()).toBe('{"layers": 3}')
    const [result] = collections(run)
    expect(result).toMatchObject({ status: 'created', copied: 4 })
    expect(result.copiedFiles.map(file => file.file).sort()).toEqual(['v2/deep/config.json', 'v2/weights.bin', 'vocab.txt', 'weights.bin'])
    expect(Object.keys((await promotedRecord()).files).sort()).toEqual([
      'v2/deep/config.json',
      'v2/weights.bin',
      'vocab.txt',
      'weights.bin'
    ])

    pair.prod.clearRequests()
    const again = await promote()
    expect(collections(again)[0]).toMatchObject({ status: 'unchanged', copied: 0, skipped: 4 })
    expect(fileTransfers(pair.prod.requests, 'PUT')).toEqual([])

    await pair.prod.data.putFile(DEST_OWNER, 'models', 'v2/stale.bin', 'old')
    const pruned = await promote({ 'collections-prune': 'true' })
    expect(collections(pruned)[0]).toMatchObject({ status: 'updated', prunedFiles: ['v2/stale.bin'] })
    expect(pair.prod.data.listFiles(DEST_OWNER, 'models')?.map(file => file.filename)).not.toContain('v2/stale.bin')
  })

  it('a dry run lists what would be created and copied, with bytes, and writes nothing', async () => {
    const run = await promote({ 'dry-run': 'true' })
    expect(run.exitCode, run.stdout).toBe(0)
    const [result] = collections(run)
    expect(result).toMatchObject({ status: 'planned', created: true, copied: 2, bytes: weights.length + 11 })
    expect(result.copiedFiles.map(f => f.file).sort()).toEqual(['vocab.txt', 'weights.bin'])
    expect(pair.prod.data.listFiles(DEST_OWNER, 'models')).toBeUndefined()
    const writes = pair.prod.requests.filter(r => r.path.includes('/data/') && r.method !== 'GET' && r.method !== 'HEAD')
    expect(writes).toEqual([])
    expect(fileTransfers(pair.dev.requests, 'GET')).toEqual([])
    expect(run.summary).toContain('dry run: what would be copied')
  })
})

describe('data collections, command line', () => {
  it('shows the bytes copied while copying, and the collections in its JSON', async () => {
    const pair = await startClusterPair()
    try {
      pair.dev.data.createCollection(SOURCE_OWNER, 'models')
      await pair.dev.data.putFile(SOURCE_OWNER, 'models', 'weights.bin', randomBytes(3_000_000))
      await pair.seed('sentiment', CODE)
      const inputs = pair.inputs({ algorithms: 'sentiment', collections: 'models' })
      const flags = Object.entries(inputs)
        .filter(([name]) => !name.endsWith('api-key'))
        .flatMap(([name, value]) => [`--${name}`, value])
      const env = {
        ...windowsEssentials(),
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        SOURCE_API_KEY: pair.devKey,
        DEST_API_KEY: pair.prodKey
      }
      const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI_ENTRY, ...flags, '--json'], { env })
      expect(stderr).toMatch(/models: copying 0 B of 3\.0 MB \(0%\)/)
      expect(stderr).toMatch(/models: copying 3\.0 MB of 3\.0 MB \(100%\)/)
      const json = JSON.parse(stdout) as { collections: CollectionResult[] }
      expect(json.collections).toMatchObject([{ collection: 'models', status: 'created', copied: 1, bytes: 3_000_000 }])
    } finally {
      await pair.stop()
    }
  })
})

function sha(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex')
}
