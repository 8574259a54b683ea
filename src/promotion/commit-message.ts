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

export function defaultReleaseNotes(facts: CommitMessageFacts): string {
  const version = facts.sourceVersion ? `version ${facts.sourceVersion} (commit ${facts.sourceCommit})` : `commit ${facts.sourceCommit}`
  return `Promoted from ${facts.sourceCluster} ${facts.sourceOwner}/${facts.algorithm} ${version}.`
}
