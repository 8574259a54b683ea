/**
 * Whether a destination satisfies an algorithm reference, by the rules a
 * cluster resolves a call with (the spec's algoCallableVersion, as the
 * emulator implements it):
 * - a full version (`1.2.3`) is that published version, public or private;
 * - `1.2.*` and `1.*` take the newest public version they match;
 * - no version takes the newest public version;
 * - `latestPrivate` and a git hash name the owner's own builds, which the
 *   published list cannot show: they need only the algorithm to exist (and the
 *   caller to be its owner), and the check says so.
 *
 * Who calls is the promoted algorithm, so its owner at the destination. A
 * private version (and latestPrivate, and a hash) is callable only when that
 * owner is the referenced algorithm's owner. Organization membership may
 * allow more on a real cluster; nothing public says so for calls between
 * algorithms, so the check assumes the stricter rule and may warn where a
 * call would work.
 */
import semver from 'semver'
import { type AlgorithmReference, type VersionForm, describeVersion } from './references.js'

export interface PublishedVersion {
  readonly version: string
  readonly visibility: 'public' | 'private'
}

/** What the destination cluster holds of the referenced algorithm (undefined: not asked, or not there). */
export interface DestinationAlgorithm {
  readonly exists: boolean
  readonly published: readonly PublishedVersion[]
}

export interface CheckContext {
  readonly sourceOwner: string
  readonly destinationOwner: string
}

export interface ReferenceCheck {
  readonly status: 'satisfied' | 'unmet'
  /** Why it is unmet, or what a satisfied check could not see (latestPrivate, a hash). */
  readonly reason?: string
  /**
   * The reference names the source owner while the destination owner differs: at the destination the call
   * still goes to the source owner's algorithm. Reported, never rewritten.
   */
  readonly namesSourceOwner: boolean
}

/** Whether a version form accepts a published version (latest, latestPrivate and a hash accept any). */
export function acceptsVersion(form: VersionForm, version: string): boolean {
  if (semver.valid(version) === null) return false
  switch (form.kind) {
    case 'semver':
      return semver.eq(version, form.version)
    case 'minor':
      return semver.satisfies(version, `${form.major}.${form.minor}.x`)
    case 'major':
      return semver.satisfies(version, `${form.major}.x`)
    default:
      return true
  }
}

export function checkReference(
  reference: Pick<AlgorithmReference, 'owner' | 'name' | 'version'>,
  destination: DestinationAlgorithm | undefined,
  context: CheckContext
): ReferenceCheck {
  const namesSourceOwner = sameOwner(reference.owner, context.sourceOwner) && !sameOwner(context.sourceOwner, context.destinationOwner)
  const verdict = versionVerdict(reference, destination, sameOwner(reference.owner, context.destinationOwner))
  return { ...verdict, namesSourceOwner }
}

type Verdict = Omit<ReferenceCheck, 'namesSourceOwner'>

function versionVerdict(
  reference: Pick<AlgorithmReference, 'owner' | 'name' | 'version'>,
  destination: DestinationAlgorithm | undefined,
  callerIsOwner: boolean
): Verdict {
  const wanted = `${reference.name} ${describeVersion(reference.version)}`
  if (!destination?.exists) return unmet(`${reference.owner}/${reference.name} does not exist at the destination`)
  const kind = reference.version.kind
  if (kind === 'latestPrivate' || kind === 'hash') return ownBuilds(reference, callerIsOwner)
  const callable = destination.published.filter(v => v.visibility === 'public' || (kind === 'semver' && callerIsOwner))
  if (callable.some(v => acceptsVersion(reference.version, v.version))) return { status: 'satisfied' }
  // Only a full version reaches a private release; pins and latest never do, whoever calls.
  const hidden = destination.published.filter(
    v => kind === 'semver' && !callable.includes(v) && acceptsVersion(reference.version, v.version)
  )
  if (hidden.length > 0) return unmet(`${wanted} is published only as private (${listed(hidden)}), callable by ${reference.owner} alone`)
  const what = kind === 'latest' ? `${reference.name} has no public version` : `${wanted} is not published`
  return unmet(`${what} at the destination; it holds ${holdings(destination.published)}`)
}

/** latestPrivate and a hash: the owner's builds, which the published list cannot confirm. */
function ownBuilds(reference: Pick<AlgorithmReference, 'owner' | 'name' | 'version'>, callerIsOwner: boolean): Verdict {
  const wanted = `${reference.name} ${describeVersion(reference.version)}`
  if (!callerIsOwner) return unmet(`${wanted} is callable by ${reference.owner} alone`)
  return { status: 'satisfied', reason: `${wanted} names the owner's own builds: checked only that ${reference.name} exists` }
}

function holdings(published: readonly PublishedVersion[]): string {
  return published.length === 0 ? 'no published version' : listed(published)
}

/** Versions in ascending order, private ones marked. */
function listed(versions: readonly PublishedVersion[]): string {
  const valid = versions.filter(v => semver.valid(v.version) !== null)
  const sorted = [...valid].sort((a, b) => semver.compare(a.version, b.version))
  return sorted.map(v => (v.visibility === 'private' ? `${v.version} (private)` : v.version)).join(', ')
}

function unmet(reason: string): Verdict {
  return { status: 'unmet', reason }
}

/** Owner names compare without case, as the clusters' account answers do. */
function sameOwner(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase()
}
