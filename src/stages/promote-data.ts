import { CollectionsPhase } from '../promotion/collections-phase.js'
import type { RunContext, Stage, Target } from '../pipeline/stage.js'
import type { SyncedCode } from './sync-code.js'

const phases = new WeakMap<RunContext, CollectionsPhase>()

/** The run's data side, shared by all its targets: each destination's collections are promoted once. */
export function collectionsOf(run: RunContext): CollectionsPhase {
  let phase = phases.get(run)
  if (!phase) {
    phase = new CollectionsPhase(run.config, run.logger, run.redact, run.onCollectionProgress)
    phases.set(run, phase)
  }
  return phase
}

/**
 * Promotes the hosted data collections to each destination, after its code and
 * before anything is published (a published version must find its files); named
 * collections were started while the code was synced, and are awaited here. A
 * data failure is in the `collections` results, never a failed promotion.
 */
export const promoteDataStage: Stage<Target & SyncedCode, object> = {
  title: 'Promote data collections',
  step: 'sync code',
  scope: 'target',
  side: 'destination',
  skip: (_target, config) => (config.collections.selection.kind === 'none' ? {} : undefined),
  run: async (target, context) => {
    await collectionsOf(context.run).forDestination(target.session.account)
    return {}
  }
}
