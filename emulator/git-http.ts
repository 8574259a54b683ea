// Git smart-HTTP hosting: HTTP Basic auth in front of `git http-backend`
// (run as CGI), push detection to start builds, and the post-fetch commit
// injection used to simulate a teammate pushing concurrently.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { constants as zlibConstants, gunzipSync } from 'node:zlib'
import type { AlgorithmService } from './algorithms.js'
import { authenticateGit } from './auth.js'
import type { BuildRunner } from './builds.js'
import { runCgi } from './cgi.js'
import type { FaultInjector } from './faults.js'
import { type Exchange, send } from './http-util.js'
import type { RepoStore } from './repos.js'
import type { ApiKeyRecord, ClusterState } from './state.js'

const GIT_PATH = /^\/git\/([^/]+)\/([^/]+)\.git(\/.*)?$/
const INJECTED_COMMIT_MESSAGE = 'Concurrent change (injected by the emulator after a fetch)'

export interface GitTarget {
  owner: string
  name: string
}

export function parseGitPath(pathname: string): GitTarget | undefined {
  const match = GIT_PATH.exec(pathname)
  return match ? { owner: match[1], name: match[2] } : undefined
}

/** Which git service a request belongs to: the advertisement (info/refs) or the RPC POST. */
export function gitServiceOf(url: URL): 'upload-pack' | 'receive-pack' | undefined {
  const service = url.pathname.endsWith('/info/refs') ? url.searchParams.get('service') : url.pathname
  if (service?.endsWith('git-upload-pack')) return 'upload-pack'
  if (service?.endsWith('git-receive-pack')) return 'receive-pack'
  return undefined
}

export interface GitHttpDeps {
  state: ClusterState
  repos: RepoStore
  builds: BuildRunner
  algorithms: AlgorithmService
  faults: FaultInjector
  /** Base environment for git processes (PATH, HOME, isolation settings). */
  gitEnv: Record<string, string>
}

export class GitHttpHandler {
  private readonly inflight = new Set<Promise<void>>()

  constructor(private readonly deps: GitHttpDeps) {}

  /** Resolves when no git backend request is running (used before deleting repositories). */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all(this.inflight)
  }

  async handle(req: IncomingMessage, res: ServerResponse, exchange: Exchange): Promise<void> {
    const target = parseGitPath(exchange.url.pathname)
    if (!target) return send(res, exchange, 404, 'Not found\n')
    const key = authenticateGit(this.deps.state, req.headers.authorization)
    if (!key) {
      return send(res, exchange, 401, 'Authentication required\n', { 'WWW-Authenticate': 'Basic realm="Algorithmia"' })
    }
    if (!this.deps.state.findAlgorithm(target.owner, target.name)) return send(res, exchange, 404, 'Repository not found\n')
    if (!this.mayUse(key, target, exchange.gitService)) return send(res, exchange, 403, 'Forbidden\n')
    await this.deps.repos.settled(target.owner, target.name)
    const run = this.runBackend(req, res, exchange, target, key)
    const tracked = run.catch(() => undefined).finally(() => this.inflight.delete(tracked))
    this.inflight.add(tracked)
    await run
  }

  private mayUse(key: ApiKeyRecord, target: GitTarget, service: Exchange['gitService']): boolean {
    if (!this.deps.state.canActFor(key.owner, target.owner)) return false
    return service !== 'receive-pack' || key.algoManagement
  }

  private async runBackend(
    req: IncomingMessage,
    res: ServerResponse,
    exchange: Exchange,
    target: GitTarget,
    key: ApiKeyRecord
  ): Promise<void> {
    const isPost = req.method === 'POST'
    const isPush = isPost && exchange.gitService === 'receive-pack'
    const headBefore = isPush ? await this.deps.repos.head(target.owner, target.name) : undefined
    const watchFetch = isPost && exchange.gitService === 'upload-pack' && this.deps.faults.hasInjection(target.owner, target.name)
    const peek = watchFetch ? new RequestPeek(req.headers['content-encoding'] === 'gzip') : undefined
    await runCgi(req, res, exchange, {
      command: 'git',
      args: ['http-backend'],
      env: this.cgiEnv(req, exchange, key),
      onRequestChunk: peek && (chunk => peek.push(chunk)),
      // Done before the response ends so the client sees the build (or the
      // concurrent commit) as soon as its push (or fetch) returns.
      beforeEnd: async result => {
        if (isPush) await this.startBuildIfMasterMoved(target, headBefore)
        if (peek?.isFetchCommand() && result.exitCode === 0 && result.status === 200) await this.injectCommit(target)
      }
    })
  }

  private cgiEnv(req: IncomingMessage, exchange: Exchange, key: ApiKeyRecord): Record<string, string> {
    const env: Record<string, string> = {
      ...this.deps.gitEnv,
      GIT_PROJECT_ROOT: this.deps.repos.reposRoot,
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: exchange.url.pathname.slice('/git'.length),
      QUERY_STRING: exchange.url.search.replace(/^\?/, ''),
      REQUEST_METHOD: req.method ?? 'GET',
      REMOTE_USER: key.owner,
      REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1'
    }
    const headers = req.headers
    if (headers['content-type']) env.CONTENT_TYPE = headers['content-type']
    if (headers['content-length']) env.CONTENT_LENGTH = headers['content-length']
    // http-backend inflates gzip request bodies itself when told the encoding.
    if (headers['content-encoding']) env.HTTP_CONTENT_ENCODING = headers['content-encoding']
    const protocol = headers['git-protocol']
    if (typeof protocol === 'string' && /^[\w.:=-]+$/.test(protocol)) {
      env.GIT_PROTOCOL = protocol
      env.HTTP_GIT_PROTOCOL = protocol
    }
    return env
  }

  /** Commits pushed together move master once, so they get one build. */
  private async startBuildIfMasterMoved(target: GitTarget, headBefore: string | undefined): Promise<void> {
    const headAfter = await this.deps.repos.head(target.owner, target.name)
    const algo = this.deps.state.findAlgorithm(target.owner, target.name)
    if (algo && headAfter && headAfter !== headBefore) this.deps.builds.ensureBuild(algo, headAfter)
  }

  private async injectCommit(target: GitTarget): Promise<void> {
    const files = this.deps.faults.takeInjection(target.owner, target.name)
    if (!files) return
    await this.deps.algorithms.commit(target.owner, target.name, files, {
      replace: false,
      message: INJECTED_COMMIT_MESSAGE
    })
  }
}

const PEEK_LIMIT = 64 * 1024

/**
 * Keeps the start of an upload-pack request body to tell a real fetch from a
 * protocol-v2 `ls-refs` (which also POSTs to git-upload-pack).
 */
class RequestPeek {
  private readonly chunks: Buffer[] = []
  private size = 0

  constructor(private readonly gzipped: boolean) {}

  push(chunk: Buffer): void {
    if (this.size >= PEEK_LIMIT) return
    this.chunks.push(chunk)
    this.size += chunk.length
  }

  /** v2 requests name their command; v0/v1 upload-pack POSTs are always fetch negotiation. */
  isFetchCommand(): boolean {
    const text = this.decoded()
    return text.includes('command=') ? text.includes('command=fetch') : true
  }

  private decoded(): string {
    const raw = Buffer.concat(this.chunks)
    if (!this.gzipped) return raw.toString('latin1')
    try {
      // Sync flush decodes as much as possible of a possibly truncated stream.
      return gunzipSync(raw, { finishFlush: zlibConstants.Z_SYNC_FLUSH }).toString('latin1')
    } catch {
      return ''
    }
  }
}
