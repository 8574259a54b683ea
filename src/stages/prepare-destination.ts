import { prepareDestination, type DestinationState } from '../promotion/destination.js'
import { destinationEnvironment } from '../promotion/environment-map.js'
import type { Stage } from '../pipeline/stage.js'
import type { ResolvedSource } from './resolve-source.js'
import type { Target } from '../pipeline/stage.js'

export interface PreparedDestination {
  readonly destinationState: DestinationState
  /** The destination algorithm's UUID (how its secrets are addressed), when the cluster told it. */
  readonly destinationId?: string
}

const DESCRIBED: Readonly<Record<DestinationState, string>> = {
  exists: 'exists',
  created: 'created with the source settings',
  missing: 'does not exist and would be created'
}

/** Makes each destination algorithm exist (or, in a dry run, says that it would be created). */
export const prepareDestinationStage: Stage<Target & ResolvedSource, PreparedDestination> = {
  title: 'Prepare destination algorithms',
  step: 'prepare destination',
  scope: 'targets-of-algorithm',
  side: 'destination',
  run: async (target, context) => {
    const { config, logger, source } = context.run
    context.progress('creating')
    // Asked only when the destination is missing: an environment without a counterpart fails before the create.
    const environment = () => destinationEnvironment(source, target.session, target.source.metadata.settings, config.settingsOverride)
    const prepared = await prepareDestination(
      target.session,
      target.algorithm,
      target.source.metadata,
      config.settingsOverride,
      config.dryRun,
      environment,
      () => context.run.ahead.destinations.algorithm(target),
      () => {
        // Created now, by this run or (name taken) by another: what was asked before no longer holds.
        context.wrote('algorithm')
        // A new destination needs the whole source: fetch it while the destination is created (and the others prepared).
        target.objects.prefetchComplete()
      }
    )
    logger.info(`${target.label}: ${target.session.account.algoOwner}/${target.algorithm} ${DESCRIBED[prepared.state]}`)
    return { destinationState: prepared.state, destinationId: prepared.id }
  }
}
