/**
 * The publisher with a scripted API: never two versions for one commit, never
 * someone else's build published in the promotion's name, and a build wait
 * that ends at build-timeout naming the build and its last status.
 */
import { describe, expect, it } from 'vitest'
import { ClusterApiError, ClusterUnreachableError } from '../../src/cluster/errors.js'
import type { ClusterSession } from '../../src/cluster/session.js'
import type { Build, Version } from '../../src/cluster/types.js'
import type { ClusterAccount } from '../../src/core/config.js'
import { PromotionError } from '../../src/promotion/failure.js'
import { buildAndPublish, type PublishRequest } from '../../src/promotion/publisher.js'
import { silentLogger } from '../../src/util/log.js'

const COMMIT = 'c'.repeat(40)
const OTHER = 'd'.repeat(40)

const account: ClusterAccount = {
  cluster: { label: 'prod.example.com', apiUrl: 'http://unused', gitUrl: 'http://unused' },
  apiKey: 'simKEY',
  keyOwner: 'deployer',
  algoOwner: 'ml_prod',
  inputName: field => `dest-${field}`
}

/** An in-memory destination: builds, published versions, and a publish that can lose its answer. */
class FakeCluster {
  builds: Build[] = [{ build_id: 'b1', status: 'succeeded', commit_sha: COMMIT }]
  versions: Version[] = []
  publishCalls = 0
  /** Answers to lose after publishing: the publish happens, the caller hears a failure. */
  loseAnswers = 0
  /** Refusals before publishing (nothing happens). */
  refusals: Error[] = []
  /** What the publish answer claims, if not the truth. */
  answerHash?: string

  session(): ClusterSession {
    const api = {
      findBuild: async (_o: string, _n: string, sha: string) => this.builds.find(build => build.commit_sha === sha),
      getBuild: async (_o: string, _n: string, id: string) => this.builds.find(build => build.build_id === id)!,
      newestBuild: async () => this.builds[0],
      getBuildLogs: async () => 'line 1\nline 2\nERROR: it broke\n',
      listVersions: async () => this.versions,
      publish: async (): Promise<Version> => {
        this.publishCalls++
        const refusal = this.refusals.shift()
        if (refusal) throw refusal
        const newest = this.builds[0]
        if (this.versions.some(version => version.version_info.git_hash === newest.commit_sha)) {
          throw new ClusterApiError('prod.example.com', 'POST', '/versions', 400, 1007, 'Version already published')
        }
        const version: Version = { version_info: { git_hash: newest.commit_sha, semantic_version: `0.${this.versions.length + 1}.0` } }
        this.versions.unshift(version)
        if (this.loseAnswers-- > 0) throw new ClusterUnreachableError('prod.example.com', 'POST', '/versions', 'UND_ERR_SOCKET')
        return this.answerHash ? { version_info: { ...version.version_info, git_hash: this.answerHash } } : version
      }
    }
    return { account, api: api as unknown as ClusterSession['api'], runtime: {} as ClusterSession['runtime'] }
  }
}

function request(cluster: FakeCluster, overrides: Partial<PublishRequest> = {}): PublishRequest {
  return {
    session: cluster.session(),
    algorithm: 'hello',
    commit: COMMIT,
    versionType: 'minor',
    releaseNotes: 'notes',
    buildTimeoutMs: 5000,
    retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5, maxTotalDelayMs: 1000, attemptTimeoutMs: 30_000 },
    logger: silentLogger,
    ...overrides
  }
}

describe('publishing exactly once', () => {
  it('a publish whose answer was lost is found in the versions list, not published again', async () => {
    const cluster = new FakeCluster()
    cluster.loseAnswers = 1
    await expect(buildAndPublish(request(cluster))).resolves.toBe('0.1.0')
    expect(cluster.publishCalls).toBe(1)
    expect(cluster.versions).toHaveLength(1)
  })

  it('a publish refused before it happened (503, 429) is tried again, once it is clear nothing was published', async () => {
    const cluster = new FakeCluster()
    cluster.refusals = [
      new ClusterApiError('prod.example.com', 'POST', '/versions', 503, 5001, 'busy'),
      new ClusterApiError('prod.example.com', 'POST', '/versions', 429, undefined, 'slow down', 1)
    ]
    await expect(buildAndPublish(request(cluster))).resolves.toBe('0.1.0')
    expect(cluster.publishCalls).toBe(3)
    expect(cluster.versions).toHaveLength(1)
  })

  it('"already published" (1007) is success when the commit has a version', async () => {
    const cluster = new FakeCluster()
    cluster.versions = [{ version_info: { git_hash: COMMIT, semantic_version: '2.0.0' } }]
    await expect(buildAndPublish(request(cluster))).resolves.toBe('2.0.0')
  })

  it('does not publish when the newest build is of someone else’s later push', async () => {
    const cluster = new FakeCluster()
    cluster.builds.unshift({ build_id: 'b2', status: 'succeeded', commit_sha: OTHER })
    const error = await buildAndPublish(request(cluster)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PromotionError)
    expect((error as Error).message).toMatch(
      /has a newer build \(b2 of commit d{40}\) than the promoted commit c{40}.*Nothing was published/
    )
    expect(cluster.publishCalls).toBe(0)
  })

  it('refuses to report a version of another commit as the promotion’s', async () => {
    const cluster = new FakeCluster()
    cluster.answerHash = OTHER
    await expect(buildAndPublish(request(cluster))).rejects.toThrow(/published version 0\.1\.0 of commit d{40}, not the promoted commit/)
  })

  it('gives up after max-attempts when every answer is lost and nothing shows in the versions list', async () => {
    const cluster = new FakeCluster()
    cluster.refusals = Array.from({ length: 10 }, () => new ClusterUnreachableError('prod.example.com', 'POST', '/versions', 'ECONNRESET'))
    await expect(buildAndPublish(request(cluster))).rejects.toBeInstanceOf(ClusterUnreachableError)
    expect(cluster.publishCalls).toBe(4)
  })
})

describe('waiting for the build', () => {
  it('ends at build-timeout, naming the build and its last status', async () => {
    const cluster = new FakeCluster()
    cluster.builds = [{ build_id: 'b-held', status: 'in-progress', commit_sha: COMMIT }]
    const started = Date.now()
    const error = await buildAndPublish(request(cluster, { buildTimeoutMs: 600 })).catch((e: unknown) => e)
    expect(Date.now() - started).toBeLessThan(1500)
    expect((error as Error).message).toMatch(
      /did not finish within build-timeout \(1 s\): build b-held is still in-progress on prod\.example\.com/
    )
    expect(cluster.publishCalls).toBe(0)
  })

  it('says so when no build of the commit ever started', async () => {
    const cluster = new FakeCluster()
    cluster.builds = [{ build_id: 'b-old', status: 'succeeded', commit_sha: OTHER }]
    await expect(buildAndPublish(request(cluster, { buildTimeoutMs: 300 }))).rejects.toThrow(/no build of commit c{40} has started/)
  })

  it('a failed build shows the tail of its log', async () => {
    const cluster = new FakeCluster()
    cluster.builds = [{ build_id: 'b-bad', status: 'failed', commit_sha: COMMIT }]
    await expect(buildAndPublish(request(cluster))).rejects.toThrow(
      /build b-bad of commit c{40} failed on prod\.example\.com.*\nline 1\nline 2\nERROR: it broke$/s
    )
  })
})
