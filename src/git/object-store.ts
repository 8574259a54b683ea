import { randomUUID } from 'node:crypto'
import { appendFile, copyFile, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { rmRF } from '@actions/io'
import type { GitResult } from './git-command.js'
import { GitError } from './git-error.js'
import type { RemoteRepository } from './remote.js'
import { readRefsDirectly, type RefAdvertisement } from './ref-advertisement.js'
import { parseHeadListing, headFromRefs, type RemoteHead } from './remote-head.js'
import {
  BareRepository,
  assertObjectIds,
  ignoreMissingFile,
  ignoreMissingFileAs,
  makeTemporaryDirectory,
  temporaryPath,
  type ObjectStoreOptions
} from './bare-repository.js'

export type { CommitIdentity, FileChanges, ObjectStoreOptions, TreeEntry } from './bare-repository.js'
export { TRANSFER_TIMEOUT_FACTOR, makeTemporaryDirectory } from './bare-repository.js'

/**
 * How much of a commit a fetch brings (every fetch is depth 1): the commit
 * only, commit and trees, or everything. Selects a partial-clone filter.
 */
export type FetchFilter = 'commit-only' | 'trees' | 'complete'

/** Each filter brings everything the ones before it do. */
const FETCH_LEVELS: readonly FetchFilter[] = ['commit-only', 'trees', 'complete']

const FILTER_OF: Record<FetchFilter, string[]> = {
  'commit-only': ['--filter=tree:0'],
  trees: ['--filter=blob:none'],
  complete: []
}

/**
 * A temporary bare repository that holds just the objects a promotion needs.
 * It never has a working tree: commits are made from trees fetched from the
 * source, so files are never copied (and dotfiles are never skipped).
 *
 * Why several filters: a repository fetched with one partial-clone filter would
 * fetch missing objects one by one later, so each store is used with one filter
 * per commit. A "commit-only" store answers "is anything different?" cheaply.
 * Such lazy fetches are never wanted (they would go out without the right key):
 * local commands forbid them, and a push goes through a view that is no
 * partial clone (see createPushView).
 */
export class ObjectStore extends BareRepository {
  /** How much of each commit this store already holds, so no fetch moves the same objects twice. */
  private readonly fetched = new Map<string, FetchFilter>()
  /** Fetches into one store run one at a time: they share its shallow file and its record of what it holds. */
  private fetchQueue: Promise<unknown> = Promise.resolve()

  /** Whether a fetch used a partial-clone filter, making this store a partial clone (see createPushView). */
  private partialClone = false

  static async create(name: string, options: ObjectStoreOptions): Promise<ObjectStore> {
    return new ObjectStore(temporaryPath(options.parentDir, name), options)
  }

  async remove(): Promise<void> {
    if (!this.initialized) return
    await this.initialized.catch(() => {})
    // A fetch whose companion failed first may still be writing here.
    await this.fetchQueue.catch(() => {})
    await rmRF(this.directory)
  }

  /**
   * BUILT_BRANCH's head, where HEAD points, the branches that have commits
   * (a missing BUILT_BRANCH means something else when others have some), and
   * where `recordRef` points if it exists: one ref listing, no objects. It is read
   * over HTTP without a git process when it can be (see ref-advertisement.ts),
   * else by `git ls-remote`; either way the capabilities the server announces
   * before the refs are learnt without another request.
   */
  async remoteHead(remote: RemoteRepository, recordRef?: string, listedEarlier?: RefAdvertisement | null): Promise<RemoteHead> {
    // null: listed earlier in this run, and left to git then; not tried again.
    const listed =
      listedEarlier === undefined ? await readRefsDirectly(remote, this.options.retry.attemptTimeoutMs, this.options.runner) : listedEarlier
    if (listed) {
      this.options.capabilities.learn(remote, listed.capabilities.includes('filter'))
      return headFromRefs(listed.refs, listed.symrefs.get('HEAD'), recordRef)
    }
    return this.listWithGit(remote, recordRef)
  }

  private async listWithGit(remote: RemoteRepository, recordRef?: string): Promise<RemoteHead> {
    const capabilities = this.options.capabilities
    const trace = capabilities.acceptsFilters(remote) === undefined ? path.join(this.directory, `packet-trace-${randomUUID()}`) : undefined
    // Patterns filter what the server sent in its one answer; they cost no request.
    const patterns = ['HEAD', 'refs/heads/*', ...(recordRef ? [recordRef] : [])]
    // Protocol v0 lists refs in the answer to its first request; v2 needs a second (ls-refs): one round trip saved.
    const args = ['-c', 'protocol.version=0', 'ls-remote', '--symref', '--end-of-options', remote.url, ...patterns]
    const result = await this.network('ls-remote', remote, args, {
      env: trace ? { GIT_TRACE_PACKET: trace } : {}
    })
    if (trace) {
      capabilities.learnFrom(remote, await readFile(trace, 'utf8').catch(() => ''))
      await rmRF(trace)
    }
    return parseHeadListing(result.stdout, recordRef)
  }

  /** Whether the remote's server serves partial clone; learnt with one ref listing per host and run. */
  async acceptsFilters(remote: RemoteRepository): Promise<boolean> {
    if (this.options.capabilities.acceptsFilters(remote) === undefined) await this.remoteHead(remote)
    return this.options.capabilities.acceptsFilters(remote) ?? false
  }

  /**
   * Fetches commits by hash, depth 1: history is never needed, only a tree
   * and a parent to build on. From a server that ignores filters the commit
   * comes whole at once: it would send whole trees anyway, and asking again
   * for more would send them again. What the store already holds is not fetched.
   */
  async fetchCommits(remote: RemoteRepository, commits: readonly string[], filter: FetchFilter): Promise<void> {
    if (commits.length === 0) return
    assertObjectIds(commits)
    const level = (await this.acceptsFilters(remote)) ? filter : 'complete'
    await this.queueFetch(async () => {
      const wanted = commits.filter(commit => !holds(this.fetched.get(commit), level))
      if (wanted.length === 0) return
      if (FILTER_OF[level].length > 0) this.partialClone = true
      await this.network('fetch', remote, [
        'fetch',
        '--quiet',
        '--no-tags',
        '--no-write-fetch-head',
        '--depth=1',
        ...FILTER_OF[level],
        '--end-of-options',
        remote.url,
        ...wanted
      ])
      for (const commit of wanted) this.fetched.set(commit, level)
    })
  }

  /** Fetches individual objects (the blobs a destination lacks) by id. */
  async fetchObjects(remote: RemoteRepository, objectIds: readonly string[]): Promise<void> {
    if (objectIds.length === 0) return
    assertObjectIds(objectIds)
    await this.queueFetch(() =>
      this.network('fetch', remote, ['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--stdin', '--end-of-options', remote.url], {
        stdin: objectIds.join('\n') + '\n'
      })
    )
  }

  /**
   * Makes another store's objects part of this one (git alternates: nothing
   * is copied), with the shallow boundaries of its depth-1 commits, so
   * commits fetched there, alongside a fetch into this store, are used here.
   * Queued with the fetches: none may write the shallow file meanwhile.
   */
  async borrowFrom(other: ObjectStore, commits: readonly string[]): Promise<void> {
    await this.queueFetch(async () => {
      await this.initialize()
      await appendFile(path.join(this.directory, 'objects', 'info', 'alternates'), `${path.join(other.directory, 'objects')}\n`)
      const boundaries = await readFile(path.join(other.directory, 'shallow'), 'utf8').catch(ignoreMissingFileAs(''))
      if (boundaries) await appendFile(path.join(this.directory, 'shallow'), boundaries)
      for (const commit of commits) this.fetched.set(commit, other.fetched.get(commit) ?? 'complete')
    })
  }

  private queueFetch<T>(fetch: () => Promise<T>): Promise<T> {
    const run = this.fetchQueue.catch(() => {}).then(fetch)
    this.fetchQueue = run
    return run
  }

  /**
   * A plain push: never forced, so a destination that moved on rejects it
   * (see GitError.rejectedAsStale). `recordRef`, when given, is set to the
   * same commit in the same atomic push; a server that refuses it (or atomic
   * pushes) gets the branch alone, and the result says the record is missing.
   */
  async push(remote: RemoteRepository, commit: string, branch: string, recordRef?: string): Promise<{ recorded: boolean }> {
    // Only a partial clone needs a view to push from; a store of whole commits pushes as it is.
    const view = this.partialClone ? await this.createPushView() : undefined
    const push = (refs: string[]): Promise<GitResult> =>
      this.network(
        'push',
        remote,
        ['push', '--quiet', '--no-verify', ...(refs.length > 1 ? ['--atomic'] : []), '--end-of-options', remote.url, ...refs],
        {
          directory: view ?? this.directory
        }
      )
    try {
      if (recordRef) {
        try {
          await push([`${commit}:${branch}`, `${commit}:${recordRef}`])
          return { recorded: true }
        } catch (error) {
          if (!(error instanceof GitError) || error.rejectedAsStale || !error.refusedRefOrAtomic) throw error
          this.options.logger.info(
            `${remote.label}: the server did not take the promotion record ${recordRef} (${(error as Error).message}); pushing the branch alone`
          )
        }
      }
      await push([`${commit}:${branch}`])
      return { recorded: false }
    } finally {
      if (view) await rmRF(view)
    }
  }

  /**
   * A repository that borrows this store's objects (alternates) and shallow
   * list but is no partial clone. A thin pack wants the destination's old
   * versions of changed files as delta bases; a partial clone lacking them
   * fetches them from its promisor URLs (the source first, refused for want
   * of its key, leaving "could not read Username" in stderr; then the
   * destination, downloading what it already has). Without a promisor, git
   * skips a missing base and sends the blob whole. `push --no-thin` is no
   * help: over HTTP git sends a thin pack regardless (seen with git 2.39).
   * The shallow list keeps git's fast-forward check from walking into the
   * missing history behind the destination head (it would report
   * non-fast-forward); one view per push gives each push a list that
   * includes the head it built on, whatever other fetches do meanwhile.
   */
  private async createPushView(): Promise<string> {
    await this.initialize()
    const view = await makeTemporaryDirectory(this.directory, 'push-view')
    await this.local('init', ['init', '--quiet', '--bare', view])
    await writeFile(path.join(view, 'objects', 'info', 'alternates'), `${path.join(this.directory, 'objects')}\n`)
    await copyFile(path.join(this.directory, 'shallow'), path.join(view, 'shallow')).catch(ignoreMissingFile)
    return view
  }
}

function holds(held: FetchFilter | undefined, wanted: FetchFilter): boolean {
  return held !== undefined && FETCH_LEVELS.indexOf(held) >= FETCH_LEVELS.indexOf(wanted)
}
