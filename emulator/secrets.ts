// The secret store: secrets belong to an algorithm, addressed by the
// algorithm's id (not owner/name). Values are write-only: no route and no
// handle method ever returns one.
import { randomUUID } from 'node:crypto'
import { authenticateApi, requireAccess, requireAdminKey, requireStandardKey } from './auth.js'
import { type ApiError, apiError } from './errors.js'
import { readJsonRequest } from './http-util.js'
import type { ApiCall, ApiReply, Router } from './router.js'
import type { AlgorithmRecord, ClusterState } from './state.js'
import type { NewSecret, SecretResult } from './types.js'

const UUID_PATTERN = /^[a-zA-Z0-9]{8}-[a-zA-Z0-9]{4}-[a-zA-Z0-9]{4}-[a-zA-Z0-9]{4}-[a-zA-Z0-9]{12}$/

/** The cluster's one built-in provider. */
const INTERNAL_PROVIDER_ID = '00000000-0000-4000-8000-000000000001'

const SECRET_METADATA_CONSTRAINT = 8001
const MALFORMED_SECRET_REQUEST = 8000
const CREATE_REQUIRES_VALUE = 8004
const ALGORITHM_ID_DOES_NOT_EXIST = 1009

interface SecretRecord extends SecretResult {
  secret_key: string
  value: string
}

export class SecretStore {
  private readonly byAlgorithm = new Map<string, SecretRecord[]>()

  list(algorithmId: string): SecretResult[] {
    return (this.byAlgorithm.get(algorithmId) ?? []).map(resultOf)
  }

  add(algo: AlgorithmRecord, secret: NewSecret): SecretResult {
    const secrets = this.byAlgorithm.get(algo.id) ?? []
    if (secrets.some(existing => existing.short_name === secret.short_name)) {
      throw apiError(400, SECRET_METADATA_CONSTRAINT, `${algo.owner}/${algo.name} already has a secret named '${secret.short_name}'`)
    }
    const record: SecretRecord = {
      id: randomUUID(),
      short_name: secret.short_name,
      description: secret.description ?? '',
      owner_type: 'algorithm',
      owner_id: algo.id,
      default_secret_value_id: randomUUID(),
      provider_id: INTERNAL_PROVIDER_ID,
      secret_key: secret.secret_key ?? secret.short_name,
      value: secret.value
    }
    this.byAlgorithm.set(algo.id, [...secrets, record])
    return resultOf(record)
  }
}

/** The documented result shape: metadata only, never the value (nor the variable it is exposed as). */
function resultOf(record: SecretRecord): SecretResult {
  const { id, short_name, description, owner_type, owner_id, default_secret_value_id, provider_id } = record
  return { id, short_name, description, owner_type, owner_id, default_secret_value_id, provider_id }
}

interface SecretDeps {
  state: ClusterState
  secrets: SecretStore
}

/**
 * Registered before the owner/name routes: `/v1/algorithms/{uuid}/secrets`
 * would otherwise read as the algorithm "secrets" of an owner named by a UUID.
 * Listing needs read access to the algorithm's owner; creating needs an admin key.
 */
export function registerSecretRoutes(router: Router, deps: SecretDeps): void {
  const isAlgorithmId = (params: Record<string, string>) => UUID_PATTERN.test(params.algorithmId)
  router
    .add('GET', '/v1/algorithms/:algorithmId/secrets', call => listSecrets(deps, call), isAlgorithmId)
    .add('POST', '/v1/algorithms/:algorithmId/secrets', call => createSecret(deps, call), isAlgorithmId)
}

function algorithmById(state: ClusterState, id: string): AlgorithmRecord {
  const algo = state.findAlgorithmById(id)
  if (!algo) throw apiError(404, ALGORITHM_ID_DOES_NOT_EXIST, `No algorithm with id ${id}`)
  return algo
}

function listSecrets({ state, secrets }: SecretDeps, call: ApiCall): ApiReply {
  const key = requireStandardKey(authenticateApi(state, call.req.headers.authorization))
  const algo = algorithmById(state, call.params.algorithmId)
  requireAccess(state, key, algo.owner, false)
  return { status: 200, body: { results: secrets.list(algo.id) } }
}

async function createSecret({ state, secrets }: SecretDeps, call: ApiCall): Promise<ApiReply> {
  requireAdminKey(authenticateApi(state, call.req.headers.authorization))
  const algo = algorithmById(state, call.params.algorithmId)
  const body = await readJsonRequest(call.req, call.exchange, 'AlgorithmSecretCreateRequest', true)
  return { status: 200, body: secrets.add(algo, parseNewSecret(body, algo)) }
}

/** The spec requires `owner_type` and `owner_id` besides the names; the owner is the algorithm of the path. */
function parseNewSecret(body: unknown, algo: AlgorithmRecord): NewSecret {
  const object = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined
  const text = (field: string) => (typeof object?.[field] === 'string' ? (object[field] as string) : undefined)
  const shortName = text('short_name')
  const secretKey = text('secret_key')
  if (!object || !shortName || !secretKey || text('description') === undefined) {
    throw malformed('a secret needs short_name, description and secret_key (strings)')
  }
  if (text('owner_type') !== 'algorithm' || text('owner_id') !== algo.id) {
    throw malformed(`a secret needs owner_type "algorithm" and owner_id ${algo.id} (the algorithm of the path)`)
  }
  const value = text('secret_value')
  if (!value) throw apiError(400, CREATE_REQUIRES_VALUE, 'Creating a secret requires secret_value')
  return { short_name: shortName, description: text('description'), secret_key: secretKey, value }
}

function malformed(message: string): ApiError {
  return apiError(400, MALFORMED_SECRET_REQUEST, `Malformed secret request: ${message}`)
}
