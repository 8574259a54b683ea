import { runSmokeTest } from '../promotion/smoke-test.js'
import type { Stage, Target } from '../pipeline/stage.js'
import type { AwaitedBuild } from './await-build.js'
import type { ResolvedSource } from './resolve-source.js'
import type { SyncedCode } from './sync-code.js'

export interface SmokeTested {
  /** How many calls the destination build answered as expected (0: no smoke test). */
  readonly smokeTestCases: number
}

/** Calls the freshly built destination by its hash before it is published; a failure publishes nothing. */
export const smokeTestStage: Stage<Target & ResolvedSource & SyncedCode & AwaitedBuild, SmokeTested> = {
  title: 'Smoke test',
  step: 'smoke test',
  scope: 'target',
  side: 'destination',
  skip: (target, config) => (config.smokeTest && target.builtCommit ? undefined : { smokeTestCases: 0 }),
  run: async (target, context) => {
    const { config, source, logger } = context.run
    const test = config.smokeTest
    if (!test || !target.builtCommit) return { smokeTestCases: 0 }
    context.progress('testing')
    const sampleInput =
      test.kind === 'sample-input' && target.source.version
        ? (await source.api.getVersion(source.account.algoOwner, target.algorithm, target.source.commit))?.version_info.sample_input
        : undefined
    const cases = await runSmokeTest({
      test,
      source,
      destination: target.session,
      algorithm: target.algorithm,
      sourceCommit: target.source.commit,
      destinationCommit: target.builtCommit,
      sampleInput
    })
    logger.info(`${target.label}: smoke test passed (${cases} ${cases === 1 ? 'call' : 'calls'} to build ${target.builtCommit})`)
    return { smokeTestCases: cases }
  }
}
