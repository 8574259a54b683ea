import { isNotFound } from '../cluster/errors.js'
import { PromotionError } from '../promotion/failure.js'
import { missingSecretNames, missingSecretsMessage } from '../promotion/secrets-check.js'
import type { Stage, Target } from '../pipeline/stage.js'
import { needsPublishing } from './publish.js'
import type { PreparedDestination } from './prepare-destination.js'
import type { ResolvedSource } from './resolve-source.js'
import type { SyncedCode } from './sync-code.js'

export interface CheckedSecrets {
  /** Secret names the source algorithm has and the destination lacks. */
  readonly missingSecrets: readonly string[]
}

/**
 * Compares the names of the source's and the destination's secrets. A missing
 * one stops publishing (or, with `missing-secrets: warn`, or when nothing is
 * published, is a warning). Values are never read.
 */
export const checkSecretsStage: Stage<Target & ResolvedSource & PreparedDestination & SyncedCode, CheckedSecrets> = {
  title: 'Check secrets',
  step: 'publish',
  scope: 'target',
  side: 'destination',
  skip: target => (target.destinationState === 'missing' || !target.source.metadata.id ? { missingSecrets: [] } : undefined),
  run: async (target, context) => {
    const { config, source, logger } = context.run
    const owner = target.session.account.algoOwner
    const destination = await target.session.api.getAlgorithm(owner, target.algorithm)
    const sourceId = target.source.metadata.id
    if (!destination?.id || !sourceId) return { missingSecrets: [] }
    let missing: string[]
    try {
      missing = await missingSecretNames(source, sourceId, target.session, destination.id)
    } catch (error) {
      if (!isNotFound(error)) throw error
      logger.warning(`${target.label}: secrets not compared: ${(error as Error).message}`)
      return { missingSecrets: [] }
    }
    if (missing.length === 0) return { missingSecrets: missing }
    const message = missingSecretsMessage(missing, target.session, target.algorithm, destination.id)
    if (needsPublishing(target, config) && config.missingSecrets === 'fail') {
      throw new PromotionError(`${message} Nothing was published.`)
    }
    logger.warning(`${target.label}: ${message}`)
    return { missingSecrets: missing }
  }
}
