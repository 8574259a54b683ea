import { openSession, type ClusterSession } from '../cluster/session.js'
import { batchesOf, type Batch } from './batches.js'
import { dependencyOrder } from './dependency-order.js'
import type { CommitIdentity } from '../git/object-store.js'
import { RunnerGit } from '../git/runner-git.js'
import { algorithmRepository } from '../git/remote.js'
import type { PromotionConfig } from '../core/config.js'
import { describeChange } from '../promotion/metadata-sync.js'
import type { PromotionResult, VersionResult } from '../promotion/result.js'
import { awaitBuildStage } from '../stages/await-build.js'
import { publishStage } from '../stages/publish.js'
import { checkSecretsStage } from '../stages/check-secrets.js'
import { planPublishStage } from '../stages/plan-publish.js'
import type { CollectionResult } from '../data/result.js'
import type { CollectionProgressListener } from '../promotion/collections-phase.js'
import { checkDependenciesStage } from '../stages/check-dependencies.js'
import { findAlgorithmCallsStage } from '../stages/find-algorithm-calls.js'
import { findDataReferencesStage } from '../stages/find-data-references.js'
import { promoteDataStage } from '../stages/promote-data.js'
import { prepareDestinationStage } from '../stages/prepare-destination.js'
import { resolveSourceStage } from '../stages/resolve-source.js'
import { smokeTestStage } from '../stages/smoke-test.js'
import { syncCodeStage } from '../stages/sync-code.js'
import { replayVersionsStage } from '../stages/replay-versions.js'
import { syncMetadataStage } from '../stages/sync-metadata.js'
import type { Logger, ProgressListener } from '../util/log.js'
import type { SecretRegistry } from '../util/secrets.js'
import { Pipeline } from '../pipeline/pipeline.js'
import type { RunContext, Settled, Target } from '../pipeline/stage.js'
import { ServerCapabilities } from '../git/server-capabilities.js'
import { WorkAhead } from '../promotion/work-ahead.js'

/** The stages of a promotion, in order. A new stage is a module of `src/stages/` named here. */
export const PROMOTION_PIPELINE = Pipeline.start()
  .then(resolveSourceStage)
  .then(prepareDestinationStage)
  .then(syncMetadataStage)
  .then(findDataReferencesStage)
  .then(findAlgorithmCallsStage)
  .then(replayVersionsStage)
  .then(syncCodeStage)
  .then(promoteDataStage)
  .then(checkSecretsStage)
  .then(planPublishStage)
  .then(checkDependenciesStage)
  .then(awaitBuildStage)
  .then(smokeTestStage)
  .then(publishStage)

/** A target that went through every stage of the promotion. */
export type PromotedTarget = typeof PROMOTION_PIPELINE extends Pipeline<infer T> ? T : never

export interface EngineDependencies {
  /** The environment the front end was handed; git processes see an allowlisted part of it. */
  readonly environment: Readonly<NodeJS.ProcessEnv>
  readonly logger: Logger
  readonly secrets: SecretRegistry
  /** A folder the run may fill with temporary repositories; the caller removes it (also when the run is cancelled). */
  readonly workDir: string
  readonly onProgress?: ProgressListener
  readonly onCollectionProgress?: CollectionProgressListener
}

/** What the promotion pipeline found: a result per target, and one per data collection and destination. */
export interface PromotionOutcome {
  readonly results: PromotionResult[]
  readonly collections: CollectionResult[]
}

const IDENTITY: CommitIdentity = { name: 'algorithmia-promote', email: 'algorithmia-promote@users.noreply.github.com' }

/**
 * Promotes every algorithm to every destination, stage by stage (a log group
 * each). Algorithms run side by side up to `concurrency`; one failure never
 * stops the others. Never throws for a promotion's failure: it is in the results.
 */
export async function runPromotions(config: PromotionConfig, deps: EngineDependencies): Promise<PromotionOutcome> {
  const redact = (text: string): string => deps.secrets.redact(text)
  const source = openSession(config.source, config, deps.logger, redact)
  const destinations = config.destinations.map(account => openSession(account, config, deps.logger, redact))
  const git = new RunnerGit(deps.environment, config.concurrency)
  // Read side by side with the version check (git is read once per run for each); a missing git is reported by the check.
  git.networkConfig().catch(() => {})
  await git.assertVersion()
  const pending: Array<() => Promise<void>> = []
  const context: RunContext = {
    config,
    source,
    logger: deps.logger,
    redact,
    workDir: deps.workDir,
    identity: IDENTITY,
    gitServers: new ServerCapabilities(),
    git,
    ahead: WorkAhead.start([], config, git, deps.logger, redact, deps.onCollectionProgress),
    waitBeforeCleanup: task => void pending.push(task)
  }
  try {
    const order = await dependencyOrder(config.algorithms, context, algorithms => targetsOf(algorithms, destinations.slice(0, 1), config))
    const promoted = await promoteInBatches(batchesOf(order.waves), destinations, context, deps)
    const results = promoted.map(result => {
      const reason = order.addedBecause.get(result.algorithm)
      return reason === undefined ? result : { ...result, addedBecause: reason }
    })
    // Data alone (`collections` without `algorithms`): no target reaches the data stage, so each destination is served here.
    if (results.length === 0) await Promise.all(destinations.map(session => context.ahead.collections.forDestination(session.account)))
    return { results, collections: await context.ahead.collections.results() }
  } finally {
    // A prefetch may still be writing into the work directory when a promotion failed early.
    await Promise.allSettled(pending.map(task => task()))
  }
}

/** Each batch through every stage, one after another; only the results outlive a batch. */
async function promoteInBatches(
  batches: readonly Batch[],
  destinations: readonly ClusterSession[],
  context: RunContext,
  deps: EngineDependencies
): Promise<PromotionResult[]> {
  const results: PromotionResult[] = []
  for (const batch of batches) {
    const targets = targetsOf(batch.algorithms, destinations, context.config)
    const settled = await PROMOTION_PIPELINE.run(
      targets,
      { ...context, ahead: context.ahead.forTargets(targets) },
      { onProgress: deps.onProgress, part: batch.part }
    )
    results.push(...settled.map(resultOf))
  }
  return results
}

function targetsOf(algorithms: readonly string[], destinations: readonly ClusterSession[], config: PromotionConfig): Target[] {
  return algorithms.flatMap(algorithm =>
    destinations.map(session => ({
      algorithm,
      sourceRemote: algorithmRepository(config.source, config.source.algoOwner, algorithm),
      session,
      remote: algorithmRepository(session.account, session.account.algoOwner, algorithm),
      label: `${algorithm} → ${session.account.cluster.label}`
    }))
  )
}

/** The `results` item of one target, failed or not. */
export function resultOf(settled: Settled<PromotedTarget>): PromotionResult {
  const { target } = settled
  const failure = settled.ok ? undefined : settled.failure
  const sync = target.sync
  return {
    algorithm: target.algorithm,
    destination: target.session.account.cluster.label,
    status: failure ? 'failed' : statusOf(target),
    sourceCommit: target.source?.commit ?? '',
    sourceVersion: target.source?.version ?? '',
    destCommit: sync?.destCommit ?? (settled.ok ? '' : (settled.headSeen ?? '')),
    destVersion: target.destVersion ?? '',
    destHeadVersion: target.headVersion ?? '',
    newCommit: sync?.kind === 'pushed' || sync?.kind === 'planned',
    ...(failure ? { error: failure.message, failedStep: failure.step } : {}),
    ...(sync && sync.kind !== 'unchanged' ? { changes: sync.changes } : {}),
    ...(target.metadataChanges?.length
      ? { metadataChanges: target.metadataChanges.map(change => change.field), metadataDiff: target.metadataChanges.map(describeChange) }
      : {}),
    ...(target.history ? { versions: historyOf(target) } : {}),
    ...dependencyFields(target)
  }
}

/** The history's versions, with the newest as the stages after the replay left it. */
function historyOf(target: Partial<PromotedTarget>): VersionResult[] {
  const versions = [...(target.history?.versions ?? [])]
  const newest = target.history?.newest
  const destVersion = target.destVersion || (target.sync?.kind === 'planned' ? newest?.destinationVersion : undefined)
  if (newest && destVersion) {
    versions.push({
      sourceVersion: newest.sourceVersion,
      sourceCommit: newest.sourceCommit,
      destVersion,
      destCommit: target.sync?.destCommit ?? '',
      matched: destVersion === newest.sourceVersion,
      status: target.destVersion ? 'published' : 'planned'
    })
  }
  return versions
}

function dependencyFields(target: Partial<PromotedTarget>): Pick<PromotionResult, 'references' | 'dynamicCalls'> {
  const checked = target.dependencies
  // Code that calls no algorithm adds nothing: results stay as they were for most algorithms.
  if (!checked || (checked.references.length === 0 && checked.dynamic.length === 0)) return {}
  const references = checked.references.map(({ address, status, reason, namesSourceOwner }) => ({
    address,
    status,
    ...(reason === undefined ? {} : { reason }),
    ...(namesSourceOwner ? { namesSourceOwner } : {})
  }))
  return { references, dynamicCalls: checked.dynamic.length }
}

function statusOf(target: Partial<PromotedTarget>): PromotionResult['status'] {
  // Created in this run, even if the template happened to equal the source.
  if (target.destinationState === 'created') return 'created'
  switch (target.sync?.kind) {
    case 'unchanged':
      return 'unchanged'
    case 'planned':
      return 'planned'
    default:
      return 'updated'
  }
}
