import { randomUUID } from 'node:crypto'
import { appendFile, copyFile, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { mkdirP, rmRF } from '@actions/io'
import { gitEnvironment } from './git-auth.js'
import { runGit, type GitResult } from './git-command.js'
import { GitError } from './git-error.js'
import type { RemoteRepository } from './remote.js'
import { readRefsDirectly, type RefAdvertisement } from './ref-advertisement.js'
import { runnerNetworkConfig } from './runner-config.js'
import type { ServerCapabilities } from './server-capabilities.js'
import { retryNotice, withRetry, type RetryPolicy } from '../util/retry.js'
import type { Logger } from '../util/log.js'
import { OBJECT_ID_PATTERN } from '../inputs/rules.js'
import { parseHeadListing, headFromRefs, type RemoteHead } from './remote-head.js'

export interface CommitIdentity {
  readonly name: string
  readonly email: string
}

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
 * One git transfer may take this many times request-timeout (30 min by
 * default). curl's low-speed limit stops a stalled transfer; this stops one
 * that trickles just fast enough to pass it.
 */
export const TRANSFER_TIMEOUT_FACTOR = 60

/** Anything but an object id (an option-shaped `--…`, say) never reaches git's arguments. */
function assertObjectIds(ids: readonly string[]): void {
  const bad = ids.find(id => !OBJECT_ID_PATTERN.test(id))
  if (bad !== undefined) throw new Error(`refusing to pass ${JSON.stringify(bad.slice(0, 80))} to git: it is not an object id`)
}

export interface ObjectStoreOptions {
  readonly parentDir: string
  readonly retry: RetryPolicy
  readonly logger: Logger
  /** Scrubs secrets from what a remote says; a server may echo a request back. */
  readonly redact: (text: string) => string
  /** Shared by every store of a run, so each git server's capabilities are learnt once. */
  readonly capabilities: ServerCapabilities
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
export class ObjectStore {
  /** How much of each commit this store already holds, so no fetch moves the same objects twice. */
  private readonly fetched = new Map<string, FetchFilter>()
  /** Fetches into one store run one at a time: they share its shallow file and its record of what it holds. */
  private fetchQueue: Promise<unknown> = Promise.resolve()

  /** Made on first use: an algorithm found unchanged from ref listings alone never needs a repository on disk. */
  private initialized?: Promise<void>
  /** Whether a fetch used a partial-clone filter, making this store a partial clone (see createPushView). */
  private partialClone = false

  private constructor(
    readonly directory: string,
    private readonly options: ObjectStoreOptions
  ) {}

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

  private initialize(): Promise<void> {
    return (this.initialized ??= mkdirP(this.directory).then(async () => {
      await this.git('init', ['init', '--quiet', '--bare'], {
        env: { ...gitEnvironment(), GIT_NO_LAZY_FETCH: '1' },
        label: 'local',
        directory: this.directory
      })
    }))
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
    const listed = listedEarlier === undefined ? await readRefsDirectly(remote, this.options.retry.attemptTimeoutMs) : listedEarlier
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

  /** Reads a commit object without touching its tree, so it works in a commit-only store. */
  async readCommit(commit: string): Promise<{ tree: string }> {
    const { stdout } = await this.local('cat-file', ['cat-file', 'commit', commit])
    // The first line of a commit object names its tree.
    const tree = /^tree ([0-9a-f]{40}|[0-9a-f]{64})\n/.exec(stdout)?.[1]
    if (!tree) throw new GitError('cat-file', commit, 'commit has no tree line', 1)
    return { tree }
  }

  /** Blob ids in `commit`'s tree, recursively; needs the trees, not the blobs. */
  async blobIds(commit: string): Promise<Set<string>> {
    const { stdout } = await this.local('ls-tree', ['ls-tree', '-r', '-z', '--format=%(objecttype) %(objectname)', commit])
    const ids = new Set<string>()
    for (const entry of stdout.split('\0')) {
      if (entry.startsWith('blob ')) ids.add(entry.slice(5))
    }
    return ids
  }

  /** Every entry of `commit`'s tree, trees included, recursively; needs the trees, not the blobs. */
  async treeEntries(commit: string): Promise<TreeEntry[]> {
    const { stdout } = await this.local('ls-tree', [
      'ls-tree',
      '-r',
      '-t',
      '-z',
      '--full-tree',
      '--format=%(objectmode) %(objectname)%x09%(path)',
      commit
    ])
    return stdout
      .split('\0')
      .filter(Boolean)
      .map(line => {
        const tab = line.indexOf('\t')
        const [mode, id] = line.slice(0, tab).split(' ')
        return { mode, id, path: line.slice(tab + 1) }
      })
  }

  async hasObject(id: string): Promise<boolean> {
    return this.local('cat-file', ['cat-file', '-e', id]).then(
      () => true,
      () => false
    )
  }

  /** A config-format blob (`.gitmodules`) as `git config -z --list` prints it, or undefined when git cannot parse it. */
  async configBlob(id: string): Promise<string | undefined> {
    assertObjectIds([id])
    return this.local('config', ['config', '--blob', id, '-z', '--list']).then(
      result => result.stdout,
      () => undefined
    )
  }

  /** Every match of an extended regex in `commit`'s text files, one a line; needs the blobs. */
  async matchesIn(commit: string, pattern: string): Promise<string[]> {
    try {
      const { stdout } = await this.local('grep', ['grep', '-I', '-h', '-o', '-E', '-e', pattern, commit, '--'])
      return stdout.split('\n').filter(Boolean)
    } catch (error) {
      if (error instanceof GitError && error.exitCode === 1) return [] // git grep's "no match"
      throw error
    }
  }

  /** Files added, modified and deleted between two commits (compares ids; blobs need not be present). */
  async changedPaths(from: string | undefined, to: string): Promise<FileChanges> {
    const args = from ? ['diff-tree', '-r', '-z', '--no-renames', '--name-status', from, to] : ['ls-tree', '-r', '-z', '--name-only', to]
    const { stdout } = await this.local(args[0], args)
    const fields = stdout.split('\0').filter(Boolean)
    const changes: FileChanges = { added: [], modified: [], deleted: [] }
    if (!from) return { ...changes, added: fields }
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const status = fields[i]
      const file = fields[i + 1]
      if (status === 'A') changes.added.push(file)
      else if (status === 'D') changes.deleted.push(file)
      else changes.modified.push(file)
    }
    return changes
  }

  async commitTree(tree: string, parent: string | undefined, message: string, identity: CommitIdentity): Promise<string> {
    const { stdout } = await this.local('commit-tree', ['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-F', '-'], message, {
      GIT_AUTHOR_NAME: identity.name,
      GIT_AUTHOR_EMAIL: identity.email,
      GIT_COMMITTER_NAME: identity.name,
      GIT_COMMITTER_EMAIL: identity.email
    })
    return stdout.trim()
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

  private async network(
    operation: string,
    remote: RemoteRepository,
    args: string[],
    { stdin, directory = this.directory, env = {} }: { stdin?: string; directory?: string; env?: NodeJS.ProcessEnv } = {}
  ): Promise<GitResult> {
    return withRetry(
      this.options.retry,
      {
        adviseOn: error => ({ retry: error instanceof GitError && error.transient && !error.rejectedAsStale }),
        onRetry: (error, attempt, delayMs) =>
          this.options.logger.info(retryNotice((error as Error).message, attempt, delayMs, this.options.retry))
      },
      async () =>
        this.git(operation, args, {
          stdin,
          env: { ...gitEnvironment(remote.credential, process.env, await runnerNetworkConfig()), ...env },
          label: remote.label,
          directory,
          timeoutMs: TRANSFER_TIMEOUT_FACTOR * this.options.retry.attemptTimeoutMs
        })
    )
  }

  /**
   * A command that must not reach the network. GIT_NO_LAZY_FETCH (git 2.44+;
   * older git ignores it) turns a missing object into an error here instead
   * of a fetch from whichever promisor URL git picks, without its key.
   */
  private async local(operation: string, args: string[], stdin?: string, env: NodeJS.ProcessEnv = {}): Promise<GitResult> {
    return this.git(operation, args, {
      stdin,
      env: { ...gitEnvironment(), GIT_NO_LAZY_FETCH: '1', ...env },
      label: 'local',
      directory: this.directory
    })
  }

  private async git(operation: string, args: string[], run: GitRun): Promise<GitResult> {
    if (operation !== 'init') await this.initialize()
    const result = await runGit({
      args: ['-C', run.directory, ...args],
      cwd: this.options.parentDir,
      env: run.env,
      stdin: run.stdin,
      timeoutMs: run.timeoutMs
    })
    if (result.timedOut && run.timeoutMs !== undefined) {
      const limit = `a transfer may take ${TRANSFER_TIMEOUT_FACTOR} × request-timeout`
      throw new GitError(operation, run.label, this.options.redact(result.stderr), result.exitCode, { afterMs: run.timeoutMs, limit })
    }
    if (result.exitCode !== 0) throw new GitError(operation, run.label, this.options.redact(result.stderr), result.exitCode)
    return result
  }
}

interface GitRun {
  readonly stdin?: string
  readonly env: NodeJS.ProcessEnv
  /** Names the repository in errors; never a URL. */
  readonly label: string
  readonly directory: string
  /** Network commands only: local ones keep git-command's generous default. */
  readonly timeoutMs?: number
}

/** A new, empty folder with a name nobody else picks (made and removed with @actions/io). */
export async function makeTemporaryDirectory(parent: string, prefix: string): Promise<string> {
  const directory = temporaryPath(parent, prefix)
  await mkdirP(directory)
  return directory
}

function temporaryPath(parent: string, prefix: string): string {
  return path.join(parent, `${prefix}-${randomUUID().slice(0, 12)}`)
}

function holds(held: FetchFilter | undefined, wanted: FetchFilter): boolean {
  return held !== undefined && FETCH_LEVELS.indexOf(held) >= FETCH_LEVELS.indexOf(wanted)
}

/** Every fetch is shallow, so a store has a shallow file; without one the view needs none. */
function ignoreMissingFile(error: NodeJS.ErrnoException): void {
  if (error.code !== 'ENOENT') throw error
}

/** A file that does not exist reads as `empty`; any other failure stands. */
function ignoreMissingFileAs<T>(empty: T): (error: NodeJS.ErrnoException) => T {
  return error => {
    ignoreMissingFile(error)
    return empty
  }
}

export interface TreeEntry {
  /** e.g. `100644`, `040000`, `120000` (a symbolic link). */
  readonly mode: string
  readonly id: string
  /** Full path from the tree's root; unquoted, as stored. */
  readonly path: string
}

export interface FileChanges {
  readonly added: string[]
  readonly modified: string[]
  readonly deleted: string[]
}
