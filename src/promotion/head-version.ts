import type { ClusterSession } from '../cluster/session.js'
import type { Logger } from '../util/log.js'

/**
 * The semver a destination commit was published as, '' when it has none, or
 * undefined when the versions could not be read. A re-run that finds the code
 * unchanged leaves the head in place, and it may carry a version from an
 * earlier run; the version map should name that version, not the bare commit.
 * A failed lookup is a warning: the map falls back to the commit, and a head
 * not known to be unpublished is never published again.
 */
export async function publishedVersionAt(
  session: ClusterSession,
  name: string,
  commit: string,
  logger: Logger
): Promise<string | undefined> {
  const owner = session.account.algoOwner
  try {
    const published = await session.api.listVersions(owner, name, { published: true })
    return published.find(version => version.version_info.git_hash === commit)?.version_info.semantic_version ?? ''
  } catch (error) {
    logger.warning(
      `${name} → ${session.account.cluster.label}: could not read the published versions of ${owner}/${name} (${(error as Error).message}); the version map names the destination commit instead.`
    )
    return undefined
  }
}
