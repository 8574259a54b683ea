import type { ClusterSession } from '../cluster/session.js'
import type { DestinationState } from './destination.js'
import type { DestinationAddress } from './destination-lookups.js'
import { secretComparisonKey } from './work-ahead.js'

/** One target as far as comparing its secret names goes. */
export interface SecretsTarget extends DestinationAddress {
  /** The source algorithm's id, when the source answer gave it. */
  readonly sourceId?: string
  readonly destinationId?: string
  readonly destinationState: DestinationState
}

/**
 * The comparison of one target's secret names, keyed by its destination, or
 * undefined without both ids. The code sync starts it when it starts pushing
 * (the push takes longer than the two listings), and the secrets check takes the answer.
 */
export function secretComparison(
  target: SecretsTarget,
  source: ClusterSession
): { key: string; compare: () => Promise<string[]> } | undefined {
  const { sourceId, destinationId } = target
  if (!sourceId || !destinationId) return undefined
  // An algorithm created in this run has no secrets yet: nothing to ask there.
  const destinationIsNew = target.destinationState === 'created'
  return {
    key: secretComparisonKey(target),
    compare: () => missingSecretNames(source, sourceId, target.session, destinationIsNew ? undefined : destinationId)
  }
}

/**
 * The secret names the source algorithm has and the destination lacks.
 * Only names are listed, on both sides: values are never asked for. Without
 * a destination id (an algorithm just created), the destination has none.
 */
export async function missingSecretNames(
  source: ClusterSession,
  sourceAlgorithmId: string,
  destination: ClusterSession,
  destinationAlgorithmId: string | undefined
): Promise<string[]> {
  const [sourceNames, destinationNames] = await Promise.all([
    source.runtime.listSecretNames(sourceAlgorithmId),
    destinationAlgorithmId ? destination.runtime.listSecretNames(destinationAlgorithmId) : []
  ])
  const present = new Set(destinationNames)
  return sourceNames.filter(name => !present.has(name))
}

export function missingSecretsMessage(
  names: readonly string[],
  destination: ClusterSession,
  algorithm: string,
  algorithmId: string
): string {
  const owner = destination.account.algoOwner
  const listed = names.map(name => `'${name}'`).join(', ')
  return `${owner}/${algorithm} on ${destination.account.cluster.label} lacks ${names.length === 1 ? 'the secret' : 'the secrets'} ${listed} that the source algorithm reads (names compared only; values are never read or copied). Add ${names.length === 1 ? 'it' : 'them'} on ${destination.account.cluster.label}: the algorithm's Settings → Secrets page, or POST /v1/algorithms/${algorithmId}/secrets with an admin key. To publish without ${names.length === 1 ? 'it' : 'them'}, set missing-secrets: warn.`
}
