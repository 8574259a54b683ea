import type { ClusterSession } from '../cluster/session.js'
import type { Version } from '../cluster/types.js'
import type { CommitIdentity } from '../git/object-store.js'
import type { RemoteRepository } from '../git/remote.js'
import type { RetryPolicy } from '../util/retry.js'
import type { Logger } from '../util/log.js'
import type { AlgorithmObjects } from './algorithm-objects.js'
import { syncCode } from './code-sync.js'
import { publishBuild, rebuildUnlessBuilt, waitForSuccessfulBuild } from './publisher.js'
import type { PromotionStep, VersionResult } from './result.js'
import { publishDetails } from './version-details.js'
import type { ReplayStep } from './version-history.js'

/** One source version of a history, as it went to a destination (or would, in a dry run). */
export type ReplayedVersion = VersionResult

/** Everything one version's replay needs: its step of the plan, its objects, where it goes and how. */
export interface VersionReplay {
  readonly step: ReplayStep
  /** The source version as listed: its sample input, callability and notes travel with it. */
  readonly listed?: Version
  /** The source's objects at the step's commit (the history's stores, fetched once). */
  readonly objects: AlgorithmObjects
  readonly session: ClusterSession
  readonly remote: RemoteRepository
  readonly algorithm: string
  readonly identity: CommitIdentity
  readonly commitMessage: string
  /** The first line of the notes, naming the source version: how a later run knows the version is there. */
  readonly notesHeader: string
  /** The `release-notes` input: added below the header, never in its place. */
  readonly releaseNotes?: string
  readonly retry: RetryPolicy
  readonly buildTimeoutMs: number
  readonly logger: Logger
  /** Calls the built commit before it is published; undefined: no smoke test. */
  readonly smokeTest?: (destinationCommit: string, listed: Version | undefined) => Promise<number>
  /** The destination's code changed (its early answers are stale). */
  readonly onPushed: () => void
  /** Where the version stands, so a failure names the right step. */
  readonly onStep: (step: PromotionStep) => void
}

/**
 * One version of a history to one destination: its tree as a new commit (or
 * the commit an earlier, interrupted run pushed), its build, its smoke test,
 * then published with the bump that numbers it. A failure stops here, with
 * nothing published for this version.
 */
export async function replayVersion(replay: VersionReplay): Promise<ReplayedVersion> {
  const { step, session, algorithm, logger } = replay
  replay.onStep('sync code')
  const sync = await syncCode({
    objects: replay.objects,
    destination: replay.remote,
    dryRun: false,
    describeChanges: false,
    identity: replay.identity,
    message: replay.commitMessage,
    logger
  })
  if (sync.kind === 'pushed') replay.onPushed()
  replay.onStep('build')
  const wait = { session, algorithm, commit: sync.destCommit, buildTimeoutMs: replay.buildTimeoutMs, logger }
  if (sync.kind === 'unchanged') await rebuildUnlessBuilt(wait)
  await waitForSuccessfulBuild(wait)
  if (replay.smokeTest) {
    replay.onStep('smoke test')
    await replay.smokeTest(sync.destCommit, replay.listed)
  }
  replay.onStep('publish')
  const details = replayDetails(replay)
  const destVersion = await publishBuild({
    session,
    algorithm,
    commit: sync.destCommit,
    versionType: step.bump,
    releaseNotes: details.releaseNotes,
    details,
    retry: replay.retry,
    logger
  })
  return { ...identityOf(step), destVersion, destCommit: sync.destCommit, matched: destVersion === step.sourceVersion, status: 'published' }
}

/** What a dry run says of a version it would replay. */
export function plannedVersion(step: ReplayStep): ReplayedVersion {
  return { ...identityOf(step), destVersion: step.destinationVersion, destCommit: '', matched: step.matched, status: 'planned' }
}

/** The source version's details, with notes that always begin with the header naming it. */
export function replayDetails(replay: Pick<VersionReplay, 'listed' | 'notesHeader' | 'releaseNotes'>): ReturnType<typeof publishDetails> {
  const input = replay.releaseNotes ? `${replay.notesHeader}\n\n${replay.releaseNotes}` : undefined
  return publishDetails(replay.notesHeader, replay.listed, input)
}

function identityOf(step: ReplayStep): Pick<ReplayedVersion, 'sourceVersion' | 'sourceCommit'> {
  return { sourceVersion: step.sourceVersion, sourceCommit: step.sourceCommit }
}
