import type { PublishDetails, Version } from '../cluster/types.js'
import type { VersionType } from '../core/config.js'
import { PromotionError } from './failure.js'

const VERSION_TYPES: readonly VersionType[] = ['major', 'minor', 'revision']

/**
 * The destination version carries what the source version had: its sample
 * input, callability and insights setting, and notes that quote the source's
 * after `header` (which names the source version and commit). The
 * `release-notes` input replaces the notes, nothing else.
 */
export function publishDetails(header: string, version: Version | undefined, releaseNotesInput: string | undefined): PublishDetails {
  const info = version?.version_info
  const callability = version?.settings?.algorithm_callability
  return {
    releaseNotes: releaseNotesInput ?? releaseNotes(header, info?.release_notes),
    ...(info?.sample_input !== undefined ? { sampleInput: info.sample_input } : {}),
    ...(typeof info?.insights_enabled === 'boolean' ? { insightsEnabled: info.insights_enabled } : {}),
    ...(callability === 'public' || callability === 'private' ? { callability } : {})
  }
}

function releaseNotes(header: string, sourceNotes: string | undefined): string {
  const notes = sourceNotes?.trim()
  if (!notes) return header
  const quoted = notes
    .split('\n')
    .map(line => `> ${line}`.trimEnd())
    .join('\n')
  return `${header}\n\nSource release notes:\n${quoted}`
}

export function nextVersion(previous: string | undefined, type: VersionType): string {
  const [major, minor, revision] = (previous ?? '0.0.0').split('.').map(Number)
  if (type === 'major') return `${major + 1}.0.0`
  if (type === 'minor') return `${major}.${minor + 1}.0`
  return `${major}.${minor}.${revision + 1}`
}

/** The newest of the published versions (the list order is not trusted). */
export function latestVersion(versions: readonly Version[]): string | undefined {
  const semvers = versions.map(v => v.version_info.semantic_version).filter((v): v is string => !!v)
  return semvers.sort(compareSemver).at(-1)
}

function compareSemver(a: string, b: string): number {
  const pa = a.split('.').map(Number)
  const pb = b.split('.').map(Number)
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i]
  return 0
}

/**
 * `version-type: match`: the one bump that turns the destination's latest
 * version into the source's, or an error with both versions and the choices.
 */
export function matchVersionType(sourceVersion: string | undefined, destinationLatest: string | undefined, where: string): VersionType {
  if (!sourceVersion) {
    throw new PromotionError(
      `version-type is 'match', but the promoted commit is not a published version on the source, so there is no version number to match. Promote a published version (source-version), or use version-type major, minor or revision.`
    )
  }
  const found = VERSION_TYPES.find(type => nextVersion(destinationLatest, type) === sourceVersion)
  if (found) return found
  const choices = VERSION_TYPES.map(type => `${type} → ${nextVersion(destinationLatest, type)}`).join(', ')
  throw new PromotionError(
    `version-type is 'match', but no single publish on ${where} reaches the source's version ${sourceVersion} from its latest version ${destinationLatest ?? '(none)'}: ${choices}. Nothing was published. Use one of these version types, or promote the source versions in between first.`
  )
}
