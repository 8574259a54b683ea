import { isNotFound } from '../cluster/errors.js'
import type { ClusterSession } from '../cluster/session.js'
import type { Algorithm, CreateAlgorithmBody } from '../cluster/types.js'
import type { SettingsOverride } from '../core/config.js'
import { DETAIL_KEYS, SETTING_VALUES } from '../core/rules.js'
import { PromotionError } from './failure.js'
import type { DesiredMetadata } from './metadata-sync.js'

export type DestinationState = 'exists' | 'created' | 'missing'

export interface PreparedAlgorithm {
  readonly state: DestinationState
  /** The destination algorithm's UUID, when the cluster's answer gave it. */
  readonly id?: string
}

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

/** Settings the API takes on create; `insights_enabled` is a version's setting, sent when publishing. */
const CREATE_SETTINGS = Object.keys(SETTING_VALUES).filter(key => key !== 'insights_enabled')

/**
 * The details and settings the destination should have: the source's, the
 * user's override on top. A setting the source does not report is not in it,
 * so a sync never writes a default over what the destination has. The source's environment id means nothing on another
 * cluster, so it is replaced by `environment`, the destination's counterpart
 * (or left to the override).
 */
export function desiredMetadata(
  name: string,
  source: Algorithm,
  override: SettingsOverride,
  environment: string | undefined
): DesiredMetadata {
  const copied = CREATE_SETTINGS.filter(key => key !== 'algorithm_environment')
  return {
    details: { label: name, ...pick(source.details, DETAIL_KEYS), ...override.details },
    settings: {
      ...pick(source.settings, copied),
      ...(environment ? { algorithm_environment: environment } : {}),
      ...override.settings
    }
  }
}

/** What the destination is created with: the desired metadata, with the settings a create requires defaulted where the source has none. */
export function creationBody(
  name: string,
  source: Algorithm,
  override: SettingsOverride,
  environment: string | undefined
): CreateAlgorithmBody {
  const desired = desiredMetadata(name, source, override, environment)
  return { name, details: desired.details, settings: { ...REQUIRED_SETTING_DEFAULTS, ...desired.settings } }
}

/**
 * Creates the destination algorithm if it is missing; an existing one's metadata
 * is left alone here. `environment` is asked for only when the destination is
 * missing, so a failure to map it stops the promotion before anything is written.
 * `lookUp` answers whether it exists (an answer asked for early, say);
 * `onMissing` hears of a destination about to be created as soon as that is
 * known, before the create call and its wait.
 */
export async function prepareDestination(
  session: ClusterSession,
  name: string,
  source: Algorithm,
  override: SettingsOverride,
  dryRun: boolean,
  environment: () => Promise<string | undefined>,
  lookUp: () => Promise<Algorithm | undefined> = () => session.api.getAlgorithm(session.account.algoOwner, name),
  onMissing: () => void = () => {}
): Promise<PreparedAlgorithm> {
  const owner = session.account.algoOwner
  const existing = await lookUp()
  if (existing) return { state: 'exists', id: existing.id }
  if (!dryRun) onMissing()
  const mapped = await environment()
  if (dryRun) return { state: 'missing' }
  try {
    const { created, algorithm } = await session.api.ensureAlgorithm(owner, creationBody(name, source, override, mapped))
    return { state: created ? 'created' : 'exists', id: algorithm?.id }
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
