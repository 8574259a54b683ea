import { Readable } from 'node:stream'
import { mapWithConcurrency } from '../util/concurrency.js'
import type { Logger } from '../util/log.js'
import type { RetryPolicy } from '../util/retry.js'
import { bytesToCopy, planCollection, type CollectionPlan, type PlannedCopy } from './collection-plan.js'
import type { CollectionListing, DataFile } from './data-api.js'
import { copyFile, type CollectionAddress, type CopiedBytes } from './file-copy.js'
import { RECORD_FILE, parseRecord, sameRecord, serializeRecord, sourceIdentity, type PromotionRecord, type RecordedFile } from './record.js'
import type { CollectionResult } from './result.js'

export interface CollectionJob {
  readonly source: CollectionAddress & { readonly cluster: string }
  readonly destination: CollectionAddress & { readonly label: string }
  readonly prune: boolean
  readonly dryRun: boolean
  /** Files copied at the same time. */
  readonly concurrency: number
  readonly retry: RetryPolicy
  readonly logger: Logger
  /** Told of the bytes to copy once planned, then of every chunk copied. */
  readonly onProgress?: (event: { readonly totalBytes: number; readonly copiedBytes: number }) => void
}

/** A destination's listing may lag behind an upload for a moment; sizes that disagree get this many more copies. */
const VERIFY_ROUNDS = 2

/**
 * Promotes one collection: creates the destination collection if missing,
 * copies what is new or changed, verifies sizes in the destination's listing,
 * prunes if asked, and records what was promoted. Never throws: failures are
 * in the result, per file where they are per file.
 */
export async function promoteCollection(job: CollectionJob): Promise<CollectionResult> {
  const { source, destination } = job
  const name = `data://${source.owner}/${source.collection}`
  try {
    const sourceListing = await source.data.listCollection(source.owner, source.collection)
    if (!sourceListing) {
      return failedCollection(
        job,
        `${source.cluster} has no collection ${name} (or the source key may not read it); check the collections input`
      )
    }
    const destinationListing = await destination.data.listCollection(destination.owner, destination.collection)
    const identity = sourceIdentity(source.cluster, source.owner, source.collection)
    const record = parseRecord(await readRecord(job, destinationListing, sourceListing.files.length), identity)
    const plan = planCollection(sourceListing, destinationListing, record, job.prune)
    if (job.dryRun) return resultOf(job, plan, { status: 'planned', copied: plan.copy.map(entry => entry.file), failed: plan.refused })
    return await carryOut(job, plan, record)
  } catch (error) {
    return failedCollection(job, (error as Error).message)
  }
}

/**
 * The destination's record, if it has one of a size its source could explain: a record is about a
 * hundred bytes a file, so one far larger than the source's file count allows is not read (it would
 * only cost memory) and every file is compared as if there were none.
 */
async function readRecord(job: CollectionJob, listing: CollectionListing | undefined, sourceFiles: number): Promise<Buffer | undefined> {
  const stored = listing?.files.find(file => file.filename === RECORD_FILE)
  if (!stored) return undefined
  const limit = recordSizeLimit(sourceFiles)
  const { data, owner, collection } = job.destination
  if (stored.size <= limit) return data.readSmallFile(owner, collection, RECORD_FILE, limit)
  job.logger.warning(
    `${job.destination.label}: data://${owner}/${collection}/${RECORD_FILE} is larger than a record of ${sourceFiles} files can be (${limit} bytes); it is not read, so every file is compared again and the record is written anew`
  )
  return undefined
}

/** What a record of `files` files may take at most: a generous kilobyte a file, and room for its header. */
function recordSizeLimit(files: number): number {
  return 64 * 1024 + files * 1024
}

interface Outcome {
  readonly status: CollectionResult['status']
  readonly copied: readonly DataFile[]
  readonly pruned?: readonly string[]
  readonly failed: readonly { readonly file: string; readonly reason: string }[]
  readonly error?: string
}

async function carryOut(job: CollectionJob, plan: CollectionPlan, record: PromotionRecord): Promise<CollectionResult> {
  const { destination, logger } = job
  const label = `${destination.label}: data://${destination.owner}/${destination.collection}`
  if (plan.create) {
    await destination.data.createCollection(destination.owner, destination.collection, plan.read)
    logger.info(`${label}: created with read ACL ${JSON.stringify(plan.read)}`)
  }
  const folderFailures = await createFolders(job, plan.createFolders, label)
  const copies = await copyAndVerify(job, plan.copy)
  const pruned: string[] = []
  const failed = [...plan.refused, ...folderFailures, ...copies.failed]
  for (const filename of plan.prune) {
    try {
      await destination.data.deleteFile(destination.owner, destination.collection, filename)
      pruned.push(filename)
    } catch (error) {
      failed.push({ file: filename, reason: `could not be pruned: ${(error as Error).message}` })
    }
  }
  const stillOurs = await stillAsCopied(job, copies.done, label)
  const next = nextRecord(record, plan, stillOurs)
  let error: string | undefined
  if (!sameRecord(record, next)) {
    try {
      const bytes = serializeRecord(next)
      await destination.data.upload(destination.owner, destination.collection, RECORD_FILE, Readable.from([bytes]), bytes.length)
    } catch (writeError) {
      error = `the copies arrived, but the record of promoted files (${RECORD_FILE}) could not be written (${(writeError as Error).message}); the next run copies these files again`
    }
  }
  for (const failure of failed) logger.warning(`${label}/${failure.file}: ${failure.reason}`)
  const changed = plan.create || plan.createFolders.length > folderFailures.length || copies.done.size > 0 || pruned.length > 0
  const status = failed.length || error ? 'failed' : plan.create ? 'created' : changed ? 'updated' : 'unchanged'
  const copiedFiles = plan.copy.map(entry => entry.file).filter(file => copies.done.has(file.filename))
  return resultOf(job, plan, { status, copied: copiedFiles, pruned, failed, error })
}

/**
 * Makes the sub-folders the destination lacks, each after the folder it is in (sub-folders take the
 * collection's ACL: the API sets ACLs per collection). A folder that cannot be made is reported; the
 * files in it then fail on their own, and everything else goes on.
 */
async function createFolders(job: CollectionJob, folders: readonly string[], label: string): Promise<{ file: string; reason: string }[]> {
  const failed: { file: string; reason: string }[] = []
  const { data, owner, collection } = job.destination
  for (const folder of folders) {
    const slash = folder.lastIndexOf('/')
    try {
      await data.createFolder(owner, collection, slash < 0 ? '' : folder.slice(0, slash), folder.slice(slash + 1))
      job.logger.info(`${label}/${folder}: sub-folder created`)
    } catch (error) {
      failed.push({ file: `${folder}/`, reason: `the sub-folder could not be created: ${(error as Error).message}` })
    }
  }
  return failed
}

interface Verified {
  readonly copied: CopiedBytes
  readonly size: number
  readonly destLastModified: string
}

/** Copies, then checks every copy's size in one listing of the destination; a disagreeing copy is made again, then fails. */
async function copyAndVerify(
  job: CollectionJob,
  planned: readonly PlannedCopy[]
): Promise<{ done: Map<string, Verified>; failed: { file: string; reason: string }[] }> {
  const done = new Map<string, Verified>()
  const failed: { file: string; reason: string }[] = []
  const totalBytes = planned.reduce((sum, entry) => sum + entry.file.size, 0)
  let copiedBytes = 0
  const onBytes = (bytes: number): void => {
    copiedBytes += bytes
    job.onProgress?.({ totalBytes, copiedBytes })
  }
  if (planned.length) job.onProgress?.({ totalBytes, copiedBytes })
  let pending = planned.map(entry => entry.file)
  for (let round = 1; pending.length && round <= VERIFY_ROUNDS; round++) {
    const copied = new Map<string, CopiedBytes>()
    await mapWithConcurrency(pending, job.concurrency, async file => {
      try {
        copied.set(
          file.filename,
          await copyFile(job.source, job.destination, file, { retry: job.retry, onBytes, onRetry: retryLogger(job, file) })
        )
      } catch (error) {
        failed.push({ file: file.filename, reason: `not copied: ${(error as Error).message}` })
      }
    })
    if (!copied.size) break
    const listing = await job.destination.data.listCollection(job.destination.owner, job.destination.collection)
    const shown = new Map((listing?.files ?? []).map(file => [file.filename, file]))
    const again: DataFile[] = []
    for (const file of pending) {
      const bytes = copied.get(file.filename)
      if (!bytes) continue // its copy failed and is reported already
      const arrived = shown.get(file.filename)
      if (arrived?.size === file.size) {
        done.set(file.filename, { copied: bytes, size: arrived.size, destLastModified: arrived.last_modified })
      } else if (round < VERIFY_ROUNDS) {
        again.push(file)
      } else {
        const seen = arrived ? `${arrived.size} bytes` : 'no file'
        failed.push({ file: file.filename, reason: `the destination's listing shows ${seen} after the upload, not ${file.size} bytes` })
      }
    }
    pending = again
  }
  return { done, failed }
}

function retryLogger(job: CollectionJob, file: DataFile) {
  return (error: unknown, attempt: number, delayMs: number): void =>
    job.logger.info(
      `${job.destination.label}: data://${job.destination.owner}/${job.destination.collection}/${file.filename}: ${(error as Error).message}; copying it again in ${(delayMs / 1000).toFixed(1)} s (attempt ${attempt + 1} of ${job.retry.maxAttempts})`
    )
}

/**
 * The copies the destination still shows as they were right after they were verified. Another run
 * (or a person) may have written the same file since: its entry would then describe bytes that are no
 * longer there, and every later run would trust it. Such a file is left out of the record, so the next
 * run compares it again. Asked only when something was copied, so an unchanged run lists nothing more.
 */
async function stillAsCopied(job: CollectionJob, done: Map<string, Verified>, label: string): Promise<Map<string, Verified>> {
  if (done.size === 0) return done
  const listing = await job.destination.data.listCollection(job.destination.owner, job.destination.collection)
  const shown = new Map((listing?.files ?? []).map(file => [file.filename, file]))
  const kept = new Map<string, Verified>()
  for (const [filename, verified] of done) {
    const now = shown.get(filename)
    if (now?.size === verified.size && now.last_modified === verified.destLastModified) kept.set(filename, verified)
    else
      job.logger.warning(
        `${label}/${filename}: written again at the destination after this run copied it (another run?); it is not recorded, so the next run compares it again`
      )
  }
  return kept
}

/** Skipped files keep their entries, verified copies get new ones; failed and vanished files drop out. */
function nextRecord(record: PromotionRecord, plan: CollectionPlan, done: Map<string, Verified>): PromotionRecord {
  const files: Record<string, RecordedFile> = Object.create(null) as Record<string, RecordedFile>
  for (const file of plan.skip) files[file.filename] = record.files[file.filename]
  for (const { file } of plan.copy) {
    const verified = done.get(file.filename)
    if (!verified) continue
    files[file.filename] = {
      size: file.size,
      sourceLastModified: file.last_modified,
      sha256: verified.copied.sha256,
      destLastModified: verified.destLastModified
    }
  }
  return { source: record.source, files }
}

function resultOf(job: CollectionJob, plan: CollectionPlan, outcome: Outcome): CollectionResult {
  const reasons = new Map(plan.copy.map(entry => [entry.file.filename, entry.reason]))
  const pruned = outcome.pruned ?? plan.prune
  return {
    collection: job.source.collection,
    destination: job.destination.label,
    status: outcome.status,
    created: plan.create,
    copied: outcome.copied.length,
    skipped: plan.skip.length,
    pruned: pruned.length,
    bytes: outcome.status === 'planned' ? bytesToCopy(plan) : outcome.copied.reduce((sum, file) => sum + file.size, 0),
    copiedFiles: outcome.copied.map(file => ({ file: file.filename, bytes: file.size, reason: reasons.get(file.filename) ?? 'new' })),
    prunedFiles: pruned,
    keptFiles: plan.onlyAtDestination.filter(name => !plan.prune.includes(name)),
    failed: outcome.failed,
    ...(outcome.error ? { error: outcome.error } : {})
  }
}

function failedCollection(job: CollectionJob, error: string): CollectionResult {
  return {
    collection: job.source.collection,
    destination: job.destination.label,
    status: 'failed',
    created: false,
    copied: 0,
    skipped: 0,
    pruned: 0,
    bytes: 0,
    copiedFiles: [],
    prunedFiles: [],
    keptFiles: [],
    failed: [],
    error
  }
}
