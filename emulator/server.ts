// The HTTP server of one cluster: applies faults, dispatches to the API or git
// handler, and records every request (without credentials) in the request log.
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http'
import { createServer as createTlsServer } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import type { ApiHandler } from './api.js'
import { authenticateApi, authenticateGit } from './auth.js'
import { type DataApiHandler, isDataPath } from './data-api.js'
import type { ContractCheck } from './contract.js'
import { type FaultInjector, applyFault } from './faults.js'
import { type GitHttpHandler, gitServiceOf } from './git-http.js'
import { type Exchange, sendInternalError } from './http-util.js'
import type { ClusterState } from './state.js'
import type { RequestRecord } from './types.js'

export interface ServerDeps {
  state: ClusterState
  api: ApiHandler
  git: GitHttpHandler
  data: DataApiHandler
  faults: FaultInjector
  /** Round-trip time added to each request and each new connection. */
  latencyMs: number
  /** Checks every API exchange against the official spec; what it finds goes to `contractViolations`. */
  contract?: ContractCheck
}

export class ClusterServer {
  readonly requests: RequestRecord[] = []
  readonly contractViolations: string[] = []
  private readonly server: Server
  private readonly servedSockets = new WeakSet<Socket>()

  /** With `tls`, the same server over HTTPS (a certificate and its key, PEM). */
  constructor(
    private readonly deps: ServerDeps,
    tls?: { cert: string | Buffer; key: string | Buffer }
  ) {
    const handler = (req: IncomingMessage, res: ServerResponse): void => void this.handle(req, res)
    this.server = tls ? createTlsServer({ cert: tls.cert, key: tls.key }, handler) : createServer(handler)
  }

  /** Listens on a loopback address (127.0.0.1 by default) and resolves with the bound port (ephemeral when `port` is 0). */
  listen(port: number, host = '127.0.0.1'): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(port, host, () => {
        this.server.off('error', reject)
        resolve((this.server.address() as AddressInfo).port)
      })
    })
  }

  close(): Promise<void> {
    return new Promise(resolve => {
      this.server.close(() => resolve())
      // Keep-alive and in-flight connections would otherwise hold close() open.
      this.server.closeAllConnections()
    })
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now()
    const exchange = this.exchangeFor(req)
    res.once('close', () => this.record(req, res, exchange, at))
    try {
      if (this.deps.latencyMs > 0) await sleep(this.roundTrips(req.socket) * this.deps.latencyMs)
      const fault = this.deps.faults.take(req.method ?? 'GET', exchange.url.pathname)
      // Marked before the fault answers: the request log (and the contract check) runs as soon as it has.
      exchange.faulted = fault !== undefined
      if (fault && (await applyFault(fault, req, res, exchange))) return
      exchange.faulted = false
      if (exchange.kind === 'git') await this.deps.git.handle(req, res, exchange)
      else if (isDataPath(exchange.url.pathname)) await this.deps.data.handle(req, res, exchange)
      else await this.deps.api.handle(req, res, exchange)
    } catch (error) {
      sendInternalError(res, exchange, error)
    }
  }

  /**
   * A request costs one round trip; the first on a connection one more (the
   * TCP handshake), so a client that reuses connections pays less, as on a real network.
   */
  private roundTrips(socket: Socket): number {
    if (this.servedSockets.has(socket)) return 1
    this.servedSockets.add(socket)
    return 2
  }

  private exchangeFor(req: IncomingMessage): Exchange {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const kind = url.pathname.startsWith('/git/') ? 'git' : 'api'
    const authenticate = kind === 'git' ? authenticateGit : authenticateApi
    return {
      url,
      kind,
      gitService: kind === 'git' ? gitServiceOf(url) : undefined,
      principal: authenticate(this.deps.state, req.headers.authorization)?.owner,
      bytesIn: 0,
      bytesOut: 0
    }
  }

  private record(req: IncomingMessage, res: ServerResponse, exchange: Exchange, at: number): void {
    const entry: RequestRecord = {
      method: req.method ?? 'GET',
      path: exchange.url.pathname,
      query: Object.fromEntries(exchange.url.searchParams),
      // Headers never sent means the connection was dropped without a response.
      status: res.headersSent ? res.statusCode : 0,
      kind: exchange.kind,
      at,
      bytesIn: exchange.bytesIn,
      bytesOut: exchange.bytesOut
    }
    if (exchange.principal !== undefined) entry.principal = exchange.principal
    if (exchange.gitService !== undefined) entry.gitService = exchange.gitService
    this.requests.push(entry)
    // Injected faults stand in for proxies and overloaded servers, not for the API: only its own answers are checked.
    if (this.deps.contract && exchange.kind === 'api' && entry.status !== 0 && !exchange.faulted) this.checkContract(req, entry, exchange)
  }

  private checkContract(req: IncomingMessage, entry: RequestRecord, exchange: Exchange): void {
    const violations = this.deps.contract!.check({
      method: entry.method,
      path: entry.path,
      query: entry.query,
      requestContentType: req.headers['content-type'],
      requestBody: exchange.requestJson,
      status: entry.status,
      responseBody: exchange.responseJson === undefined ? undefined : (JSON.parse(exchange.responseJson) as unknown)
    })
    this.contractViolations.push(...violations)
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms))
}
