import type { ClusterAccount } from '../core/config.js'

export interface CommitMessageFacts {
  readonly algorithm: string
  readonly sourceCluster: string
  readonly sourceOwner: string
  readonly sourceCommit: string
  /** Published version, if the commit was published. */
  readonly sourceVersion: string
  readonly destCluster: string
  readonly destOwner: string
}

/** One promotion as far as its facts go: the algorithm, its source revision and its destination. */
export interface PromotionFactsOf {
  readonly algorithm: string
  readonly source: { readonly commit: string; readonly version: string }
  readonly session: { readonly account: ClusterAccount }
}

/** What a commit message and release notes may say about a promotion. */
export function promotionFacts(target: PromotionFactsOf, source: ClusterAccount): CommitMessageFacts {
  return {
    algorithm: target.algorithm,
    sourceCluster: source.cluster.label,
    sourceOwner: source.algoOwner,
    sourceCommit: target.source.commit,
    sourceVersion: target.source.version,
    destCluster: target.session.account.cluster.label,
    destOwner: target.session.account.algoOwner
  }
}

/**
 * Fills the user's template, then always appends trailers with the full
 * source commit: they are the provenance a later run and a reader rely on.
 */
export function commitMessage(template: string, facts: CommitMessageFacts): string {
  const values = new Map<string, string>(
    Object.entries({
      algorithm: facts.algorithm,
      'source-cluster': facts.sourceCluster,
      'source-owner': facts.sourceOwner,
      'source-version': facts.sourceVersion || facts.sourceCommit.slice(0, 12),
      'source-commit': facts.sourceCommit,
      'dest-cluster': facts.destCluster,
      'dest-owner': facts.destOwner
    })
  )
  const subject = template.replace(/\{([^{}]+)\}/g, (whole, name: string) => values.get(name) ?? whole).trim()
  const trailers = [
    `Source-Algorithm: ${facts.sourceCluster}/${facts.sourceOwner}/${facts.algorithm}`,
    ...(facts.sourceVersion ? [`Source-Version: ${facts.sourceVersion}`] : []),
    `Source-Commit: ${facts.sourceCommit}`
  ]
  return `${subject}\n\n${trailers.join('\n')}\n`
}

/**
 * The first line of a destination version's release notes, naming the source version and commit it was
 * promoted from. `readPromotionMarker` reads it back: a replay of the version history decides from it which
 * source versions a destination already holds, so the two are kept side by side.
 */
export function defaultReleaseNotes(facts: CommitMessageFacts): string {
  const version = facts.sourceVersion ? `version ${facts.sourceVersion} (commit ${facts.sourceCommit})` : `commit ${facts.sourceCommit}`
  return `Promoted from ${facts.sourceCluster} ${facts.sourceOwner}/${facts.algorithm} ${version}.`
}

/** What a promotion marker names; `sourceVersion` is '' when a bare commit was promoted. */
export type PromotionMarker = Pick<CommitMessageFacts, 'sourceCluster' | 'sourceOwner' | 'algorithm' | 'sourceVersion' | 'sourceCommit'>

const MARKER = /^Promoted from (\S+) ([^\s/]+)\/(\S+) (?:version (\d+\.\d+\.\d+) \(commit ([0-9a-f]{40,64})\)|commit ([0-9a-f]{40,64}))\.$/

/**
 * The marker `defaultReleaseNotes` wrote, read from the notes' first line only: quoted source notes below
 * it may carry a marker of their own (a version promoted twice, dev → staging → prod), which names the
 * source's source. Notes the `release-notes` input replaced carry no marker: undefined.
 */
export function readPromotionMarker(releaseNotes: string | undefined): PromotionMarker | undefined {
  const firstLine = releaseNotes?.split('\n', 1)[0].trimEnd() ?? ''
  const found = MARKER.exec(firstLine)
  if (!found) return undefined
  const [, sourceCluster, sourceOwner, algorithm, version, versionCommit, bareCommit] = found
  return { sourceCluster, sourceOwner, algorithm, sourceVersion: version ?? '', sourceCommit: versionCommit ?? bareCommit }
}
