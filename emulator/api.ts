// REST routes of the management API (/v1/...). Handlers authenticate,
// authorize, delegate to AlgorithmService, and render views.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { registerAlgoCallRoutes } from './algo-call.js'
import { registerAdminRoutes } from './api-admin.js'
import type { AlgorithmService, VersionFilter } from './algorithms.js'
import { authenticateApi, requireAccess, requireStandardKey } from './auth.js'
import type { BuildRunner } from './builds.js'
import { type EnvironmentCatalog, registerEnvironmentRoutes } from './environments.js'
import { ApiError, ErrorCode, apiError, invalidRequest } from './errors.js'
import { type Exchange, readJsonRequest, send, sendApiError, sendInternalError, sendJson } from './http-util.js'
import { paginate, parsePageRequest } from './paging.js'
import { type ApiCall, type ApiReply, Router } from './router.js'
import { type SecretStore, registerSecretRoutes } from './secrets.js'
import type { AlgorithmRecord, ClusterState } from './state.js'
import { parseBuildRequest, parsePublishRequest, parseUpdateRequest } from './validation.js'
import type { ClusterVariants } from './types.js'
import { algorithmView, buildView, versionView } from './views.js'

export interface ApiDeps {
  state: ClusterState
  algorithms: AlgorithmService
  builds: BuildRunner
  environments: EnvironmentCatalog
  secrets: SecretStore
  readTree: (owner: string, name: string, rev: string) => Promise<Record<string, Buffer>>
  variants: ClusterVariants
  /** The cluster's base URL, for self links. */
  baseUrl: () => string
}

const ALGO = '/v1/algorithms/:owner/:name'
const UUID_PATTERN = /^[a-zA-Z0-9]{8}-[a-zA-Z0-9]{4}-[a-zA-Z0-9]{4}-[a-zA-Z0-9]{4}-[a-zA-Z0-9]{12}$/

export class ApiHandler {
  private readonly router = new Router()

  constructor(private readonly deps: ApiDeps) {
    registerSecretRoutes(this.router, deps) // before the owner/name routes it would otherwise fall into
    this.refuseAlgorithmIdRoutes()
    this.registerAlgorithmRoutes()
    this.registerVersionRoutes()
    this.registerBuildRoutes()
    registerAdminRoutes(this.router, deps)
    registerEnvironmentRoutes(this.router, deps)
    registerAlgoCallRoutes(this.router, deps)
  }

  async handle(req: IncomingMessage, res: ServerResponse, exchange: Exchange): Promise<void> {
    try {
      const match = this.router.match(req.method ?? 'GET', exchange.url.pathname)
      if (!match) throw invalidRequest(`No such route: ${req.method} ${exchange.url.pathname}`, 404)
      const reply = await match.handler({ req, exchange, params: match.params })
      if (reply.raw && Buffer.isBuffer(reply.body))
        send(res, exchange, reply.status, reply.body, { 'Content-Type': 'application/octet-stream' })
      else if (reply.raw && typeof reply.body === 'string') send(res, exchange, reply.status, reply.body, { 'Content-Type': 'text/plain' })
      else sendJson(res, exchange, reply.status, reply.body)
    } catch (error) {
      if (error instanceof ApiError) sendApiError(res, exchange, error)
      else sendInternalError(res, exchange, error)
    }
  }

  /**
   * The spec's `/v1/algorithms/{algorithmId}/...` routes other than secrets are
   * not emulated: they answer "no such route" rather than falling into the
   * owner/name routes, where a UUID would read as an owner and blame the key.
   */
  private refuseAlgorithmIdRoutes(): void {
    const isAlgorithmId = (params: Record<string, string>) => UUID_PATTERN.test(params.algorithmId)
    for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
      this.router.add(
        method,
        '/v1/algorithms/:algorithmId/*',
        call => {
          throw invalidRequest(`No such route: ${method} ${call.exchange.url.pathname} is not emulated`, 404)
        },
        isAlgorithmId
      )
    }
  }

  private registerAlgorithmRoutes(): void {
    this.router
      .add('POST', '/v1/algorithms/:owner', call => this.createAlgorithm(call))
      .add('GET', ALGO, call => this.reply(200, this.algorithmFor(call, false)))
      .add('PUT', ALGO, call => this.updateAlgorithm(call))
      .add('DELETE', ALGO, call => this.deleteAlgorithm(call))
      .add('POST', `${ALGO}/compile`, call => this.compileAlgorithm(call))
  }

  private registerVersionRoutes(): void {
    this.router
      .add('GET', `${ALGO}/versions`, call => this.listVersions(call))
      .add('POST', `${ALGO}/versions`, call => this.publish(call))
      .add('GET', `${ALGO}/versions/:hash`, call => this.getVersion(call))
  }

  private registerBuildRoutes(): void {
    this.router
      .add('GET', `${ALGO}/builds`, call => this.listBuilds(call))
      .add('GET', `${ALGO}/builds/:buildId`, call => this.getBuild(call))
      .add('GET', `${ALGO}/builds/:buildId/logs`, call => this.getBuildLogs(call))
  }

  /** Authenticates with a standard key and checks read or write access to the owner. */
  private algorithmFor(call: ApiCall, write: boolean): AlgorithmRecord {
    const key = requireStandardKey(authenticateApi(this.deps.state, call.req.headers.authorization))
    requireAccess(this.deps.state, key, call.params.owner, write)
    return this.deps.algorithms.find(call.params.owner, call.params.name)
  }

  private reply(status: number, algo: AlgorithmRecord): ApiReply {
    return { status, body: algorithmView(algo, this.deps.baseUrl()) }
  }

  private async createAlgorithm(call: ApiCall): Promise<ApiReply> {
    const { owner } = call.params
    const key = requireStandardKey(authenticateApi(this.deps.state, call.req.headers.authorization))
    // Unknown owners get a clear 404 (see AlgorithmService.create) before the access check.
    if (this.deps.state.accountExists(owner)) requireAccess(this.deps.state, key, owner, true)
    const { algo, ready } = this.deps.algorithms.create(owner, await readJsonRequest(call.req, call.exchange, 'CreateRequest', true))
    await ready
    return this.reply(201, algo)
  }

  private async updateAlgorithm(call: ApiCall): Promise<ApiReply> {
    const algo = this.algorithmFor(call, true)
    const body = await readJsonRequest(call.req, call.exchange, 'UpdateRequest', true)
    this.deps.algorithms.update(algo, parseUpdateRequest(body, this.deps.algorithms.environmentExists))
    return this.reply(200, algo)
  }

  private async deleteAlgorithm(call: ApiCall): Promise<ApiReply> {
    await this.deps.algorithms.remove(this.algorithmFor(call, true))
    return { status: 204 }
  }

  /** The spec's BuildRequest body is required (the official client sends `{}`); `commitSha` names the commit to build. */
  private async compileAlgorithm(call: ApiCall): Promise<ApiReply> {
    const algo = this.algorithmFor(call, true)
    const request = parseBuildRequest(await readJsonRequest(call.req, call.exchange, 'BuildRequest', true))
    await this.deps.algorithms.compile(algo, !this.deps.builds.isHolding, request.commitSha)
    return this.reply(200, algo)
  }

  private async publish(call: ApiCall): Promise<ApiReply> {
    const algo = this.algorithmFor(call, true)
    const build = this.deps.algorithms.publish(
      algo,
      parsePublishRequest(await readJsonRequest(call.req, call.exchange, 'VersionRequest', true))
    )
    return { status: 200, body: versionView(algo, build, this.deps.baseUrl()) }
  }

  private listVersions(call: ApiCall): ApiReply {
    const algo = this.algorithmFor(call, false)
    const query = call.exchange.url.searchParams
    const filter: VersionFilter = { published: booleanParam(query, 'published'), callable: booleanParam(query, 'callable') }
    const page = parsePageRequest(query)
    const body = paginate(
      this.deps.algorithms.versions(algo, filter),
      b => b.seq,
      page,
      this.requestUrl(call),
      b => versionView(algo, b, this.deps.baseUrl())
    )
    return { status: 200, body }
  }

  private getVersion(call: ApiCall): ApiReply {
    const algo = this.algorithmFor(call, false)
    const build = this.deps.algorithms.versionByHash(algo, call.params.hash)
    if (!build) throw apiError(404, ErrorCode.buildNotFound, `No version with git hash ${call.params.hash}`)
    return { status: 200, body: versionView(algo, build, this.deps.baseUrl()) }
  }

  private listBuilds(call: ApiCall): ApiReply {
    const algo = this.algorithmFor(call, false)
    const page = parsePageRequest(call.exchange.url.searchParams)
    const newestFirst = [...algo.builds].reverse()
    const body = paginate(
      newestFirst,
      b => b.seq,
      page,
      this.requestUrl(call),
      b => buildView(algo, b)
    )
    return { status: 200, body }
  }

  private findBuild(call: ApiCall) {
    const algo = this.algorithmFor(call, false)
    const build = algo.builds.find(candidate => candidate.id === call.params.buildId)
    if (!build) throw apiError(404, ErrorCode.buildNotFound, `No build ${call.params.buildId}`)
    return { algo, build }
  }

  private getBuild(call: ApiCall): ApiReply {
    const { algo, build } = this.findBuild(call)
    return { status: 200, body: buildView(algo, build) }
  }

  private getBuildLogs(call: ApiCall): ApiReply {
    const { build } = this.findBuild(call)
    if (build.status === 'in-progress') {
      throw apiError(404, ErrorCode.buildLogsNotFound, `Logs for build ${build.id} are not available until it finishes`)
    }
    return { status: 200, body: { logs: build.logs ?? '' } }
  }

  private requestUrl(call: ApiCall): URL {
    return new URL(call.exchange.url.pathname + call.exchange.url.search, this.deps.baseUrl())
  }
}

function booleanParam(query: URLSearchParams, name: string): boolean | undefined {
  const value = query.get(name)
  if (value === null || value === '') return undefined
  if (value === 'true' || value === 'false') return value === 'true'
  throw invalidRequest(`Query parameter '${name}' must be true or false`)
}
