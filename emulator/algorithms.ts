// Algorithm operations shared by the REST API and the in-process cluster
// handle: both go through here so they follow exactly the same rules.
import { randomUUID } from 'node:crypto'
import type { BuildRunner } from './builds.js'
import { ErrorCode, apiError, invalidRequest, noSuchAlgorithm } from './errors.js'
import type { FileContents, RepoStore } from './repos.js'
import type { AlgorithmRecord, BuildRecord, ClusterState, ReleaseRecord } from './state.js'
import { TEMPLATE_MESSAGE, templateFiles } from './template.js'
import type { CommitOptions, VersionType } from './types.js'
import { type EnvironmentCheck, parseCreateRequest, type PublishRequest, type UpdateRequest } from './validation.js'
import { latestBuild } from './views.js'

export interface VersionFilter {
  published?: boolean
  /** true: versions with algorithm_callability "public" (the default); false: "private". */
  callable?: boolean
}

export function nextVersion(previous: string | undefined, type: VersionType): string {
  const [major, minor, revision] = (previous ?? '0.0.0').split('.').map(Number)
  if (type === 'major') return `${major + 1}.0.0`
  if (type === 'minor') return `${major}.${minor + 1}.0`
  return `${major}.${minor}.${revision + 1}`
}

export class AlgorithmService {
  constructor(
    private readonly state: ClusterState,
    private readonly repos: RepoStore,
    private readonly builds: BuildRunner,
    readonly environmentExists: EnvironmentCheck
  ) {}

  find(owner: string, name: string): AlgorithmRecord {
    const algo = this.state.findAlgorithm(owner, name)
    if (!algo) throw noSuchAlgorithm()
    return algo
  }

  /**
   * Records the algorithm and starts creating its repository; `ready` settles
   * when the template commit exists. A taken name leaves the existing one untouched.
   */
  create(owner: string, body: unknown): { algo: AlgorithmRecord; ready: Promise<void> } {
    // An unknown owner is reported as 404 with code 2015 (invalid request):
    // the API documents no dedicated code, and 404 tells clients what is missing.
    if (!this.state.accountExists(owner)) {
      throw apiError(404, ErrorCode.invalidRequest, `No such user or organization: ${owner}`)
    }
    const request = parseCreateRequest(body, this.environmentExists)
    if (this.state.findAlgorithm(owner, request.name)) {
      throw apiError(400, ErrorCode.algorithmNameTaken, `Algorithm ${owner}/${request.name} already exists`)
    }
    const algo: AlgorithmRecord = {
      id: randomUUID(),
      owner,
      ...request,
      builds: [],
      releases: []
    }
    this.state.addAlgorithm(algo)
    const language = algo.settings.language ?? algo.settings.package_set ?? 'python3'
    const files = templateFiles(owner, algo.name, language)
    const ready = this.repos.create(owner, algo.name, files, TEMPLATE_MESSAGE).then(
      () => undefined,
      (error: unknown) => {
        this.state.removeAlgorithm(owner, algo.name)
        throw error
      }
    )
    return { algo, ready }
  }

  update(algo: AlgorithmRecord, request: UpdateRequest): void {
    if (request.details) algo.details = { ...algo.details, ...request.details }
    if (request.settings) algo.settings = { ...algo.settings, ...request.settings }
    if (request.sampleInput !== undefined) algo.sampleInput = request.sampleInput
  }

  async remove(algo: AlgorithmRecord): Promise<void> {
    this.state.removeAlgorithm(algo.owner, algo.name)
    await this.repos.remove(algo.owner, algo.name)
  }

  /**
   * Builds `commitSha` (the spec's BuildRequest field), else the head of master;
   * resolves when the build has finished (or at once while builds are held).
   */
  async compile(algo: AlgorithmRecord, waitForResult: boolean, commitSha?: string): Promise<BuildRecord> {
    const head = await this.repos.head(algo.owner, algo.name)
    if (!head) throw apiError(500, ErrorCode.internal, 'Repository has no master branch')
    if (commitSha !== undefined && !(await this.repos.hasCommit(algo.owner, algo.name, commitSha))) {
      throw invalidRequest(`${algo.owner}/${algo.name} has no commit ${commitSha} to build`)
    }
    const build = this.builds.start(algo, commitSha ?? head)
    return waitForResult ? this.builds.whenFinished(build) : build
  }

  /** Writes a commit directly (no push) and builds it, as a push would. */
  async commit(owner: string, name: string, files: FileContents, opts?: CommitOptions): Promise<string> {
    this.find(owner, name)
    const sha = await this.repos.commit(owner, name, files, opts)
    const algo = this.state.findAlgorithm(owner, name)
    if (algo) this.builds.ensureBuild(algo, sha)
    return sha
  }

  /** Publishes the most recent build; only a successful, unpublished one qualifies. */
  publish(algo: AlgorithmRecord, request: PublishRequest): BuildRecord {
    const build = this.publishableBuild(algo)
    this.update(algo, request)
    const release: ReleaseRecord = {
      semanticVersion: nextVersion(algo.releases.at(-1)?.semanticVersion, request.versionType),
      buildId: build.id,
      gitHash: build.commitSha,
      releaseNotes: request.releaseNotes,
      sampleInput: request.sampleInput ?? algo.sampleInput,
      sampleOutput: request.sampleOutput,
      insightsEnabled: request.insightsEnabled,
      details: structuredClone(algo.details),
      settings: structuredClone(algo.settings),
      publishedAt: new Date()
    }
    algo.releases.push(release)
    return build
  }

  /** Successful builds (each one is a version), newest first. */
  versions(algo: AlgorithmRecord, filter: VersionFilter = {}): BuildRecord[] {
    return algo.builds
      .filter(build => build.status === 'succeeded')
      .filter(build => this.matchesFilter(algo, build, filter))
      .reverse()
  }

  /** The version for a git hash: its published build if any, else its newest successful build. */
  versionByHash(algo: AlgorithmRecord, gitHash: string): BuildRecord | undefined {
    const candidates = this.versions(algo).filter(build => build.commitSha === gitHash)
    const published = candidates.find(build => algo.releases.some(r => r.buildId === build.id))
    return published ?? candidates[0]
  }

  private publishableBuild(algo: AlgorithmRecord): BuildRecord {
    const build = latestBuild(algo)
    if (!build) {
      throw invalidRequest(`${algo.owner}/${algo.name} has never been built; push a commit or compile it first`)
    }
    if (build.status === 'in-progress') {
      throw invalidRequest(`The latest build (${build.id}, commit ${build.commitSha}) is still in progress`)
    }
    if (build.status === 'failed') {
      throw invalidRequest(
        `The latest build (${build.id}, commit ${build.commitSha}) failed; only the most recent successful build can be published`
      )
    }
    const release = algo.releases.find(r => r.buildId === build.id)
    if (release) {
      throw apiError(
        400,
        ErrorCode.versionAlreadyPublished,
        `Build ${build.id} was already published as ${release.semanticVersion}; push or compile to publish again`
      )
    }
    return build
  }

  private matchesFilter(algo: AlgorithmRecord, build: BuildRecord, filter: VersionFilter): boolean {
    const release = algo.releases.find(r => r.buildId === build.id)
    if (filter.published !== undefined && filter.published !== Boolean(release)) return false
    if (filter.callable === undefined) return true
    const callability = (release?.settings ?? algo.settings).algorithm_callability
    return filter.callable === (callability !== 'private')
  }
}
