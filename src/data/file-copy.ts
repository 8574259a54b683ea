import { createHash } from 'node:crypto'
import { Transform, pipeline } from 'node:stream'
import { ClusterApiError } from '../cluster/errors.js'
import { BodyLengthError } from '../http/body.js'
import { withRetry, type RetryPolicy } from '../util/retry.js'
import type { DataApi, DataFile } from './data-api.js'

/** Where a collection lives: the cluster's data API and the collection's owner and name. */
export interface CollectionAddress {
  readonly data: DataApi
  readonly owner: string
  readonly collection: string
}

export interface CopiedBytes {
  readonly sha256: string
  readonly bytes: number
}

export interface FileCopyOptions {
  readonly retry: RetryPolicy
  /** Told of every chunk as it passes, for progress displays. */
  readonly onBytes?: (bytes: number) => void
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void
}

/**
 * The bytes that arrived differ in number from the source's listing: cut short, or the source changed
 * meanwhile. The upload was stopped before it was whole, so the destination kept what it had.
 */
export class ShortTransferError extends Error {
  constructor(expected: number, received: number) {
    super(
      received > expected
        ? `the source sent more than the ${expected} bytes its listing shows (the file may be changing there); the upload was stopped before the destination had it whole, so its copy was left as it was`
        : `${received} bytes arrived where the source's listing shows ${expected}; the upload was stopped before the destination had it whole`
    )
    this.name = 'ShortTransferError'
  }
}

/**
 * Streams one file from the source straight into the destination's upload,
 * hashing the bytes on the way: nothing is held whole in memory or on disk.
 * A failed attempt restarts the whole file (an upload cannot resume).
 */
export async function copyFile(
  from: CollectionAddress,
  to: CollectionAddress,
  file: DataFile,
  options: FileCopyOptions
): Promise<CopiedBytes> {
  return withRetry(options.retry, { adviseOn: error => ({ retry: isWorthRetrying(error) }), onRetry: options.onRetry }, () =>
    copyOnce(from, to, file, options.onBytes)
  )
}

async function copyOnce(
  from: CollectionAddress,
  to: CollectionAddress,
  file: DataFile,
  onBytes: ((bytes: number) => void) | undefined
): Promise<CopiedBytes> {
  const download = await from.data.download(from.owner, from.collection, file.filename)
  const hash = createHash('sha256')
  let received = 0
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk)
      received += chunk.length
      onBytes?.(chunk.length)
      done(null, chunk)
    }
  })
  // A download that breaks destroys the meter, which fails the upload: nothing half-sent is accepted.
  pipeline(download, meter, () => {})
  try {
    await to.data.upload(to.owner, to.collection, file.filename, meter, file.size)
  } catch (error) {
    if (error instanceof BodyLengthError) throw new ShortTransferError(file.size, error.seen)
    throw error
  } finally {
    download.destroy()
  }
  if (received !== file.size) throw new ShortTransferError(file.size, received)
  return { sha256: hash.digest('hex'), bytes: received }
}

/** Refusals (no access, no such file) are final; everything else about a transfer is worth another attempt. */
function isWorthRetrying(error: unknown): boolean {
  return !(error instanceof ClusterApiError) || error.transient
}
