// Hosted data collections: metadata in memory, file bytes on disk. A file is
// written to a temp file and renamed into place only once its whole body has
// arrived, so an upload cut half-way never replaces (or creates) a file.
import { randomUUID } from 'node:crypto'
import { createReadStream, createWriteStream, mkdirSync, type ReadStream } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { type Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { ErrorCode, apiError, invalidRequest } from './errors.js'
import { ACCOUNT_NAME_MAX, ACCOUNT_NAME_PATTERN } from './state.js'

/** The read ACL values a hosted collection accepts. */
export const PUBLIC_READ = 'user://*'
export const MY_ALGORITHMS_READ = 'algo://.my/*'
const KNOWN_READ_ACL = new Set([PUBLIC_READ, MY_ALGORITHMS_READ])
export const DEFAULT_READ_ACL: readonly string[] = [MY_ALGORITHMS_READ]

export interface DataFileRecord {
  size: number
  lastModified: Date
  /** Name of the bytes on disk: unique per upload, independent of the file name's characters. */
  diskName: string
}

export interface CollectionRecord {
  owner: string
  name: string
  read: string[]
  /** By path below the collection: `weights.bin`, `v2/weights.bin`. */
  files: Map<string, DataFileRecord>
  /** Sub-folders by path below the collection (`v2`, `v2/deep`); the collection itself is ''. */
  folders: Set<string>
}

export interface FileEntry {
  filename: string
  size: number
  last_modified: string
}

/** One entry of a folder's listing: a file (its name within the folder) or a sub-folder. */
export type FolderEntry =
  { readonly kind: 'file'; readonly name: string; readonly file: FileEntry } | { readonly kind: 'folder'; readonly name: string }

/** The folder a path lies in ('' for the collection's top level). */
export function parentOf(path: string): string {
  const slash = path.lastIndexOf('/')
  return slash < 0 ? '' : path.slice(0, slash)
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1)
}

export class DataStore {
  private readonly collections = new Map<string, CollectionRecord>()

  constructor(private readonly root: string) {}

  find(owner: string, name: string): CollectionRecord | undefined {
    return this.collections.get(`${owner}/${name}`)
  }

  /** Like `find`, but a missing collection is the API's 404. */
  get(owner: string, name: string): CollectionRecord {
    const found = this.find(owner, name)
    if (!found) throw apiError(404, ErrorCode.invalidRequest, `No such collection: data://${owner}/${name}`)
    return found
  }

  ofOwner(owner: string): CollectionRecord[] {
    return [...this.collections.values()].filter(c => c.owner === owner).sort((a, b) => compareNames(a.name, b.name))
  }

  create(owner: string, name: unknown, read: unknown): CollectionRecord {
    const problem = collectionNameProblem(name)
    if (problem) throw invalidRequest(problem)
    const acl = read === undefined ? [...DEFAULT_READ_ACL] : parseReadAcl(read)
    if (this.find(owner, name as string)) throw invalidRequest(`Collection data://${owner}/${name as string} already exists`)
    const record: CollectionRecord = { owner, name: name as string, read: acl, files: new Map(), folders: new Set() }
    // Made now, so an upload attaches its pipeline at once and never misses an early error of its body.
    mkdirSync(this.dirOf(record), { recursive: true })
    this.collections.set(`${owner}/${record.name}`, record)
    return record
  }

  setAcl(collection: CollectionRecord, read: unknown): void {
    collection.read = parseReadAcl(read)
  }

  /** Creates the sub-folder `name` in `parent` ('' for the top level); its parent must exist. */
  createFolder(collection: CollectionRecord, parent: string, name: unknown): string {
    if (typeof name !== 'string' || fileNameProblem(name)) throw invalidRequest(`Invalid folder name ${JSON.stringify(name)}`)
    this.requireFolder(collection, parent)
    const path = parent ? `${parent}/${name}` : name
    if (collection.folders.has(path) || collection.files.has(path)) {
      throw invalidRequest(`data://${collection.owner}/${collection.name}/${path} already exists`)
    }
    collection.folders.add(path)
    return path
  }

  isFolder(collection: CollectionRecord, path: string): boolean {
    return path === '' || collection.folders.has(path)
  }

  requireFolder(collection: CollectionRecord, path: string): void {
    if (!this.isFolder(collection, path)) {
      throw apiError(404, ErrorCode.invalidRequest, `No such directory: data://${collection.owner}/${collection.name}/${path}`)
    }
  }

  /** A folder's files and sub-folders, sorted by name, as its listing returns them. */
  folderEntries(collection: CollectionRecord, folder: string): FolderEntry[] {
    const entries: FolderEntry[] = []
    for (const path of collection.folders) if (parentOf(path) === folder) entries.push({ kind: 'folder', name: baseName(path) })
    for (const [path, file] of collection.files) {
      if (parentOf(path) !== folder) continue
      const name = baseName(path)
      entries.push({ kind: 'file', name, file: { filename: name, size: file.size, last_modified: file.lastModified.toISOString() } })
    }
    return entries.sort((a, b) => compareNames(a.name, b.name))
  }

  /** Deletes a sub-folder and everything below it; returns how many files were deleted. */
  async removeFolder(collection: CollectionRecord, folder: string): Promise<number> {
    const below = (path: string): boolean => path === folder || path.startsWith(`${folder}/`)
    const files = [...collection.files.keys()].filter(below)
    for (const path of files) await this.removeFile(collection, path)
    for (const path of [...collection.folders]) if (below(path)) collection.folders.delete(path)
    return files.length
  }

  /** Every file below the collection by path, sorted, for in-process inspection. */
  entries(collection: CollectionRecord): FileEntry[] {
    return [...collection.files.entries()]
      .sort(([a], [b]) => compareNames(a, b))
      .map(([filename, file]) => ({ filename, size: file.size, last_modified: file.lastModified.toISOString() }))
  }

  /** Streams `body` to disk; the file appears (or is replaced) only when the body ended normally. */
  async write(collection: CollectionRecord, filename: string, body: Readable): Promise<DataFileRecord> {
    const problem = filename.split('/').map(fileNameProblem).find(Boolean)
    if (problem) throw invalidRequest(problem)
    this.requireFolder(collection, parentOf(filename))
    if (collection.folders.has(filename)) throw invalidRequest(`data://${collection.owner}/${collection.name}/${filename} is a directory`)
    const dir = this.dirOf(collection)
    const diskName = randomUUID()
    const temp = join(dir, `.upload-${diskName}`)
    let size = 0
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length
        done(null, chunk)
      }
    })
    try {
      await pipeline(body, counter, createWriteStream(temp))
      await rename(temp, join(dir, diskName))
    } catch (error) {
      await rm(temp, { force: true })
      throw error
    }
    const record: DataFileRecord = { size, lastModified: new Date(), diskName }
    const replaced = collection.files.get(filename)
    collection.files.set(filename, record)
    // Readers of the old bytes keep their open descriptor; the name goes at once.
    if (replaced) await rm(join(dir, replaced.diskName), { force: true })
    return record
  }

  open(collection: CollectionRecord, filename: string, start = 0): ReadStream {
    const file = this.fileOf(collection, filename)
    return createReadStream(join(this.dirOf(collection), file.diskName), { start, highWaterMark: 64 * 1024 })
  }

  fileOf(collection: CollectionRecord, filename: string): DataFileRecord {
    const file = collection.files.get(filename)
    if (!file) throw apiError(404, ErrorCode.invalidRequest, `No such file: data://${collection.owner}/${collection.name}/${filename}`)
    return file
  }

  async removeFile(collection: CollectionRecord, filename: string): Promise<void> {
    const file = this.fileOf(collection, filename)
    collection.files.delete(filename)
    await rm(join(this.dirOf(collection), file.diskName), { force: true })
  }

  /** Deletes the collection and its files; returns how many files were deleted. */
  async removeCollection(collection: CollectionRecord): Promise<number> {
    const count = collection.files.size
    this.collections.delete(`${collection.owner}/${collection.name}`)
    await rm(this.dirOf(collection), { recursive: true, force: true })
    return count
  }

  private dirOf(collection: CollectionRecord): string {
    return join(this.root, collection.owner, collection.name)
  }
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

export function collectionNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || !ACCOUNT_NAME_PATTERN.test(name) || name.length > ACCOUNT_NAME_MAX) {
    return `Invalid collection name ${JSON.stringify(name)}: use letters, digits and underscore, starting with a letter, at most ${ACCOUNT_NAME_MAX} characters`
  }
  return undefined
}

function fileNameProblem(name: string): string | undefined {
  if (name === '' || name === '.' || name === '..' || name.includes('/')) return `Invalid file name ${JSON.stringify(name)}`
  if (Buffer.byteLength(name) > 1024) return 'File name longer than 1024 bytes'
  return undefined
}

function parseReadAcl(read: unknown): string[] {
  if (!Array.isArray(read) || read.some(entry => typeof entry !== 'string' || !KNOWN_READ_ACL.has(entry))) {
    throw apiError(
      400,
      ErrorCode.invalidRequest,
      `Invalid ACL ${JSON.stringify(read)}: "read" must be a list of ${[...KNOWN_READ_ACL].map(v => JSON.stringify(v)).join(', ')}`
    )
  }
  return [...new Set(read as string[])]
}
