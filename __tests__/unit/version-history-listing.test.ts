/**
 * The replay plan from what the API client lists: the six-version history published on an emulated
 * cluster, read with `listVersions(…, { published: true })` for the source and for a destination that an
 * earlier, interrupted replay left with three versions.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { startCluster, type EmulatedCluster, type HistoryVersion } from '../../emulator/index.js'
import { AlgorithmiaApi } from '../../src/cluster/api.js'
import { ClusterHttp } from '../../src/cluster/http.js'
import { defaultReleaseNotes } from '../../src/promotion/commit-message.js'
import { planVersionReplay, publishedVersionsOf } from '../../src/promotion/version-history.js'
import { silentLogger } from '../../src/util/log.js'

let cluster: EmulatedCluster | undefined
afterEach(async () => {
  await cluster?.stop()
  cluster = undefined
})

function client(url: string, key: string): AlgorithmiaApi {
  const http = new ClusterHttp({
    cluster: 'test',
    apiUrl: url,
    apiKey: key,
    retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxTotalDelayMs: 1, attemptTimeoutMs: 30_000 },
    logger: silentLogger,
    redact: text => text
  })
  return new AlgorithmiaApi('test', http)
}

const tree = (greeting: string) => ({ 'src/hello.py': `def apply(input):\n    return "${greeting} " + input\n` })
const BUMPS = [
  ['0.1.0', 'minor'],
  ['0.1.1', 'revision'],
  ['0.2.0', 'minor'],
  ['1.0.0', 'major'],
  ['1.0.1', 'revision'],
  ['1.1.0', 'minor']
] as const

describe('planVersionReplay from the versions listing', () => {
  it('reads number, commit, callability and notes, and resumes after the versions an earlier run published', async () => {
    cluster = await startCluster({ name: 'dev', buildDelayMs: 10 })
    cluster.addUser('alice')
    const api = client(cluster.url, cluster.addKey('alice'))
    cluster.createAlgorithm('alice', 'hello')
    const history: HistoryVersion[] = BUMPS.map(([version, publish]) => ({
      files: tree(version),
      publish,
      ...(version === '1.0.0' ? { visibility: 'private' as const } : {})
    }))
    const published = await cluster.publishHistory('alice', 'hello', history)

    const source = publishedVersionsOf(await api.listVersions('alice', 'hello', { published: true }))
    expect(source.find(entry => entry.version === '1.0.0')).toEqual({
      version: '1.0.0',
      commit: published[3].version_info.git_hash,
      visibility: 'private'
    })
    const fresh = planVersionReplay(source, { kind: 'all' }, [])
    expect(fresh.replay.map(step => [step.sourceVersion, step.sourceCommit, step.bump, step.matched])).toEqual(
      BUMPS.map(([version, bump], index) => [version, published[index].version_info.git_hash, bump, true])
    )

    // A destination an interrupted replay left with the first three, each noting its source version.
    cluster.createAlgorithm('alice', 'copy')
    const notes = (index: number) =>
      defaultReleaseNotes({
        algorithm: 'hello',
        sourceCluster: 'dev',
        sourceOwner: 'alice',
        sourceVersion: BUMPS[index][0],
        sourceCommit: published[index].version_info.git_hash,
        destCluster: 'dev',
        destOwner: 'alice'
      })
    await cluster.publishHistory(
      'alice',
      'copy',
      history.slice(0, 3).map((entry, index) => ({ ...entry, release_notes: notes(index) }))
    )
    const destination = publishedVersionsOf(await api.listVersions('alice', 'copy', { published: true }))
    const resumed = planVersionReplay(source, { kind: 'all' }, destination)
    expect(resumed.present.map(entry => `${entry.sourceVersion}=${entry.destinationVersion}`)).toEqual([
      '0.1.0=0.1.0',
      '0.1.1=0.1.1',
      '0.2.0=0.2.0'
    ])
    expect(resumed.replay.map(step => `${step.sourceVersion}→${step.destinationVersion}`)).toEqual([
      '1.0.0→1.0.0',
      '1.0.1→1.0.1',
      '1.1.0→1.1.0'
    ])
  })
})
