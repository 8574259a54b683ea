import { ClusterApiError, ClusterRedirectError, ClusterUnreachableError } from '../cluster/errors.js'
import { GitError } from '../git/git-error.js'
import { privateAuthorityAdvice } from '../http/certificate.js'
import { proxyFor, proxyLabel, proxyVariableFor } from '../http/proxy.js'
import type { ClusterAccount } from '../core/config.js'
import { missingAlgorithmAdvice, missingCommitAdvice } from './advice.js'
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

function explainCause(error: unknown, context: FailureContext): string {
  if (error instanceof GitError && (error.certificateProblem || error.proxyProblem)) return explainGitTransport(error)
  if (error instanceof GitError && !isOnAccount(error, context)) return explainOtherSide(error, context)
  const { account, role, algorithm } = context
  const input = account.inputName
  const missing = error instanceof GitError ? error.missingCommit : undefined
  if (missing) {
    return missingCommitAdvice(error instanceof GitError ? error.repository : account.cluster.label, missing)
  }
  if (error instanceof ClusterRedirectError) {
    return `${error.message}. Set ${input('api-url')} (or ${input('cluster')}) to the address the API answers on itself.`
  }
  if (error instanceof GitError && error.redirected) {
    return `${error.message}. The git server answered with a redirect, which is not followed: the API key would go with it to another address. Set ${input('git-url')} (or ${input('cluster')}) to the address the git service answers on itself.`
  }
  const status = statusOf(error)
  const over = error instanceof GitError ? 'git (HTTP Basic)' : 'the API'
  if (status === 401) {
    return `authentication failed on ${account.cluster.label} (${over}) for the API key owned by '${account.keyOwner}'. Check that ${input('api-key')} is a valid standard (not admin) key of '${account.keyOwner}' on ${account.cluster.label}, and that ${input('api-key-owner')} names its owner (git signs in as that name).`
  }
  if (status === 403) {
    const mayNotExist =
      role === 'destination'
        ? ` If '${account.algoOwner}' does not exist on ${account.cluster.label} yet, create it first: users and organizations must exist on the destination before algorithms are promoted to them (an administrator can create them with the admin API, or this action with create-owner: true and admin keys), or fix ${input('algo-owner')}.`
        : ''
    return `the API key owned by '${account.keyOwner}' may not manage the algorithms of '${account.algoOwner}' on ${account.cluster.label}. Give the key the "manage my algorithms" permission, and use a key of '${account.algoOwner}' or make '${account.keyOwner}' a member of the organization '${account.algoOwner}'.${mayNotExist}`
  }
  if (status === 404 && role === 'source') {
    return missingAlgorithmAdvice(account, algorithm)
  }
  if (error instanceof ClusterUnreachableError && error.kind !== 'network') {
    // The reason already says what failed (the certificate, the proxy) and what to do.
    return `${error.cluster}: ${error.method} ${error.path} failed: ${error.reason}`
  }
  if (error instanceof ClusterUnreachableError) {
    return `${error.message}, even after retries. Check ${input('cluster')} (or ${input('api-url')}) and that the cluster is up.`
  }
  if (error instanceof ClusterApiError && error.transient) {
    return `${error.message}, even after retries. The cluster is failing; try again later.`
  }
  if (error instanceof GitError && error.transient) {
    const proxy = proxyFor(account.cluster.gitUrl)
    const throughProxy = proxy
      ? ` git goes through the proxy ${proxyLabel(proxy)} (${proxyVariableFor(account.cluster.gitUrl)}): check it too, or list the cluster in NO_PROXY.`
      : ''
    return `${error.message}, even after retries. Check ${input('cluster')} (or ${input('git-url')}) and that the cluster's git service is up.${throughProxy}`
  }
  return error instanceof Error ? error.message : String(error)
}

/** A certificate git refused or a proxy that failed: the cluster is not at fault, the path to it is. */
function explainGitTransport(error: GitError): string {
  const certificate = error.certificateProblem
  if (certificate) {
    const fix = privateAuthorityAdvice()
    return `git ${error.operation} ${error.repository}: the cluster's TLS certificate was refused (${certificate}). ${fix}`
  }
  return `git ${error.operation} ${error.repository} failed at the proxy (${error.proxyProblem}). Check the proxy (HTTPS_PROXY, HTTP_PROXY, or http.proxy in the runner's git configuration), or list the cluster in NO_PROXY if it must be reached directly.`
}

/**
 * A destination step also reads from the source (its commits and blobs), so a
 * git failure there may concern the source: say so, and point at its inputs.
 */
function explainOtherSide(error: GitError, { role }: FailureContext): string {
  const other = role === 'destination' ? 'source' : 'destination'
  const prefix = other === 'source' ? 'source' : 'dest'
  const missing = error.missingCommit
  if (missing) {
    return missingCommitAdvice(`${error.repository} (the ${other})`, missing)
  }
  if (error.redirected) {
    return `${error.message}. The ${other}'s git server answered with a redirect, which is not followed: the API key would go with it to another address. Set ${prefix}-git-url (or ${prefix}-cluster) to the address the git service answers on itself.`
  }
  const status = error.httpStatus
  if (status === 401) {
    return `git authentication failed on the ${other} repository ${error.repository}. Check that ${prefix}-api-key is a valid standard key and that ${prefix}-api-key-owner names its owner (git signs in as that name).`
  }
  if (status === 403) {
    return `the ${other} key may not read ${error.repository}. Use a key of its owner, or of a member of the owning organization.`
  }
  if (status === 404) return `${error.repository} (the ${other}) was not found: check 'algorithms' and ${prefix}-algo-owner.`
  if (error.transient) return `${error.message}, even after retries. Check that the ${other} cluster's git service is up.`
  return error.message
}

/** Whether a git error concerns the repository of the context's own algorithm (labels are `<cluster> <owner>/<name>`). */
function isOnAccount(error: GitError, { account, algorithm }: FailureContext): boolean {
  return error.repository === 'local' || error.repository === `${account.cluster.label} ${account.algoOwner}/${algorithm}`
}

function statusOf(error: unknown): number | undefined {
  if (error instanceof ClusterApiError) return error.status
  if (error instanceof GitError) return error.httpStatus
  return undefined
}
