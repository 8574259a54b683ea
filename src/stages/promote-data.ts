import type { Stage, Target } from '../pipeline/stage.js'
import type { DataReferencesRead } from './find-data-references.js'
import { needsPublishing, refusePublishingWithoutData } from '../promotion/publishing-need.js'
import type { SyncedCode } from './sync-code.js'

/**
 * Promotes the hosted data collections to each destination, after its code and
 * before anything is published (a published version must find its files); named
 * collections were started while the code was synced, and are awaited here. A
 * data failure is in the `collections` results; it fails the promotion only
 * where a version would be published without its data.
 */
export const promoteDataStage: Stage<Target & SyncedCode & DataReferencesRead, object> = {
  title: 'Promote data collections',
  step: 'sync code',
  scope: 'target',
  side: 'destination',
  skip: (_target, config) => (config.collections.selection.kind === 'none' ? {} : undefined),
  run: async (target, context) => {
    const results = await context.run.ahead.collections.forDestination(target.session.account)
    if (needsPublishing(target, context.run.config)) {
      context.step('publish')
      refusePublishingWithoutData(results, target.session.account.algoOwner)
    }
    return {}
  }
}
