import { BUILT_BRANCH, type FileChanges, type ObjectStore, type CommitIdentity, type RemoteHead } from '../git/object-store.js'
import type { RefAdvertisement } from '../git/ref-advertisement.js'
import type { RemoteRepository } from '../git/remote.js'
import { GitError } from '../git/git-error.js'
import { forbiddenNameReason, isGitmodules, submoduleProblems } from '../git/tree-check.js'
import { flattenRemoteText } from '../util/remote-text.js'
import type { Logger } from '../util/log.js'
import { PromotionError } from './failure.js'

/** How often a push is rebuilt on a destination that moved on before giving up. */
const MAX_PUSH_ATTEMPTS = 5

/** Makes an object store on first use: an algorithm found unchanged never needs its work store. */
export type StoreFactory = (role: 'probe' | 'objects' | 'aside') => Promise<ObjectStore>

/**
 * The object stores of one source algorithm, shared by all its destinations so
 * the source is fetched once.
 */
export class AlgorithmObjects {
  private probeStore?: Promise<ObjectStore>
  private workStore?: Promise<ObjectStore>
  /** How much of the source commit the work store holds. */
  private sourceInWork: 'none' | 'trees' | 'complete' = 'none'
  private sourceFetch?: Promise<void>
  private sourceTreeId?: string
  private readonly blobsFetched = new Set<string>()
  private treeCheck?: Promise<void>
  /** Stores that took a destination's head while the source arrived (see fetchDestinationHeadAlongside). */
  private readonly asideStores: Promise<ObjectStore>[] = []

  constructor(
    private readonly createStore: StoreFactory,
    readonly source: RemoteRepository,
    readonly sourceCommit: string
  ) {}

  /** Commit objects only: answers "unchanged?" without moving a tree; also runs ls-remote. */
  probe(): Promise<ObjectStore> {
    return (this.probeStore ??= this.createStore('probe'))
  }

  /**
   * Trees of source and destinations, and the source blobs destinations lack.
   * From a source server that ignores filters the probe store already holds
   * whole commits, so it is the work store too and nothing is fetched twice.
   */
  work(): Promise<ObjectStore> {
    return (this.workStore ??= this.chooseWorkStore())
  }

  private async chooseWorkStore(): Promise<ObjectStore> {
    const probe = await this.probe()
    return (await probe.acceptsFilters(this.source)) ? this.createStore('objects') : probe
  }

  async sourceTree(): Promise<string> {
    if (!this.sourceTreeId) {
      // Without filters a probe would bring the whole source anyway: bring it where the work needs it, once.
      if (this.sourceInWork === 'none' && !(await (await this.probe()).acceptsFilters(this.source))) await this.ensureSource('complete')
      const store = this.sourceInWork === 'none' ? await this.probe() : await this.work()
      if (this.sourceInWork === 'none') await store.fetchCommits(this.source, [this.sourceCommit], 'commit-only')
      this.sourceTreeId = (await store.readCommit(this.sourceCommit)).tree
    }
    return this.sourceTreeId
  }

  /**
   * Brings the source into the work store: its trees (blobs follow on demand,
   * only those a destination lacks), or everything at once when a destination
   * lacks nearly all of it — one fetch then beats a tree walk and a second fetch.
   * Concurrent callers share one fetch, so it can be started early (see prefetch).
   */
  ensureSource(part: 'trees' | 'complete'): Promise<void> {
    // A failed earlier fetch (a prefetch, say) must not fail this one: each request tries again.
    const previous = this.sourceFetch?.catch(() => {}) ?? Promise.resolve()
    this.sourceFetch = previous.then(() => this.fetchSource(part))
    return this.sourceFetch
  }

  private async fetchSource(requested: 'trees' | 'complete'): Promise<void> {
    // A server without filters sends the commit whole whatever is asked: say so, so no blob is asked for again.
    const part = (await (await this.work()).acceptsFilters(this.source)) ? requested : 'complete'
    if (this.sourceInWork === 'complete' || this.sourceInWork === part) return
    if (this.sourceInWork === 'trees') {
      // Fetching a commit the store already has moves nothing; ask for the blobs themselves.
      await this.fetchBlobsMissingFrom(undefined)
    } else {
      await (await this.work()).fetchCommits(this.source, [this.sourceCommit], part)
    }
    this.sourceInWork = part
  }

  /**
   * Brings a destination's head and the whole source into the work store at
   * the same time: the head travels into a store of its own while the source's
   * transfer runs (a second fetch into the work store would wait for the
   * first), and the work store then borrows its objects (see
   * ObjectStore.borrowFrom). A source already there (a small one often is, by
   * the time a new destination exists) leaves nothing to wait for: the head
   * goes straight into the work store.
   */
  async fetchDestinationHeadAlongside(destination: RemoteRepository, commit: string): Promise<void> {
    if (this.sourceInWork === 'complete') return (await this.work()).fetchCommits(destination, [commit], 'complete')
    const aside = this.createStore('aside')
    this.asideStores.push(aside)
    const store = await aside
    await Promise.all([store.fetchCommits(destination, [commit], 'complete'), this.ensureSource('complete')])
    await (await this.work()).borrowFrom(store, [commit])
  }

  /**
   * Whether neither the source's nor `destination`'s server serves partial
   * clone, so both commits come whole whatever is asked. Known from ref
   * listings already made; costs no request.
   */
  async filtersOnNeitherSide(destination: RemoteRepository): Promise<boolean> {
    const probe = await this.probe()
    return !(await probe.acceptsFilters(this.source)) && !(await probe.acceptsFilters(destination))
  }

  /** Starts fetching the whole source while other work goes on; failures surface when the sync awaits it. */
  prefetchComplete(): void {
    this.ensureSource('complete').catch(() => {})
  }

  /** Resolves once no fetch is running (whatever its outcome), so the stores can be removed. */
  async settled(): Promise<void> {
    await this.sourceFetch?.catch(() => {})
  }

  /** Frees the disk as soon as the algorithm's code is synced; a long run then never holds every tree at once. */
  async remove(): Promise<void> {
    await this.settled()
    const stores = await Promise.allSettled(
      [this.probeStore, this.workStore, ...this.asideStores].filter(Boolean) as Promise<ObjectStore>[]
    )
    const distinct = new Set(stores.flatMap(store => (store.status === 'fulfilled' ? [store.value] : [])))
    await Promise.all([...distinct].map(store => store.remove()))
  }

  /**
   * Refuses a source tree that git itself would refuse (see tree-check.ts),
   * naming the path. Checked once per source, whatever the destinations.
   */
  checkSourceTree(): Promise<void> {
    return (this.treeCheck ??= this.findTreeProblem())
  }

  private async findTreeProblem(): Promise<void> {
    const work = await this.work()
    for (const entry of await work.treeEntries(this.sourceCommit)) {
      const name = entry.path.slice(entry.path.lastIndexOf('/') + 1)
      const reason = forbiddenNameReason(name)
      if (reason) throw this.refusal(entry.path, reason)
      if (!isGitmodules(name)) continue
      if (entry.mode === '120000') throw this.refusal(entry.path, 'a symbolic link where git wants the submodule list')
      if (!(await work.hasObject(entry.id))) await work.fetchObjects(this.source, [entry.id])
      const problems = submoduleProblems((await work.configBlob(entry.id)) ?? '')
      if (problems.length > 0) throw this.refusal(entry.path, problems.join('; '))
    }
  }

  private refusal(path: string, reason: string): PromotionError {
    return new PromotionError(
      `the source ${this.source.label} at commit ${this.sourceCommit} has '${flattenRemoteText(path)}': ${reason}. git itself refuses such a tree (git fsck), so it is not promoted; remove the entry from the source and promote again.`
    )
  }

  /** Every match of `pattern` in the source's text files; fetches the whole source first. */
  async sourceMatches(pattern: string): Promise<string[]> {
    await this.ensureSource('complete')
    return (await this.work()).matchesIn(this.sourceCommit, pattern)
  }

  /** Every source file, as "added": what a destination that does not exist yet would get. */
  async allSourceFiles(): Promise<FileChanges> {
    await this.ensureSource('trees')
    return (await this.work()).changedPaths(undefined, this.sourceCommit)
  }

  /** Fetches the source blobs that `destinationCommit`'s tree does not already have. */
  async fetchBlobsMissingFrom(destinationCommit: string | undefined): Promise<number> {
    if (this.sourceInWork === 'complete') return 0
    const work = await this.work()
    const needed = await work.blobIds(this.sourceCommit)
    if (destinationCommit) for (const id of await work.blobIds(destinationCommit)) needed.delete(id)
    const toFetch = [...needed].filter(id => !this.blobsFetched.has(id))
    await work.fetchObjects(this.source, toFetch)
    toFetch.forEach(id => this.blobsFetched.add(id))
    return toFetch.length
  }
}

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
}

export type SyncOutcome =
  | { readonly kind: 'unchanged'; readonly destCommit: string }
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
    if (!fresh && head.commit && head.recorded === head.commit) return { kind: 'unchanged', destCommit: head.commit }
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
