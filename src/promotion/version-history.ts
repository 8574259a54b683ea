import semver from 'semver'
import type { Version } from '../cluster/types.js'
import type { SourceVersionSet, VersionType } from '../core/config.js'
import { readPromotionMarker } from './commit-message.js'
import { matchVersionType, nextVersion } from './version-details.js'

/** A published source version, as the versions listing gives it. */
export interface SourcePublishedVersion {
  readonly version: string
  readonly commit: string
  readonly visibility?: 'public' | 'private'
  readonly releaseNotes?: string
}

/** A published destination version; its release notes may name the source version it came from. */
export interface DestinationPublishedVersion {
  readonly version: string
  readonly commit: string
  readonly releaseNotes?: string
}

/** One source version to promote and publish, in the order the plan lists them. */
export interface ReplayStep {
  readonly sourceVersion: string
  readonly sourceCommit: string
  readonly visibility?: 'public' | 'private'
  /** The bump to publish with: the one that reaches `sourceVersion` if one does, else the one the source used. */
  readonly bump: VersionType
  /** The number this bump gives on the destination, once the steps before it are published. */
  readonly destinationVersion: string
  /** The destination's latest version before this step (undefined: none yet). */
  readonly destinationBefore?: string
  /** The destination number is the source's. */
  readonly matched: boolean
}

/** A selected source version the destination already holds (its release notes name it). */
export interface PresentVersion {
  readonly sourceVersion: string
  readonly sourceCommit: string
  readonly destinationVersion: string
  readonly destinationCommit: string
}

export interface ReplayPlan {
  /** Oldest first. */
  readonly replay: readonly ReplayStep[]
  /** Oldest first. */
  readonly present: readonly PresentVersion[]
}

const BUMPS: readonly VersionType[] = ['major', 'minor', 'revision']

/**
 * Which selected source versions to publish on the destination, oldest first, and with which bump. No
 * request and no tree: a version counts as present when a destination version's release notes carry the
 * marker naming that source version and commit (`readPromotionMarker`); a destination version with the same
 * number but no marker is someone else's, and the source version is published after it.
 */
export function planVersionReplay(
  source: readonly SourcePublishedVersion[],
  selection: SourceVersionSet,
  destination: readonly DestinationPublishedVersion[]
): ReplayPlan {
  const ordered = source.filter(entry => semver.valid(entry.version) !== null).sort((a, b) => semver.compare(a.version, b.version))
  const held = heldSourceVersions(destination)
  const replay: ReplayStep[] = []
  const present: PresentVersion[] = []
  let latest = latestOf(destination.map(entry => entry.version))
  for (const [index, entry] of ordered.entries()) {
    if (!selected(entry.version, selection)) continue
    const holder = held.get(markerKey(entry.version, entry.commit))
    if (holder) {
      present.push({
        sourceVersion: entry.version,
        sourceCommit: entry.commit,
        destinationVersion: holder.version,
        destinationCommit: holder.commit
      })
      continue
    }
    const step = replayStep(entry, ordered[index - 1]?.version, latest)
    replay.push(step)
    latest = step.destinationVersion
  }
  return { replay, present }
}

/**
 * The bump that produced `version` from the source's previous published version. A first publish counts
 * from nothing, as the cluster numbers it (minor → 0.1.0, major → 1.0.0, revision → 0.0.1). A history
 * with a gap (no single bump reaches it) takes the highest part that changed.
 */
export function sourceBump(previous: string | undefined, version: string): VersionType {
  const exact = BUMPS.find(type => nextVersion(previous, type) === version)
  if (exact) return exact
  const before = previous ?? '0.0.0'
  if (semver.major(version) !== semver.major(before)) return 'major'
  return semver.minor(version) !== semver.minor(before) ? 'minor' : 'revision'
}

/**
 * The published versions of a versions listing (`listVersions(owner, name, { published: true })`) as the
 * plan reads them: `version_info.semantic_version`, `git_hash`, `release_notes` and the version's
 * `settings.algorithm_callability`. An entry without a number (an unpublished build) is left out.
 */
export function publishedVersionsOf(listed: readonly Version[]): SourcePublishedVersion[] {
  return listed.flatMap(({ version_info: info, settings }) => {
    if (!info.semantic_version) return []
    const callability = settings?.algorithm_callability
    return [
      {
        version: info.semantic_version,
        commit: info.git_hash,
        ...(callability === 'public' || callability === 'private' ? { visibility: callability } : {}),
        ...(info.release_notes !== undefined ? { releaseNotes: info.release_notes } : {})
      }
    ]
  })
}

/** The newest published source version in the selection, or undefined when it selects none. */
export function newestSelected(source: readonly SourcePublishedVersion[], selection: SourceVersionSet): string | undefined {
  return latestOf(source.map(entry => entry.version).filter(version => semver.valid(version) !== null && selected(version, selection)))
}

/**
 * With `version-type: match`, a step that does not reproduce the source's number is refused with the
 * same error a single promotion gives (naming both versions and the bumps that were possible).
 */
export function requireMatched(step: ReplayStep, where: string): void {
  if (!step.matched) matchVersionType(step.sourceVersion, step.destinationBefore, where)
}

function replayStep(entry: SourcePublishedVersion, previousSource: string | undefined, destinationBefore: string | undefined): ReplayStep {
  const reaching = BUMPS.find(type => nextVersion(destinationBefore, type) === entry.version)
  const bump = reaching ?? sourceBump(previousSource, entry.version)
  const destinationVersion = nextVersion(destinationBefore, bump)
  return {
    sourceVersion: entry.version,
    sourceCommit: entry.commit,
    ...(entry.visibility ? { visibility: entry.visibility } : {}),
    bump,
    destinationVersion,
    ...(destinationBefore ? { destinationBefore } : {}),
    matched: destinationVersion === entry.version
  }
}

/** Destination versions by the source version and commit their marker names; the oldest one wins. */
function heldSourceVersions(destination: readonly DestinationPublishedVersion[]): Map<string, DestinationPublishedVersion> {
  const held = new Map<string, DestinationPublishedVersion>()
  const oldestFirst = destination.filter(entry => semver.valid(entry.version) !== null).sort((a, b) => semver.compare(a.version, b.version))
  for (const entry of oldestFirst) {
    const marker = readPromotionMarker(entry.releaseNotes)
    if (!marker?.sourceVersion) continue
    const key = markerKey(marker.sourceVersion, marker.sourceCommit)
    if (!held.has(key)) held.set(key, entry)
  }
  return held
}

function markerKey(version: string, commit: string): string {
  return `${version} ${commit.toLowerCase()}`
}

function selected(version: string, selection: SourceVersionSet): boolean {
  return selection.kind === 'all' || semver.satisfies(version, selection.range)
}

function latestOf(versions: readonly string[]): string | undefined {
  return versions
    .filter(version => semver.valid(version) !== null)
    .sort(semver.compare)
    .at(-1)
}
