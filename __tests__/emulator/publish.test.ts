import { describe, expect, it } from 'vitest'
import type { EmulatedCluster } from '../../emulator/index.js'
import { api, seedUser, useFixture } from './helpers.js'

const fixture = useFixture()

async function setup() {
  const cluster = await fixture.start()
  const key = seedUser(cluster, 'alice')
  cluster.createAlgorithm('alice', 'hello')
  return { cluster, key }
}

/** Commits a change and waits for its build to finish. */
async function buildCommit(cluster: EmulatedCluster, files: Record<string, string>): Promise<string> {
  const sha = await cluster.commit('alice', 'hello', files, { replace: false })
  await cluster.waitForBuild('alice', 'hello', sha)
  return sha
}

function publishVia(cluster: EmulatedCluster, key: string, versionInfo: object, path = 'versions') {
  return api(cluster, `/v1/algorithms/alice/hello/${path}`, { method: 'POST', key, body: { version_info: versionInfo } })
}

function semver(response: { body: unknown }): string | undefined {
  return (response.body as { version_info?: { semantic_version?: string } }).version_info?.semantic_version
}

describe('publishing', () => {
  it('refuses to publish an algorithm that was never built', async () => {
    const { cluster, key } = await setup()
    const response = await publishVia(cluster, key, { version_type: 'minor' })
    expect(response.status).toBe(400)
    expect(response.body).toMatchObject({ error: { message: expect.stringContaining('never been built') } })
  })

  it('publishes 0.1.0 first, then refuses the same build with 1007', async () => {
    const { cluster, key } = await setup()
    const sha = await buildCommit(cluster, { 'a.txt': '1' })
    const first = await publishVia(cluster, key, { version_type: 'minor', release_notes: 'first', sample_input: 'Jane' })
    expect(first.status).toBe(200)
    expect(first.body).toMatchObject({
      resource_type: 'version',
      version_info: { semantic_version: '0.1.0', git_hash: sha, release_notes: 'first', sample_input: 'Jane' },
      build: { status: 'succeeded', commit_sha: sha, version_info: { semantic_version: '0.1.0' } }
    })
    const again = await publishVia(cluster, key, { version_type: 'minor' })
    expect(again.status).toBe(400)
    expect(again.body).toMatchObject({ error: { code: 1007 } })
    expect(cluster.getAlgorithm('alice', 'hello')?.version_info).toMatchObject({
      git_hash: sha,
      semantic_version: '0.1.0',
      release_notes: 'first',
      sample_input: 'Jane'
    })
  })

  it('follows semver bump rules across minor, major and revision', async () => {
    const { cluster, key } = await setup()
    await buildCommit(cluster, { 'a.txt': '1' })
    expect(semver(await publishVia(cluster, key, { version_type: 'revision' }))).toBe('0.0.1')
    await buildCommit(cluster, { 'a.txt': '2' })
    expect(semver(await publishVia(cluster, key, { version_type: 'minor' }))).toBe('0.1.0')
    await buildCommit(cluster, { 'a.txt': '3' })
    expect(semver(await publishVia(cluster, key, { version_type: 'revision' }))).toBe('0.1.1')
    await buildCommit(cluster, { 'a.txt': '4' })
    expect(semver(await publishVia(cluster, key, { version_type: 'major' }))).toBe('1.0.0')
    await buildCommit(cluster, { 'a.txt': '5' })
    expect(semver(await publishVia(cluster, key, { version_type: 'minor' }))).toBe('1.1.0')
    await buildCommit(cluster, { 'a.txt': '6' })
    expect((await cluster.publish('alice', 'hello', 'major')).version_info.semantic_version).toBe('2.0.0')
  })

  it('publishes a recompiled build of an already published commit', async () => {
    const { cluster, key } = await setup()
    await buildCommit(cluster, { 'a.txt': '1' })
    await cluster.publish('alice', 'hello')
    expect((await api(cluster, '/v1/algorithms/alice/hello/compile', { method: 'POST', key, body: {} })).status).toBe(200)
    expect(semver(await publishVia(cluster, key, { version_type: 'minor' }))).toBe('0.2.0')
  })

  it('requires version_info.version_type as the spec names it: no default, no "patch", no "type", no /version path', async () => {
    const { cluster, key } = await setup()
    await buildCommit(cluster, { 'a.txt': '1' })
    for (const versionInfo of [{}, { version_type: 'patch' }, { type: 'minor' }]) {
      const refused = await publishVia(cluster, key, versionInfo)
      expect(refused.status, JSON.stringify(versionInfo)).toBe(400)
      expect(refused.body).toMatchObject({ error: { code: 6001 } })
    }
    const noBody = await api(cluster, '/v1/algorithms/alice/hello/versions', { method: 'POST', key })
    expect(noBody.status).toBe(400)
    expect((await publishVia(cluster, key, { version_type: 'minor' }, 'version')).status).toBe(404)
    expect(cluster.listVersions('alice', 'hello', { published: true })).toEqual([])
  })

  it('refuses what the spec refuses: a non-string sample_input, the read-only royalty_microcredits on update, a body not sent as JSON', async () => {
    const { cluster, key } = await setup()
    await buildCommit(cluster, { 'a.txt': '1' })
    const sample = await publishVia(cluster, key, { version_type: 'minor', sample_input: { name: 'Jane' } })
    expect(sample.status).toBe(400)
    expect(sample.body).toMatchObject({ error: { code: 6001, message: expect.stringContaining('sample_input') } })
    const royalty = await api(cluster, '/v1/algorithms/alice/hello', {
      method: 'PUT',
      key,
      body: { settings: { royalty_microcredits: 5 } }
    })
    expect(royalty.status).toBe(400)
    expect(royalty.body).toMatchObject({ error: { message: expect.stringContaining('royalty_microcredits') } })
    const text = await fetch(`${cluster.url}/v1/algorithms/alice/hello/versions`, {
      method: 'POST',
      headers: { Authorization: `Simple ${key}`, 'Content-Type': 'text/plain' },
      body: JSON.stringify({ version_info: { version_type: 'minor' } })
    })
    expect(text.status).toBe(400)
    expect(await text.text()).toMatch(/application\/json/)
    expect(semver(await publishVia(cluster, key, { version_type: 'minor', sample_input: '{"name": "Jane"}' }))).toBe('0.1.0')
  })

  it('rejects invalid version types', async () => {
    const { cluster, key } = await setup()
    await buildCommit(cluster, { 'a.txt': '1' })
    const response = await publishVia(cluster, key, { version_type: 'huge' })
    expect(response.status).toBe(400)
    expect(response.body).toMatchObject({ error: { code: 6001 } })
  })

  it('cannot publish when the latest build failed, even after an earlier success', async () => {
    const { cluster, key } = await setup()
    await buildCommit(cluster, { 'a.txt': '1' })
    cluster.builds.failTreesContaining('broken.py')
    const sha = await buildCommit(cluster, { 'broken.py': 'syntax error' })
    const build = cluster.listBuilds('alice', 'hello')[0]
    expect(build).toMatchObject({ status: 'failed', commit_sha: sha })
    const logs = await api(cluster, `/v1/algorithms/alice/hello/builds/${build.build_id}/logs`, { key })
    expect(logs.body).toMatchObject({ logs: expect.stringContaining('ERROR: build failed: broken.py') })
    expect(cluster.getAlgorithm('alice', 'hello')?.compilation).toMatchObject({ successful: false })

    const response = await publishVia(cluster, key, { version_type: 'minor' })
    expect(response.status).toBe(400)
    expect(response.body).toMatchObject({ error: { message: expect.stringContaining('failed') } })
    await expect(cluster.publish('alice', 'hello')).rejects.toThrow(/failed/)
  })

  it('fails builds by predicate over the file list', async () => {
    const { cluster } = await setup()
    cluster.builds.failWhen(files => files.some(file => file.endsWith('.exe')))
    const sha = await buildCommit(cluster, { 'bin/tool.exe': 'MZ' })
    expect(cluster.listBuilds('alice', 'hello')[0]).toMatchObject({ status: 'failed', commit_sha: sha })
    cluster.builds.clearFailures()
    const fixed = await buildCommit(cluster, { 'bin/tool.exe': 'MZ2' })
    expect(cluster.listBuilds('alice', 'hello')[0]).toMatchObject({ status: 'succeeded', commit_sha: fixed })
  })

  it('cannot publish while the latest build is in progress; logs are 404 / 1011 until it finishes', async () => {
    const { cluster, key } = await setup()
    cluster.builds.holdInProgress(true)
    const sha = await cluster.commit('alice', 'hello', { 'a.txt': '1' })
    const [build] = cluster.listBuilds('alice', 'hello')
    expect(build.status).toBe('in-progress')
    const logs = await api(cluster, `/v1/algorithms/alice/hello/builds/${build.build_id}/logs`, { key })
    expect(logs.status).toBe(404)
    expect(logs.body).toMatchObject({ error: { code: 1011 } })
    const response = await publishVia(cluster, key, { version_type: 'minor' })
    expect(response.status).toBe(400)
    expect(response.body).toMatchObject({ error: { message: expect.stringContaining('in progress') } })

    cluster.builds.holdInProgress(false)
    expect((await cluster.waitForBuild('alice', 'hello', sha)).status).toBe('succeeded')
    expect(semver(await publishVia(cluster, key, { version_type: 'minor' }))).toBe('0.1.0')
  })

  it('reports unknown builds with 404 / 1010', async () => {
    const { cluster, key } = await setup()
    const response = await api(cluster, '/v1/algorithms/alice/hello/builds/nope', { key })
    expect(response.status).toBe(404)
    expect(response.body).toMatchObject({ error: { code: 1010 } })
  })
})

describe('version and build listings', () => {
  async function fiveVersions() {
    const { cluster, key } = await setup()
    const shas: string[] = []
    for (let i = 1; i <= 5; i++) {
      shas.push(await buildCommit(cluster, { 'a.txt': String(i) }))
      if (i % 2 === 1) await cluster.publish('alice', 'hello', 'minor', `release ${i}`)
    }
    return { cluster, key, newestFirst: shas.reverse() }
  }

  type Page = { marker: string | null; next_link: string | null; results: Array<{ version_info: { git_hash: string } }> }

  it('pages versions newest first with marker and next_link', async () => {
    const { cluster, key, newestFirst } = await fiveVersions()
    const seen: string[] = []
    let path: string | null = '/v1/algorithms/alice/hello/versions?limit=2'
    while (path) {
      const response = await api(cluster, path, { key })
      const page = response.body as Page
      expect(page.results.length).toBeLessThanOrEqual(2)
      seen.push(...page.results.map(v => v.version_info.git_hash))
      expect(Boolean(page.marker)).toBe(Boolean(page.next_link))
      path = page.next_link && page.next_link.slice(cluster.url.length)
    }
    expect(seen).toEqual(newestFirst)
  })

  it('filters published versions and finds a version by git hash', async () => {
    const { cluster, key, newestFirst } = await fiveVersions()
    const published = (await api(cluster, '/v1/algorithms/alice/hello/versions?published=true', { key })).body as Page
    expect(published.results.map(v => v.version_info.git_hash)).toEqual([newestFirst[0], newestFirst[2], newestFirst[4]])
    const unpublished = (await api(cluster, '/v1/algorithms/alice/hello/versions?published=false', { key })).body as Page
    expect(unpublished.results).toHaveLength(2)
    expect(cluster.listVersions('alice', 'hello', { published: true }).map(v => v.version_info.semantic_version)).toEqual([
      '0.3.0',
      '0.2.0',
      '0.1.0'
    ])
    const single = await api(cluster, `/v1/algorithms/alice/hello/versions/${newestFirst[2]}`, { key })
    expect(single.body).toMatchObject({ version_info: { semantic_version: '0.2.0', release_notes: 'release 3' } })
    expect((await api(cluster, '/v1/algorithms/alice/hello/versions/0000', { key })).status).toBe(404)
  })

  it('pages builds and validates limit and marker', async () => {
    const { cluster, key } = await fiveVersions()
    const first = (await api(cluster, '/v1/algorithms/alice/hello/builds?limit=3', { key })).body as Page
    expect(first.results).toHaveLength(3)
    const second = await api(cluster, first.next_link!.slice(cluster.url.length), { key })
    expect((second.body as Page).results).toHaveLength(2)
    expect((second.body as Page).marker).toBeUndefined()
    const badLimit = await api(cluster, '/v1/algorithms/alice/hello/builds?limit=0', { key })
    expect(badLimit.body).toMatchObject({ error: { code: 5003 } })
    const badMarker = await api(cluster, '/v1/algorithms/alice/hello/versions?marker=garbage', { key })
    expect(badMarker.body).toMatchObject({ error: { code: 5002 } })
  })
})
