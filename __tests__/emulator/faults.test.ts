import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { api, cloneRepo, commitFile, git, gitOk, repoUrl, seedUser, useFixture } from './helpers.js'

const fixture = useFixture()

async function setup() {
  const cluster = await fixture.start()
  const key = seedUser(cluster, 'alice')
  cluster.createAlgorithm('alice', 'hello')
  return { cluster, key, auth: { user: 'alice', key } }
}

const ALGO_PATH = '/v1/algorithms/alice/hello'

describe('HTTP faults', () => {
  it('answers with the injected status the given number of times, then recovers', async () => {
    const { cluster, key } = await setup()
    cluster.faults.add({ path: ALGO_PATH, status: 503, times: 2 })
    const statuses = []
    for (let i = 0; i < 3; i++) statuses.push((await api(cluster, ALGO_PATH, { key })).status)
    expect(statuses).toEqual([503, 503, 200])
    expect(cluster.requests.map(r => r.status)).toEqual([503, 503, 200])
  })

  it('sends Retry-After and a custom body, matching method and regex paths', async () => {
    const { cluster, key } = await setup()
    cluster.faults.add({ method: 'post', path: /\/versions$/, status: 429, retryAfter: '2', body: { error: 'slow down' } })
    expect((await api(cluster, `${ALGO_PATH}/versions`, { key })).status).toBe(200) // GET is not matched
    const limited = await api(cluster, `${ALGO_PATH}/versions`, { method: 'POST', key, body: {} })
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('2')
    expect(limited.body).toEqual({ error: 'slow down' })
  })

  it('adds latency before normal handling', async () => {
    const { cluster, key } = await setup()
    cluster.faults.add({ path: ALGO_PATH, latencyMs: 150 })
    const started = Date.now()
    const response = await api(cluster, ALGO_PATH, { key })
    expect(response.status).toBe(200)
    expect(Date.now() - started).toBeGreaterThanOrEqual(140)
  })

  it('drops the connection without a response', async () => {
    const { cluster, key } = await setup()
    cluster.faults.add({ path: ALGO_PATH, drop: true })
    await expect(api(cluster, ALGO_PATH, { key })).rejects.toThrow()
    expect((await api(cluster, ALGO_PATH, { key })).status).toBe(200)
    expect(cluster.requests[0]).toMatchObject({ path: ALGO_PATH, status: 0 })
  })

  it('applies to git routes too', async () => {
    const { cluster, auth } = await setup()
    cluster.faults.add({ path: '/git/alice/hello.git/info/refs', status: 500 })
    const dir = join(await fixture.tmp(), 'clone')
    const failed = await git(['clone', '-q', repoUrl(cluster, 'alice', 'hello'), dir], { auth })
    expect(failed.code).not.toBe(0)
    await gitOk(['clone', '-q', repoUrl(cluster, 'alice', 'hello'), dir], { auth })
  })

  it('clear() removes pending faults', async () => {
    const { cluster, key } = await setup()
    cluster.faults.add({ path: '/v1', status: 500, times: 10 })
    cluster.faults.clear()
    expect((await api(cluster, ALGO_PATH, { key })).status).toBe(200)
  })
})

describe('commit injected after a fetch', () => {
  for (const protocol of ['0', '2']) {
    it(`makes the next push non-fast-forward (protocol v${protocol})`, async () => {
      const { cluster, auth } = await setup()
      const dir = join(await fixture.tmp(), 'work')
      cluster.faults.injectCommitAfterFetch('alice', 'hello', { 'teammate.txt': 'theirs' })
      await gitOk(['-c', `protocol.version=${protocol}`, 'clone', '-q', repoUrl(cluster, 'alice', 'hello'), dir], { auth })

      // The clone saw the template only; the teammate's commit landed right after.
      expect(await gitOk(['ls-files'], { cwd: dir })).not.toContain('teammate.txt')
      const serverTree = await cluster.readTree('alice', 'hello')
      expect(serverTree['teammate.txt'].toString()).toBe('theirs')
      expect(serverTree['src/hello.py']).toBeDefined() // merged into the tree, not replacing it

      await commitFile(dir, 'mine.txt', 'ours')
      const rejected = await git(['push', 'origin', 'master'], { cwd: dir, auth })
      expect(rejected.code).not.toBe(0)

      await gitOk(['pull', '-q', '--rebase', 'origin', 'master'], { cwd: dir, auth })
      await gitOk(['push', '-q', 'origin', 'master'], { cwd: dir, auth })
      expect(Object.keys(await cluster.readTree('alice', 'hello'))).toEqual(expect.arrayContaining(['teammate.txt', 'mine.txt']))
    })
  }

  it('injects only as many times as asked', async () => {
    const { cluster, auth } = await setup()
    cluster.faults.injectCommitAfterFetch('alice', 'hello', { 'once.txt': '1' })
    await cloneRepo(fixture, cluster, 'alice', 'hello', auth)
    const afterFirst = await cluster.headCommit('alice', 'hello')
    await cloneRepo(fixture, cluster, 'alice', 'hello', auth)
    expect(await cluster.headCommit('alice', 'hello')).toBe(afterFirst)
    expect(await cluster.log('alice', 'hello')).toHaveLength(2)
  })
})

describe('request log', () => {
  it('records API and git requests with principal and byte counts, never the key', async () => {
    const cluster = await fixture.start()
    cluster.addUser('alice')
    const key = cluster.addKey('alice', { key: 'simCANARY/k+e=y' })
    cluster.createAlgorithm('alice', 'hello')
    const auth = { user: 'alice', key }

    await api(cluster, `${ALGO_PATH}?x=1`, { key })
    await api(cluster, ALGO_PATH, { authorization: 'Simple wrong' })
    const dir = await cloneRepo(fixture, cluster, 'alice', 'hello', auth)
    await commitFile(dir, 'a.txt', 'a')
    await gitOk(['push', '-q', 'origin', 'master'], { cwd: dir, auth })

    const [first, second] = cluster.requests
    expect(first).toMatchObject({ method: 'GET', path: ALGO_PATH, query: { x: '1' }, status: 200, kind: 'api' })
    expect(first.principal).toBe('alice')
    expect(first.bytesOut).toBeGreaterThan(0)
    expect(second.status).toBe(401)
    expect(second.principal).toBeUndefined()
    const pushes = cluster.requests.filter(r => r.gitService === 'receive-pack' && r.method === 'POST')
    expect(pushes.at(-1)).toMatchObject({ kind: 'git', status: 200, principal: 'alice' })
    expect(pushes.at(-1)!.bytesIn).toBeGreaterThan(0)
    const fetches = cluster.requests.filter(r => r.gitService === 'upload-pack' && r.method === 'POST')
    expect(fetches.at(-1)!.bytesOut).toBeGreaterThan(0)
    expect(JSON.stringify(cluster.requests)).not.toMatch(/CANARY/i)

    cluster.clearRequests()
    expect(cluster.requests).toEqual([])
  })
})
