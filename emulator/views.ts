// Renders state records as the JSON objects the API returns. Views are fresh
// copies, so callers can never mutate cluster state through them.
import type { AlgorithmRecord, BuildRecord } from './state.js'
import type { Algorithm, AlgorithmVersionInfo, Build, Compilation, Version } from './types.js'

/** Drops undefined fields so in-process objects equal their JSON round trip. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}

export function algorithmLink(baseUrl: string, owner: string, name: string): string {
  return `${baseUrl}/v1/algorithms/${owner}/${name}`
}

/** Array.prototype.findLast is ES2023; the project targets ES2022. */
function lastWhere<T>(items: T[], pred: (item: T) => boolean): T | undefined {
  for (let i = items.length - 1; i >= 0; i--) if (pred(items[i])) return items[i]
  return undefined
}

export function latestBuild(algo: AlgorithmRecord): BuildRecord | undefined {
  return algo.builds.at(-1)
}

export function latestSucceededBuild(algo: AlgorithmRecord): BuildRecord | undefined {
  return lastWhere(algo.builds, build => build.status === 'succeeded')
}

function releaseOf(algo: AlgorithmRecord, build: BuildRecord) {
  return algo.releases.find(release => release.buildId === build.id)
}

export function buildView(algo: AlgorithmRecord, build: BuildRecord): Build {
  const release = releaseOf(algo, build)
  return compact<Build>({
    build_id: build.id,
    status: build.status,
    commit_sha: build.commitSha,
    started_at: build.startedAt.toISOString(),
    finished_at: build.finishedAt?.toISOString(),
    resource_type: 'algorithm_build',
    version_info: release ? { semantic_version: release.semanticVersion } : undefined
  })
}

function compilationOf(build: BuildRecord): Compilation | undefined {
  if (build.status === 'in-progress') return undefined
  return { successful: build.status === 'succeeded', output: build.logs ?? '' }
}

export function algorithmView(algo: AlgorithmRecord, baseUrl: string): Algorithm {
  const latest = latestBuild(algo)
  const lastFinished = lastWhere(algo.builds, build => build.status !== 'in-progress')
  const release = algo.releases.at(-1)
  const versionInfo = compact<AlgorithmVersionInfo>({
    git_hash: latestSucceededBuild(algo)?.commitSha,
    semantic_version: release?.semanticVersion,
    release_notes: release?.releaseNotes,
    sample_input: release?.sampleInput ?? algo.sampleInput
  })
  return compact<Algorithm>({
    id: algo.id,
    name: algo.name,
    details: structuredClone(algo.details),
    settings: structuredClone(algo.settings),
    source: { scm: { id: 'internal', provider: 'internal', default: true, enabled: true } },
    self_link: algorithmLink(baseUrl, algo.owner, algo.name),
    resource_type: 'algorithm',
    version_info: Object.keys(versionInfo).length ? versionInfo : undefined,
    build: latest ? buildView(algo, latest) : undefined,
    compilation: lastFinished ? compilationOf(lastFinished) : undefined
  })
}

/** A version is a successful build, published (with a semantic version) or not. */
export function versionView(algo: AlgorithmRecord, build: BuildRecord, baseUrl: string): Version {
  const release = releaseOf(algo, build)
  return {
    name: algo.name,
    version_info: compact({
      semantic_version: release?.semanticVersion,
      git_hash: build.commitSha,
      release_notes: release?.releaseNotes,
      sample_input: release?.sampleInput,
      sample_output: release?.sampleOutput,
      insights_enabled: release?.insightsEnabled
    }),
    details: structuredClone(release?.details ?? algo.details),
    settings: structuredClone(release?.settings ?? algo.settings),
    build: buildView(algo, build),
    compilation: compilationOf(build) ?? { successful: false, output: '' },
    self_link: `${algorithmLink(baseUrl, algo.owner, algo.name)}/versions/${build.commitSha}`,
    resource_type: 'version'
  }
}
