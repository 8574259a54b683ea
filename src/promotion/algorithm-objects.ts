import { CALL_PATTERN, findAlgorithmReferences, type FoundReference } from '../dependencies/references.js'
import { languageOf, SOURCE_PATHSPECS } from '../dependencies/syntax.js'
import type { FileChanges, ObjectStore } from '../git/object-store.js'
import type { RemoteRepository } from '../git/remote.js'
import { forbiddenNameReason, isGitmodules, submoduleProblems } from '../git/tree-check.js'
import { flattenRemoteText } from '../util/remote-text.js'
import { PromotionError } from './failure.js'

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
  private calls?: Promise<FoundReference[]>
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

  /**
   * The same stores, for another commit of the same source (a version history
   * replayed): what one fetched, the other has, so a history is fetched once.
   * Only the first removes the stores.
   */
  atCommit(commit: string): AlgorithmObjects {
    return new AlgorithmObjects(
      role => (role === 'probe' ? this.probe() : role === 'objects' ? this.work() : this.createStore(role)),
      this.source,
      commit
    )
  }

  /** Brings these source commits whole into the work store, in one fetch. */
  async fetchComplete(commits: readonly string[]): Promise<void> {
    await (await this.work()).fetchCommits(this.source, commits, 'complete')
  }

  /** Starts fetching the whole source while other work goes on; failures surface when the sync awaits it. */
  prefetchComplete(): void {
    this.ensureSource('complete').catch(() => {})
  }

  /** Resolves once no fetch or read is running (whatever its outcome), so the stores can be removed. */
  async settled(): Promise<void> {
    await this.sourceFetch?.catch(() => {})
    // Reading the calls runs git in the work store after the fetch: the store stays until it is through.
    await this.calls?.catch(() => {})
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

  /**
   * The algorithm calls in the source (see dependencies/references.ts), read once however many
   * destinations ask: the files that mention `algo` and only those, two local git processes.
   */
  algorithmCalls(): Promise<FoundReference[]> {
    return (this.calls ??= this.readAlgorithmCalls())
  }

  /**
   * Only files an Algorithmia language reads can call an algorithm: from a server with partial clone
   * only their blobs are fetched (a model file of hundreds of MB is not), then searched.
   */
  private async readAlgorithmCalls(): Promise<FoundReference[]> {
    await this.ensureSource('trees')
    const work = await this.work()
    if (this.sourceInWork !== 'complete') {
      const sources = (await work.treeEntries(this.sourceCommit)).filter(entry => entry.mode.startsWith('100') && languageOf(entry.path))
      const toFetch = [...new Set(sources.map(entry => entry.id))].filter(id => !this.blobsFetched.has(id))
      await work.fetchObjects(this.source, toFetch)
      toFetch.forEach(id => this.blobsFetched.add(id))
    }
    return findAlgorithmReferences(await work.filesMatching(this.sourceCommit, CALL_PATTERN, SOURCE_PATHSPECS))
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
