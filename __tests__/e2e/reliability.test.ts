/**
 * Issue 3, faults the action survives: each is injected into the emulated
 * clusters (or, for answers lost after the cluster acted, into a proxy in
 * front of them) and the bundled action is run through it. Every run is also
 * scanned for the canary keys.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { ActionRun } from '../../scripts/lib/run-action.js'
import { DEST_OWNER, SOURCE_OWNER, startClusterPair, type ClusterPair } from '../helpers/clusters.js'
import { startLossyProxy, type LossyProxy } from './reliability-proxy.js'
import { CANARY_DEV_KEY, CANARY_PROD_KEY, runAndScan, type ScanReport } from './security-scan.js'
import type { PublicResult } from '../../src/report/public-result.js'

const KEYS = [
  { owner: 'alice', key: CANARY_DEV_KEY },
  { owner: 'deployer', key: CANARY_PROD_KEY }
]
const FILES = { 'src/hello.py': 'def apply(input):\n    return "hi " + input\n', 'requirements.txt': 'numpy\n', '.gitignore': '*.pyc\n' }
const API = `/v1/algorithms`
/** A fault path matches as a prefix; this one matches the path alone. */
const exactly = (pathname: string): RegExp => new RegExp(`^${pathname.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`)

type Result = PublicResult

const resultsOf = (run: ActionRun): Result[] => JSON.parse(run.outputs.results ?? '[]') as Result[]

/** Asserts what every run must satisfy whatever happened: no key anywhere, no temporary repository left, never a forced push. */
function expectCleanRun(scan: ScanReport): void {
  expect(scan.leaks, JSON.stringify(scan.leaks, null, 2)).toEqual([])
  expect(scan.leftInRunnerTemp).toEqual([])
  // Undefined only on Windows, which has no git spy (createGitSpy printed why).
  if (!scan.gitInvocations) return
  const pushes = scan.gitInvocations.filter(args => args.includes('push'))
  for (const args of pushes) {
    expect(args.some(arg => /^(--force|-f|--force-with-lease|--mirror|--delete)/.test(arg) || /^\+/.test(arg))).toBe(false)
  }
  expect(scan.gitInvocations.some(args => args.includes('reset') || args.includes('update-ref'))).toBe(false)
}

describe('reliability: faults the action survives', () => {
  let pair: ClusterPair
  let proxy: LossyProxy | undefined
  beforeEach(async () => {
    pair = await startClusterPair({ devKey: CANARY_DEV_KEY, prodKey: CANARY_PROD_KEY, buildDelayMs: 30 })
  })
  afterEach(async () => {
    await proxy?.stop()
    proxy = undefined
    await pair.stop()
  })

  async function promote(
    overrides: Record<string, string | boolean | number>,
    env: Record<string, string> = {}
  ): Promise<{ run: ActionRun; scan: ScanReport }> {
    const { run, scan } = await runAndScan(pair.inputs(overrides), KEYS, env)
    expectCleanRun(scan)
    return { run, scan }
  }

  async function expectSourceTreeOnProd(name: string): Promise<void> {
    const source = await pair.dev.readTree(SOURCE_OWNER, name)
    const dest = await pair.prod.readTree(DEST_OWNER, name)
    expect(Object.keys(dest).sort()).toEqual(Object.keys(source).sort())
    for (const file of Object.keys(source)) expect(dest[file].equals(source[file]), file).toBe(true)
  }

  describe('API faults', () => {
    it('retries 5xx answers with backoff and succeeds', async () => {
      await pair.seed('hello', FILES)
      // Exactly the algorithm's path: its versions are asked for at the same time, under the same prefix.
      pair.dev.faults.add({ method: 'GET', path: exactly(`${API}/${SOURCE_OWNER}/hello`), status: 503, times: 2 })
      pair.prod.faults.add({ method: 'POST', path: `${API}/${DEST_OWNER}`, status: 500, times: 1 })
      pair.prod.faults.add({ method: 'GET', path: /\/builds/, status: 502, times: 2 })

      const { run } = await promote({ algorithms: 'hello', publish: true })

      expect(run.exitCode, run.stdout).toBe(0)
      expect(resultsOf(run)[0]).toMatchObject({ status: 'created', destVersion: '0.1.0' })
      const sourceGets = pair.dev.requests.filter(r => r.method === 'GET' && r.path === `${API}/${SOURCE_OWNER}/hello`)
      expect(sourceGets.map(r => r.status)).toEqual([503, 503, 200])
      // Exponential backoff with jitter: the second wait is at least half the doubled ceiling (retry-delay 0.05 s).
      const gaps = sourceGets.slice(1).map((r, i) => r.at - sourceGets[i].at)
      expect(gaps[0]).toBeGreaterThanOrEqual(20)
      expect(gaps[1]).toBeGreaterThanOrEqual(45)
      const creates = pair.prod.requests.filter(r => r.method === 'POST' && r.path === `${API}/${DEST_OWNER}`)
      expect(creates.map(r => r.status)).toEqual([500, 201])
      expect(run.stdout).toMatch(/answered 503.*retrying in .* s \(attempt 2 of 5\)/)
      await expectSourceTreeOnProd('hello')
    })

    it('retries connection resets (a dropped connection) and succeeds', async () => {
      await pair.seed('hello', FILES)
      pair.dev.faults.add({ method: 'GET', path: exactly(`${API}/${SOURCE_OWNER}/hello`), drop: true, times: 2 })
      pair.prod.faults.add({ method: 'GET', path: `${API}/${DEST_OWNER}/hello`, drop: true, times: 1 })

      const { run } = await promote({ algorithms: 'hello' })

      expect(run.exitCode, run.stdout).toBe(0)
      expect(pair.dev.requests.filter(r => r.path === `${API}/${SOURCE_OWNER}/hello`).map(r => r.status)).toEqual([0, 0, 200])
      expect(run.stdout).toMatch(/got no answer/)
      await expectSourceTreeOnProd('hello')
    })

    it('abandons a request that outlasts request-timeout and retries it', async () => {
      await pair.seed('hello', FILES)
      pair.dev.faults.add({ method: 'GET', path: `${API}/${SOURCE_OWNER}/hello`, latencyMs: 6000, times: 1 })

      const started = Date.now()
      const { run } = await promote({ algorithms: 'hello', 'request-timeout': '0.3' })

      expect(run.exitCode, run.stdout).toBe(0)
      expect(run.stdout).toMatch(/timed out after 0\.3 s/)
      // The slow answer was not waited for.
      expect(Date.now() - started).toBeLessThan(4000)
      await expectSourceTreeOnProd('hello')
    })

    it('is bounded: gives up after max-attempts with an error naming the cluster and request', async () => {
      await pair.seed('hello', FILES)
      pair.prod.faults.add({ method: 'GET', path: `${API}/${DEST_OWNER}/hello`, status: 503, times: 100 })
      const started = Date.now()

      const { run } = await promote({ algorithms: 'hello', 'max-attempts': 3 })

      expect(run.exitCode).toBe(1)
      expect(Date.now() - started).toBeLessThan(15_000)
      expect(pair.prod.requests.filter(r => r.path === `${API}/${DEST_OWNER}/hello`)).toHaveLength(3)
      const [result] = resultsOf(run)
      expect(result).toMatchObject({ status: 'failed', failedStep: 'prepare destination', destCommit: '' })
      expect(result.error).toMatch(/GET \/algorithms\/ml_prod\/hello answered 503.*even after retries/)
      // Nothing was created or pushed: the destination is untouched.
      expect(pair.prod.getAlgorithm(DEST_OWNER, 'hello')).toBeUndefined()
    })

    it('honours 429 Retry-After in seconds', async () => {
      await pair.seed('hello', FILES)
      pair.dev.faults.add({
        method: 'GET',
        path: `${API}/${SOURCE_OWNER}/hello`,
        status: 429,
        retryAfter: '1',
        body: { error: { code: 429, message: 'Too many requests' } }
      })

      const { run } = await promote({ algorithms: 'hello' })

      expect(run.exitCode, run.stdout).toBe(0)
      const [limited, next] = pair.dev.requests.filter(r => r.path === `${API}/${SOURCE_OWNER}/hello`)
      expect(limited.status).toBe(429)
      expect(next.at - limited.at).toBeGreaterThanOrEqual(950)
      expect(next.at - limited.at).toBeLessThan(3000)
      expect(run.stdout).toMatch(/retrying in 1\.0 s/)
    })

    it('honours 429 Retry-After as an HTTP date', async () => {
      await pair.seed('hello', FILES)
      const retryAt = new Date(Date.now() + 2000)
      pair.prod.faults.add({ method: 'GET', path: `${API}/${DEST_OWNER}/hello`, status: 429, retryAfter: retryAt.toUTCString() })

      const { run } = await promote({ algorithms: 'hello' })

      expect(run.exitCode, run.stdout).toBe(0)
      const [limited, next] = pair.prod.requests.filter(r => r.path === `${API}/${DEST_OWNER}/hello`)
      expect(limited.status).toBe(429)
      // The date has whole seconds; the retry comes no earlier than it says.
      expect(next.at).toBeGreaterThanOrEqual(Math.floor(retryAt.getTime() / 1000) * 1000 - 50)
      expect(next.at - limited.at).toBeLessThan(3500)
    })

    it('a create whose answer was lost: the retry meets "name taken" (1002), confirms the algorithm, and carries on', async () => {
      await pair.seed('hello', FILES)
      proxy = await startLossyProxy(pair.prod.url)
      proxy.lose({ method: 'POST', path: new RegExp(`^${API}/${DEST_OWNER}$`), loseAs: 'drop' })

      const { run } = await promote({ algorithms: 'hello', 'dest-api-url': proxy.url })

      expect(run.exitCode, run.stdout).toBe(0)
      expect(proxy.lost).toEqual([`POST ${API}/${DEST_OWNER} -> 201`])
      const creates = pair.prod.requests.filter(r => r.method === 'POST' && r.path === `${API}/${DEST_OWNER}`)
      expect(creates.map(r => r.status)).toEqual([201, 400])
      // This run created it (its first, lost attempt did), so it says so.
      expect(resultsOf(run)[0]).toMatchObject({ status: 'created' })
      await expectSourceTreeOnProd('hello')
    })

    it('a destination created by another run just before our create is found, not reported as deleted', async () => {
      await pair.seed('hello', FILES)
      proxy = await startLossyProxy(pair.prod.url)
      proxy.forestall({ method: 'POST', path: new RegExp(`^${API}/${DEST_OWNER}$`) })

      const { run } = await promote({ algorithms: 'hello', 'dest-api-url': proxy.url, metadata: 'sync' })

      expect(run.exitCode, run.stdout).toBe(0)
      expect(resultsOf(run)[0]).toMatchObject({ status: 'updated' })
      expect(run.stdout).not.toMatch(/was deleted/)
      await expectSourceTreeOnProd('hello')
    })

    for (const loseAs of ['drop', 502] as const) {
      it(`a publish whose answer was lost (${loseAs}) is found in the versions list, never published twice`, async () => {
        const sourceCommit = await pair.seed('hello', FILES, { publish: 'minor' })
        proxy = await startLossyProxy(pair.prod.url)
        proxy.lose({ method: 'POST', path: /\/versions$/, loseAs })

        const { run } = await promote({ algorithms: 'hello', publish: true, 'dest-api-url': proxy.url })

        expect(run.exitCode, run.stdout).toBe(0)
        expect(proxy.lost).toHaveLength(1)
        const publishes = pair.prod.requests.filter(r => r.method === 'POST' && r.path.endsWith('/versions'))
        expect(publishes).toHaveLength(1)
        const versions = pair.prod.listVersions(DEST_OWNER, 'hello', { published: true })
        expect(versions.map(v => v.version_info.semantic_version)).toEqual(['0.1.0'])
        const head = await pair.prod.headCommit(DEST_OWNER, 'hello')
        expect(versions[0].version_info.git_hash).toBe(head)
        expect(resultsOf(run)[0]).toMatchObject({ status: 'created', destVersion: '0.1.0', destCommit: head, sourceVersion: '0.1.0' })
        expect(JSON.parse(run.outputs['version-map'])).toEqual({ hello: { '0.1.0': '0.1.0' } })
        expect(run.stdout).toMatch(/earlier publish went through/)
        expect(sourceCommit).toMatch(/^[0-9a-f]{40}$/)
      })
    }

    it('a publish refused with 503 before the cluster acted is checked, then published once', async () => {
      await pair.seed('hello', FILES)
      pair.prod.faults.add({ method: 'POST', path: /\/versions$/, status: 503, times: 1 })

      const { run } = await promote({ algorithms: 'hello', publish: true })

      expect(run.exitCode, run.stdout).toBe(0)
      expect(pair.prod.requests.filter(r => r.method === 'POST' && r.path.endsWith('/versions')).map(r => r.status)).toEqual([503, 200])
      expect(pair.prod.listVersions(DEST_OWNER, 'hello', { published: true })).toHaveLength(1)
    })
  })

  describe('git faults', () => {
    it('retries fetch and push failures (5xx, resets)', async () => {
      await pair.seed('hello', FILES)
      pair.prod.createAlgorithm(DEST_OWNER, 'hello')
      // The first listing goes out without git and hands a 503 over to git, which meets the second and retries.
      pair.dev.faults.add({ method: 'GET', path: `/git/${SOURCE_OWNER}/hello.git/info/refs`, status: 503, times: 2 })
      pair.dev.faults.add({ method: 'POST', path: `/git/${SOURCE_OWNER}/hello.git/git-upload-pack`, status: 502, times: 2 })
      pair.prod.faults.add({ method: 'GET', path: `/git/${DEST_OWNER}/hello.git/info/refs`, status: 500, times: 1 })
      // curl itself retries a dropped request once on a reused connection; three drops reach the action.
      pair.prod.faults.add({ method: 'POST', path: `/git/${DEST_OWNER}/hello.git/git-receive-pack`, drop: true, times: 3 })
      pair.prod.faults.add({ method: 'POST', path: `/git/${DEST_OWNER}/hello.git/git-receive-pack`, status: 503, times: 1 })

      const { run } = await promote({ algorithms: 'hello' })

      expect(run.exitCode, run.stdout).toBe(0)
      expect(run.stdout).toMatch(/git ls-remote .* failed: .*503.*retrying/)
      expect(run.stdout).toMatch(/git push .* failed: .*retrying/)
      const pushes = pair.prod.requests.filter(r => r.method === 'POST' && r.gitService === 'receive-pack').map(r => r.status)
      expect(pushes).toEqual([0, 0, 0, 503, 200])
      expect(resultsOf(run)[0]).toMatchObject({ status: 'updated' })
      await expectSourceTreeOnProd('hello')
    })

    it('a push whose answer was lost after the cluster applied it is retried harmlessly', async () => {
      await pair.seed('hello', FILES)
      pair.prod.createAlgorithm(DEST_OWNER, 'hello')
      const before = await pair.prod.headCommit(DEST_OWNER, 'hello')
      proxy = await startLossyProxy(pair.prod.url)
      proxy.lose({ method: 'POST', path: /git-receive-pack$/, loseAs: 502 })

      const { run } = await promote({ algorithms: 'hello', 'dest-git-url': proxy.url })

      expect(run.exitCode, run.stdout).toBe(0)
      expect(proxy.lost).toEqual([`POST /git/${DEST_OWNER}/hello.git/git-receive-pack -> 200`])
      const log = await pair.prod.log(DEST_OWNER, 'hello')
      expect(log).toHaveLength(2)
      expect(log[0].parents).toEqual([before])
      expect(resultsOf(run)[0].destCommit).toBe(log[0].sha)
      await expectSourceTreeOnProd('hello')
    })

    it('push race: the destination moved between fetch and push; the commit is rebuilt on the new head, never forced', async () => {
      await pair.seed('hello', FILES)
      pair.prod.createAlgorithm(DEST_OWNER, 'hello')
      pair.prod.faults.injectCommitAfterFetch(DEST_OWNER, 'hello', { 'teammate.txt': 'theirs\n' })

      const { run } = await promote({ algorithms: 'hello', publish: true })

      expect(run.exitCode, run.stdout).toBe(0)
      expect(run.stdout).toMatch(/moved on since it was fetched; rebuilding the promotion commit/)
      const log = await pair.prod.log(DEST_OWNER, 'hello')
      const injected = log.find(entry => entry.message.startsWith('Concurrent change'))
      expect(injected, 'the other commit stays in the history').toBeDefined()
      expect(log[0].parents).toEqual([injected!.sha])
      await expectSourceTreeOnProd('hello')
      const [result] = resultsOf(run)
      expect(result).toMatchObject({ status: 'updated', destCommit: log[0].sha, destVersion: '0.1.0' })
      // Two pushes started (git refuses the stale one as soon as it sees the advertised head); only the second sent a pack.
      // The refused one still POSTs its shallow list (a line or three, no ref update, no pack): the store is shallow.
      const pushStarts = pair.prod.requests.filter(r => r.method === 'GET' && r.gitService === 'receive-pack')
      expect(pushStarts).toHaveLength(2)
      expect(
        pair.prod.requests.filter(r => r.method === 'POST' && r.gitService === 'receive-pack' && r.bytesIn > 300).map(r => r.status)
      ).toEqual([200])
    })

    it('push race that never settles: gives up after bounded attempts, forces nothing, leaves the destination consistent', async () => {
      await pair.seed('hello', FILES)
      pair.prod.createAlgorithm(DEST_OWNER, 'hello')
      pair.prod.faults.injectCommitAfterFetch(DEST_OWNER, 'hello', { 'teammate.txt': 'theirs\n' }, { times: 1000 })

      const { run } = await promote({ algorithms: 'hello' })

      expect(run.exitCode).toBe(1)
      const [result] = resultsOf(run)
      expect(result).toMatchObject({ status: 'failed', failedStep: 'sync code' })
      expect(result.error).toMatch(/kept moving while we pushed \(5 attempts\); nothing was forced/)
      // Every commit on the destination is someone else's; none of ours replaced them.
      const log = await pair.prod.log(DEST_OWNER, 'hello')
      // The outputs name the head the run last saw: one of the teammates' commits, not a promotion.
      expect(log.map(commit => commit.sha)).toContain(result.destCommit)
      expect(log.every(entry => !entry.message.startsWith('Promote'))).toBe(true)
      for (let i = 0; i + 1 < log.length; i++) expect(log[i].parents).toEqual([log[i + 1].sha])
    })
  })

  describe('builds', () => {
    it('a build that never finishes ends at build-timeout with the build named and its last status', async () => {
      await pair.seed('hello', FILES)
      pair.prod.builds.holdInProgress(true)
      const started = Date.now()

      const { run } = await promote({ algorithms: 'hello', publish: true, 'build-timeout': 1 })

      expect(run.exitCode).toBe(1)
      expect(Date.now() - started).toBeLessThan(10_000)
      const [build] = pair.prod.listBuilds(DEST_OWNER, 'hello')
      const [result] = resultsOf(run)
      expect(result.failedStep).toBe('build')
      expect(result.error).toContain(`build ${build.build_id} is still in-progress`)
      expect(result.error).toMatch(/did not finish within build-timeout \(1 s\)/)
      // Half-way: the code is pushed and the outputs say where the destination stands.
      const head = await pair.prod.headCommit(DEST_OWNER, 'hello')
      expect(result.destCommit).toBe(head)
      expect(run.outputs['dest-commit']).toBe(head)
      expect(pair.prod.listVersions(DEST_OWNER, 'hello', { published: true })).toEqual([])
    })

    it('a failed build shows the tail of its log and publishes nothing', async () => {
      await pair.seed('hello', { ...FILES, 'broken.txt': 'x\n' })
      pair.prod.builds.failTreesContaining('broken.txt')

      const { run } = await promote({ algorithms: 'hello', publish: true })

      expect(run.exitCode).toBe(1)
      const [result] = resultsOf(run)
      expect(result.error).toMatch(/Last lines of the build log:\n(.*\n)*ERROR: build failed: broken\.txt: unsupported file/)
      expect(pair.prod.listVersions(DEST_OWNER, 'hello', { published: true })).toEqual([])
    })
  })

  describe('nothing lost', () => {
    it('two runs promoting the same algorithm at once both end in a correct state', async () => {
      await pair.seed('hello', FILES, { publish: 'minor' })
      const inputs = { algorithms: 'hello', publish: true }

      const [first, second] = await Promise.all([promote(inputs), promote(inputs)])

      for (const { run } of [first, second]) expect(run.exitCode, run.stdout).toBe(0)
      const statuses = [first, second].map(({ run }) => resultsOf(run)[0].status).sort()
      expect(['created', 'unchanged', 'updated']).toEqual(expect.arrayContaining(statuses))
      expect(statuses.filter(s => s === 'created' || s === 'updated').length).toBeGreaterThanOrEqual(1)
      await expectSourceTreeOnProd('hello')
      const log = await pair.prod.log(DEST_OWNER, 'hello')
      expect(log.filter(entry => entry.message.startsWith('Promote'))).toHaveLength(1)
      // Never two versions of one commit.
      const published = pair.prod.listVersions(DEST_OWNER, 'hello', { published: true })
      expect(published).toHaveLength(1)
      const versions = [first, second].map(({ run }) => resultsOf(run)[0].destVersion).filter(Boolean)
      for (const version of versions) expect(version).toBe(published[0].version_info.semantic_version)
    })

    it('a run that fails half-way: each destination untouched or at a consistent promoted commit, the map records only successes', async () => {
      await pair.seed('good', FILES)
      await pair.seed('broken', { ...FILES, 'broken.txt': 'x\n' })
      await pair.seed('blocked', FILES)
      pair.prod.createAlgorithm(DEST_OWNER, 'blocked')
      const blockedBefore = await pair.prod.headCommit(DEST_OWNER, 'blocked')
      pair.prod.builds.failTreesContaining('broken.txt')
      pair.prod.faults.add({ method: 'POST', path: `/git/${DEST_OWNER}/blocked.git/git-receive-pack`, status: 503, times: 1000 })
      const mapFile = path.join(await mkdtemp(path.join(os.tmpdir(), 'version-map-')), 'versions.json')
      const earlier = { good: { 'an-earlier-version': '0.0.9' } }
      await writeFile(mapFile, JSON.stringify(earlier))

      const { run } = await promote({ algorithms: 'good, broken, blocked', publish: true, 'max-attempts': 2, 'version-map-file': mapFile })

      expect(run.exitCode).toBe(1)
      const byName = Object.fromEntries(resultsOf(run).map(result => [result.algorithm, result]))
      // Promoted and published.
      expect(byName.good).toMatchObject({ status: 'created', destVersion: '0.1.0' })
      // Pushed, not published: the destination holds the promoted commit, and the outputs say so.
      expect(byName.broken).toMatchObject({ status: 'failed', failedStep: 'build', destVersion: '' })
      expect(byName.broken.destCommit).toBe(await pair.prod.headCommit(DEST_OWNER, 'broken'))
      await expectSourceTreeOnProd('broken')
      // Never pushed: the destination is exactly as it was, and the outputs carry no commit for it.
      // Untouched, and the outputs say so: the reported commit is the head it already had.
      expect(byName.blocked).toMatchObject({ status: 'failed', failedStep: 'sync code', destCommit: blockedBefore })
      expect(await pair.prod.headCommit(DEST_OWNER, 'blocked')).toBe(blockedBefore)
      // The map file gained only the promotion that succeeded, kept its earlier entries, and was replaced atomically.
      const written = JSON.parse(await readFile(mapFile, 'utf8')) as Record<string, Record<string, string>>
      expect(Object.keys(written).sort()).toEqual(['good'])
      expect(written.good['an-earlier-version']).toBe('0.0.9')
      expect(Object.values(written.good)).toContain('0.1.0')
      expect((await readdir(path.dirname(mapFile))).filter(name => name.endsWith('.tmp'))).toEqual([])
    })

    it('destination history only grows across promotions', async () => {
      await pair.seed('hello', FILES)
      const { run: first } = await promote({ algorithms: 'hello' })
      expect(first.exitCode).toBe(0)
      const afterFirst = await pair.prod.log(DEST_OWNER, 'hello')
      await pair.dev.commit(SOURCE_OWNER, 'hello', { 'src/hello.py': 'def apply(input):\n    return "bye " + input\n' }, { replace: true })

      const { run } = await promote({ algorithms: 'hello' })

      expect(run.exitCode, run.stdout).toBe(0)
      const afterSecond = await pair.prod.log(DEST_OWNER, 'hello')
      expect(afterSecond.slice(1)).toEqual(afterFirst)
      await expectSourceTreeOnProd('hello')
    })
  })
})
