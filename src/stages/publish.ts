import { publishBuild } from '../promotion/publisher.js'
import { needsPublishing } from '../promotion/publishing-need.js'
import type { Stage, Target } from '../pipeline/stage.js'
import type { AwaitedBuild } from './await-build.js'
import type { PublishPlan } from './plan-publish.js'
import type { SyncedCode } from './sync-code.js'

export interface PublishedVersion {
  /** The version published in this run, or ''. */
  readonly destVersion: string
}

/**
 * Publishes each destination build that was waited for (and smoke-tested, when
 * asked), with the version type and details planned before the build: the
 * pushed commit, or an unchanged head that had no version yet.
 */
export const publishStage: Stage<Target & SyncedCode & PublishPlan & AwaitedBuild, PublishedVersion> = {
  title: 'Publish',
  step: 'publish',
  scope: 'target',
  side: 'destination',
  skip: (target, config) => (needsPublishing(target, config) && target.publishPlan && target.builtCommit ? undefined : { destVersion: '' }),
  run: async (target, context) => {
    const { config, logger } = context.run
    const plan = target.publishPlan
    if (!plan) return { destVersion: '' }
    context.progress('publishing')
    const destVersion = await publishBuild({
      session: target.session,
      algorithm: target.algorithm,
      commit: target.sync.destCommit,
      versionType: plan.versionType,
      releaseNotes: plan.details.releaseNotes,
      details: plan.details,
      retry: config.retry,
      logger
    })
    context.wrote('version')
    logger.info(`${target.label}: published version ${destVersion}`)
    context.progress('done')
    return { destVersion }
  }
}
