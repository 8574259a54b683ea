import type { PromotionConfig } from '../core/config.js'
import type { PromotionResult } from '../promotion/result.js'
import type { RunReport } from '../report/run-report.js'
import { runPromotions, type EngineDependencies } from './promotion.js'
import {
  mergeVersionMaps,
  readVersionMapFile,
  versionMapOf,
  writeVersionMapFile,
  type PerDestinationVersionMap,
  type VersionMap,
  type VersionMapOutput
} from '../report/version-map.js'
import { entryOf, setEntry } from '../util/records.js'

/**
 * Reads and checks `version-map-file` before anything else happens (no request,
 * no GitHub record), so a bad file stops the run while nothing has changed.
 */
export async function readEarlierVersionMap(config: PromotionConfig): Promise<VersionMapOutput> {
  return config.versionMapFile ? readVersionMapFile(config.versionMapFile, config.reportPerDestination) : {}
}

/**
 * A whole run: promote, then merge the version map with the promotions that
 * succeeded and write it. The map's shape follows the `destinations` input,
 * not how many destinations a filter left, so every job writes the same shape.
 */
export async function promote(config: PromotionConfig, deps: EngineDependencies, earlier?: VersionMapOutput): Promise<RunReport> {
  const earlierMap = earlier ?? (await readEarlierVersionMap(config))
  const { results, collections } = await runPromotions(config, deps)
  const merged = config.reportPerDestination
    ? perDestination(results, earlierMap as PerDestinationVersionMap)
    : mergeVersionMaps(earlierMap as VersionMap, results)
  const file = config.versionMapFile
  const worthWriting = !config.dryRun && results.some(result => result.status !== 'failed' && result.status !== 'planned')
  const versionMapWritten = file && worthWriting ? await writeMapReportingFailure(file, merged, deps) : false
  return {
    results,
    versionMap: config.versionMapFile ? merged : config.reportPerDestination ? perDestination(results, {}) : versionMapOf(results),
    changed: results.some(result => result.newCommit),
    failed: results.filter(result => result.status === 'failed').length,
    collections,
    failedCollections: collections.filter(collection => collection.status === 'failed').length,
    versionMapWritten
  }
}

/** The promotions already happened: a map that cannot be written is a warning, never a lost report. */
async function writeMapReportingFailure(file: string, map: VersionMapOutput, deps: EngineDependencies): Promise<boolean> {
  try {
    await writeVersionMapFile(file, map)
    return true
  } catch (error) {
    deps.logger.warning(
      `version-map-file '${file}' could not be written (${(error as Error).message}); the map is in the version-map output. Check the path and permissions.`
    )
    return false
  }
}

function perDestination(results: readonly PromotionResult[], earlier: PerDestinationVersionMap): PerDestinationVersionMap {
  const map: PerDestinationVersionMap = {}
  for (const [destination, versions] of Object.entries(earlier)) setEntry(map, destination, versions)
  for (const destination of new Set(results.map(result => result.destination))) {
    setEntry(
      map,
      destination,
      mergeVersionMaps(
        entryOf(earlier, destination) ?? {},
        results.filter(result => result.destination === destination)
      )
    )
  }
  return map
}
