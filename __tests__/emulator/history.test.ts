/**
 * Issue 21: a source with a published history, seeded one bump at a time (a seed file's "versions", or
 * `publishHistory` on the in-process handle), read back through the API as a client would.
 */
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import type { HistoryVersion } from '../../emulator/index.js'
import { applySeed, parseSeed } from '../../emulator/seed.js'
import { api, useFixture } from './helpers.js'

const SEED_FILE = fileURLToPath(new URL('../../emulator/seeds/history.json', import.meta.url))
/** The key emulator/seeds/history.json gives alice. */
const KEY = 'histAliceKey0001'

/** apply() answers with the version's own greeting, so a call shows which tree answered. */
const tree = (greeting: string) => ({ 'src/hello.py': `def apply(input):\n    return "${greeting} " + input\n` })

const HISTORY: HistoryVersion[] = [
  { files: tree('v0.1.0'), publish: 'minor', sample_input: '"first"' },
  { files: tree('v0.1.1'), publish: 'revision' },
  { files: tree('v0.2.0'), publish: 'minor', release_notes: 'Second minor' },
  { files: tree('v1.0.0'), publish: 'major', visibility: 'private' },
  { files: tree('v1.0.1'), publish: 'revision' },
  { files: tree('v1.1.0'), publish: 'minor', sample_input: '"last"' }
]

interface ListedVersion {
  version_info: { semantic_version: string; git_hash: string; release_notes?: string; sample_input?: string }
  settings: { algorithm_callability?: string }
}

describe('a seeded version history', () => {
  const fixture = useFixture()

  it('publishes emulator/seeds/history.json one version a bump, each its own commit, listed through the API with its callability and sample input', async () => {
    const cluster = await fixture.start()
    await applySeed(cluster, parseSeed(await readFile(SEED_FILE, 'utf8'), 'history.json'))

    const listed = (await api(cluster, '/v1/algorithms/data_science/hello/versions?published=true', { key: KEY })).body as {
      results: ListedVersion[]
    }
    const byNumber = new Map(listed.results.map(version => [version.version_info.semantic_version, version]))
    expect([...byNumber.keys()].sort()).toEqual(['0.1.0', '0.1.1', '0.2.0', '1.0.0', '1.0.1', '1.1.0'])
    expect(new Set(listed.results.map(version => version.version_info.git_hash)).size).toBe(6)
    const log = await cluster.log('data_science', 'hello')
    for (const version of listed.results) expect(log.map(entry => entry.sha)).toContain(version.version_info.git_hash)
    expect(byNumber.get('1.0.0')!.settings.algorithm_callability).toBe('private')
    expect(byNumber.get('1.0.1')!.settings.algorithm_callability).toBe('public')
    expect(byNumber.get('0.1.0')!.version_info.sample_input).toBe('"first"')
    expect(byNumber.get('0.2.0')!.version_info.release_notes).toBe('Second minor')

    const call = async (version: string) =>
      (await api(cluster, `/v1/algo/data_science/hello/${version}`, { method: 'POST', key: KEY, body: 'x' })).body
    expect(await call('0.2.0')).toMatchObject({ result: 'v0.2.0 x' })
    expect(await call('1.0.*')).toMatchObject({ result: 'v1.0.1 x' })
  })

  it('gives the same history through the in-process handle, each tree on top of the previous commit', async () => {
    const cluster = await fixture.start()
    cluster.addUser('alice')
    cluster.createAlgorithm('alice', 'hello')
    const published = await cluster.publishHistory('alice', 'hello', HISTORY.slice(0, 3))
    expect(published.map(version => version.version_info.semantic_version)).toEqual(['0.1.0', '0.1.1', '0.2.0'])
    const [newest, middle] = await cluster.log('alice', 'hello')
    expect(newest.sha).toBe(published[2].version_info.git_hash)
    expect(newest.parents).toEqual([middle.sha])
    expect((await cluster.readTree('alice', 'hello', published[1].version_info.git_hash))['src/hello.py'].toString()).toContain('v0.1.1')
  })

  it.each([
    [{ owner: 'alice', name: 'hello' }, 'history.json: algorithms[0]: "files" is missing (or give "versions")'],
    [{ owner: 'alice', name: 'hello', versions: [{ files: {} }] }, 'history.json: algorithms[0].versions[0]: "publish" is missing'],
    [
      { owner: 'alice', name: 'hello', files: {}, versions: [] },
      'history.json: algorithms[0]: give "versions" or "files"/"publish", not both'
    ]
  ])('refuses a seed algorithm %j', (algorithm, message) => {
    expect(() => parseSeed(JSON.stringify({ algorithms: [algorithm] }), 'history.json')).toThrow(message)
  })
})
