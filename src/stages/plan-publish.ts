import type { PublishDetails } from '../cluster/types.js'
import type { VersionType } from '../core/config.js'
import { defaultReleaseNotes, promotionFacts } from '../promotion/commit-message.js'
import { latestVersion, matchVersionType, publishDetails } from '../promotion/version-details.js'
import type { Stage, Target } from '../pipeline/stage.js'
import { needsPublishing } from '../promotion/publishing-need.js'
import type { ResolvedSource } from './resolve-source.js'
import type { SyncedCode } from './sync-code.js'
import type { ReplayedHistory } from './replay-versions.js'
import { replayDetails } from '../promotion/version-replay.js'

export interface PublishPlan {
  /** How the destination version is numbered and what it carries; undefined when nothing is published. */
  readonly publishPlan?: { readonly versionType: VersionType; readonly details: PublishDetails }
}

/**
 * Decides, before anything is built or published, the version type (with
 * `version-type: match`, the bump that reaches the source's number) and what
 * the version carries from the source version.
 */
export const planPublishStage: Stage<Target & ResolvedSource & SyncedCode & ReplayedHistory, PublishPlan> = {
  title: 'Plan publishing',
  step: 'publish',
  scope: 'target',
  side: 'destination',
  skip: (target, config) => (needsPublishing(target, config) ? undefined : { publishPlan: undefined }),
  run: async (target, context) => {
    const { config, source } = context.run
    const sourceOwner = source.account.algoOwner
    const sourceVersion = target.source.version
      ? await source.api.getVersion(sourceOwner, target.algorithm, target.source.commit)
      : undefined
    const header = defaultReleaseNotes(promotionFacts(target, context.run.config.source))
    // A history's versions keep the header that names their source version: it is how a re-run knows them.
    const details = config.sourceVersions
      ? replayDetails({ listed: sourceVersion, notesHeader: header, releaseNotes: config.releaseNotes })
      : publishDetails(header, sourceVersion, config.releaseNotes)
    const newest = target.history?.newest
    let versionType: VersionType
    if (newest) {
      versionType = newest.bump
    } else if (config.versionType === 'match') {
      const owner = target.session.account.algoOwner
      const published = await target.session.api.listVersions(owner, target.algorithm, { published: true })
      versionType = matchVersionType(target.source.version || undefined, latestVersion(published), target.session.account.cluster.label)
    } else {
      versionType = config.versionType
    }
    return { publishPlan: { versionType, details } }
  }
}
