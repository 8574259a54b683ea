import type { PromotionConfig } from '../inputs/config.js'
import type { SyncOutcome } from '../promotion/code-sync.js'
import { defaultReleaseNotes } from '../promotion/commit-message.js'
import { buildAndPublish } from '../promotion/publisher.js'
import type { Stage, Target } from '../pipeline/stage.js'
import { promotionFacts } from './promotion-facts.js'
import type { ResolvedSource } from './resolve-source.js'
import type { SyncedCode } from './sync-code.js'

export interface PublishedVersion {
  /** The version published in this run, or ''. */
  readonly destVersion: string
}

/** Only a commit pushed in this run is built and published, and only when asked and not in a dry run. */
export function needsPublishing(sync: SyncOutcome, config: PromotionConfig): boolean {
  return config.publish && !config.dryRun && sync.kind === 'pushed'
}

/** Waits for each destination's build of the promoted commit and publishes it. */
export const buildAndPublishStage: Stage<Target & ResolvedSource & SyncedCode, PublishedVersion> = {
  title: 'Build and publish',
  step: 'build',
  // Builds are independent of the object stores, so every target waits for its own at once.
  scope: 'target',
  side: 'destination',
  skip: (target, config) => (needsPublishing(target.sync, config) ? undefined : { destVersion: '' }),
  run: async (target, context) => {
    const { config, logger } = context.run
    context.progress('building')
    const destVersion = await buildAndPublish({
      session: target.session,
      algorithm: target.algorithm,
      commit: target.sync.destCommit,
      versionType: config.versionType,
      releaseNotes: config.releaseNotes ?? defaultReleaseNotes(promotionFacts(target, context.run)),
      buildTimeoutMs: config.buildTimeoutMs,
      retry: config.retry,
      logger,
      onBuilt: () => {
        context.step('publish')
        context.progress('publishing')
      }
    })
    logger.info(`${target.label}: published version ${destVersion}`)
    context.progress('done')
    return { destVersion }
  }
}
