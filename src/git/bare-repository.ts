import { randomUUID } from 'node:crypto'
import path from 'node:path'
import { mkdirP } from '@actions/io'
import { gitEnvironment } from './git-auth.js'
import { runGit, type GitResult } from './git-command.js'
import { blobsOfBatch } from './cat-file-batch.js'
import { GitError } from './git-error.js'
import type { RemoteRepository } from './remote.js'
import type { RunnerGit } from './runner-git.js'
import type { ServerCapabilities } from './server-capabilities.js'
import { retryNotice, withRetry, type RetryPolicy } from '../util/retry.js'
import type { Logger } from '../util/log.js'
import { OBJECT_ID_PATTERN } from '../core/rules.js'

/**
 * One git transfer may take this many times request-timeout (30 min by
 * default). curl's low-speed limit stops a stalled transfer; this stops one
 * that trickles just fast enough to pass it.
 */
export const TRANSFER_TIMEOUT_FACTOR = 60

export interface ObjectStoreOptions {
  readonly parentDir: string
  readonly retry: RetryPolicy
  readonly logger: Logger
  /** Scrubs secrets from what a remote says; a server may echo a request back. */
  readonly redact: (text: string) => string
  /** Shared by every store of a run, so each git server's capabilities are learnt once. */
  readonly capabilities: ServerCapabilities
  /** The runner's side of every git process: what it may inherit, its network settings. */
  readonly runner: RunnerGit
}

export interface CommitIdentity {
  readonly name: string
  readonly email: string
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

/** Anything but an object id (an option-shaped `--…`, say) never reaches git's arguments. */
export function assertObjectIds(ids: readonly string[]): void {
  const bad = ids.find(id => !OBJECT_ID_PATTERN.test(id))
  if (bad !== undefined) throw new Error(`refusing to pass ${JSON.stringify(bad.slice(0, 80))} to git: it is not an object id`)
}

/**
 * A temporary bare repository and the two ways git runs in it: local commands,
 * which must never reach the network, and network commands with the remote's
 * credentials, retries and a time bound. ObjectStore builds on it.
 */
export class BareRepository {
  /** Made on first use: an algorithm found unchanged from ref listings alone never needs a repository on disk. */
  protected initialized?: Promise<void>

  protected constructor(
    readonly directory: string,
    protected readonly options: ObjectStoreOptions
  ) {}

  protected initialize(): Promise<void> {
    return (this.initialized ??= mkdirP(this.directory).then(async () => {
      await this.git('init', ['init', '--quiet', '--bare'], {
        env: { ...gitEnvironment(), GIT_NO_LAZY_FETCH: '1' },
        label: 'local',
        directory: this.directory
      })
    }))
  }

  protected async network(
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
          env: { ...(await this.options.runner.remoteEnvironment(remote.credential)), ...env },
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
  protected async local(operation: string, args: string[], stdin?: string, env: NodeJS.ProcessEnv = {}): Promise<GitResult> {
    return this.git(operation, args, {
      stdin,
      env: { ...gitEnvironment(), GIT_NO_LAZY_FETCH: '1', ...env },
      label: 'local',
      directory: this.directory
    })
  }

  protected async git(operation: string, args: string[], run: GitRun): Promise<GitResult> {
    if (operation !== 'init') await this.initialize()
    const result = await this.options.runner.spawn(() =>
      runGit({
        args: ['-C', run.directory, ...args],
        cwd: this.options.parentDir,
        inherited: this.options.runner.inherited(),
        env: run.env,
        stdin: run.stdin,
        timeoutMs: run.timeoutMs
      })
    )
    if (result.timedOut && run.timeoutMs !== undefined) {
      const limit = `a transfer may take ${TRANSFER_TIMEOUT_FACTOR} × request-timeout`
      throw new GitError(operation, run.label, this.options.redact(result.stderr), result.exitCode, { afterMs: run.timeoutMs, limit })
    }
    if (result.exitCode !== 0) throw new GitError(operation, run.label, this.options.redact(result.stderr), result.exitCode)
    return result
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

  /**
   * The text files of `commit` whose content matches an extended regex (path → text): one `git grep -l`,
   * then one `cat-file --batch` for all of them; needs the blobs.
   */
  async filesMatching(commit: string, pattern: string, pathspecs: readonly string[] = []): Promise<Map<string, string>> {
    let listed: string
    try {
      listed = (await this.local('grep', ['grep', '-I', '-l', '-z', '-E', '-e', pattern, commit, '--', ...pathspecs])).stdout
    } catch (error) {
      if (error instanceof GitError && error.exitCode === 1) return new Map() // git grep's "no match"
      throw error
    }
    // Each name is `<commit>:<path>`, which cat-file reads as is; a path with a line break cannot be one line of its input.
    const names = listed.split('\0').filter(name => name !== '' && !name.includes('\n'))
    if (names.length === 0) return new Map()
    const { stdoutBytes } = await this.local('cat-file', ['cat-file', '--batch'], `${names.join('\n')}\n`)
    return blobsOfBatch(names, stdoutBytes ?? Buffer.alloc(0), `${commit}:`)
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

export function temporaryPath(parent: string, prefix: string): string {
  return path.join(parent, `${prefix}-${randomUUID().slice(0, 12)}`)
}

/** Every fetch is shallow, so a store has a shallow file; without one the view needs none. */
export function ignoreMissingFile(error: NodeJS.ErrnoException): void {
  if (error.code !== 'ENOENT') throw error
}

/** A file that does not exist reads as `empty`; any other failure stands. */
export function ignoreMissingFileAs<T>(empty: T): (error: NodeJS.ErrnoException) => T {
  return error => {
    ignoreMissingFile(error)
    return empty
  }
}
