import type { RunContext, Target } from '../pipeline/stage.js'
import type { CommitMessageFacts } from '../promotion/commit-message.js'
import type { ResolvedSource } from './resolve-source.js'

/** What a commit message and release notes may say about a promotion. */
export function promotionFacts(target: Target & ResolvedSource, context: RunContext): CommitMessageFacts {
  return {
    algorithm: target.algorithm,
    sourceCluster: context.config.source.cluster.label,
    sourceOwner: context.config.source.algoOwner,
    sourceCommit: target.source.commit,
    sourceVersion: target.source.version,
    destCluster: target.session.account.cluster.label,
    destOwner: target.session.account.algoOwner
  }
}
