import type { Environment, RuntimeApi } from '../cluster/runtime-api.js'
import type { ClusterSession } from '../cluster/session.js'
import type { SettingsOverride } from '../core/config.js'
import { PromotionError } from './failure.js'

/**
 * Finds the destination's counterpart of a source environment: the same
 * specification, else the same display name and language. Environment ids
 * are local to a cluster, so the source's id is never sent to another one.
 */
export async function mapEnvironment(source: RuntimeApi, destination: RuntimeApi, sourceEnvironmentId: string): Promise<string> {
  const sourceEnvironment = (await source.allEnvironments()).find(env => env.id === sourceEnvironmentId)
  if (!sourceEnvironment) {
    throw new PromotionError(
      `the source algorithm's environment ${sourceEnvironmentId} is not listed by ${source.cluster}, so its counterpart on ${destination.cluster} cannot be found. Set algorithm_environment in the settings input to the destination environment's id.`
    )
  }
  const candidates = await destination.listEnvironments(sourceEnvironment.language)
  const match =
    candidates.find(env => env.specificationId !== undefined && env.specificationId === sourceEnvironment.specificationId) ??
    candidates.find(env => env.displayName !== undefined && env.displayName === sourceEnvironment.displayName)
  if (match) return match.id
  const available = candidates.length ? candidates.map(describe).join('; ') : 'none'
  throw new PromotionError(
    `the source environment ${describe(sourceEnvironment)} has no counterpart on ${destination.cluster} (no environment with the same specification, nor with the same display name and language). Environments for ${sourceEnvironment.language} on ${destination.cluster}: ${available}. Install a matching environment there, or set algorithm_environment in the settings input to one of these ids. Nothing was written.`
  )
}

function describe(env: Environment): string {
  const specification = env.specificationId ? `, specification ${env.specificationId}` : ''
  return `'${env.displayName ?? env.id}' (id ${env.id}${specification}, language ${env.language})`
}

/**
 * The environment id the destination should get: none when the source names
 * none or the settings input sets one; the same id on the same cluster; else
 * the destination's counterpart of the source's environment.
 */
export async function destinationEnvironment(
  source: ClusterSession,
  destination: ClusterSession,
  sourceSettings: Readonly<Record<string, unknown>> | undefined,
  override: SettingsOverride
): Promise<string | undefined> {
  const id = sourceSettings?.algorithm_environment
  if (typeof id !== 'string' || override.settings.algorithm_environment !== undefined) return undefined
  if (source.account.cluster.apiUrl === destination.account.cluster.apiUrl) return id
  return mapEnvironment(source.runtime, destination.runtime, id)
}
