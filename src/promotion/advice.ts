/**
 * Sentences that more than one failure path gives, written once so that the
 * same problem always reads the same way, whichever step meets it.
 */
import type { ClusterAccount } from '../core/config.js'

export function missingCommitAdvice(repository: string, commit: string): string {
  return `${repository} has no commit ${commit}. Check source-version: give a published version, a commit of the source algorithm, or leave it empty for the latest commit.`
}

export function missingAlgorithmAdvice(account: ClusterAccount, algorithm: string): string {
  return `the algorithm ${account.algoOwner}/${algorithm} does not exist on ${account.cluster.label}. Check the names in 'algorithms' and ${account.inputName('algo-owner')} (names are case-sensitive).`
}
