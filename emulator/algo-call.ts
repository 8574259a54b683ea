// Calling an algorithm: POST /v1/algo/{owner}/{name}/{version}, where the
// version is a git hash of a successful build (callable by the owner, as on
// real clusters, before it is published) or a published semantic version.
import type { IncomingMessage } from 'node:http'
import type { AlgorithmService } from './algorithms.js'
import { callAlgorithmCode } from './algo-runtime.js'
import { authenticateApi, requireAccess, requireStandardKey } from './auth.js'
import { ErrorCode, apiError } from './errors.js'
import { type Exchange, readBody } from './http-util.js'
import type { ApiCall, ApiReply, Router } from './router.js'
import type { AlgorithmRecord, BuildRecord, ClusterState } from './state.js'

const HASH_PATTERN = /^[0-9a-f]{40}$/
const SEMVER_PATTERN = /^\d+\.\d+\.\d+$/

export interface AlgoCallDeps {
  state: ClusterState
  algorithms: AlgorithmService
  readTree: (owner: string, name: string, rev: string) => Promise<Record<string, Buffer>>
}

export function registerAlgoCallRoutes(router: Router, deps: AlgoCallDeps): void {
  router.add('POST', '/v1/algo/:owner/:name/:version', call => callAlgorithm(deps, call))
}

async function callAlgorithm(deps: AlgoCallDeps, call: ApiCall): Promise<ApiReply> {
  const started = process.hrtime.bigint()
  const key = requireStandardKey(authenticateApi(deps.state, call.req.headers.authorization))
  const { owner, name, version } = call.params
  const algo = deps.algorithms.find(owner, name)
  const build = resolveVersion(deps, algo, version)
  const release = algo.releases.find(r => r.buildId === build.id)
  // Unpublished and private versions answer only their owner; published public ones anyone.
  if (!release || (release.settings.algorithm_callability ?? algo.settings.algorithm_callability) === 'private') {
    requireAccess(deps.state, key, owner, false)
  }
  const input = await readInput(call.req, call.exchange)
  const outcome = callAlgorithmCode(name, await deps.readTree(owner, name, build.commitSha), input)
  const duration = Number(process.hrtime.bigint() - started) / 1e9
  if (!outcome.ok) {
    return {
      status: 400,
      body: { error: { message: outcome.message, stacktrace: outcome.stacktrace, error_type: 'AlgorithmError' }, metadata: { duration } }
    }
  }
  const contentType = typeof outcome.result === 'string' ? 'text' : 'json'
  return { status: 200, body: { result: outcome.result, metadata: { content_type: contentType, duration } } }
}

function resolveVersion(deps: AlgoCallDeps, algo: AlgorithmRecord, version: string): BuildRecord {
  const notFound = () => apiError(404, ErrorCode.buildNotFound, `algo://${algo.owner}/${algo.name}/${version} not found`)
  if (HASH_PATTERN.test(version)) {
    const build = deps.algorithms.versionByHash(algo, version)
    if (!build) throw notFound()
    return build
  }
  if (SEMVER_PATTERN.test(version)) {
    const release = algo.releases.find(r => r.semanticVersion === version)
    const build = release && algo.builds.find(b => b.id === release.buildId)
    if (!build) throw notFound()
    return build
  }
  throw notFound()
}

/** JSON bodies are parsed; any other content type is the input as text. */
async function readInput(req: IncomingMessage, exchange: Exchange): Promise<unknown> {
  const text = (await readBody(req, exchange)).toString('utf8')
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) return text
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw apiError(400, ErrorCode.malformedJson, 'Malformed JSON in request body')
  }
}
