import { ClusterApiError, ClusterUnreachableError, VERSION_ALREADY_PUBLISHED } from '../cluster/errors.js'
import type { ClusterSession } from '../cluster/session.js'
import { isFinishedBuild, type Build, type PublishDetails } from '../cluster/types.js'
import type { VersionType } from '../core/config.js'
import { sleep, withRetry, type RetryPolicy } from '../util/retry.js'
import type { Logger } from '../util/log.js'
import { PromotionError } from './failure.js'

const FIRST_POLL_DELAY_MS = 250
const MAX_POLL_DELAY_MS = 10_000
const LOG_TAIL_LINES = 25

export interface PublishRequest {
  readonly session: ClusterSession
  readonly algorithm: string
  readonly commit: string
  readonly versionType: VersionType
  readonly releaseNotes: string
  readonly buildTimeoutMs: number
  readonly retry: RetryPolicy
  readonly logger: Logger
  /** What the version carries besides its notes: sample input, callability, insights. */
  readonly details?: Omit<PublishDetails, 'releaseNotes'>
  /** Called when the build succeeded and publishing starts (a failure after it is a publish failure). */
  readonly onBuilt?: () => void
}

/** What waiting for a build needs. */
export type BuildWait = Pick<PublishRequest, 'session' | 'algorithm' | 'commit' | 'buildTimeoutMs' | 'logger'>

/** What publishing a build that succeeded needs. */
export type PublishBuildRequest = Omit<PublishRequest, 'buildTimeoutMs' | 'onBuilt'>

/** Waits for the build of `commit` on the destination, then publishes it; returns the new semver. */
export async function buildAndPublish(request: PublishRequest): Promise<string> {
  await waitForSuccessfulBuild(request)
  request.onBuilt?.()
  return publishOnce(request)
}

/**
 * For a head an earlier run left unpublished (it stopped while the build ran,
 * or the build failed for a passing reason): builds it again unless a build of
 * it succeeded or is still running, so there is a build to wait for.
 */
export async function rebuildUnlessBuilt(request: BuildWait): Promise<void> {
  const { session, algorithm, commit, logger } = request
  const owner = session.account.algoOwner
  const where = `${owner}/${algorithm} on ${session.account.cluster.label}`
  const build = await session.api.findBuild(owner, algorithm, commit)
  if (build && build.status !== 'failed') {
    logger.info(
      `${algorithm}: the head ${commit} of ${where} has no published version; publishing it once build ${build.build_id} (${build.status}) succeeds`
    )
    return
  }
  logger.info(
    `${algorithm}: the head ${commit} of ${where} has no published version and ${build ? `its build ${build.build_id} failed` : 'no build'}; building it again, then publishing it`
  )
  try {
    await session.api.compile(owner, algorithm, commit)
  } catch (error) {
    if (!isLostAnswer(error)) throw error
    // The build may have started all the same; waiting tells, and a repeat would start another.
    logger.info(`${algorithm}: the answer to the build request was lost (${(error as Error).message}); waiting for the build all the same`)
  }
}

/** Waits for the build of `commit`; a failed build is an error carrying the tail of its log. */
export async function waitForSuccessfulBuild(request: BuildWait): Promise<Build> {
  const build = await waitForBuild(request)
  if (build.status === 'failed') throw await buildFailure(request, build)
  return build
}

/** Publishes the build of `commit`, which must have succeeded and be the newest; returns the new semver. */
export function publishBuild(request: PublishBuildRequest): Promise<string> {
  return publishOnce(request)
}

/** Polls with backoff until the build of the pushed commit finishes, bounded by build-timeout. */
export async function waitForBuild(request: BuildWait): Promise<Build> {
  const { session, algorithm, commit, buildTimeoutMs, logger } = request
  const owner = session.account.algoOwner
  const deadline = Date.now() + buildTimeoutMs
  let delay = FIRST_POLL_DELAY_MS
  let last: Build | undefined
  for (;;) {
    last = last ? await session.api.getBuild(owner, algorithm, last.build_id) : await session.api.findBuild(owner, algorithm, commit)
    if (last && isFinishedBuild(last.status)) return last
    if (Date.now() + delay > deadline) {
      const state = last ? `build ${last.build_id} is still ${last.status}` : `no build of commit ${commit} has started`
      throw new PromotionError(
        `the destination build did not finish within build-timeout (${Math.round(buildTimeoutMs / 1000)} s): ${state} on ${session.account.cluster.label}. The code is pushed: raise build-timeout for next time and run the promotion again with publish: true, which finds the code unchanged, waits for its build (building it again if it failed) and publishes it.`
      )
    }
    logger.debug(`${algorithm}: waiting ${delay} ms for the build of ${commit.slice(0, 12)}`)
    await sleep(delay)
    delay = Math.min(MAX_POLL_DELAY_MS, delay * 2)
  }
}

async function buildFailure({ session, algorithm }: BuildWait, build: Build): Promise<PromotionError> {
  const logs = await session.api.getBuildLogs(session.account.algoOwner, algorithm, build.build_id).catch(() => undefined)
  const tail = logs ? logs.trimEnd().split('\n').slice(-LOG_TAIL_LINES).join('\n') : '(no build log available)'
  return new PromotionError(
    `build ${build.build_id} of commit ${build.commit_sha} failed on ${session.account.cluster.label}, so nothing was published. Fix the source and promote again. Last lines of the build log:\n${tail}`
  )
}

/**
 * Publishes once, even across retries: a publish whose answer was lost may
 * have happened, so before each new attempt the versions list is checked for
 * the commit (a second publish would create a second version of the same code).
 * The cluster publishes its newest build, not a named commit, so a build of
 * someone else's newer push is never published in the promotion's name.
 */
async function publishOnce(request: PublishBuildRequest): Promise<string> {
  const { session, algorithm, commit, versionType, releaseNotes, details, retry, logger } = request
  const owner = session.account.algoOwner
  const cluster = session.account.cluster.label
  // Only a lost publish answer is retried here; the reads inside retry on their own,
  // so a flaky cluster does not see max-attempts² requests.
  let lostAnswer: unknown
  return withRetry(
    retry,
    {
      adviseOn: error =>
        error === lostAnswer
          ? { retry: true, afterMs: error instanceof ClusterApiError ? error.retryAfterMs : undefined }
          : { retry: false },
      onRetry: (error, attempt) =>
        logger.info(
          `${algorithm}: publishing did not complete (${(error as Error).message}); checking the versions before attempt ${attempt + 1}`
        )
    },
    async attempt => {
      if (attempt > 1) {
        const existing = await publishedVersionOf(request)
        if (existing) {
          logger.info(`${algorithm}: the earlier publish went through after all: ${commit.slice(0, 12)} is version ${existing}`)
          return existing
        }
      }
      const newest = await session.api.newestBuild(owner, algorithm)
      if (newest && newest.commit_sha !== commit) {
        const published = await publishedVersionOf(request)
        if (published) return published
        throw new PromotionError(
          `${owner}/${algorithm} on ${cluster} has a newer build (${newest.build_id} of commit ${newest.commit_sha}) than the promoted commit ${commit}: someone pushed meanwhile, and publishing now would publish their code. Nothing was published; promote again once the destination is quiet.`
        )
      }
      try {
        const version = await session.api.publish(owner, algorithm, versionType, { ...details, releaseNotes })
        const semver = version?.version_info?.semantic_version
        const hash = version?.version_info?.git_hash
        if (semver && hash && hash !== commit) {
          throw new PromotionError(
            `publishing ${owner}/${algorithm} on ${cluster} published version ${semver} of commit ${hash}, not the promoted commit ${commit}: someone pushed meanwhile. Check the algorithm's versions on the cluster.`
          )
        }
        if (semver) return semver
      } catch (error) {
        if (isLostAnswer(error)) lostAnswer = error
        if (!(error instanceof ClusterApiError && error.code === VERSION_ALREADY_PUBLISHED)) throw error
      }
      const published = await publishedVersionOf(request)
      if (published) return published
      throw new PromotionError(
        `publishing ${owner}/${algorithm} at ${commit} on ${cluster} reported no version number; check the algorithm's versions on the cluster.`
      )
    }
  )
}

async function publishedVersionOf({ session, algorithm, commit }: PublishBuildRequest): Promise<string | undefined> {
  const versions = await session.api.listVersions(session.account.algoOwner, algorithm, { published: true })
  return versions.find(v => v.version_info.git_hash === commit)?.version_info.semantic_version
}

function isLostAnswer(error: unknown): boolean {
  return error instanceof ClusterUnreachableError || (error instanceof ClusterApiError && error.transient)
}
