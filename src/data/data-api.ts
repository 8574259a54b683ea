import type { Readable } from 'node:stream'
import { ClusterApiError, isNotFound } from '../cluster/errors.js'
import type { ClusterHttp } from '../cluster/http.js'

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

interface DirectoryPage {
  readonly files?: DataFile[]
  readonly marker?: string | null
  readonly acl?: { readonly read?: string[] }
}

/** Listing stops here: 1,000 files a page, so a million files. */
const MAX_PAGES = 1000

/** The hosted data API (`/v1/connector/data/...`) of one cluster, as much of it as promoting collections needs. */
export class DataApi {
  constructor(
    readonly cluster: string,
    private readonly http: ClusterHttp
  ) {}

  /** Every file of a collection (all pages) and its ACL; undefined when the collection does not exist. */
  async listCollection(owner: string, collection: string): Promise<CollectionListing | undefined> {
    const files: DataFile[] = []
    let read: readonly string[] | undefined
    let marker: string | undefined
    for (let page = 0; page < MAX_PAGES; page++) {
      const query = `acl=true${marker ? `&marker=${encodeURIComponent(marker)}` : ''}`
      let answer: DirectoryPage
      try {
        answer = await this.http.request<DirectoryPage>({ method: 'GET', path: `${collectionPath(owner, collection)}?${query}` })
      } catch (error) {
        if (page === 0 && isNotFound(error)) return undefined
        throw error
      }
      files.push(...(answer.files ?? []))
      read ??= answer.acl?.read
      marker = answer.marker || undefined
      if (!marker) break
    }
    return { files, read }
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

  /** A small file's bytes, or undefined when it does not exist. */
  async readSmallFile(owner: string, collection: string, filename: string): Promise<Buffer | undefined> {
    try {
      const body = await this.download(owner, collection, filename)
      const chunks: Buffer[] = []
      for await (const chunk of body) chunks.push(chunk as Buffer)
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
