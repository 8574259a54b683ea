import { headHoldsSourceTree, syncCode, type SyncOutcome, type SyncRequest } from '../promotion/code-sync.js'
import { commitMessage, promotionFacts } from '../promotion/commit-message.js'
import { publishedVersionAt } from '../promotion/head-version.js'
import type { Stage, Target, TargetContext } from '../pipeline/stage.js'
import { needsPublishing } from '../promotion/publishing-need.js'
import { secretComparison } from '../promotion/secrets-check.js'
import type { PreparedDestination } from './prepare-destination.js'
import type { ResolvedSource } from './resolve-source.js'

export interface SyncedCode {
  readonly sync: SyncOutcome
  /** For an unchanged destination: the version its head was published as earlier, or ''. */
  readonly headVersion: string
  /** An unchanged destination whose head is known to have no published version (not merely unknown). */
  readonly headUnpublished: boolean
}

/** Makes each destination's code equal the source's, as one new commit on top of its history. */
export const syncCodeStage: Stage<Target & ResolvedSource & PreparedDestination, SyncedCode> = {
  title: 'Sync code',
  step: 'sync code',
  scope: 'targets-of-algorithm',
  side: 'destination',
  run: async (target, context) => {
    const { config, logger, ahead } = context.run
    context.progress('fetching')
    // An existing destination's refs were listed when its source was resolved; a created one's are new.
    const listedRefs = target.destinationState === 'exists' ? await ahead.destinations.refsOf(target) : undefined
    let code = await syncOnce(target, context, { listedRefs })
    if (needsPublishing(code, config) && code.sync.kind === 'unchanged' && code.sync.byRecord) {
      const holds = await headHoldsSourceTree(target.objects, target.remote, code.sync.destCommit)
      if (!holds) {
        logger.warning(
          `${target.label}: the destination's promotion record names its head as a promotion of ${target.source.commit}, but the head's tree is not that commit's (someone wrote the record by hand?). It is not published as that version; the source is promoted again.`
        )
        code = await syncOnce(target, context, { distrustRecord: true })
      }
    }
    if (code.sync.kind === 'pushed') context.wrote('code')
    logger.info(`${target.label}: ${describeSync(code.sync)}`)
    if (!needsPublishing(code, config)) context.progress('done')
    return code
  },
  // The stores are shared by the algorithm's destinations: free the disk once the last one is through.
  afterAlgorithm: async targets => {
    await targets[0]?.objects.remove()
  }
}

type SyncTarget = Target & ResolvedSource & PreparedDestination

/** One sync of the target's code, with the version its head was published as when it is unchanged. */
async function syncOnce(
  target: SyncTarget,
  context: TargetContext,
  options: Pick<SyncRequest, 'listedRefs' | 'distrustRecord'>
): Promise<SyncedCode> {
  const { config, logger } = context.run
  const sync: SyncOutcome =
    target.destinationState === 'missing'
      ? { kind: 'planned', destCommit: '', changes: config.mode === 'plan' ? undefined : await target.objects.allSourceFiles() }
      : await syncCode(syncRequest(target, context, options))
  const headVersion =
    sync.kind === 'unchanged' ? await publishedVersionAt(target.session, target.algorithm, sync.destCommit, logger) : undefined
  return { sync, headVersion: headVersion ?? '', headUnpublished: headVersion === '' }
}

function syncRequest(target: SyncTarget, context: TargetContext, options: Pick<SyncRequest, 'listedRefs' | 'distrustRecord'>): SyncRequest {
  const { config, logger, identity } = context.run
  return {
    ...options,
    objects: target.objects,
    destination: target.remote,
    dryRun: config.dryRun,
    describeChanges: config.mode !== 'plan',
    identity,
    onPushing: () => {
      context.progress('pushing')
      // Code is arriving, so its secrets will be compared: ask now, while the push runs.
      const comparison = secretComparison({ ...target, sourceId: target.source.metadata.id }, context.run.source)
      if (comparison) context.run.ahead.secretNames.ask(comparison.key, comparison.compare)
    },
    onHead: commit => context.sawHead(commit),
    freshDestination: target.destinationState === 'created',
    message: commitMessage(config.commitMessage, promotionFacts(target, context.run.config.source)),
    logger
  }
}

function describeSync(sync: SyncOutcome): string {
  if (sync.kind === 'unchanged') return `unchanged: the destination already holds this code (${sync.destCommit})`
  if (!sync.changes) return 'needs promotion'
  const { added, modified, deleted } = sync.changes
  const counts = `${added.length} added, ${modified.length} modified, ${deleted.length} deleted`
  return sync.kind === 'planned' ? `would commit ${counts} (dry run)` : `pushed ${sync.destCommit} (${counts})`
}
