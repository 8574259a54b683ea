import type { ClusterSession } from '../cluster/session.js'
import type { Algorithm, Version } from '../cluster/types.js'
import { GitError } from '../git/git-error.js'
import type { ObjectStore } from '../git/object-store.js'
import { BUILT_BRANCH, type RemoteHead } from '../git/remote-head.js'
import type { RemoteRepository } from '../git/remote.js'
import type { SourceVersion, SourceVersionSet } from '../core/config.js'
import { newestSelected, publishedVersionsOf } from './version-history.js'
import { FULL_COMMIT_PATTERN } from '../core/rules.js'
import { missingAlgorithmAdvice } from './advice.js'
import { PromotionError } from './failure.js'
import { valueOf } from '../util/settled.js'

/** The exact source state a promotion copies. */
export interface SourceRevision {
  readonly metadata: Algorithm
  readonly commit: string
  /** The published version whose git hash is `commit`, or ''. */
  readonly version: string
  /** With `source-versions`: every published version of the source, as listed. */
  readonly published?: readonly Version[]
}

/** Finds the algorithm on the source and the commit that `requested` means. */
export async function resolveSource(
  session: ClusterSession,
  store: ObjectStore,
  remote: RemoteRepository,
  name: string,
  requested: SourceVersion,
  history?: SourceVersionSet
): Promise<SourceRevision> {
  const owner = session.account.algoOwner
  // Three independent questions, asked together: on a real network each costs a round trip.
  // Each failure is held until all three are through, so nothing still runs once this promotion has failed.
  const [found, published, head] = await Promise.allSettled([
    session.api.getAlgorithm(owner, name),
    session.api.listVersions(owner, name, { published: true }),
    requested.kind === 'latest' ? store.remoteHead(remote) : undefined
  ])
  const metadata = valueOf(found)
  if (!metadata) {
    throw new PromotionError(missingAlgorithmAdvice(session.account, name))
  }
  // A missing algorithm explains any failure of the other two; otherwise their own errors stand.
  const versions = valueOf(published)
  const wanted = history ? newestOfHistory(versions, history, remote) : requested
  const commit = await resolveCommit(store, remote, wanted, versions, () => session.api.listVersions(owner, name), valueOf(head))
  const version = versions.find(v => v.version_info.git_hash === commit)?.version_info.semantic_version ?? ''
  return { metadata, commit, version, ...(history ? { published: versions } : {}) }
}

/** With `source-versions`, the run ends at the newest selected version; an empty selection is an error naming what there is. */
function newestOfHistory(published: readonly Version[], history: SourceVersionSet, remote: RemoteRepository): SourceVersion {
  const newest = newestSelected(publishedVersionsOf(published), history)
  if (newest) return { kind: 'semver', version: newest }
  const range = history.kind === 'all' ? 'all' : history.range
  throw new PromotionError(`source-versions ${range} selects no published version of ${remote.label}. ${listAvailable(published)}`)
}

async function resolveCommit(
  store: ObjectStore,
  remote: RemoteRepository,
  requested: SourceVersion,
  published: readonly Version[],
  allVersions: () => Promise<Version[]>,
  head: RemoteHead | undefined
): Promise<string> {
  switch (requested.kind) {
    case 'latest': {
      if (!head?.commit)
        throw new PromotionError(
          `${remote.label} has no commits on ${BUILT_BRANCH}, the branch the cluster builds: push the algorithm's code there first.`
        )
      return head.commit
    }
    case 'semver': {
      const match = published.find(v => v.version_info.semantic_version === requested.version)
      if (!match)
        throw new PromotionError(
          `source-version ${requested.version} is not a published version of ${remote.label}. ${listAvailable(published)}`
        )
      return match.version_info.git_hash
    }
    case 'commit': {
      if (FULL_COMMIT_PATTERN.test(requested.sha)) return confirmCommit(store, remote, requested.sha, published)
      // An abbreviated hash can only be expanded from what the API lists: builds and published versions.
      const matches = new Set((await allVersions()).map(v => v.version_info.git_hash).filter(hash => hash.startsWith(requested.sha)))
      if (matches.size === 1) return [...matches][0]
      throw new PromotionError(
        matches.size === 0
          ? `source-version ${requested.sha} matches no built commit of ${remote.label}: give the full 40-character commit hash or a published version. ${listAvailable(published)}`
          : `source-version ${requested.sha} matches several commits of ${remote.label}: give more characters or the full hash.`
      )
    }
  }
}

/** Fetches the commit object (no tree) so a hash that is not in the source fails here, with the versions listed. */
async function confirmCommit(store: ObjectStore, remote: RemoteRepository, sha: string, published: readonly Version[]): Promise<string> {
  try {
    await store.fetchCommits(remote, [sha], 'commit-only')
    return sha
  } catch (error) {
    if (error instanceof GitError && error.missingCommit) {
      throw new PromotionError(
        `source-version ${sha} is not a commit of ${remote.label}: check the hash, or give a published version. ${listAvailable(published)}`
      )
    }
    throw error
  }
}

function listAvailable(published: readonly Version[]): string {
  const versions = published.map(v => v.version_info.semantic_version).filter(Boolean)
  return versions.length === 0
    ? 'It has no published versions; leave source-version empty to promote the latest commit.'
    : `Published versions: ${versions.slice(0, 20).join(', ')}${versions.length > 20 ? ', …' : ''}.`
}
