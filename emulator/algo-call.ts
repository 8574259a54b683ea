// Calling an algorithm: POST /v1/algo/{owner}/{name}[/{version}] (and by the
// algorithm's id). The version follows the spec's algoCallableVersion: blank
// (the latest public version), `latestPrivate`, a git hash of a successful
// build (callable by the owner, as on real clusters, before it is published),
// a full semantic version, or a minor or major pin (`1.2.*`, `1.*`). An
// algorithm whose code calls another (client.algo(...).pipe) reaches it the
// same way, as its owner, on this cluster: a caller whose dependency is
// missing fails as it would on a real one.
import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { AlgorithmService } from './algorithms.js'
import { callAlgorithmCode, type CallOutcome } from './algo-runtime.js'
import { authenticateApi, requireStandardKey } from './auth.js'
import { ApiError, ErrorCode, apiError, invalidRequest, notAuthorized } from './errors.js'
import { type Exchange, readBody } from './http-util.js'
import type { ApiCall, ApiReply, Router } from './router.js'
import type { AlgorithmRecord, BuildRecord, ClusterState, ReleaseRecord } from './state.js'
import type { ClusterVariants } from './types.js'

const HASH_PATTERN = /^[0-9a-f]{40}$/
const SEMVER_PATTERN = /^\d+\.\d+\.\d+$/
const PIN_PATTERN = /^(\d+)\.(?:(\d+)\.)?\*$/
const UUID_PATTERN = /^[a-zA-Z0-9]{8}-[a-zA-Z0-9]{4}-[a-zA-Z0-9]{4}-[a-zA-Z0-9]{4}-[a-zA-Z0-9]{12}$/
const ALGORITHM_NOT_FOUND = ErrorCode.algorithmNotFound
/** How deep algorithms may call algorithms: a bound, so a cycle fails like an exhausted call stack instead of hanging. */
const MAX_CALL_DEPTH = 10

export interface AlgoCallDeps {
  state: ClusterState
  algorithms: AlgorithmService
  readTree: (owner: string, name: string, rev: string) => Promise<Record<string, Buffer>>
  variants: ClusterVariants
}

interface CallOptions {
  output?: 'raw' | 'void'
}

export function registerAlgoCallRoutes(router: Router, deps: AlgoCallDeps): void {
  const byId = (params: Record<string, string>) => UUID_PATTERN.test(params.id)
  router
    .add('POST', '/v1/algo/:id/:version', call => callAlgorithm(deps, call, algorithmById(deps, call.params.id)), byId)
    .add('POST', '/v1/algo/:owner/:name', call => callAlgorithm(deps, call, algorithmByName(deps, call.params)))
    .add('POST', '/v1/algo/:owner/:name/:version', call => callAlgorithm(deps, call, algorithmByName(deps, call.params)))
}

function algorithmByName(deps: AlgoCallDeps, params: Record<string, string>): AlgorithmRecord {
  const algo = deps.state.findAlgorithm(params.owner, params.name)
  if (!algo) throw apiError(404, ALGORITHM_NOT_FOUND, `algo://${params.owner}/${params.name} not found`)
  return algo
}

function algorithmById(deps: AlgoCallDeps, id: string): AlgorithmRecord {
  const algo = deps.state.findAlgorithmById(id)
  if (!algo) throw apiError(404, ALGORITHM_NOT_FOUND, `No algorithm with id ${id}`)
  return algo
}

async function callAlgorithm(deps: AlgoCallDeps, call: ApiCall, algo: AlgorithmRecord): Promise<ApiReply> {
  const started = process.hrtime.bigint()
  const key = requireStandardKey(authenticateApi(deps.state, call.req.headers.authorization))
  const options = parseCallOptions(call.exchange.url.searchParams)
  const build = resolveCallable(deps, algo, call.params.version ?? '', key.owner)
  const input = await readInput(call.req, call.exchange)
  if (options.output === 'void') return { status: 200, body: { async: true, request_id: randomUUID() } }
  const outcome = await run(deps, algo, build, input, 0)
  const duration = Number(process.hrtime.bigint() - started) / 1e9
  return answerOf(deps.variants, outcome, duration, options)
}

/** The build a caller (an API key's owner, or a calling algorithm's owner) reaches with a version. */
function resolveCallable(deps: AlgoCallDeps, algo: AlgorithmRecord, version: string, caller: string): BuildRecord {
  const build = resolveVersion(deps, algo, version)
  const release = algo.releases.find(r => r.buildId === build.id)
  // Versions only an owner may call: unpublished builds, private releases and latestPrivate.
  const ownersOnly = !release || callabilityOf(algo, release) === 'private' || version === 'latestPrivate'
  if (ownersOnly && !deps.state.canActFor(caller, algo.owner)) throw notAuthorized()
  return build
}

/** Runs a build's code; the algorithms it calls run on this cluster, on behalf of its owner. */
async function run(deps: AlgoCallDeps, algo: AlgorithmRecord, build: BuildRecord, input: unknown, depth: number): Promise<CallOutcome> {
  const files = await deps.readTree(algo.owner, algo.name, build.commitSha)
  return callAlgorithmCode(algo.name, files, input, (address, nested) => callFromAlgorithm(deps, algo.owner, address, nested, depth + 1))
}

/**
 * A call from inside an algorithm: the same resolution as an HTTP call, its refusal the error answer the
 * client raises in the caller. Calls nest at most MAX_CALL_DEPTH deep, so algorithms calling each other
 * round fail instead of running forever.
 */
async function callFromAlgorithm(deps: AlgoCallDeps, caller: string, address: string, input: unknown, depth: number): Promise<CallOutcome> {
  const path = address.replace(/^algo:\/\//, '')
  const stacktrace = `Calling algo://${path} from an algorithm of ${caller}`
  if (depth > MAX_CALL_DEPTH) {
    return { ok: false, message: `algo://${path}: algorithm calls nested more than ${MAX_CALL_DEPTH} deep`, stacktrace }
  }
  const [owner = '', name = '', version = '', ...rest] = path.split('/')
  try {
    if (rest.length > 0) throw invalidRequest(`Invalid algorithm address ${JSON.stringify(address)}: use owner/name[/version]`)
    const algo = algorithmByName(deps, { owner, name })
    return await run(deps, algo, resolveCallable(deps, algo, version, caller), input, depth)
  } catch (error) {
    if (!(error instanceof ApiError)) throw error
    return { ok: false, message: error.message, stacktrace }
  }
}

function answerOf(variants: ClusterVariants, outcome: CallOutcome, duration: number, options: CallOptions): ApiReply {
  if (!outcome.ok) {
    const body = { error: { message: outcome.message, stacktrace: outcome.stacktrace }, metadata: { duration } }
    return { status: variants.algorithmErrorStatus ?? 200, body }
  }
  if (options.output === 'raw') return { status: 200, body: outcome.result, raw: true }
  // Bytes go out base64-encoded with content_type binary, as the API answers binary output.
  if (Buffer.isBuffer(outcome.result)) {
    return { status: 200, body: { result: outcome.result.toString('base64'), metadata: { content_type: 'binary', duration } } }
  }
  const contentType = typeof outcome.result === 'string' ? 'text' : 'json'
  return { status: 200, body: { result: outcome.result, metadata: { content_type: contentType, duration } } }
}

/**
 * `output` and `timeout` change what a call answers, so a value the emulator
 * cannot honour is refused rather than ignored. Emulated calls finish at once,
 * so any positive timeout is met.
 */
function parseCallOptions(query: URLSearchParams): CallOptions {
  const output = query.get('output')
  if (output !== null && output !== 'raw' && output !== 'void') {
    throw invalidRequest(`Query parameter 'output' must be raw or void, not ${JSON.stringify(output)}`)
  }
  const timeout = query.get('timeout')
  if (timeout !== null && !(Number(timeout) > 0)) {
    throw invalidRequest(`Query parameter 'timeout' must be a positive number of seconds, not ${JSON.stringify(timeout)}`)
  }
  const stdout = query.get('stdout')
  if (stdout !== null && stdout !== 'true' && stdout !== 'false') {
    throw invalidRequest(`Query parameter 'stdout' must be true or false, not ${JSON.stringify(stdout)}`)
  }
  return { output: output ?? undefined }
}

function callabilityOf(algo: AlgorithmRecord, release: ReleaseRecord): unknown {
  return release.settings.algorithm_callability ?? algo.settings.algorithm_callability
}

function resolveVersion(deps: AlgoCallDeps, algo: AlgorithmRecord, version: string): BuildRecord {
  const notFound = () => apiError(404, ErrorCode.buildNotFound, `algo://${algo.owner}/${algo.name}/${version} not found`)
  if (HASH_PATTERN.test(version)) return deps.algorithms.versionByHash(algo, version) ?? throwError(notFound())
  const release = releaseFor(algo, version)
  const build = release && algo.builds.find(b => b.id === release.buildId)
  return build ?? throwError(notFound())
}

/** The release a version names; pins and blank take the newest public release that matches. */
function releaseFor(algo: AlgorithmRecord, version: string): ReleaseRecord | undefined {
  const newestFirst = [...algo.releases].reverse()
  if (version === 'latestPrivate') return newestFirst[0]
  const isPublic = (release: ReleaseRecord) => callabilityOf(algo, release) !== 'private'
  if (version === '') return newestFirst.find(isPublic)
  if (SEMVER_PATTERN.test(version)) return newestFirst.find(release => release.semanticVersion === version)
  const pin = PIN_PATTERN.exec(version)
  if (!pin) throw invalidRequest(`Invalid version ${JSON.stringify(version)}: use a git hash, 1.2.3, 1.2.*, 1.*, latestPrivate or none`)
  const prefix = pin[2] === undefined ? `${pin[1]}.` : `${pin[1]}.${pin[2]}.`
  return newestFirst.find(release => isPublic(release) && release.semanticVersion.startsWith(prefix))
}

function throwError(error: Error): never {
  throw error
}

/** JSON bodies are parsed; `application/octet-stream` is the input as bytes; any other content type is the input as text. */
async function readInput(req: IncomingMessage, exchange: Exchange): Promise<unknown> {
  const bytes = await readBody(req, exchange)
  const type = req.headers['content-type'] ?? ''
  if (/^application\/octet-stream\b/i.test(type)) return bytes
  const text = bytes.toString('utf8')
  if (!/^application\/json\b/i.test(type)) return text
  try {
    exchange.requestJson = JSON.parse(text) as unknown
    return exchange.requestJson
  } catch {
    throw apiError(400, ErrorCode.malformedJson, 'Malformed JSON in request body')
  }
}
