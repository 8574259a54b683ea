import type { PromotionConfig } from './inputs/config.js'
import { runPromotions, type EngineDependencies } from './promotion/engine.js'
import type { PromotionResult } from './promotion/result.js'
import { mergeVersionMaps, readVersionMapFile, versionMapOf, writeVersionMapFile, type VersionMap, type VersionMapOutput } from './report/version-map.js'

/** Everything a run reports, whichever front end (action or command line) shows it. */
export interface RunReport {
  readonly results: readonly PromotionResult[]
  readonly versionMap: VersionMapOutput
  /** At least one destination got (or, in a dry run, would get) a new commit. */
  readonly changed: boolean
  readonly failed: number
}

/**
 * A whole run: check the version-map file (before any network request),
 * promote, then merge and write the map with the promotions that succeeded.
 */
export async function promote(config: PromotionConfig, deps: EngineDependencies): Promise<RunReport> {
  const earlier = config.versionMapFile ? await readVersionMapFile(config.versionMapFile) : {}
  const results = await runPromotions(config, deps)
  const multipleDestinations = config.destinations.length > 1
  const versionMap = multipleDestinations ? perDestination(results, earlier as Record<string, VersionMap>) : mergeVersionMaps(earlier as VersionMap, results)
  if (config.versionMapFile && !config.dryRun && results.some(result => result.status !== 'failed' && result.status !== 'planned')) {
    await writeVersionMapFile(config.versionMapFile, versionMap)
  }
  return {
    results,
    versionMap: config.versionMapFile ? versionMap : multipleDestinations ? perDestination(results, {}) : versionMapOf(results),
    changed: results.some(result => result.newCommit),
    failed: results.filter(result => result.status === 'failed').length
  }
}

function perDestination(results: readonly PromotionResult[], earlier: Record<string, VersionMap>): Record<string, VersionMap> {
  const map: Record<string, VersionMap> = { ...earlier }
  for (const destination of new Set(results.map(result => result.destination))) {
    map[destination] = mergeVersionMaps(earlier[destination] ?? {}, results.filter(result => result.destination === destination))
  }
  return map
}
