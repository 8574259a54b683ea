import { waitForSuccessfulBuild } from '../promotion/publisher.js'
import type { Stage, Target } from '../pipeline/stage.js'
import { needsPublishing } from './publish.js'
import type { SyncedCode } from './sync-code.js'

export interface AwaitedBuild {
  /** The destination commit whose build succeeded, when one is published in this run. */
  readonly builtCommit?: string
}

/** Waits for each destination's build of the pushed commit; a failed build publishes nothing. */
export const awaitBuildStage: Stage<Target & SyncedCode, AwaitedBuild> = {
  title: 'Wait for builds',
  step: 'build',
  // Builds are independent of the object stores, so every target waits for its own at once.
  scope: 'target',
  side: 'destination',
  skip: (target, config) => (needsPublishing(target.sync, config) ? undefined : { builtCommit: undefined }),
  run: async (target, context) => {
    const { config, logger } = context.run
    context.progress('building')
    await waitForSuccessfulBuild({
      session: target.session,
      algorithm: target.algorithm,
      commit: target.sync.destCommit,
      buildTimeoutMs: config.buildTimeoutMs,
      logger
    })
    return { builtCommit: target.sync.destCommit }
  }
}
