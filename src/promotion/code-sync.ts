import type { FileChanges, CommitIdentity } from '../git/object-store.js'
import { BUILT_BRANCH, type RemoteHead } from '../git/remote-head.js'
import type { RefAdvertisement } from '../git/ref-advertisement.js'
import type { RemoteRepository } from '../git/remote.js'
import { GitError } from '../git/git-error.js'
import { flattenRemoteText } from '../util/remote-text.js'
import type { Logger } from '../util/log.js'
import type { AlgorithmObjects } from './algorithm-objects.js'
import { PromotionError } from './failure.js'

/** How often a push is rebuilt on a destination that moved on before giving up. */
const MAX_PUSH_ATTEMPTS = 5

export interface SyncRequest {
  readonly objects: AlgorithmObjects
  readonly destination: RemoteRepository
  readonly dryRun: boolean
  /** In a dry run, also list the files that would change (fetches trees; a plan skips it). */
  readonly describeChanges: boolean
  readonly identity: CommitIdentity
  /** The commit message for a promotion commit. */
  readonly message: string
  readonly logger: Logger
  /** Called before each push attempt, for progress displays. */
  readonly onPushing?: () => void
  /** Called with the destination head each time it is read, so a failure can still report it. */
  readonly onHead?: (commit: string | undefined) => void
  /**
   * The destination was created in this run, so it holds only template code:
   * skip the "unchanged?" probe and fetch the source whole.
   */
  readonly freshDestination?: boolean
  /** The destination's refs as listed earlier in this run, for the first attempt (null: left to git; see DestinationLookups). */
  readonly listedRefs?: RefAdvertisement | null
  /**
   * The promotion record is not enough on its own: anyone who may push to the destination may also
   * write that ref. Before a head found through it is published, its tree decides (see headHoldsSourceTree).
   */
  readonly distrustRecord?: boolean
}

export type SyncOutcome =
  /** `byRecord`: known from the promotion record alone, without comparing trees. */
  | { readonly kind: 'unchanged'; readonly destCommit: string; readonly byRecord?: boolean }
  | { readonly kind: 'planned'; readonly destCommit: string; readonly changes?: FileChanges }
  | { readonly kind: 'pushed'; readonly destCommit: string; readonly changes: FileChanges }

/**
 * The record a promotion leaves at the destination: a ref named after the
 * source commit, pointing at the promotion commit made from it. When a later
 * run finds the destination's head to be that very commit, the destination
 * holds the source's tree (the promotion commit is made of it), so nothing
 * changed — learnt from the ref listing alone, on any git server. Not a
 * branch, so it builds nothing; one ref per promoted source commit, set once.
 */
export function promotionRecordRef(sourceCommit: string): string {
  return `refs/algorithmia-promote/source/${sourceCommit}`
}

/** The destination's head is the commit its promotion record names for this source commit: unchanged, by the record. */
export function isRecordedHead(head: { readonly commit?: string; readonly recorded?: string }): boolean {
  return head.commit !== undefined && head.recorded === head.commit
}

/**
 * Makes the destination's BUILT_BRANCH hold the source tree, as one new
 * commit on top of its head. Never forces: if the head moved between fetch and
 * push, the commit is rebuilt on the new head and pushed again.
 */
export async function syncCode(request: SyncRequest): Promise<SyncOutcome> {
  const { objects, destination, logger } = request
  const probe = await objects.probe()
  const record = promotionRecordRef(objects.sourceCommit)
  for (let attempt = 1; ; attempt++) {
    const head = await probe.remoteHead(destination, record, attempt === 1 ? request.listedRefs : undefined)
    request.onHead?.(head.commit)
    refuseMissingBuiltBranch(destination, head)
    if (attempt === 1) warnHeadElsewhere(destination, head, logger)
    const fresh = request.freshDestination === true && attempt === 1
    if (!fresh && head.commit && isRecordedHead(head) && !request.distrustRecord) {
      return { kind: 'unchanged', destCommit: head.commit, byRecord: true }
    }
    if (request.dryRun && !request.describeChanges) {
      // A plan needs only the verdict: commit objects answer it without trees where the server allows.
      if (!fresh && head.commit && (await destinationTree(objects, destination, head.commit)) === (await objects.sourceTree()))
        return { kind: 'unchanged', destCommit: head.commit }
      return { kind: 'planned', destCommit: head.commit ?? '' }
    }
    // Without a record the trees decide; they are what a change needs anyway, so they are fetched once, for both.
    await fetchForComparison(objects, destination, head, fresh)
    const work = await objects.work()
    // Local reads of the same store, side by side: each is a git process whose start is most of its cost.
    const [, sourceTree, headTree] = await Promise.all([
      objects.checkSourceTree(),
      objects.sourceTree(),
      head.commit ? work.readCommit(head.commit).then(commit => commit.tree) : undefined
    ])
    if (head.commit && headTree === sourceTree) return { kind: 'unchanged', destCommit: head.commit }
    // A destination created in this run holds only the cluster's template, which a dry run cannot know of:
    // its changes are the source's files, as the dry run reports them.
    const changedSince = request.freshDestination ? undefined : head.commit
    if (request.dryRun) {
      return { kind: 'planned', destCommit: head.commit ?? '', changes: await work.changedPaths(changedSince, objects.sourceCommit) }
    }
    const [changes, commit] = await Promise.all([
      work.changedPaths(changedSince, objects.sourceCommit),
      objects.fetchBlobsMissingFrom(head.commit).then(() => work.commitTree(sourceTree, head.commit, request.message, request.identity))
    ])
    try {
      request.onPushing?.()
      // An existing record (this source commit was promoted before, and other changes came since) stays as it
      // is: moving it would need the commit it names, which a depth-1 store lacks. The trees decide there.
      await work.push(destination, commit, BUILT_BRANCH, head.recorded ? undefined : record)
      return { kind: 'pushed', destCommit: commit, changes }
    } catch (error) {
      if (!(error instanceof GitError && error.rejectedAsStale)) throw error
      if (attempt >= MAX_PUSH_ATTEMPTS) {
        throw new PromotionError(
          `${destination.label} kept moving while we pushed (${attempt} attempts); nothing was forced. Run the promotion again, and serialise runs with a workflow 'concurrency' group.`
        )
      }
      logger.info(
        `${destination.label}: ${BUILT_BRANCH} moved on since it was fetched; rebuilding the promotion commit on its new head (attempt ${attempt + 1} of ${MAX_PUSH_ATTEMPTS})`
      )
    }
  }
}

/**
 * Whether the destination commit holds the source tree, compared tree to tree: what a head found
 * through the promotion record must show before it is published as the source's version.
 */
export async function headHoldsSourceTree(objects: AlgorithmObjects, destination: RemoteRepository, commit: string): Promise<boolean> {
  const [headTree, sourceTree] = await Promise.all([destinationTree(objects, destination, commit), objects.sourceTree()])
  return headTree === sourceTree
}

/**
 * Without BUILT_BRANCH while other branches have commits, the algorithm's code
 * is on a branch the cluster does not build: a promotion would start a second,
 * unrelated history there, which later runs would take for a race they lost.
 */
function refuseMissingBuiltBranch(destination: RemoteRepository, head: RemoteHead): void {
  if (head.commit || head.branches.length === 0) return
  const named = head.branches.slice(0, 5).map(flattenRemoteText)
  const others =
    head.branches.length > named.length ? `${named.join(', ')} and ${head.branches.length - named.length} more` : named.join(', ')
  const example = head.branches.length === 1 ? named[0].replace(/^refs\/heads\//, '') : '<branch>'
  throw new PromotionError(
    `${destination.label} has no ${BUILT_BRANCH}, the branch the cluster builds, while ${others} ${head.branches.length === 1 ? 'has' : 'have'} commits: a promotion would start an unrelated history, so nothing was pushed. Create master from the branch that holds the algorithm's code (e.g. git push ${destination.url} ${example}:master, from a clone that has that branch) and promote again.`
  )
}

/** The promotion goes to BUILT_BRANCH whatever HEAD says; a HEAD pointing elsewhere is worth a word, once per target. */
function warnHeadElsewhere(destination: RemoteRepository, head: RemoteHead, logger: Logger): void {
  const elsewhere = head.headElsewhere
  if (!elsewhere) return
  const where = 'branch' in elsewhere ? `names ${flattenRemoteText(elsewhere.branch)}` : `is detached at commit ${elsewhere.detachedAt}`
  const leftAlone = 'branch' in elsewhere ? `; ${flattenRemoteText(elsewhere.branch)} is left as it is` : ''
  logger.warning(
    `the HEAD of ${destination.label} ${where}, while the cluster builds ${BUILT_BRANCH} only: the promotion goes to ${BUILT_BRANCH}${leftAlone}.`
  )
}

/**
 * The destination head's tree, for a destination without a record. A server
 * that ignores filters sends the whole commit: it goes into the work store,
 * where a change then finds it, rather than into the probe. When the probe
 * is the work store, the commit comes with its trees, as the work needs it:
 * one store never mixes a commit-only fetch and a later trees fetch.
 */
async function destinationTree(objects: AlgorithmObjects, destination: RemoteRepository, commit: string): Promise<string> {
  const probe = await objects.probe()
  const work = await objects.work()
  const intoWork = work === probe || !(await probe.acceptsFilters(destination))
  const store = intoWork ? work : probe
  await store.fetchCommits(destination, [commit], intoWork ? 'trees' : 'commit-only')
  return (await store.readCommit(commit)).tree
}

/**
 * Brings what a comparison and a commit need: for a fresh destination the
 * whole source and the (small) template commit, otherwise trees only.
 */
async function fetchForComparison(
  objects: AlgorithmObjects,
  destination: RemoteRepository,
  head: RemoteHead,
  fresh: boolean
): Promise<void> {
  // Whole commits from both sides (a new destination's small template, or two servers that ignore filters): both at once.
  if (head.commit && (fresh || (await objects.filtersOnNeitherSide(destination)))) {
    return objects.fetchDestinationHeadAlongside(destination, head.commit)
  }
  await objects.ensureSource(fresh ? 'complete' : 'trees')
  if (head.commit) await (await objects.work()).fetchCommits(destination, [head.commit], fresh ? 'complete' : 'trees')
}
