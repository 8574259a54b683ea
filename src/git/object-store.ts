import { mkdtemp, rm } from 'node:fs/promises'
import path from 'node:path'
import { gitEnvironment } from './git-auth.js'
import { runGit, type GitResult } from './git-command.js'
import { GitError } from './git-error.js'
import type { RemoteRepository } from './remote.js'
import { withRetry, type RetryPolicy } from '../util/retry.js'
import type { Logger } from '../util/log.js'

/** What `git ls-remote --symref HEAD` tells about a repository's default branch. */
export interface RemoteHead {
  /** e.g. `refs/heads/master`. */
  readonly branch: string
  /** Undefined for an empty repository. */
  readonly commit?: string
}

export interface CommitIdentity {
  readonly name: string
  readonly email: string
}

/** How much of a commit a fetch brings: the commit only, commit and trees, or everything. */
export type FetchDepth = 'commit-only' | 'trees' | 'complete'

const FILTER_OF: Record<FetchDepth, string[]> = {
  'commit-only': ['--filter=tree:0'],
  trees: ['--filter=blob:none'],
  complete: []
}

export interface ObjectStoreOptions {
  readonly parentDir: string
  readonly retry: RetryPolicy
  readonly logger: Logger
  /** Scrubs secrets from what a remote says; a server may echo a request back. */
  readonly redact: (text: string) => string
}

/**
 * A temporary bare repository that holds just the objects a promotion needs.
 * It never has a working tree: commits are made from trees fetched from the
 * source, so files are never copied (and dotfiles are never skipped).
 *
 * Why several depths: a repository fetched with one partial-clone filter would
 * fetch missing objects one by one later, so each store is used with one depth
 * per commit. A "commit-only" store answers "is anything different?" cheaply.
 */
export class ObjectStore {
  private constructor(
    readonly directory: string,
    private readonly options: ObjectStoreOptions
  ) {}

  static async create(name: string, options: ObjectStoreOptions): Promise<ObjectStore> {
    const directory = await mkdtemp(path.join(options.parentDir, `${name}-`))
    const store = new ObjectStore(directory, options)
    await store.git('init', ['init', '--quiet', '--bare'])
    return store
  }

  async remove(): Promise<void> {
    await rm(this.directory, { recursive: true, force: true })
  }

  async remoteHead(remote: RemoteRepository): Promise<RemoteHead> {
    const result = await this.network('ls-remote', remote, ['ls-remote', '--symref', remote.url, 'HEAD'])
    let branch = 'refs/heads/master'
    let commit: string | undefined
    for (const line of result.stdout.split('\n')) {
      const symref = /^ref: (\S+)\s+HEAD$/.exec(line)
      if (symref) branch = symref[1]
      const head = /^([0-9a-f]{40})\s+HEAD$/.exec(line)
      if (head) commit = head[1]
    }
    return { branch, commit }
  }

  /** Fetches commits by hash, depth 1: history is never needed, only a tree and a parent to build on. */
  async fetchCommits(remote: RemoteRepository, commits: readonly string[], depth: FetchDepth): Promise<void> {
    if (commits.length === 0) return
    await this.network('fetch', remote, ['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--depth=1', ...FILTER_OF[depth], remote.url, ...commits])
  }

  /** Fetches individual objects (the blobs a destination lacks) by id. */
  async fetchObjects(remote: RemoteRepository, objectIds: readonly string[]): Promise<void> {
    if (objectIds.length === 0) return
    await this.network('fetch', remote, ['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--stdin', remote.url], objectIds.join('\n') + '\n')
  }

  /** Reads a commit object without touching its tree, so it works in a commit-only store. */
  async readCommit(commit: string): Promise<{ tree: string; message: string }> {
    const { stdout } = await this.git('cat-file', ['cat-file', 'commit', commit])
    const separator = stdout.indexOf('\n\n')
    const header = stdout.slice(0, separator)
    const tree = /^tree ([0-9a-f]{40})$/m.exec(header)?.[1]
    if (!tree) throw new GitError('cat-file', commit, 'commit has no tree line', 1)
    return { tree, message: separator < 0 ? '' : stdout.slice(separator + 2) }
  }

  /** Blob ids in `commit`'s tree, recursively; needs the trees, not the blobs. */
  async blobIds(commit: string): Promise<Set<string>> {
    const { stdout } = await this.git('ls-tree', ['ls-tree', '-r', '-z', '--format=%(objecttype) %(objectname)', commit])
    const ids = new Set<string>()
    for (const entry of stdout.split('\0')) {
      if (entry.startsWith('blob ')) ids.add(entry.slice(5))
    }
    return ids
  }

  /** Files added, modified and deleted between two commits (compares ids; blobs need not be present). */
  async changedPaths(from: string | undefined, to: string): Promise<FileChanges> {
    const args = from ? ['diff-tree', '-r', '-z', '--no-renames', '--name-status', from, to] : ['ls-tree', '-r', '-z', '--name-only', to]
    const { stdout } = await this.git('diff-tree', args)
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
    const { stdout } = await this.git('commit-tree', ['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-F', '-'], message, {
      GIT_AUTHOR_NAME: identity.name,
      GIT_AUTHOR_EMAIL: identity.email,
      GIT_COMMITTER_NAME: identity.name,
      GIT_COMMITTER_EMAIL: identity.email
    })
    return stdout.trim()
  }

  /** A plain push: never forced, so a destination that moved on rejects it (see GitError.rejectedAsStale). */
  async push(remote: RemoteRepository, commit: string, branch: string): Promise<void> {
    await this.network('push', remote, ['push', '--quiet', '--no-verify', remote.url, `${commit}:${branch}`])
  }

  private async network(operation: string, remote: RemoteRepository, args: string[], stdin?: string): Promise<GitResult> {
    return withRetry(
      this.options.retry,
      {
        adviseOn: error => ({ retry: error instanceof GitError && error.transient && !error.rejectedAsStale }),
        onRetry: (error, attempt, delayMs) =>
          this.options.logger.info(`${(error as Error).message}; retrying in ${(delayMs / 1000).toFixed(1)} s (attempt ${attempt + 1} of ${this.options.retry.maxAttempts})`)
      },
      () => this.git(operation, args, stdin, gitEnvironment(remote.credential), remote.label)
    )
  }

  private async git(operation: string, args: string[], stdin?: string, env: NodeJS.ProcessEnv = gitEnvironment(), label = 'local'): Promise<GitResult> {
    const result = await runGit({ args: ['-C', this.directory, ...args], cwd: this.options.parentDir, env, stdin })
    if (result.exitCode !== 0) throw new GitError(operation, label, this.options.redact(result.stderr), result.exitCode)
    return result
  }
}

export interface FileChanges {
  readonly added: string[]
  readonly modified: string[]
  readonly deleted: string[]
}
