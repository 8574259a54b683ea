import { desiredMetadata } from '../promotion/destination.js'
import { destinationEnvironment } from '../promotion/environment-map.js'
import { PromotionError } from '../promotion/failure.js'
import { describeChange, metadataChanges, metadataUpdate, widensAccess, type MetadataChange } from '../promotion/metadata-sync.js'
import type { Stage, Target } from '../pipeline/stage.js'
import type { PreparedDestination } from './prepare-destination.js'
import type { ResolvedSource } from './resolve-source.js'

export interface SyncedMetadata {
  /** Fields of an existing destination that differ from the source's (updated, or in a dry run, to be updated). */
  readonly metadataChanges: readonly MetadataChange[]
}

/**
 * With `metadata: sync`, makes an existing destination's details and settings
 * those of the source (the settings input on top, the environment mapped).
 * Nothing is sent when they already agree; owner and name are never touched.
 */
export const syncMetadataStage: Stage<Target & ResolvedSource & PreparedDestination, SyncedMetadata> = {
  title: 'Sync metadata',
  step: 'sync metadata',
  scope: 'target',
  side: 'destination',
  skip: (target, config) => (config.metadata === 'sync' && target.destinationState === 'exists' ? undefined : { metadataChanges: [] }),
  run: async (target, context) => {
    const { config, source, logger } = context.run
    const owner = target.session.account.algoOwner
    const current = await context.run.ahead.destinations.algorithm(target)
    if (!current) {
      throw new PromotionError(
        `${owner}/${target.algorithm} was deleted from ${target.session.account.cluster.label} during the promotion; promote again to create it.`
      )
    }
    const environment = await destinationEnvironment(source, target.session, target.source.metadata.settings, config.settingsOverride)
    const desired = desiredMetadata(target.algorithm, target.source.metadata, config.settingsOverride, environment)
    const changes = metadataChanges(current, desired)
    if (changes.length === 0) {
      logger.info(`${target.label}: metadata already matches the source; nothing sent`)
      return { metadataChanges: changes }
    }
    if (!config.dryRun) {
      await target.session.api.updateAlgorithm(owner, target.algorithm, metadataUpdate(changes, desired, current))
      context.wrote('algorithm')
    }
    const said = config.dryRun ? 'metadata would change (dry run)' : 'metadata updated'
    logger.info(`${target.label}: ${said}: ${changes.map(describeChange).join('; ')}`)
    const widening = changes.filter(widensAccess)
    if (widening.length) {
      logger.warning(
        `${target.label}: metadata: sync ${config.dryRun ? 'would widen' : 'widened'} access, as the source has it: ${widening.map(describeChange).join('; ')}. If the destination should stay closer, set these in the settings input.`
      )
    }
    return { metadataChanges: changes }
  }
}
