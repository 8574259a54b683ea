import { isPlainObject } from '../util/json.js'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { InputError } from '../inputs/input-error.js'
import type { PromotionResult } from '../promotion/result.js'

/** `{"<algorithm>": {"<source version>": "<destination version>"}}` */
export type VersionMap = Record<string, Record<string, string>>

/** With the `destinations` input the map has one level more: `{"<destination>": VersionMap}`. */
export type PerDestinationVersionMap = Record<string, VersionMap>

export type VersionMapOutput = VersionMap | PerDestinationVersionMap

/**
 * Entries for the promotions that succeeded. Source version: the published
 * semver at the promoted commit, else the commit; destination version: the
 * semver published in this run, else the semver the unchanged destination head
 * already carries, else the destination commit.
 */
export function versionMapOf(results: readonly PromotionResult[]): VersionMap {
  const map: VersionMap = {}
  for (const result of results) {
    if (!isRecorded(result)) continue
    const entries = (map[result.algorithm] ??= {})
    entries[result.sourceVersion || result.sourceCommit] = destinationVersion(result)
  }
  return map
}

function destinationVersion(result: PromotionResult): string {
  return result.destVersion || result.destHeadVersion || result.destCommit
}

/**
 * The file's earlier entries are kept. A new promotion replaces the entry for
 * its source version; an unchanged one only fills a gap or names the version
 * of a commit the entry had as a bare hash, so a re-run never replaces
 * "1.2.0 → 0.3.0" with a bare commit hash.
 */
export function mergeVersionMaps(earlier: VersionMap, results: readonly PromotionResult[]): VersionMap {
  const merged: VersionMap = structuredClone(earlier)
  for (const result of results) {
    if (!isRecorded(result)) continue
    const entries = (merged[result.algorithm] ??= {})
    const key = result.sourceVersion || result.sourceCommit
    const known = entries[key]
    if (result.status !== 'unchanged' || known === undefined || (known === result.destCommit && result.destHeadVersion)) {
      entries[key] = destinationVersion(result)
    }
  }
  return merged
}

function isRecorded(result: PromotionResult): boolean {
  return (result.status === 'created' || result.status === 'updated' || result.status === 'unchanged') && Boolean(result.destCommit)
}

/**
 * Reads the map a previous run wrote; a missing file is an empty map, anything
 * unreadable or of the other shape is refused (and left untouched).
 */
export async function readVersionMapFile(file: string, perDestination: boolean, input = 'version-map-file'): Promise<VersionMapOutput> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {}
    throw new InputError([{ input, message: `'${file}' cannot be read (${(error as Error).message}): check the path and permissions` }])
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new InputError([
      { input, message: `'${file}' is not valid JSON (${(error as Error).message}); it was left untouched. Fix or delete the file.` }
    ])
  }
  const expected = perDestination
    ? '{"<destination>": {"<algorithm>": {"<source version>": "<destination version>"}}}, as the destinations input writes it'
    : '{"<algorithm>": {"<source version>": "<destination version>"}}'
  if (perDestination && isPerDestinationMap(parsed)) return parsed
  if (!perDestination && isVersionMap(parsed)) return parsed
  throw new InputError([
    { input, message: `'${file}' is not a version map of the shape ${expected}; it was left untouched. Fix the file, or use another one.` }
  ])
}

/** Writes through a temporary file and a rename, so a reader never sees half a map. */
export async function writeVersionMapFile(file: string, map: VersionMapOutput): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true })
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`)
  try {
    await writeFile(temporary, `${JSON.stringify(map, null, 2)}\n`, 'utf8')
    await rename(temporary, file)
  } finally {
    await rm(temporary, { force: true })
  }
}

function isVersionMap(value: unknown): value is VersionMap {
  return (
    isPlainObject(value) &&
    Object.values(value).every(entries => isPlainObject(entries) && Object.values(entries).every(version => typeof version === 'string'))
  )
}

function isPerDestinationMap(value: unknown): value is PerDestinationVersionMap {
  return isPlainObject(value) && Object.values(value).every(isVersionMap)
}
