// The data API for hosted collections, under `/v1/connector/data/...` and its
// alias `/v1/data/...`. File bodies stream between the socket and disk in both
// directions; nothing holds a whole file in memory.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { Transform, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { setTimeout as delay } from 'node:timers/promises'
import { authenticateApi } from './auth.js'
import { DataFaultInjector } from './data-faults.js'
import { type CollectionRecord, type DataStore, PUBLIC_READ } from './data-store.js'
import { ApiError, ErrorCode, apiError, invalidRequest, notAuthenticated, notAuthorized } from './errors.js'
import { type Exchange, readJson, sendApiError, sendInternalError, sendJson } from './http-util.js'
import type { ApiKeyRecord, ClusterState } from './state.js'
import type { DataFaultRule } from './types.js'

const PREFIXES = ['/v1/connector/data', '/v1/data']
export const LISTING_PAGE_SIZE = 1000

export interface DataApiDeps {
  state: ClusterState
  store: DataStore
  faults: DataFaultInjector
}

/** Where a data path points: an owner, a collection, or a path below a collection (a file or a sub-folder). */
interface Target {
  owner?: string
  collection?: string
  /** The path below the collection, '' for the collection itself. */
  path: string
}

export function isDataPath(pathname: string): boolean {
  return pathname.startsWith('/v1/connector/') || pathname === '/v1/data' || pathname.startsWith('/v1/data/')
}

export class DataApiHandler {
  constructor(private readonly deps: DataApiDeps) {}

  async handle(req: IncomingMessage, res: ServerResponse, exchange: Exchange): Promise<void> {
    const method = req.method ?? 'GET'
    try {
      const target = parseTarget(exchange.url.pathname)
      const key = authenticateApi(this.deps.state, req.headers.authorization)
      if (!key) throw notAuthenticated()
      await this.dispatch(method, target, key, req, res, exchange)
    } catch (error) {
      if (res.headersSent || !req.socket || req.socket.destroyed) {
        res.destroy() // the transfer broke part-way (a client gone, or an injected cut): nothing left to answer
        return
      }
      if (!(error instanceof ApiError)) {
        sendInternalError(res, exchange, error)
        return
      }
      req.resume() // discard an unread upload so the answer can be read
      if (method === 'HEAD') {
        res.writeHead(error.status, { 'X-Error-Message': error.message })
        res.end()
      } else sendApiError(res, exchange, error, { Connection: 'close' })
    }
  }

  private async dispatch(
    method: string,
    target: Target,
    key: ApiKeyRecord,
    req: IncomingMessage,
    res: ServerResponse,
    exchange: Exchange
  ): Promise<void> {
    const { collection, path } = target
    // `.my` is the key owner's own collections, as the official clients use it.
    const owner = target.owner === '.my' ? key.owner : target.owner
    if (owner === undefined) throw invalidRequest('Give an owner: /v1/connector/data/<owner>/<collection>')
    if (collection === undefined) return this.ownerLevel(method, owner, key, req, res, exchange)
    const record = this.deps.store.get(owner, collection)
    if (path === '') return this.collectionLevel(method, record, key, req, res, exchange)
    if (this.deps.store.isFolder(record, path)) return this.folderLevel(method, record, path, key, req, res, exchange)
    return this.fileLevel(method, record, path, key, req, res, exchange)
  }

  /** A folder's listing page: its files and sub-folders, with the collection's ACL when asked for. */
  private listing(record: CollectionRecord, folder: string, query: URLSearchParams): Record<string, unknown> {
    const page = pageOf(this.deps.store.folderEntries(record, folder), query.get('marker'), entry => entry.name)
    const body: Record<string, unknown> = {}
    const files = page.items.flatMap(entry => (entry.kind === 'file' ? [entry.file] : []))
    const folders = page.items.flatMap(entry => (entry.kind === 'folder' ? [{ name: entry.name }] : []))
    if (files.length) body.files = files
    if (folders.length) body.folders = folders
    if (page.marker) body.marker = page.marker
    if (query.get('acl') === 'true') body.acl = { read: record.read }
    return body
  }

  /** POST {name} at a collection or sub-folder: creates a sub-folder there. */
  private async createFolder(record: CollectionRecord, parent: string, key: ApiKeyRecord, req: IncomingMessage, exchange: Exchange) {
    this.requireWrite(key, record.owner)
    const body = (await readJson(req, exchange)) as { name?: unknown } | undefined
    if (!body || typeof body !== 'object') throw invalidRequest('Body must be {"name": ...}')
    const path = this.deps.store.createFolder(record, parent, body.name)
    return `data://${record.owner}/${record.name}/${path}`
  }

  private async folderLevel(
    method: string,
    record: CollectionRecord,
    folder: string,
    key: ApiKeyRecord,
    req: IncomingMessage,
    res: ServerResponse,
    exchange: Exchange
  ): Promise<void> {
    const where = `data://${record.owner}/${record.name}/${folder}`
    switch (method) {
      case 'GET':
      case 'HEAD':
        this.requireRead(key, record)
        return this.sendDirectory(method, res, exchange, this.listing(record, folder, exchange.url.searchParams))
      case 'POST':
        return sendJson(res, exchange, 200, { result: await this.createFolder(record, folder, key, req, exchange) })
      case 'DELETE': {
        this.requireWrite(key, record.owner)
        const holds = this.deps.store.folderEntries(record, folder).length
        if (holds > 0 && exchange.url.searchParams.get('force') !== 'true') {
          throw invalidRequest(`${where} is not empty; pass force=true to delete it with everything in it`)
        }
        return sendJson(res, exchange, 200, { result: { deleted: await this.deps.store.removeFolder(record, folder) } })
      }
      case 'PUT':
        throw invalidRequest(`${where} is a directory; upload to ${where}/<file>`)
      default:
        throw invalidRequest(`${method} is not supported on a sub-folder`, 405)
    }
  }

  private async ownerLevel(
    method: string,
    owner: string,
    key: ApiKeyRecord,
    req: IncomingMessage,
    res: ServerResponse,
    exchange: Exchange
  ): Promise<void> {
    if (!this.deps.state.accountExists(owner)) throw apiError(404, ErrorCode.invalidRequest, `No such user or organization: ${owner}`)
    if (method === 'POST') {
      this.requireWrite(key, owner)
      const body = (await readJson(req, exchange)) as { name?: unknown; acl?: { read?: unknown } } | undefined
      if (!body || typeof body !== 'object') throw invalidRequest('Body must be {"name": ..., "acl": {"read": [...]}}')
      if (body.acl !== undefined && (typeof body.acl !== 'object' || body.acl === null))
        throw invalidRequest('"acl" must be {"read": [...]}')
      const created = this.deps.store.create(owner, body.name, body.acl?.read)
      return sendJson(res, exchange, 200, { result: `data://${owner}/${created.name}` })
    }
    if (method === 'GET' || method === 'HEAD') {
      const visible = this.deps.store.ofOwner(owner).filter(c => this.canRead(key, c))
      const page = pageOf(
        visible.map(c => c.name),
        exchange.url.searchParams.get('marker')
      )
      const body: Record<string, unknown> = {}
      if (page.items.length) body.folders = page.items.map(name => ({ name }))
      if (page.marker) body.marker = page.marker
      return this.sendDirectory(method, res, exchange, body)
    }
    throw invalidRequest(`${method} is not supported on data://${owner}`, 405)
  }

  private async collectionLevel(
    method: string,
    record: CollectionRecord,
    key: ApiKeyRecord,
    req: IncomingMessage,
    res: ServerResponse,
    exchange: Exchange
  ): Promise<void> {
    const query = exchange.url.searchParams
    switch (method) {
      case 'GET':
      case 'HEAD': {
        this.requireRead(key, record)
        return this.sendDirectory(method, res, exchange, this.listing(record, '', query))
      }
      case 'PATCH': {
        this.requireWrite(key, record.owner)
        const body = (await readJson(req, exchange)) as { acl?: { read?: unknown } } | undefined
        if (!body?.acl || typeof body.acl !== 'object') throw invalidRequest('Body must be {"acl": {"read": [...]}}')
        this.deps.store.setAcl(record, body.acl.read)
        return sendJson(res, exchange, 200, undefined)
      }
      case 'DELETE': {
        this.requireWrite(key, record.owner)
        if (record.files.size > 0 && query.get('force') !== 'true') {
          throw invalidRequest(
            `data://${record.owner}/${record.name} holds ${record.files.size} files; pass force=true to delete it with its files`
          )
        }
        const deleted = await this.deps.store.removeCollection(record)
        return sendJson(res, exchange, 200, { result: { deleted } })
      }
      case 'POST':
        return sendJson(res, exchange, 200, { result: await this.createFolder(record, '', key, req, exchange) })
      case 'PUT':
        throw invalidRequest(
          `data://${record.owner}/${record.name} is a collection; upload to data://${record.owner}/${record.name}/<file>`
        )
      default:
        throw invalidRequest(`${method} is not supported on a collection`, 405)
    }
  }

  private async fileLevel(
    method: string,
    record: CollectionRecord,
    filename: string,
    key: ApiKeyRecord,
    req: IncomingMessage,
    res: ServerResponse,
    exchange: Exchange
  ): Promise<void> {
    const { store } = this.deps
    const path = exchange.url.pathname
    switch (method) {
      case 'GET': {
        this.requireRead(key, record)
        const file = store.fileOf(record, filename)
        const fault = this.deps.faults.take('GET', path)
        res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': file.size, 'X-Data-Type': 'file' })
        await pipeline(store.open(record, filename), new ByteMeter(exchange, 'out', fault, () => req.socket?.destroy()), res)
        return
      }
      case 'HEAD': {
        this.requireRead(key, record)
        const file = store.fileOf(record, filename)
        res.writeHead(200, { 'Content-Length': file.size, 'X-Data-Type': 'file' })
        res.end()
        return
      }
      case 'PUT': {
        this.requireWrite(key, record.owner)
        const fault = this.deps.faults.take('PUT', path)
        const meter = new ByteMeter(exchange, 'in', fault, () => req.socket?.destroy())
        // Piped rather than put in the pipeline, so a failure part-way does not destroy the socket the answer goes out on.
        req.once('close', () => {
          if (!req.complete) meter.destroy(new Error('the upload was cut off'))
        })
        req.pipe(meter)
        await store.write(record, filename, meter)
        return sendJson(res, exchange, 200, { result: `data://${record.owner}/${record.name}/${filename}` })
      }
      case 'DELETE': {
        this.requireWrite(key, record.owner)
        await store.removeFile(record, filename)
        return sendJson(res, exchange, 200, { result: { deleted: 1 } })
      }
      default:
        throw invalidRequest(`${method} is not supported on a file`, 405)
    }
  }

  private sendDirectory(method: string, res: ServerResponse, exchange: Exchange, body: Record<string, unknown>): void {
    if (method === 'HEAD') {
      res.writeHead(200, { 'X-Data-Type': 'directory' })
      res.end()
      return
    }
    sendJson(res, exchange, 200, body, { 'X-Data-Type': 'directory' })
  }

  /** The owner (or a member of the owning organization) reads everything; others only public collections. */
  private canRead(key: ApiKeyRecord, record: CollectionRecord): boolean {
    return key.admin || this.deps.state.canActFor(key.owner, record.owner) || record.read.includes(PUBLIC_READ)
  }

  private requireRead(key: ApiKeyRecord, record: CollectionRecord): void {
    if (!this.canRead(key, record)) throw notAuthorized()
  }

  private requireWrite(key: ApiKeyRecord, owner: string): void {
    if (!key.admin && !this.deps.state.canActFor(key.owner, owner)) throw notAuthorized()
  }
}

function parseTarget(pathname: string): Target {
  const prefix = PREFIXES.find(p => pathname === p || pathname.startsWith(`${p}/`))
  if (!prefix) throw apiError(404, ErrorCode.invalidRequest, 'No such connector; hosted data is /v1/connector/data')
  let segments: string[]
  try {
    segments = pathname
      .slice(prefix.length)
      .split('/')
      .filter(segment => segment !== '')
      .map(segment => decodeURIComponent(segment))
  } catch {
    throw invalidRequest('The path is not valid percent-encoding')
  }
  const [owner, collection, ...below] = segments
  return { owner, collection, path: below.join('/') }
}

interface Page<T> {
  items: T[]
  marker?: string
}

/** Pages of LISTING_PAGE_SIZE sorted entries; the marker names the last entry returned. */
function pageOf<T>(sorted: T[], marker: string | null, nameOf: (item: T) => string = String): Page<T> {
  let start = 0
  if (marker) {
    const after = decodeMarker(marker)
    start = sorted.findIndex(item => nameOf(item) > after)
    if (start < 0) start = sorted.length
  }
  const items = sorted.slice(start, start + LISTING_PAGE_SIZE)
  const more = start + LISTING_PAGE_SIZE < sorted.length
  return { items, marker: more ? Buffer.from(nameOf(items[items.length - 1])).toString('base64url') : undefined }
}

function decodeMarker(marker: string): string {
  const decoded = Buffer.from(marker, 'base64url').toString('utf8')
  if (!decoded || Buffer.from(decoded).toString('base64url') !== marker) {
    throw apiError(400, ErrorCode.invalidMarker, `Invalid marker ${JSON.stringify(marker)}`)
  }
  return decoded
}

/** Counts body bytes for the request log and applies a transfer fault on the way. */
class ByteMeter extends Transform {
  private passed = 0

  constructor(
    private readonly exchange: Exchange,
    private readonly direction: 'in' | 'out',
    private readonly fault: DataFaultRule | undefined,
    private readonly cutConnection: () => void
  ) {
    super()
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    void this.pass(chunk).then(
      () => done(),
      (error: unknown) => done(error as Error)
    )
  }

  private async pass(chunk: Buffer): Promise<void> {
    const fault = this.fault
    const limit = fault?.cutAfterBytes ?? (this.direction === 'in' ? fault?.failAfterBytes : undefined)
    const allowed = limit === undefined ? chunk.length : Math.max(0, Math.min(chunk.length, limit - this.passed))
    const part = allowed === chunk.length ? chunk : chunk.subarray(0, allowed)
    if (fault?.bytesPerSecond) await delay(Math.ceil((part.length / fault.bytesPerSecond) * 1000))
    this.passed += part.length
    if (this.direction === 'in') this.exchange.bytesIn += part.length
    else this.exchange.bytesOut += part.length
    if (part.length) this.push(part)
    if (limit === undefined || this.passed < limit) return
    if (fault?.cutAfterBytes !== undefined) {
      // Let the bytes before the cut reach the socket, then drop the connection.
      if (this.direction === 'out') await delay(20)
      this.cutConnection()
      throw new Error('connection cut by an injected fault')
    }
    throw apiError(fault?.status ?? 500, ErrorCode.internal, 'Injected fault: upload failed part-way')
  }
}
