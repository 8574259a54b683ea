/**
 * `source-versions`: a source's published history replayed at the destination,
 * oldest first, each version its own commit published with the bump that
 * produced it — so callers pinned to any version keep working after a migration.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { HistoryVersion } from '../../emulator/index.js'
import { runAction } from '../../scripts/lib/run-action.js'
import { DEST_OWNER, SOURCE_OWNER, startClusterPair, type ClusterPair } from '../helpers/clusters.js'
import { api } from '../emulator/helpers.js'

const NAME = 'history'
const tree = (greeting: string, extra: Record<string, string> = {}) => ({
  [`src/${NAME}.py`]: `def apply(input):\n    return "${greeting} " + input\n`,
  ...extra
})

const HISTORY: HistoryVersion[] = [
  { files: tree('v0.1.0'), publish: 'minor', sample_input: '"first"' },
  { files: tree('v0.1.1'), publish: 'revision', sample_input: '"second"' },
  { files: tree('v0.2.0'), publish: 'minor', release_notes: 'Second minor' },
  { files: tree('v1.0.0', { BREAKS_BUILD: 'on prod' }), publish: 'major', visibility: 'private' },
  { files: tree('v1.0.1'), publish: 'revision' },
  { files: tree('v1.1.0'), publish: 'minor', sample_input: '"last"' }
]
const NUMBERS = ['0.1.0', '0.1.1', '0.2.0', '1.0.0', '1.0.1', '1.1.0']

interface VersionItem {
  sourceVersion: string
  destVersion: string
  matched: boolean
  status: string
}
interface ListedVersion {
  version_info: { semantic_version: string; git_hash: string; sample_input?: string; release_notes?: string }
  settings: { algorithm_callability?: string }
}

describe('source-versions: replaying the published history', () => {
  let pair: ClusterPair
  beforeEach(async () => {
    pair = await startClusterPair()
    pair.dev.createAlgorithm(SOURCE_OWNER, NAME)
    await pair.dev.publishHistory(SOURCE_OWNER, NAME, HISTORY)
  })
  afterEach(async () => {
    await pair.stop()
  })

  const replay = (overrides: Record<string, string | boolean> = {}, interruption?: Parameters<typeof runAction>[2]) =>
    runAction(pair.inputs({ algorithms: NAME, publish: true, 'source-versions': 'all', ...overrides }), {}, interruption)
  const versionsOf = (run: Awaited<ReturnType<typeof runAction>>): VersionItem[] => JSON.parse(run.outputs.results)[0].versions ?? []
  const prodVersions = async (): Promise<ListedVersion[]> => {
    const listed = await api(pair.prod, `/v1/algorithms/${DEST_OWNER}/${NAME}/versions?published=true&limit=100`, { key: pair.prodKey })
    return (listed.body as { results: ListedVersion[] }).results
  }
  const numbersAtProd = async () => (await prodVersions()).map(version => version.version_info.semantic_version).sort()
  const writes = () => ({
    pushes: pair.prod.requests.filter(request => request.gitService === 'receive-pack' && request.method === 'POST').length,
    publishes: pair.prod.requests.filter(request => request.method === 'POST' && request.path.endsWith(`/${NAME}/versions`)).length
  })

  it('reproduces every number, tree, callability and sample input in an empty destination; pinned calls answer the same on both', async () => {
    pair.dev.clearRequests()
    const run = await replay()
    expect(run.exitCode, run.stdout).toBe(0)
    // The history comes in one fetch beside the probe's, not one per version; each version is one push and one publish.
    expect(pair.dev.requests.filter(request => request.gitService === 'upload-pack' && request.method === 'POST')).toHaveLength(2)
    expect(writes()).toEqual({ pushes: NUMBERS.length, publishes: NUMBERS.length })
    expect(versionsOf(run).map(v => [v.sourceVersion, v.destVersion, v.matched, v.status])).toEqual(
      NUMBERS.map(number => [number, number, true, 'published'])
    )
    const listed = await prodVersions()
    const source = new Map(
      (
        (await api(pair.dev, `/v1/algorithms/${SOURCE_OWNER}/${NAME}/versions?published=true&limit=100`, { key: pair.devKey })).body as {
          results: ListedVersion[]
        }
      ).results.map(version => [version.version_info.semantic_version, version])
    )
    expect(listed.map(version => version.version_info.semantic_version).sort()).toEqual(NUMBERS)
    for (const version of listed) {
      const original = source.get(version.version_info.semantic_version)!
      expect(await pair.prod.readTree(DEST_OWNER, NAME, version.version_info.git_hash)).toEqual(
        await pair.dev.readTree(SOURCE_OWNER, NAME, original.version_info.git_hash)
      )
      expect(version.settings.algorithm_callability).toBe(original.settings.algorithm_callability)
      expect(version.version_info.sample_input).toBe(original.version_info.sample_input)
    }
    for (const pin of ['0.2.0', '1.0.*']) {
      const [dev, prod] = await Promise.all([
        api(pair.dev, `/v1/algo/${SOURCE_OWNER}/${NAME}/${pin}`, { method: 'POST', key: pair.devKey, body: 'x' }),
        api(pair.prod, `/v1/algo/${DEST_OWNER}/${NAME}/${pin}`, { method: 'POST', key: pair.prodKey, body: 'x' })
      ])
      expect((prod.body as { result: string }).result).toBe((dev.body as { result: string }).result)
    }
    expect(JSON.parse(run.outputs['version-map'])).toEqual({ [NAME]: Object.fromEntries(NUMBERS.map(number => [number, number])) })
    expect(run.summary).toContain('Version history')
    expect(run.summary).toContain('<td>1.0.1</td>')

    pair.prod.clearRequests()
    const again = await replay()
    expect(again.exitCode, again.stdout).toBe(0)
    expect(writes()).toEqual({ pushes: 0, publishes: 0 })
    expect(versionsOf(again).every(version => version.status === 'present')).toBe(true)
  })

  it('replays only the range asked for', async () => {
    const run = await replay({ 'source-versions': '>=1.0.0' })
    expect(run.exitCode, run.stdout).toBe(0)
    expect(await numbersAtProd()).toEqual(['1.0.0', '1.0.1', '1.1.0'])
  })

  it('lists what it would publish in a dry run, and writes nothing', async () => {
    const run = await replay({ 'dry-run': true })
    expect(run.exitCode, run.stdout).toBe(0)
    expect(versionsOf(run).map(v => [v.sourceVersion, v.destVersion, v.status])).toEqual(NUMBERS.map(n => [n, n, 'planned']))
    expect(writes()).toEqual({ pushes: 0, publishes: 0 })
  })

  it('resumes where a killed run stopped: the re-run publishes only what is missing', async () => {
    const killed = await replay({}, { when: stdout => stdout.includes('source version 0.2.0 published as 0.2.0'), signal: 'SIGKILL' })
    expect(killed.exitCode).not.toBe(0)
    expect(await numbersAtProd()).toEqual(['0.1.0', '0.1.1', '0.2.0'])
    pair.prod.clearRequests()
    const resumed = await replay()
    expect(resumed.exitCode, resumed.stdout).toBe(0)
    expect(versionsOf(resumed).map(v => v.status)).toEqual(['present', 'present', 'present', 'published', 'published', 'published'])
    expect(writes().publishes).toBe(3)
    expect(await numbersAtProd()).toEqual(NUMBERS)
  })

  it('stops an algorithm at a version whose build fails, with the ones before it published and the failure named', async () => {
    pair.prod.builds.failTreesContaining('BREAKS_BUILD')
    const run = await replay()
    expect(run.exitCode).toBe(1)
    const [result] = JSON.parse(run.outputs.results)
    expect(result.status).toBe('failed')
    expect(result.error).toMatch(/source version 1\.0\.0 was not published \(build .* failed/)
    expect(result.error).toContain('Published before it: 0.1.0 as 0.1.0, 0.1.1 as 0.1.1, 0.2.0 as 0.2.0')
    expect(result.versions.map((v: VersionItem) => v.sourceVersion)).toEqual(['0.1.0', '0.1.1', '0.2.0'])
    expect(await numbersAtProd()).toEqual(['0.1.0', '0.1.1', '0.2.0'])
    expect(JSON.parse(run.outputs['version-map'])).toEqual({ [NAME]: { '0.1.0': '0.1.0', '0.1.1': '0.1.1', '0.2.0': '0.2.0' } })
  })

  it('maps the versions a destination with versions of its own cannot number alike, and lists each in the summary', async () => {
    expect((await replay({ 'source-versions': '0.1.0' })).exitCode).toBe(0)
    await pair.prod.publishHistory(DEST_OWNER, NAME, [
      { files: tree('hotfix a'), publish: 'minor' },
      { files: tree('hotfix b'), publish: 'minor' }
    ])
    const run = await replay()
    expect(run.exitCode, run.stdout).toBe(0)
    expect(versionsOf(run).map(v => [v.sourceVersion, v.destVersion, v.matched])).toEqual([
      ['0.1.0', '0.1.0', true],
      ['0.1.1', '0.3.1', false],
      ['0.2.0', '0.4.0', false],
      ['1.0.0', '1.0.0', true],
      ['1.0.1', '1.0.1', true],
      ['1.1.0', '1.1.0', true]
    ])
    expect(run.summary).toMatch(/<td>0\.1\.1<\/td><td>0\.3\.1<\/td><td>no<\/td>/)
  })

  it('smoke-tests each version before publishing it, and stops at the first that fails', async () => {
    pair.dev.createAlgorithm(SOURCE_OWNER, 'flaky')
    await pair.dev.publishHistory(SOURCE_OWNER, 'flaky', [
      { files: { 'src/flaky.py': 'def apply(input):\n    return "ok " + input\n' }, publish: 'minor' },
      { files: { 'src/flaky.py': 'def apply(input):\n    raise ValueError("broken in 0.2.0")\n' }, publish: 'minor' },
      { files: { 'src/flaky.py': 'def apply(input):\n    return "fixed " + input\n' }, publish: 'minor' }
    ])
    const run = await runAction(
      pair.inputs({ algorithms: 'flaky', publish: true, 'source-versions': 'all', 'smoke-test': '[{"input": "x"}]' })
    )
    expect(run.exitCode).toBe(1)
    const [result] = JSON.parse(run.outputs.results)
    expect(result.failedStep).toBe('smoke test')
    expect(result.error).toMatch(/source version 0\.2\.0 was not published .*broken in 0\.2\.0/s)
    const listed = await api(pair.prod, `/v1/algorithms/${DEST_OWNER}/flaky/versions?published=true`, { key: pair.prodKey })
    expect((listed.body as { results: ListedVersion[] }).results.map(version => version.version_info.semantic_version)).toEqual(['0.1.0'])
  })

  it('replays the same from git servers that serve partial clone, still in one source fetch', async () => {
    const partial = await startClusterPair({ partialClone: true })
    try {
      partial.dev.createAlgorithm(SOURCE_OWNER, NAME)
      await partial.dev.publishHistory(SOURCE_OWNER, NAME, HISTORY)
      partial.dev.clearRequests()
      const run = await runAction(partial.inputs({ algorithms: NAME, publish: true, 'source-versions': 'all' }))
      expect(run.exitCode, run.stdout).toBe(0)
      expect(versionsOf(run).map(v => v.destVersion)).toEqual(NUMBERS)
      const fetches = partial.dev.requests.filter(request => request.gitService === 'upload-pack' && request.method === 'POST')
      expect(fetches.length).toBeLessThanOrEqual(2)
    } finally {
      await partial.stop()
    }
  })
})
