import { randomUUID } from 'node:crypto'
import { isPlainObject } from '../util/json.js'
import { lstat, mkdir, readFile, readlink, rename, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { InputError } from '../core/input-error.js'
import type { PromotionResult } from '../promotion/result.js'
import { ensureEntry, entryOf, setEntry } from '../util/records.js'

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
    recordHistory(map, result)
    if (!isRecorded(result)) continue
    const entries = ensureEntry(map, result.algorithm, () => ({}))
    setEntry(entries, result.sourceVersion || result.sourceCommit, destinationVersion(result))
  }
  return map
}

function destinationVersion(result: PromotionResult): string {
  return result.destVersion || result.destHeadVersion || result.destCommit
}

/**
 * The file's earlier entries are kept. A new promotion replaces the entry for
 * its source version; an unchanged one only fills a gap or names the version
 * of a commit the entry had as a bare hash (published earlier, or by this run
 * catching up), so a re-run never replaces
 * "1.2.0 → 0.3.0" with a bare commit hash.
 */
export function mergeVersionMaps(earlier: VersionMap, results: readonly PromotionResult[]): VersionMap {
  const merged: VersionMap = copyVersionMap(earlier)
  for (const result of results) {
    recordHistory(merged, result)
    if (!isRecorded(result)) continue
    const entries = ensureEntry(merged, result.algorithm, () => ({}))
    const key = result.sourceVersion || result.sourceCommit
    const known = entryOf(entries, key)
    if (
      result.status !== 'unchanged' ||
      known === undefined ||
      (known === result.destCommit && (result.destVersion || result.destHeadVersion))
    ) {
      setEntry(entries, key, destinationVersion(result))
    }
  }
  return merged
}

/**
 * A replayed history maps each source version to its destination version, also when the replay
 * stopped part way (what was published before the failure stands); planned versions are not recorded.
 */
function recordHistory(map: VersionMap, result: PromotionResult): void {
  const versions = (result.versions ?? []).filter(version => version.status !== 'planned')
  if (versions.length === 0) return
  const entries = ensureEntry(map, result.algorithm, () => ({}))
  for (const version of versions) setEntry(entries, version.sourceVersion, version.destVersion)
}

/** A copy that keeps every key an own property (structuredClone would turn a `__proto__` key into a prototype). */
function copyVersionMap(map: VersionMap): VersionMap {
  const copy: VersionMap = {}
  for (const [algorithm, entries] of Object.entries(map)) setEntry(copy, algorithm, Object.assign({}, entries))
  return copy
}

function isRecorded(result: PromotionResult): boolean {
  return (result.status === 'created' || result.status === 'updated' || result.status === 'unchanged') && Boolean(result.destCommit)
}

/**
 * Reads the map a previous run wrote; a missing file is an empty map, anything
 * unreadable or of the other shape is refused (and left untouched).
 */
export async function readVersionMapFile(file: string, perDestination: boolean, input = 'version-map-file'): Promise<VersionMapOutput> {
  if (/[/\\]$/.test(file) || (await stat(file).catch(() => undefined))?.isDirectory()) {
    throw new InputError([
      {
        input,
        message: `'${file}' names a directory: give the path of a file, such as 'versions.json' (relative to the workspace) or 'maps/versions.json'`
      }
    ])
  }
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

/**
 * Writes through a temporary file and a rename, so a reader never sees half a
 * map. A symbolic link is written through: the file it points to is replaced,
 * the link stays.
 */
export async function writeVersionMapFile(file: string, map: VersionMapOutput): Promise<void> {
  const target = await linkTarget(path.resolve(file))
  await mkdir(path.dirname(target), { recursive: true })
  const temporary = path.join(path.dirname(target), `.${path.basename(target)}.${randomUUID()}.tmp`)
  try {
    await writeFile(temporary, `${JSON.stringify(map, null, 2)}\n`, 'utf8')
    await rename(temporary, target)
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

/** Where a chain of symbolic links ends (also when its target does not exist yet); `file` itself when it is no link. */
async function linkTarget(file: string): Promise<string> {
  let current = file
  for (let hops = 0; hops < 40; hops++) {
    const stats = await lstat(current).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined
      throw error
    })
    if (!stats?.isSymbolicLink()) return current
    current = path.resolve(path.dirname(current), await readlink(current))
  }
  throw new Error(`'${file}' is a chain of more than 40 symbolic links`)
}
