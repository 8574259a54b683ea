import type { ClusterSession } from '../cluster/session.js'
import type { Logger } from '../util/log.js'

/**
 * The semver a destination commit was published as, or ''. A re-run that finds
 * the code unchanged publishes nothing, yet the head it leaves in place may
 * carry a version from an earlier run; the version map should name that
 * version, not the bare commit. Only a report depends on it, so a failed
 * lookup is a warning and the map falls back to the commit.
 */
export async function publishedVersionAt(session: ClusterSession, name: string, commit: string, logger: Logger): Promise<string> {
  const owner = session.account.algoOwner
  try {
    const published = await session.api.listVersions(owner, name, { published: true })
    return published.find(version => version.version_info.git_hash === commit)?.version_info.semantic_version ?? ''
  } catch (error) {
    logger.warning(
      `${name} → ${session.account.cluster.label}: could not read the published versions of ${owner}/${name} (${(error as Error).message}); the version map names the destination commit instead.`
    )
    return ''
  }
}
