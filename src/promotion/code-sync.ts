import type { FileChanges, ObjectStore, CommitIdentity, RemoteHead } from '../git/object-store.js'
import type { RemoteRepository } from '../git/remote.js'
import { GitError } from '../git/git-error.js'
import type { Logger } from '../util/log.js'
import { PromotionError } from './failure.js'

/** How often a push is rebuilt on a destination that moved on before giving up. */
const MAX_PUSH_ATTEMPTS = 5

/**
 * The two object stores of one source algorithm, shared by all its destinations
 * so the source is fetched once.
 */
export class AlgorithmObjects {
  private sourceTreesFetched = false
  private sourceTreeId?: string
  private readonly blobsFetched = new Set<string>()

  constructor(
    /** Commit objects only: answers "unchanged?" without moving a tree. */
    readonly probe: ObjectStore,
    /** Trees of source and destinations, and the source blobs destinations lack. */
    readonly work: ObjectStore,
    readonly source: RemoteRepository,
    readonly sourceCommit: string
  ) {}

  async sourceTree(): Promise<string> {
    if (!this.sourceTreeId) {
      await this.probe.fetchCommits(this.source, [this.sourceCommit], 'commit-only')
      this.sourceTreeId = (await this.probe.readCommit(this.sourceCommit)).tree
    }
    return this.sourceTreeId
  }

  async ensureSourceTrees(): Promise<void> {
    if (this.sourceTreesFetched) return
    await this.work.fetchCommits(this.source, [this.sourceCommit], 'trees')
    this.sourceTreesFetched = true
  }

  /** Every source file, as "added": what a destination that does not exist yet would get. */
  async allSourceFiles(): Promise<FileChanges> {
    await this.ensureSourceTrees()
    return this.work.changedPaths(undefined, this.sourceCommit)
  }

  /** Fetches the source blobs that `destinationCommit`'s tree does not already have. */
  async fetchBlobsMissingFrom(destinationCommit: string | undefined): Promise<number> {
    const needed = await this.work.blobIds(this.sourceCommit)
    if (destinationCommit) for (const id of await this.work.blobIds(destinationCommit)) needed.delete(id)
    const toFetch = [...needed].filter(id => !this.blobsFetched.has(id))
    await this.work.fetchObjects(this.source, toFetch)
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
}

export type SyncOutcome =
  | { readonly kind: 'unchanged'; readonly destCommit: string }
  | { readonly kind: 'planned'; readonly destCommit: string; readonly changes?: FileChanges }
  | { readonly kind: 'pushed'; readonly destCommit: string; readonly changes: FileChanges }

/**
 * Makes the destination's default branch hold the source tree, as one new
 * commit on top of its head. Never forces: if the head moved between fetch and
 * push, the commit is rebuilt on the new head and pushed again.
 */
export async function syncCode(request: SyncRequest): Promise<SyncOutcome> {
  const { objects, destination, logger } = request
  const sourceTree = await objects.sourceTree()
  for (let attempt = 1; ; attempt++) {
    const head = await objects.work.remoteHead(destination)
    if (head.commit && (await treeOf(objects.probe, destination, head.commit)) === sourceTree) {
      return { kind: 'unchanged', destCommit: head.commit }
    }
    if (request.dryRun && !request.describeChanges) return { kind: 'planned', destCommit: head.commit ?? '' }
    const changes = await compareTrees(objects, destination, head)
    if (request.dryRun) return { kind: 'planned', destCommit: head.commit ?? '', changes }
    await objects.fetchBlobsMissingFrom(head.commit)
    const commit = await objects.work.commitTree(sourceTree, head.commit, request.message, request.identity)
    try {
      request.onPushing?.()
      await objects.work.push(destination, commit, head.branch)
      return { kind: 'pushed', destCommit: commit, changes }
    } catch (error) {
      if (!(error instanceof GitError && error.rejectedAsStale)) throw error
      if (attempt >= MAX_PUSH_ATTEMPTS) {
        throw new PromotionError(`${destination.label} kept moving while we pushed (${attempt} attempts); nothing was forced. Run the promotion again, and serialise runs with a workflow 'concurrency' group.`)
      }
      logger.info(`${destination.label}: ${head.branch} moved on since it was fetched; rebuilding the promotion commit on its new head (attempt ${attempt + 1} of ${MAX_PUSH_ATTEMPTS})`)
    }
  }
}

async function treeOf(probe: ObjectStore, remote: RemoteRepository, commit: string): Promise<string> {
  await probe.fetchCommits(remote, [commit], 'commit-only')
  return (await probe.readCommit(commit)).tree
}

/** Brings the trees (not the blobs) of both sides and lists the files that differ. */
async function compareTrees(objects: AlgorithmObjects, destination: RemoteRepository, head: RemoteHead): Promise<FileChanges> {
  await objects.ensureSourceTrees()
  if (head.commit) await objects.work.fetchCommits(destination, [head.commit], 'trees')
  return objects.work.changedPaths(head.commit, objects.sourceCommit)
}
