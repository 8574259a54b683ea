import { ClusterApiError, ClusterUnreachableError } from '../cluster/errors.js'
import { GitError } from '../git/git-error.js'
import type { ClusterAccount } from '../inputs/config.js'
import type { PromotionStep } from './result.js'

/** An error whose message already says what went wrong and what to do; shown as it is. */
export class PromotionError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'PromotionError'
  }
}

export interface FailureContext {
  readonly algorithm: string
  readonly step: PromotionStep
  /** The cluster the failing request went to. */
  readonly account: ClusterAccount
  readonly role: 'source' | 'destination'
}

/** Turns any error into one sentence naming the algorithm, step and cluster, plus the fix. */
export function explainFailure(error: unknown, context: FailureContext): string {
  const { account, role, algorithm, step } = context
  const where = `${step} for '${algorithm}' on the ${role} cluster ${account.cluster.label}`
  return `${where} failed: ${explainCause(error, context)}`
}

function explainCause(error: unknown, { account, role, algorithm }: FailureContext): string {
  const input = account.inputName
  const status = statusOf(error)
  if (status === 401) {
    return `authentication failed for the API key owned by '${account.keyOwner}'. Check that ${input('api-key')} is a valid standard (not admin) key of '${account.keyOwner}' on ${account.cluster.label}, and that ${input('api-key-owner')} names its owner.`
  }
  if (status === 403) {
    return `the API key owned by '${account.keyOwner}' may not manage the algorithms of '${account.algoOwner}'. Give the key the "manage my algorithms" permission, and use a key of '${account.algoOwner}' or make '${account.keyOwner}' a member of the organization '${account.algoOwner}'.`
  }
  if (status === 404 && role === 'source') {
    return `the algorithm ${account.algoOwner}/${algorithm} does not exist. Check the names in 'algorithms' and ${input('algo-owner')} (names are case-sensitive).`
  }
  if (error instanceof ClusterUnreachableError) {
    return `${error.message}, even after retries. Check ${input('cluster')} (or ${input('api-url')}) and that the cluster is up.`
  }
  if (error instanceof ClusterApiError && error.transient) {
    return `${error.message}, even after retries. The cluster is failing; try again later.`
  }
  if (error instanceof GitError && error.transient) {
    return `${error.message}, even after retries. Check ${input('cluster')} (or ${input('git-url')}) and that the cluster's git service is up.`
  }
  return error instanceof Error ? error.message : String(error)
}

function statusOf(error: unknown): number | undefined {
  if (error instanceof ClusterApiError) return error.status
  if (error instanceof GitError) return error.httpStatus
  return undefined
}
