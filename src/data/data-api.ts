import type { Readable } from 'node:stream'
import { ClusterApiError, isNotFound } from '../cluster/errors.js'
import type { ClusterHttp } from '../cluster/http.js'
import { ListingGuard, type ListingBounds } from '../cluster/listing.js'
import { readAnswer } from '../cluster/paging.js'
import { readDirectoryPage, type DirectoryPage } from './listing-answer.js'

/** One file of a hosted collection as its listing shows it. */
export interface DataFile {
  readonly filename: string
  readonly size: number
  readonly last_modified: string
}

export interface CollectionListing {
  readonly files: readonly DataFile[]
  /** The read ACL: `[]` private, `["algo://.my/*"]` the owner's algorithms, `["user://*"]` public. */
  readonly read?: readonly string[]
}

/**
 * A million files at 1,000 a page: far more than any collection an algorithm
 * reads, far less than would exhaust the runner's memory. A listing that would
 * pass them fails rather than ending short (see ListingGuard).
 */
const DATA_LISTING_BOUNDS: ListingBounds = { maxPages: 1000, maxEntries: 1_000_000 }

/** The hosted data API (`/v1/connector/data/...`) of one cluster, as much of it as promoting collections needs. */
export class DataApi {
  constructor(
    readonly cluster: string,
    private readonly http: ClusterHttp
  ) {}

  /** Every file of a collection (all pages) and its ACL; undefined when the collection does not exist. */
  async listCollection(owner: string, collection: string): Promise<CollectionListing | undefined> {
    const path = collectionPath(owner, collection)
    const guard = new ListingGuard<DataFile>(
      { cluster: this.cluster, path, what: `data://${owner}/${collection}` },
      DATA_LISTING_BOUNDS,
      file => file.filename
    )
    const files: DataFile[] = []
    let read: readonly string[] | undefined
    let marker: string | undefined
    do {
      const page = await this.listingPage(path, marker, files.length === 0 && marker === undefined)
      if (!page) return undefined
      files.push(...page.files)
      read ??= page.read
      marker = guard.page(page.files, page.marker)
    } while (marker)
    return { files, read }
  }

  /** One page of a listing, its shape checked; undefined when the first page says the collection does not exist. */
  private async listingPage(path: string, marker: string | undefined, first: boolean): Promise<DirectoryPage | undefined> {
    const request = { method: 'GET' as const, path: `${path}?acl=true${marker ? `&marker=${encodeURIComponent(marker)}` : ''}` }
    let answer: unknown
    try {
      answer = await this.http.request<unknown>(request)
    } catch (error) {
      if (first && isNotFound(error)) return undefined
      throw error
    }
    return readAnswer(this.cluster, request, readDirectoryPage, answer)
  }

  /**
   * Creates the collection with the given read ACL. A collection that exists
   * already (also one this run created before a lost answer) counts as created
   * only if it did not exist before the first attempt.
   */
  async createCollection(owner: string, collection: string, read: readonly string[]): Promise<void> {
    try {
      await this.http.request({
        method: 'POST',
        path: `/connector/data/${encodeURIComponent(owner)}`,
        body: { name: collection, acl: { read } },
        idempotent: true
      })
    } catch (error) {
      const refused = error instanceof ClusterApiError && error.status === 400
      if (refused && (await this.listCollection(owner, collection))) return
      throw error
    }
  }

  /** Streams a file's bytes; the caller consumes (or destroys) the stream. */
  async download(owner: string, collection: string, filename: string): Promise<Readable> {
    const answer = await this.http.stream({ method: 'GET', path: filePath(owner, collection, filename) })
    return answer.body
  }

  /** Streams `body` as the file's new content; `size` bytes exactly, or the upload fails. */
  async upload(owner: string, collection: string, filename: string, body: Readable, size: number): Promise<void> {
    const answer = await this.http.stream({ method: 'PUT', path: filePath(owner, collection, filename), body, size })
    answer.body.resume() // the small JSON answer is not needed; draining it frees the connection
  }

  /** A small file's bytes; undefined when it does not exist or passes `limit` bytes (the rest is never read). */
  async readSmallFile(owner: string, collection: string, filename: string, limit: number): Promise<Buffer | undefined> {
    try {
      const body = await this.download(owner, collection, filename)
      const chunks: Buffer[] = []
      let size = 0
      for await (const chunk of body) {
        size += (chunk as Buffer).length
        if (size > limit) {
          body.destroy()
          return undefined
        }
        chunks.push(chunk as Buffer)
      }
      return Buffer.concat(chunks)
    } catch (error) {
      if (isNotFound(error)) return undefined
      throw error
    }
  }

  async deleteFile(owner: string, collection: string, filename: string): Promise<void> {
    await this.http.request({ method: 'DELETE', path: filePath(owner, collection, filename) })
  }
}

function collectionPath(owner: string, collection: string): string {
  return `/connector/data/${encodeURIComponent(owner)}/${encodeURIComponent(collection)}`
}

function filePath(owner: string, collection: string, filename: string): string {
  return `${collectionPath(owner, collection)}/${encodeURIComponent(filename)}`
}
