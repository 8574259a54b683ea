import {
  readListedAlgorithmName,
  readAlgorithm,
  readCreatedAlgorithm,
  readBuild,
  readBuildLogs,
  readPage,
  readPublished,
  readVersion,
  type AnswerReader
} from './answers.js'
import { ALGORITHM_NAME_TAKEN, ClusterApiError, isNotFound } from './errors.js'
import type { ClusterHttp, HttpRequest } from './http.js'
import { allPagesOrList, PAGE_SIZE, readAnswer } from './paging.js'
import type { Algorithm, AlgorithmUpdate, Build, CreateAlgorithmBody, PublishDetails, Version } from './types.js'
import type { VersionType } from '../core/config.js'

/** The Algorithmia management API, as much of it as a promotion needs. */
export class AlgorithmiaApi {
  constructor(
    readonly cluster: string,
    private readonly http: ClusterHttp
  ) {}

  async getAlgorithm(owner: string, name: string): Promise<Algorithm | undefined> {
    try {
      return await this.read({ method: 'GET', path: algorithmPath(owner, name) }, readAlgorithm)
    } catch (error) {
      if (isNotFound(error)) return undefined
      throw error
    }
  }

  /**
   * Creates the algorithm, or finds it already there. "Name taken" (1002) is
   * also what a retried create answers when the first attempt's answer was lost,
   * so it counts as success once the algorithm is confirmed to exist. Only a
   * 1002 to the very first attempt means "it was there before": after a lost
   * answer, this run's own earlier attempt is the likely creator.
   */
  async ensureAlgorithm(owner: string, body: CreateAlgorithmBody): Promise<{ created: boolean; algorithm?: Algorithm }> {
    let attempts = 0
    try {
      const algorithm = await this.read(
        {
          method: 'POST',
          path: `/algorithms/${encodeURIComponent(owner)}`,
          body,
          idempotent: true,
          onAttempt: attempt => (attempts = attempt)
        },
        readCreatedAlgorithm
      )
      return { created: true, algorithm }
    } catch (error) {
      const taken = error instanceof ClusterApiError && error.code === ALGORITHM_NAME_TAKEN
      const existing = taken ? await this.getAlgorithm(owner, body.name) : undefined
      if (existing) return { created: attempts > 1, algorithm: existing }
      throw error
    }
  }

  /**
   * Names of every algorithm the owner (a user or an organization) has. The
   * spec describes a bare array of `{algoname}`; clusters answer pages of
   * algorithms with `name`: both are read.
   */
  async listAlgorithmNames(owner: string): Promise<string[]> {
    return allPagesOrList(this.http, this.cluster, {
      path: `/users/${encodeURIComponent(owner)}/algorithms`,
      what: `the algorithms of ${owner}`,
      readItem: readListedAlgorithmName,
      keyOf: name => name
    })
  }

  async listVersions(owner: string, name: string, filter: { published?: boolean } = {}): Promise<Version[]> {
    const query = filter.published === undefined ? '' : `published=${filter.published}`
    return allPagesOrList(this.http, this.cluster, {
      path: `${algorithmPath(owner, name)}/versions`,
      query,
      what: `the versions of ${owner}/${name}`,
      readItem: readVersion,
      // Published versions are unique by number; unpublished builds may repeat a commit, so only paging is checked for them.
      keyOf: filter.published ? version => version.version_info.semantic_version ?? version.version_info.git_hash : undefined,
      pageSize: PAGE_SIZE
    })
  }

  async getBuild(owner: string, name: string, buildId: string): Promise<Build> {
    return this.read({ method: 'GET', path: `${algorithmPath(owner, name)}/builds/${encodeURIComponent(buildId)}` }, readBuild)
  }

  /** Newest builds come first, so the build of a just-pushed commit is found on the first page. */
  async findBuild(owner: string, name: string, commitSha: string): Promise<Build | undefined> {
    const page = await this.read({ method: 'GET', path: `${algorithmPath(owner, name)}/builds?limit=50` }, readPage(readBuild))
    return page.results.find(build => build.commit_sha === commitSha)
  }

  /** The most recent build, whatever its commit: the only one the cluster would publish. */
  async newestBuild(owner: string, name: string): Promise<Build | undefined> {
    const page = await this.read({ method: 'GET', path: `${algorithmPath(owner, name)}/builds?limit=1` }, readPage(readBuild))
    return page.results[0]
  }

  async getBuildLogs(owner: string, name: string, buildId: string): Promise<string | undefined> {
    try {
      const { logs } = await this.read(
        { method: 'GET', path: `${algorithmPath(owner, name)}/builds/${encodeURIComponent(buildId)}/logs` },
        readBuildLogs
      )
      return logs
    } catch (error) {
      if (isNotFound(error)) return undefined
      throw error
    }
  }

  /** PUT replaces only the fields sent, so sending the same fields again is harmless: retried like a read. */
  async updateAlgorithm(owner: string, name: string, update: AlgorithmUpdate): Promise<void> {
    await this.http.request({ method: 'PUT', path: algorithmPath(owner, name), body: update, idempotent: true })
  }

  /**
   * Builds `commitSha` again. The spec requires a BuildRequest body; naming
   * the commit builds the promoted one even if someone pushed after it
   * (without it, the cluster builds its "latest available source code").
   * Not retried blindly: a lost answer may hide a build that started, and
   * every repeat would start one more.
   */
  async compile(owner: string, name: string, commitSha: string): Promise<void> {
    await this.http.request({ method: 'POST', path: `${algorithmPath(owner, name)}/compile`, body: { commitSha } })
  }

  /** Not retried blindly: the caller checks the versions list before trying again. */
  async publish(owner: string, name: string, versionType: VersionType, details: PublishDetails): Promise<Version> {
    const versionInfo: Record<string, unknown> = { version_type: versionType, release_notes: details.releaseNotes }
    if (details.sampleInput !== undefined) versionInfo.sample_input = details.sampleInput
    if (details.insightsEnabled !== undefined) versionInfo.insights_enabled = details.insightsEnabled
    const body: Record<string, unknown> = { version_info: versionInfo }
    if (details.callability !== undefined) body.settings = { algorithm_callability: details.callability }
    return this.read({ method: 'POST', path: `${algorithmPath(owner, name)}/versions`, body }, readPublished)
  }

  /** One version by its git hash; undefined when the cluster has no such version. */
  async getVersion(owner: string, name: string, gitHash: string): Promise<Version | undefined> {
    try {
      return await this.read({ method: 'GET', path: `${algorithmPath(owner, name)}/versions/${encodeURIComponent(gitHash)}` }, readVersion)
    } catch (error) {
      if (isNotFound(error)) return undefined
      throw error
    }
  }

  /** Sends the request and checks the answer's shape, naming this cluster and the request when it is wrong. */
  private async read<T>(request: HttpRequest, reader: AnswerReader<T>): Promise<T> {
    return readAnswer(this.cluster, request, reader, await this.http.request<unknown>(request))
  }
}

function algorithmPath(owner: string, name: string): string {
  return `/algorithms/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`
}
