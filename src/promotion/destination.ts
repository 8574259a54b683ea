import { isNotFound } from '../cluster/errors.js'
import type { ClusterSession } from '../cluster/session.js'
import type { Algorithm, CreateAlgorithmBody } from '../cluster/types.js'
import type { SettingsOverride } from '../inputs/config.js'
import { DETAIL_KEYS, SETTING_VALUES } from '../inputs/rules.js'
import { PromotionError } from './failure.js'

export type DestinationState = 'exists' | 'created' | 'missing'

/**
 * Settings the create call requires; used only when the source does not report them.
 * They are the defaults of the widely shared migration script.
 */
const REQUIRED_SETTING_DEFAULTS: Readonly<Record<string, unknown>> = {
  source_visibility: 'closed',
  license: 'apl',
  network_access: 'full',
  pipeline_enabled: true
}

/** Settings whose values are ids of one cluster: copied only within a cluster. */
const CLUSTER_LOCAL_SETTINGS = ['algorithm_environment']

/**
 * What the destination is created with: the source's settings and details, the
 * user's override on top. An environment id means nothing on another cluster,
 * so across clusters it is left to the override (or the cluster's default).
 */
export function creationBody(name: string, source: Algorithm, override: SettingsOverride, sameCluster: boolean): CreateAlgorithmBody {
  const copied = Object.keys(SETTING_VALUES).filter(key => sameCluster || !CLUSTER_LOCAL_SETTINGS.includes(key))
  return {
    name,
    details: { label: name, ...pick(source.details, DETAIL_KEYS), ...override.details },
    settings: { ...REQUIRED_SETTING_DEFAULTS, ...pick(source.settings, copied), ...override.settings }
  }
}

/** Creates the destination algorithm if it is missing; an existing one's metadata is left alone. */
export async function prepareDestination(
  session: ClusterSession,
  name: string,
  source: Algorithm,
  override: SettingsOverride,
  dryRun: boolean,
  sameCluster: boolean
): Promise<DestinationState> {
  const owner = session.account.algoOwner
  if (await session.api.getAlgorithm(owner, name)) return 'exists'
  if (dryRun) return 'missing'
  try {
    const { created } = await session.api.ensureAlgorithm(owner, creationBody(name, source, override, sameCluster))
    return created ? 'created' : 'exists'
  } catch (error) {
    if (isNotFound(error)) {
      throw new PromotionError(
        `the owner '${owner}' does not exist on ${session.account.cluster.label}. Users and organizations must exist on the destination first: create '${owner}' there (an administrator can, with the admin API), or set create-owner: true with source-admin-api-key and dest-admin-api-key to have this action create it from the source owner organization, or fix ${session.account.inputName('algo-owner')}.`
      )
    }
    throw error
  }
}

function pick(record: Record<string, unknown> | undefined, keys: readonly string[]): Record<string, unknown> {
  const picked: Record<string, unknown> = {}
  for (const key of keys) {
    if (record?.[key] !== undefined && record[key] !== null) picked[key] = record[key]
  }
  return picked
}
