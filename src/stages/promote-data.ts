import type { Stage, Target } from '../pipeline/stage.js'
import type { DataReferencesRead } from './find-data-references.js'
import type { CollectionResult } from '../data/result.js'
import { PromotionError } from '../promotion/failure.js'
import { needsPublishing } from '../promotion/publishing-need.js'
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

/** A version published now would read files that never arrived: the code stays pushed, the next run publishes. */
function refusePublishingWithoutData(results: readonly CollectionResult[], owner: string): void {
  const failed = results.filter(result => result.status === 'failed').map(result => `data://${owner}/${result.collection}`)
  if (failed.length === 0) return
  throw new PromotionError(
    `not published: ${failed.join(', ')} ${failed.length === 1 ? 'was' : 'were'} not fully promoted (see the data collections' log group), and a version published now would not find its data. The code is pushed; fix what the collections report and run again, which publishes it.`
  )
}
