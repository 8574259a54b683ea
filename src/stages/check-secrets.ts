import { isNotFound } from '../cluster/errors.js'
import type { PromotionConfig } from '../core/config.js'
import { PromotionError } from '../promotion/failure.js'
import { needsPublishing } from '../promotion/publishing-need.js'
import { missingSecretsMessage, secretComparison } from '../promotion/secrets-check.js'
import type { Stage, Target } from '../pipeline/stage.js'
import type { PreparedDestination } from './prepare-destination.js'
import type { ResolvedSource } from './resolve-source.js'
import type { SyncedCode } from './sync-code.js'

export interface CheckedSecrets {
  /** Secret names the source algorithm has and the destination lacks. */
  readonly missingSecrets: readonly string[]
}

type CheckedTarget = Target & ResolvedSource & PreparedDestination & SyncedCode

/**
 * Compares the names of the source's and the destination's secrets. A missing
 * one stops publishing (or, with `missing-secrets: warn`, or when nothing is
 * published, is a warning). Values are never read.
 *
 * Checked when code arrives or a version is published: a destination left as
 * it was, with nothing to publish, was checked when its code came, and a
 * scheduled sync of hundreds of unchanged algorithms should not pay two
 * listings each to repeat that.
 */
export const checkSecretsStage: Stage<CheckedTarget, CheckedSecrets> = {
  title: 'Check secrets',
  step: 'publish',
  scope: 'target',
  side: 'destination',
  skip: (target, config) => (needsCheck(target, config) ? undefined : { missingSecrets: [] }),
  run: async (target, context) => {
    const { config, logger } = context.run
    const { ahead, source } = context.run
    const destinationId = target.destinationId ?? (await ahead.destinations.algorithm(target))?.id
    const comparison = secretComparison({ ...target, sourceId: target.source.metadata.id, destinationId }, source)
    if (!comparison || !destinationId) return { missingSecrets: [] }
    let missing: string[]
    try {
      missing = await ahead.secretNames.take(comparison.key, comparison.compare)
    } catch (error) {
      if (!isNotFound(error)) throw error
      logger.warning(`${target.label}: secrets not compared: ${(error as Error).message}`)
      return { missingSecrets: [] }
    }
    if (missing.length === 0) return { missingSecrets: missing }
    const message = missingSecretsMessage(missing, target.session, target.algorithm, destinationId)
    if (needsPublishing(target, config) && config.missingSecrets === 'fail') {
      throw new PromotionError(`${message} Nothing was published.`)
    }
    logger.warning(`${target.label}: ${message}`)
    return { missingSecrets: missing }
  }
}

function needsCheck(target: CheckedTarget, config: PromotionConfig): boolean {
  if (target.destinationState === 'missing' || !target.source.metadata.id) return false
  return target.sync.kind !== 'unchanged' || needsPublishing(target, config)
}
