import type { Version } from '../cluster/types.js'
import { commitMessage, defaultReleaseNotes, promotionFacts } from '../promotion/commit-message.js'
import { PromotionError } from '../promotion/failure.js'
import { refusePublishingWithoutData } from '../promotion/publishing-need.js'
import { missingSecretsMessage, secretComparison } from '../promotion/secrets-check.js'
import { runSmokeTest } from '../promotion/smoke-test.js'
import {
  planVersionReplay,
  publishedVersionsOf,
  requireMatched,
  type PresentVersion,
  type ReplayPlan,
  type ReplayStep
} from '../promotion/version-history.js'
import { plannedVersion, replayVersion, type ReplayedVersion, type VersionReplay } from '../promotion/version-replay.js'
import { FailedAfterProgress, type Stage, type Target, type TargetContext } from '../pipeline/stage.js'
import type { DataReferencesRead } from './find-data-references.js'
import type { PreparedDestination } from './prepare-destination.js'
import type { ResolvedSource } from './resolve-source.js'

/** With `source-versions`: the history as it went to this destination. */
export interface ReplayedHistory {
  /** Required, though undefined without `source-versions`: a stage that needs it cannot be placed before this one. */
  readonly history:
    | {
        /** Oldest first: versions found present, then those published (or planned) here. */
        readonly versions: readonly ReplayedVersion[]
        /** The newest selected version, when the destination lacks it: the stages after this one sync, build and publish it. */
        readonly newest?: ReplayStep
      }
    | undefined
}

type HistoryTarget = Target & ResolvedSource & PreparedDestination & DataReferencesRead

/**
 * `source-versions`: publishes, oldest first, each selected source version the
 * destination lacks, as its own commit with the bump the source used, so that
 * callers pinned to any version find it. The newest is left to the stages
 * after this one (the run resolved the source to it), which sync, check,
 * build, smoke-test and publish it as any promotion. Decided from the two
 * versions listings alone (a version whose notes name its source version is
 * present), so a re-run replays only what is missing and resumes an
 * interrupted one. A failure stops this destination's history there: later
 * versions are numbered after it.
 */
export const replayVersionsStage: Stage<HistoryTarget, ReplayedHistory> = {
  title: 'Replay source versions',
  step: 'sync code',
  scope: 'targets-of-algorithm',
  side: 'destination',
  skip: (_target, config) => (config.sourceVersions ? undefined : { history: undefined }),
  run: async (target, context) => {
    const plan = await planFor(target, context)
    const newest = plan.replay.at(-1)?.sourceCommit === target.source.commit ? plan.replay.at(-1) : undefined
    const older = newest ? plan.replay.slice(0, -1) : olderThanPresent(plan, target, context)
    const present = plan.present.map(presentVersion)
    if (context.run.config.versionType === 'match') plan.replay.forEach(step => requireMatched(step, target.session.account.cluster.label))
    if (older.length === 0) return { history: { versions: present, newest } }
    if (context.run.config.dryRun) return { history: { versions: [...present, ...older.map(plannedVersion)], newest } }
    await refuseUnready(target, context)
    await target.objects.fetchComplete(older.map(step => step.sourceCommit))
    return { history: { versions: await replayAll(target, context, older, present), newest } }
  }
}

async function planFor(target: HistoryTarget, context: TargetContext): Promise<ReplayPlan> {
  const selection = context.run.config.sourceVersions ?? { kind: 'all' }
  const owner = target.session.account.algoOwner
  const destination =
    target.destinationState === 'exists' ? await target.session.api.listVersions(owner, target.algorithm, { published: true }) : []
  return planVersionReplay(publishedVersionsOf(target.source.published ?? []), selection, publishedVersionsOf(destination))
}

/**
 * The destination holds the newest selected version from this source but lacks older ones: published
 * now, they would be numbered after it. Left out, with a warning that says how to have them.
 */
function olderThanPresent(plan: ReplayPlan, target: HistoryTarget, context: TargetContext): readonly ReplayStep[] {
  if (plan.replay.length === 0) return []
  const missing = plan.replay.map(step => step.sourceVersion).join(', ')
  context.run.logger.warning(
    `${target.label}: the destination already holds the newest selected version ${target.source.version} but not ${missing}; published now, they would be numbered after it, so they are not replayed. Promote one with source-version to publish it anyway.`
  )
  return []
}

/** Each older version in turn; a failure keeps what was published before it in the results. */
async function replayAll(
  target: HistoryTarget,
  context: TargetContext,
  steps: readonly ReplayStep[],
  present: readonly ReplayedVersion[]
): Promise<ReplayedVersion[]> {
  const versions = [...present]
  const listed = new Map((target.source.published ?? []).map(version => [version.version_info.git_hash, version]))
  for (const step of steps) {
    try {
      const replayed = await replayVersion(versionReplay(target, context, step, listed.get(step.sourceCommit)))
      context.wrote('version')
      context.run.logger.info(`${target.label}: source version ${step.sourceVersion} published as ${replayed.destVersion}`)
      versions.push(replayed)
    } catch (error) {
      const message = `source version ${step.sourceVersion} was not published (${(error as Error).message}); the versions after it wait for it. Published before it: ${describe(versions)}.`
      throw new FailedAfterProgress(new PromotionError(message), { history: { versions } })
    }
  }
  return versions
}

function versionReplay(target: HistoryTarget, context: TargetContext, step: ReplayStep, listed: Version | undefined): VersionReplay {
  const { config, source, identity, logger } = context.run
  const facts = promotionFacts({ ...target, source: { commit: step.sourceCommit, version: step.sourceVersion } }, config.source)
  const test = config.smokeTest
  return {
    step,
    listed,
    objects: target.objects.atCommit(step.sourceCommit),
    session: target.session,
    remote: target.remote,
    algorithm: target.algorithm,
    identity,
    commitMessage: commitMessage(config.commitMessage, facts),
    notesHeader: defaultReleaseNotes(facts),
    releaseNotes: config.releaseNotes,
    retry: config.retry,
    buildTimeoutMs: config.buildTimeoutMs,
    logger,
    smokeTest: test
      ? (destinationCommit: string, version: Version | undefined) =>
          runSmokeTest({
            test,
            source,
            destination: target.session,
            algorithm: target.algorithm,
            sourceCommit: step.sourceCommit,
            destinationCommit,
            sampleInput: version?.version_info.sample_input
          })
      : undefined,
    onPushed: () => context.wrote('code'),
    onStep: context.step
  }
}

/** What stops any publish stops the first replayed one too: data that did not arrive, secrets missing with `missing-secrets: fail`. */
async function refuseUnready(target: HistoryTarget, context: TargetContext): Promise<void> {
  const { ahead, config, source } = context.run
  context.step('publish')
  if (ahead.collections.wanted)
    refusePublishingWithoutData(await ahead.collections.forDestination(target.session.account), target.session.account.algoOwner)
  if (config.missingSecrets !== 'fail') return
  const destinationId = target.destinationId ?? (await ahead.destinations.algorithm(target))?.id
  const comparison = secretComparison({ ...target, sourceId: target.source.metadata.id, destinationId }, source)
  const missing = comparison && destinationId ? await ahead.secretNames.take(comparison.key, comparison.compare) : []
  if (missing.length > 0 && destinationId) {
    throw new PromotionError(`${missingSecretsMessage(missing, target.session, target.algorithm, destinationId)} No version was published.`)
  }
}

function presentVersion(present: PresentVersion): ReplayedVersion {
  return {
    sourceVersion: present.sourceVersion,
    sourceCommit: present.sourceCommit,
    destVersion: present.destinationVersion,
    destCommit: present.destinationCommit,
    matched: present.destinationVersion === present.sourceVersion,
    status: 'present'
  }
}

function describe(versions: readonly ReplayedVersion[]): string {
  const published = versions.filter(version => version.status === 'published')
  return published.length === 0 ? 'none' : published.map(version => `${version.sourceVersion} as ${version.destVersion}`).join(', ')
}
