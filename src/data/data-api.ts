import type { Readable } from 'node:stream'
import { ClusterApiError, isNotFound } from '../cluster/errors.js'
import type { ClusterHttp } from '../cluster/http.js'
import { IncompleteListingError, ListingGuard, type ListingBounds } from '../cluster/listing.js'
import { readAnswer } from '../cluster/paging.js'
import { readDirectoryPage, type DataFile, type DirectoryPage } from './listing-answer.js'

export type { DataFile } from './listing-answer.js'

export interface CollectionListing {
  /** Every file of the collection, sub-folders included, by its path below the collection (`v2/weights.bin`). */
  readonly files: readonly DataFile[]
  /** Every sub-folder by its path below the collection (`v2`, `v2/deep`), a folder before those inside it. */
  readonly folders?: readonly string[]
  /** The read ACL: `[]` private, `["algo://.my/*"]` the owner's algorithms, `["user://*"]` public. */
  readonly read?: readonly string[]
}

/**
 * A million files at 1,000 a page: far more than any collection an algorithm
 * reads, far less than would exhaust the runner's memory. A listing that would
 * pass them fails rather than ending short (see ListingGuard).
 */
const DATA_LISTING_BOUNDS: ListingBounds = { maxPages: 1000, maxEntries: 1_000_000 }

/** Sub-folders nested deeper than this are taken for a listing that loops, not for data. */
export const MAX_FOLDER_DEPTH = 32

/** The hosted data API (`/v1/connector/data/...`) of one cluster, as much of it as promoting collections needs. */
export class DataApi {
  constructor(
    readonly cluster: string,
    private readonly http: ClusterHttp
  ) {}

  /**
   * Every file of a collection, sub-folders included (all pages of every folder), and its ACL; undefined
   * when the collection does not exist. Whole or an error: a folder nested past MAX_FOLDER_DEPTH, or more
   * entries in all than DATA_LISTING_BOUNDS allows, fails the listing rather than ending it short.
   */
  async listCollection(owner: string, collection: string): Promise<CollectionListing | undefined> {
    const root = await this.listFolder(owner, collection, '', 0)
    if (!root) return undefined
    const files = [...root.files]
    const folders: string[] = []
    const pending = [...root.folders]
    let entries = files.length + pending.length
    for (let folder = pending.shift(); folder !== undefined; folder = pending.shift()) {
      const depth = folder.split('/').length
      if (depth > MAX_FOLDER_DEPTH) this.tooMuch(owner, collection, `its folders nest deeper than ${MAX_FOLDER_DEPTH} (${folder})`)
      folders.push(folder)
      const inside = await this.listFolder(owner, collection, folder, entries)
      if (!inside) this.tooMuch(owner, collection, `the folder ${folder} vanished while it was listed`)
      files.push(...inside.files)
      pending.push(...inside.folders)
      entries += inside.files.length + inside.folders.length
    }
    return { files, folders, read: root.read }
  }

  /** One folder's files and sub-folders (all pages), by their paths below the collection. */
  private async listFolder(
    owner: string,
    collection: string,
    folder: string,
    listedBefore: number
  ): Promise<{ files: DataFile[]; folders: string[]; read?: readonly string[] } | undefined> {
    const path = folderPath(owner, collection, folder)
    const bounds = { ...DATA_LISTING_BOUNDS, maxEntries: DATA_LISTING_BOUNDS.maxEntries - listedBefore }
    const guard = new ListingGuard<string>(
      { cluster: this.cluster, path, what: dataAddress(owner, collection, folder) },
      bounds,
      name => name
    )
    const below = (name: string): string => (folder ? `${folder}/${name}` : name)
    const listed = { files: [] as DataFile[], folders: [] as string[], read: undefined as readonly string[] | undefined }
    let marker: string | undefined
    do {
      const page = await this.listingPage(path, marker, marker === undefined)
      if (!page) return undefined
      listed.files.push(...page.files.map(file => ({ ...file, filename: below(file.filename) })))
      listed.folders.push(...page.folders.map(below))
      listed.read ??= page.read
      marker = guard.page([...page.files.map(file => file.filename), ...page.folders.map(name => `${name}/`)], page.marker)
    } while (marker)
    return listed
  }

  private tooMuch(owner: string, collection: string, why: string): never {
    throw new IncompleteListingError(
      this.cluster,
      collectionPath(owner, collection),
      `the listing of data://${owner}/${collection} cannot be trusted to be whole: ${why}. Nothing that depends on it was done; check the collection, then run again.`
    )
  }

  /**
   * Creates the sub-folder `name` in `parent` ('' for the collection's top level). One that exists
   * already (made by another run, or by a retry of a lost answer) counts as created.
   */
  async createFolder(owner: string, collection: string, parent: string, name: string): Promise<void> {
    try {
      await this.http.request({ method: 'POST', path: folderPath(owner, collection, parent), body: { name }, idempotent: true })
    } catch (error) {
      const refused = error instanceof ClusterApiError && error.status === 400
      if (refused && (await this.exists(owner, collection, parent ? `${parent}/${name}` : name))) return
      throw error
    }
  }

  /** Whether a collection (folder '') or one of its sub-folders exists: its first listing page, not the whole listing. */
  private async exists(owner: string, collection: string, folder: string): Promise<boolean> {
    const page = await this.listingPage(folderPath(owner, collection, folder), undefined, true).catch(() => undefined)
    return page !== undefined
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
      if (refused && (await this.exists(owner, collection, ''))) return
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

/** A file by its path below the collection; each segment encoded on its own. */
function filePath(owner: string, collection: string, filename: string): string {
  return folderPath(owner, collection, filename)
}

function folderPath(owner: string, collection: string, folder: string): string {
  const below = folder ? `/${folder.split('/').map(encodeURIComponent).join('/')}` : ''
  return `${collectionPath(owner, collection)}${below}`
}

function dataAddress(owner: string, collection: string, folder: string): string {
  return `data://${owner}/${collection}${folder ? `/${folder}` : ''}`
}
