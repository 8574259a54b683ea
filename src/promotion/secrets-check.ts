import type { ClusterSession } from '../cluster/session.js'

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
