import { mermaidGraph, type GraphEdge } from '../dependencies/mermaid.js'
import type { PromotionResult } from '../promotion/result.js'

/** Edges drawn at most: a graph larger than this is unreadable, and the `results` output has every reference. */
const MAX_EDGES = 300

/**
 * The run's dependency graph as Mermaid, or undefined when no promoted code
 * calls an algorithm. Each caller is `source owner/algorithm` (the code's
 * references name owners as written); an edge is unmet when some destination
 * does not answer the call, and then names that destination.
 */
export function dependencyGraph(results: readonly PromotionResult[], sourceOwner: string): string | undefined {
  const edges = new Map<string, GraphEdge>()
  const nodes = new Set<string>()
  for (const result of results) {
    if (!result.references?.length) continue
    const from = `${sourceOwner}/${result.algorithm}`
    nodes.add(from)
    for (const reference of result.references) {
      const [owner, name, version = 'latest'] = reference.address.split('/')
      const to = `${owner}/${name}`
      const key = `${from} ${to} ${version}`
      const unmet = reference.status === 'unmet'
      if (!edges.has(key) || (unmet && edges.get(key)?.status === 'satisfied')) {
        const reason = unmet ? `${result.destination}: ${reference.reason ?? 'unmet'}` : undefined
        edges.set(key, { from, to, version, status: reference.status, ...(reason ? { reason } : {}) })
      }
    }
  }
  if (edges.size === 0) return undefined
  return mermaidGraph([...nodes], [...edges.values()].slice(0, MAX_EDGES))
}

/** `A → prod: calls owner/C/0.2.0: reason`, one per unmet reference and destination. */
export function unmetReferenceLines(results: readonly PromotionResult[]): string[] {
  return results.flatMap(result =>
    (result.references ?? [])
      .filter(reference => reference.status === 'unmet')
      .map(reference => `${result.algorithm} → ${result.destination}: calls ${reference.address}: ${reference.reason ?? 'unmet'}`)
  )
}

/** `C: called by B as C 0.2.0`, once per algorithm the run added for `dependencies: promote`. */
export function addedAlgorithmLines(results: readonly PromotionResult[]): string[] {
  const lines = new Map<string, string>()
  for (const result of results) if (result.addedBecause) lines.set(result.algorithm, `${result.algorithm}: ${result.addedBecause}`)
  return [...lines.values()]
}

/** `A → prod: calls owner/C (names the source owner)`, for calls that keep going to the source owner's algorithm. */
export function sourceOwnerLines(results: readonly PromotionResult[]): string[] {
  return results.flatMap(result =>
    (result.references ?? [])
      .filter(reference => reference.namesSourceOwner)
      .map(reference => `${result.algorithm} → ${result.destination}: calls ${reference.address}, which names the source owner`)
  )
}
