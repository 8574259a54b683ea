// In-process access to hosted data collections, for tests and the bench to
// seed and inspect a cluster without going through HTTP.
import { Readable } from 'node:stream'
import type { DataFaultInjector } from './data-faults.js'
import type { DataStore } from './data-store.js'
import type { ClusterState } from './state.js'
import type { DataControls, DataFile } from './types.js'

export class DataHandle implements DataControls {
  constructor(
    private readonly state: ClusterState,
    private readonly store: DataStore,
    readonly faults: DataFaultInjector
  ) {}

  createCollection(owner: string, name: string, read?: string[]): void {
    if (!this.state.accountExists(owner)) throw new Error(`No such user or organization: ${owner}`)
    this.store.create(owner, name, read)
  }

  /** Seeds a file; a path below the collection (`v2/weights.bin`) gets its missing sub-folders made first. */
  async putFile(owner: string, collection: string, filename: string, body: string | Buffer | Readable): Promise<DataFile> {
    const source = typeof body === 'string' || Buffer.isBuffer(body) ? Readable.from([Buffer.from(body)]) : body
    const record = this.store.get(owner, collection)
    const segments = filename.split('/').slice(0, -1)
    segments.forEach((name, index) => {
      const parent = segments.slice(0, index).join('/')
      if (!this.store.isFolder(record, parent ? `${parent}/${name}` : name)) this.store.createFolder(record, parent, name)
    })
    const file = await this.store.write(record, filename, source)
    return { filename, size: file.size, last_modified: file.lastModified.toISOString() }
  }

  async readFile(owner: string, collection: string, filename: string): Promise<Buffer> {
    const chunks: Buffer[] = []
    for await (const chunk of this.store.open(this.store.get(owner, collection), filename)) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks)
  }

  listFiles(owner: string, collection: string): DataFile[] | undefined {
    const record = this.store.find(owner, collection)
    return record && this.store.entries(record)
  }

  readAcl(owner: string, collection: string): string[] | undefined {
    return this.store.find(owner, collection)?.read
  }
}
