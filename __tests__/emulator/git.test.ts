import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { ClusterOptions, EmulatedCluster } from '../../emulator/index.js'
import { api, cloneRepo, commitFile, git, gitOk, repoUrl, seedUser, useFixture, type GitAuth } from './helpers.js'

const fixture = useFixture()

async function setup(options: ClusterOptions = {}) {
  const cluster = await fixture.start({ name: 'dev', ...options })
  const key = seedUser(cluster, 'alice')
  cluster.createAlgorithm('alice', 'hello')
  return { cluster, key, auth: { user: 'alice', key } }
}

describe('git clone', () => {
  it('clones the template with credentials from the environment', async () => {
    const { cluster, auth } = await setup()
    const dir = await cloneRepo(fixture, cluster, 'alice', 'hello', auth)
    expect(await gitOk(['rev-parse', 'HEAD'], { cwd: dir })).toBe(await cluster.headCommit('alice', 'hello'))
    expect(await gitOk(['ls-files'], { cwd: dir })).toContain('src/hello.py')
  })

  it('clones over protocol v0 and v2', async () => {
    const { cluster, auth } = await setup()
    for (const version of ['0', '2']) {
      const dir = join(await fixture.tmp(), 'clone')
      await gitOk(['-c', `protocol.version=${version}`, 'clone', '-q', repoUrl(cluster, 'alice', 'hello'), dir], { auth })
    }
    const gitRequests = cluster.requests.filter(r => r.kind === 'git')
    expect(gitRequests.every(r => r.status === 200 && r.principal === 'alice')).toBe(true)
    expect(gitRequests.every(r => r.gitService === 'upload-pack')).toBe(true)
  })

  it('rejects missing or wrong credentials with 401 and a Basic challenge', async () => {
    const { cluster, key } = await setup()
    const url = `${repoUrl(cluster, 'alice', 'hello')}/info/refs?service=git-upload-pack`
    const anonymous = await fetch(url)
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('www-authenticate')).toBe('Basic realm="Algorithmia"')
    // The username must be the key's owner.
    const wrongUser = await fetch(url, {
      headers: { Authorization: `Basic ${Buffer.from(`bob:${key}`).toString('base64')}` }
    })
    expect(wrongUser.status).toBe(401)
    const dir = join(await fixture.tmp(), 'clone')
    const failed = await git(['clone', '-q', repoUrl(cluster, 'alice', 'hello'), dir], {
      auth: { user: 'alice', key: 'simWrong' }
    })
    expect(failed.code).not.toBe(0)
  })

  it('returns 403 to non-members and 404 for unknown repositories', async () => {
    const { cluster } = await setup()
    const bobKey = seedUser(cluster, 'bob')
    const headers = { Authorization: `Basic ${Buffer.from(`bob:${bobKey}`).toString('base64')}` }
    const forbidden = await fetch(`${repoUrl(cluster, 'alice', 'hello')}/info/refs?service=git-upload-pack`, { headers })
    expect(forbidden.status).toBe(403)
    const missing = await fetch(`${repoUrl(cluster, 'bob', 'nothing')}/info/refs?service=git-upload-pack`, { headers })
    expect(missing.status).toBe(404)
  })

  it('lets organization members clone and push with their own username', async () => {
    const cluster = await fixture.start()
    const key = seedUser(cluster, 'alice')
    cluster.addOrg('team', ['alice'])
    cluster.createAlgorithm('team', 'shared')
    const dir = await cloneRepo(fixture, cluster, 'team', 'shared', { user: 'alice', key })
    const sha = await commitFile(dir, 'README.md', 'team work')
    await gitOk(['push', '-q', 'origin', 'master'], { cwd: dir, auth: { user: 'alice', key } })
    expect(await cluster.headCommit('team', 'shared')).toBe(sha)
  })

  it('works with a key containing / + and =', async () => {
    const cluster = await fixture.start()
    cluster.addUser('alice')
    const key = cluster.addKey('alice', { key: 'simCanary/with+plus=equals' })
    cluster.createAlgorithm('alice', 'hello')
    const dir = await cloneRepo(fixture, cluster, 'alice', 'hello', { user: 'alice', key })
    await commitFile(dir, 'a.txt', 'a')
    await gitOk(['push', '-q', 'origin', 'master'], { cwd: dir, auth: { user: 'alice', key } })
    expect(JSON.stringify(cluster.requests)).not.toContain('Canary')
  })
})

describe('git push', () => {
  it('starts one build for commits pushed together, which succeeds', async () => {
    const { cluster, key, auth } = await setup()
    const dir = await cloneRepo(fixture, cluster, 'alice', 'hello', auth)
    await commitFile(dir, 'one.txt', '1')
    const head = await commitFile(dir, 'nested/dir/.hidden', '2')
    await gitOk(['push', '-q', 'origin', 'master'], { cwd: dir, auth })

    const builds = await api(cluster, '/v1/algorithms/alice/hello/builds', { key })
    expect(builds.body).toMatchObject({ results: [{ commit_sha: head, resource_type: 'algorithm_build' }] })
    expect((builds.body as { results: unknown[] }).results).toHaveLength(1)
    const build = await cluster.waitForBuild('alice', 'hello', head)
    expect(build).toMatchObject({ status: 'succeeded', commit_sha: head, finished_at: expect.any(String) })
    expect(cluster.getAlgorithm('alice', 'hello')?.version_info?.git_hash).toBe(head)

    const tree = await cluster.readTree('alice', 'hello')
    expect(tree['nested/dir/.hidden'].toString()).toBe('2')
    const log = await cluster.log('alice', 'hello')
    expect(log.map(entry => entry.message)).toEqual(['edit nested/dir/.hidden', 'edit one.txt', 'Initial commit'])
  })

  it('accepts pushes to other branches without building them', async () => {
    const { cluster, auth } = await setup()
    const dir = await cloneRepo(fixture, cluster, 'alice', 'hello', auth)
    await commitFile(dir, 'feature.txt', 'f')
    await gitOk(['push', '-q', 'origin', 'HEAD:refs/heads/feature'], { cwd: dir, auth })
    expect(cluster.listBuilds('alice', 'hello')).toEqual([])
  })

  it('rejects non-fast-forward pushes', async () => {
    const { cluster, auth } = await setup()
    const dir = await cloneRepo(fixture, cluster, 'alice', 'hello', auth)
    const serverSha = await cluster.commit('alice', 'hello', { 'server.txt': 's' }, { replace: false })
    await commitFile(dir, 'local.txt', 'l')
    const forced = await git(['push', '--force', 'origin', 'master'], { cwd: dir, auth })
    expect(forced.code).not.toBe(0)
    expect(forced.stderr).toMatch(/non-fast-forward|rejected/)
    expect(await cluster.headCommit('alice', 'hello')).toBe(serverSha)
  })

  it('refuses pushes from a key without algorithm management', async () => {
    const { cluster } = await setup()
    const readOnly = { user: 'alice', key: cluster.addKey('alice', { algoManagement: false }) }
    const dir = await cloneRepo(fixture, cluster, 'alice', 'hello', readOnly)
    await commitFile(dir, 'x.txt', 'x')
    const push = await git(['push', 'origin', 'master'], { cwd: dir, auth: readOnly })
    expect(push.code).not.toBe(0)
    expect(cluster.requests.some(r => r.gitService === 'receive-pack' && r.status === 403)).toBe(true)
  })
})

describe('shallow and partial fetch', () => {
  it('with partialClone, fetches a specific sha with --depth=1 --filter=tree:0', async () => {
    const { cluster, auth } = await setup({ partialClone: true })
    const wanted = await cluster.commit('alice', 'hello', { 'model.txt': 'v1' }, { replace: false })
    await cluster.commit('alice', 'hello', { 'model.txt': 'v2' }, { replace: false })
    const dir = await fixture.tmp()
    await gitOk(['init', '-q', dir])
    await gitOk(['remote', 'add', 'origin', repoUrl(cluster, 'alice', 'hello')], { cwd: dir })
    await gitOk(['fetch', '-q', '--depth=1', '--filter=tree:0', 'origin', wanted], { cwd: dir, auth })
    expect(await gitOk(['rev-parse', 'FETCH_HEAD'], { cwd: dir })).toBe(wanted)
    await gitOk(['checkout', '-q', 'FETCH_HEAD'], { cwd: dir, auth })
    expect(await gitOk(['show', 'HEAD:model.txt'], { cwd: dir, auth })).toBe('v1')
    expect(await gitOk(['rev-list', '--count', 'HEAD'], { cwd: dir })).toBe('1')
  })

  /** Fetches `wanted` at depth 1 with a filter into a new bare repository; returns what git said and whether its tree arrived. */
  async function filteredFetch(cluster: EmulatedCluster, auth: GitAuth, wanted: string) {
    const dir = await fixture.tmp()
    await gitOk(['init', '-q', '--bare', dir])
    const fetch = await git(['-C', dir, 'fetch', '--depth=1', '--filter=tree:0', repoUrl(cluster, 'alice', 'hello'), wanted], { auth })
    expect(fetch.code, fetch.stderr).toBe(0)
    const treeId = await gitOk(['-C', dir, 'cat-file', '-p', wanted]).then(text => /^tree (\S+)/.exec(text)![1])
    const tree = await git(['-C', dir, 'cat-file', '-e', treeId])
    return { stderr: fetch.stderr, treeArrived: tree.code === 0 }
  }

  it('by default has no partial clone: a --filter is ignored and the whole tree arrives', async () => {
    const { cluster, auth } = await setup()
    const wanted = await cluster.commit('alice', 'hello', { 'model.txt': 'v1' }, { replace: false })
    const fetched = await filteredFetch(cluster, auth, wanted)
    expect(fetched.stderr).toMatch(/filtering not recognized by server/)
    expect(fetched.treeArrived).toBe(true)
  })

  it('with partialClone, a --filter=tree:0 fetch leaves the tree behind', async () => {
    const { cluster, auth } = await setup({ partialClone: true })
    const wanted = await cluster.commit('alice', 'hello', { 'model.txt': 'v1' }, { replace: false })
    const fetched = await filteredFetch(cluster, auth, wanted)
    expect(fetched.stderr).not.toMatch(/filtering not recognized/)
    expect(fetched.treeArrived).toBe(false)
  })
})

describe('added latency', () => {
  it('delays every API and git request, and each new connection, by latencyMs', async () => {
    const latencyMs = 150
    const slow = await setup({ latencyMs })
    const fast = await setup()
    const timed = async (work: () => Promise<unknown>): Promise<number> => {
      const start = performance.now()
      await work()
      return performance.now() - start
    }
    // A fresh connection pays the handshake and the request: two round trips.
    expect(await timed(() => api(slow.cluster, '/v1/algorithms/alice/hello', { key: slow.key }))).toBeGreaterThanOrEqual(2 * latencyMs - 5)
    expect(await timed(() => api(fast.cluster, '/v1/algorithms/alice/hello', { key: fast.key }))).toBeLessThan(latencyMs)
    // git ls-remote over protocol v2: advertisement plus ls-refs, each at least one round trip.
    const lsRemote = (cluster: EmulatedCluster, auth: GitAuth) => gitOk(['ls-remote', repoUrl(cluster, 'alice', 'hello')], { auth })
    expect(await timed(() => lsRemote(slow.cluster, slow.auth))).toBeGreaterThanOrEqual(2 * latencyMs)
    expect(slow.cluster.requests.filter(r => r.kind === 'git').map(r => r.status)).toEqual([200, 200])
  })
})

describe('direct commits', () => {
  it('replaces, merges and deletes files, building each commit', async () => {
    const { cluster } = await setup()
    const replaced = await cluster.commit('alice', 'hello', { 'a.txt': 'a', 'dir/b.txt': Buffer.from([0, 1, 2]) })
    expect(Object.keys(await cluster.readTree('alice', 'hello')).sort()).toEqual(['a.txt', 'dir/b.txt'])
    const merged = await cluster.commit('alice', 'hello', { 'c.txt': 'c' }, { replace: false, deletes: ['dir'] })
    const tree = await cluster.readTree('alice', 'hello')
    expect(Object.keys(tree).sort()).toEqual(['a.txt', 'c.txt'])
    const old = await cluster.readTree('alice', 'hello', replaced)
    expect([...old['dir/b.txt']]).toEqual([0, 1, 2])
    const [top] = await cluster.log('alice', 'hello')
    expect(top).toMatchObject({ sha: merged, parents: [replaced] })
    expect((await cluster.waitForBuild('alice', 'hello', merged)).status).toBe('succeeded')
  })
})
