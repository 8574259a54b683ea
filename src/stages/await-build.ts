import { rebuildUnlessBuilt, waitForSuccessfulBuild, type BuildWait } from '../promotion/publisher.js'
import type { Stage, Target } from '../pipeline/stage.js'
import { needsPublishing } from '../promotion/publishing-need.js'
import type { SyncedCode } from './sync-code.js'

export interface AwaitedBuild {
  /** The destination commit whose build succeeded, when one is published in this run. */
  readonly builtCommit?: string
}

/**
 * Waits for each destination's build of the commit to publish; a failed build
 * publishes nothing. An unchanged head left unpublished by an earlier run is
 * built again first when it has no build, or only a failed one.
 */
export const awaitBuildStage: Stage<Target & SyncedCode, AwaitedBuild> = {
  title: 'Wait for builds',
  step: 'build',
  // Builds are independent of the object stores, so every target waits for its own at once.
  scope: 'target',
  side: 'destination',
  skip: (target, config) => (needsPublishing(target, config) ? undefined : { builtCommit: undefined }),
  run: async (target, context) => {
    const { config, logger } = context.run
    context.progress('building')
    const wait: BuildWait = {
      session: target.session,
      algorithm: target.algorithm,
      commit: target.sync.destCommit,
      buildTimeoutMs: config.buildTimeoutMs,
      logger
    }
    if (target.sync.kind === 'unchanged') await rebuildUnlessBuilt(wait)
    await waitForSuccessfulBuild(wait)
    return { builtCommit: target.sync.destCommit }
  }
}
