// Algorithm environments (runtimes) of one cluster. An environment's `id` is
// local to its cluster; its `environment_specification_id` names the
// specification it was installed from. Nothing public says two clusters share
// specification ids, so by default each cluster has its own (a promotion then
// matches environments by display name and language); `sharedSpecifications`
// gives every cluster the same ones, the other case a real pair may be.
import { randomUUID } from 'node:crypto'
import { authenticateApi, requireStandardKey } from './auth.js'
import { ErrorCode, apiError } from './errors.js'
import type { ApiCall, ApiReply, Router } from './router.js'
import type { ClusterState } from './state.js'
import type { Environment, EnvironmentControls, EnvironmentLanguage, NewEnvironment } from './types.js'

interface LanguageSpec {
  name: string
  display_name: string
}

const LANGUAGES: readonly LanguageSpec[] = [
  { name: 'python3', display_name: 'Python 3.x (Environments)' },
  { name: 'python2', display_name: 'Python 2.x (Environments)' },
  { name: 'java11', display_name: 'Java OpenJDK 11.0 (Environments)' },
  { name: 'r36', display_name: 'R 3.6.x (Environments)' }
]

/** Installed on every emulated cluster; these specification ids are used only with `sharedSpecifications`. */
const DEFAULT_ENVIRONMENTS: readonly Required<NewEnvironment>[] = [
  {
    language: 'python3',
    display_name: 'Python 3.8',
    environment_specification_id: '5e4b1ea8-38a3-4a0d-8d2f-0c1c5e3a6b01',
    description: 'Python 3.8 installation',
    machine_type: 'CPU'
  },
  {
    language: 'python3',
    display_name: 'Python 3.8 + GPU support',
    environment_specification_id: '5e4b1ea8-38a3-4a0d-8d2f-0c1c5e3a6b02',
    description: 'Python 3.8 installation with CUDA 11',
    machine_type: 'GPU'
  },
  {
    language: 'python2',
    display_name: 'Python 2.7',
    environment_specification_id: '5e4b1ea8-38a3-4a0d-8d2f-0c1c5e3a6b03',
    description: 'Generic Python 2.7 installation',
    machine_type: 'CPU'
  },
  {
    language: 'java11',
    display_name: 'Java 11',
    environment_specification_id: '5e4b1ea8-38a3-4a0d-8d2f-0c1c5e3a6b04',
    description: 'OpenJDK 11 with Maven',
    machine_type: 'CPU'
  },
  {
    language: 'r36',
    display_name: 'R 3.6',
    environment_specification_id: '5e4b1ea8-38a3-4a0d-8d2f-0c1c5e3a6b05',
    description: 'R 3.6 installation',
    machine_type: 'CPU'
  }
]

const CREATED_AT = '2021-03-01T12:00:00.000'

export class EnvironmentCatalog implements EnvironmentControls {
  private readonly environments: Environment[] = []

  constructor(opts: { sharedSpecifications?: boolean } = {}) {
    for (const environment of DEFAULT_ENVIRONMENTS) {
      this.add(opts.sharedSpecifications ? environment : { ...environment, environment_specification_id: undefined })
    }
  }

  list(language?: string): Environment[] {
    return this.environments.filter(env => language === undefined || env.language.name === language).map(env => structuredClone(env))
  }

  add(fields: NewEnvironment): Environment {
    const environment: Environment = {
      id: randomUUID(),
      environment_specification_id: fields.environment_specification_id ?? randomUUID(),
      display_name: fields.display_name,
      description: fields.description ?? fields.display_name,
      created_at: CREATED_AT,
      language: languageOf(fields.language),
      machine_type: fields.machine_type ?? 'CPU'
    }
    this.environments.push(environment)
    return structuredClone(environment)
  }

  remove(id: string): void {
    const index = this.environments.findIndex(env => env.id === id)
    if (index >= 0) this.environments.splice(index, 1)
  }

  has(id: string): boolean {
    return this.environments.some(env => env.id === id)
  }

  languages(): EnvironmentLanguage[] {
    const names = new Set(this.environments.map(env => env.language.name))
    return [...names].map(languageOf)
  }
}

function languageOf(name: string): EnvironmentLanguage {
  const known = LANGUAGES.find(language => language.name === name)
  const displayName = known?.display_name ?? `${name} (Environments)`
  return { name, display_name: displayName, configuration: JSON.stringify({ display_name: displayName }) }
}

/** Any standard key may list environments: they describe the cluster, not an account. */
export function registerEnvironmentRoutes(router: Router, deps: { state: ClusterState; environments: EnvironmentCatalog }): void {
  const authenticated = (handler: (call: ApiCall) => ApiReply) => (call: ApiCall) => {
    requireStandardKey(authenticateApi(deps.state, call.req.headers.authorization))
    return handler(call)
  }
  router
    .add(
      'GET',
      '/v1/algorithm-environments/edge/languages',
      authenticated(() => ({ status: 200, body: deps.environments.languages() }))
    )
    .add(
      'GET',
      '/v1/algorithm-environments/edge/languages/:language/environments',
      authenticated(call => {
        const environments = deps.environments.list(call.params.language)
        if (!environments.length) {
          throw apiError(404, ErrorCode.unknownLanguage, `No environments for language '${call.params.language}'`)
        }
        return { status: 200, body: { environments } }
      })
    )
}
