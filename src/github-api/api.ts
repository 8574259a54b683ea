import { Octokit } from '@octokit/rest'
import { transportFetch } from '../http/transport.js'
import type { Logger } from '../util/log.js'
import { withRetry, type RetryAdvice, type RetryPolicy } from '../util/retry.js'
import type { GitHubContext } from './context.js'
import { truncate } from './text.js'

export type DeploymentState = 'in_progress' | 'success' | 'failure' | 'error'

export interface NewDeployment {
  readonly ref: string
  readonly environment: string
  readonly description: string
  readonly payload: Record<string, unknown>
  readonly productionEnvironment: boolean
}

export interface NewDeploymentStatus {
  readonly state: DeploymentState
  readonly description: string
  readonly environmentUrl?: string
  readonly logUrl?: string
}

export interface IssueComment {
  readonly id: number
  readonly body: string
  readonly url: string
  /** `user.type`: 'Bot' for a GitHub App's token (such as `github.token`), 'User' for a person. */
  readonly authorType?: string
}

/** GitHub's limit for a deployment status description. */
export const STATUS_DESCRIPTION_LIMIT = 140

/**
 * The few REST endpoints the records use, with bounded retries for transient
 * failures (no response, 5xx, rate limits) and a time limit per request.
 * Errors are Octokit's RequestError (`status`, `response`); `explainGitHubFailure` words them.
 */
export class GitHubApi {
  private readonly octokit: Octokit
  private readonly owner: string
  private readonly repo: string

  constructor(
    token: string,
    context: GitHubContext,
    private readonly retry: RetryPolicy,
    private readonly logger: Logger
  ) {
    this.owner = context.owner
    this.repo = context.repo
    this.octokit = new Octokit({
      auth: token,
      baseUrl: context.apiUrl,
      userAgent: 'algorithmia-promote',
      // The tool's one transport: the runner's proxy and CA certificates apply to GitHub as to the clusters.
      request: { fetch: transportFetch },
      // Octokit logs each request; that goes to the debug log only (our own warnings say what failed).
      log: {
        debug: () => {},
        info: message => logger.debug(message),
        warn: message => logger.debug(message),
        error: message => logger.debug(message)
      }
    })
  }

  async createDeployment(deployment: NewDeployment): Promise<number> {
    const { data } = await this.call('create a deployment', signal =>
      this.octokit.rest.repos.createDeployment({
        owner: this.owner,
        repo: this.repo,
        ref: deployment.ref,
        task: 'deploy',
        environment: deployment.environment,
        description: deployment.description,
        payload: deployment.payload,
        // The ref is the workflow's commit, not what is deployed: no merging, no waiting for checks.
        auto_merge: false,
        required_contexts: [],
        transient_environment: false,
        production_environment: deployment.productionEnvironment,
        request: { signal }
      })
    )
    // 202 means GitHub tried to merge the default branch into the ref (only with auto_merge); not a deployment.
    if (!('id' in data)) throw new Error(`GitHub created no deployment: ${data.message ?? 'no id in the answer'}`)
    return data.id
  }

  async createDeploymentStatus(deploymentId: number, status: NewDeploymentStatus): Promise<void> {
    await this.call('set a deployment status', signal =>
      this.octokit.rest.repos.createDeploymentStatus({
        owner: this.owner,
        repo: this.repo,
        deployment_id: deploymentId,
        state: status.state,
        description: truncate(status.description, STATUS_DESCRIPTION_LIMIT),
        ...(status.environmentUrl ? { environment_url: status.environmentUrl } : {}),
        ...(status.logUrl ? { log_url: status.logUrl } : {}),
        // Each deployment is one algorithm; one algorithm's success must not retire the others' deployments.
        auto_inactive: false,
        request: { signal }
      })
    )
  }

  async listIssueComments(issue: number): Promise<IssueComment[]> {
    const comments = await this.call('list the pull request comments', signal =>
      this.octokit.paginate(this.octokit.rest.issues.listComments, {
        owner: this.owner,
        repo: this.repo,
        issue_number: issue,
        per_page: 100,
        request: { signal }
      })
    )
    return comments.map(commentOf)
  }

  async createIssueComment(issue: number, body: string): Promise<IssueComment> {
    const { data } = await this.call('comment on the pull request', signal =>
      this.octokit.rest.issues.createComment({ owner: this.owner, repo: this.repo, issue_number: issue, body, request: { signal } })
    )
    return commentOf(data)
  }

  async updateIssueComment(commentId: number, body: string): Promise<IssueComment> {
    const { data } = await this.call('update the plan comment', signal =>
      this.octokit.rest.issues.updateComment({ owner: this.owner, repo: this.repo, comment_id: commentId, body, request: { signal } })
    )
    return commentOf(data)
  }

  /** One request with retries; each attempt has its own time limit. */
  private call<T>(what: string, attempt: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const timeoutMs = this.retry.attemptTimeoutMs
    return withRetry(
      this.retry,
      {
        adviseOn: retryAdvice,
        onRetry: (error, attemptNumber, delayMs) =>
          this.logger.debug(`GitHub: could not ${what} (attempt ${attemptNumber}: ${describeStatus(error)}); retrying in ${delayMs} ms`)
      },
      () => attempt(AbortSignal.timeout(timeoutMs))
    )
  }
}

interface CommentData {
  readonly id: number
  readonly body?: string | null
  readonly html_url: string
  readonly user?: { readonly type?: string } | null
}

function commentOf(data: CommentData): IssueComment {
  return { id: data.id, body: data.body ?? '', url: data.html_url, authorType: data.user?.type }
}

interface RequestErrorShape {
  readonly status?: number
  readonly message?: string
  readonly response?: { readonly headers?: Record<string, string | undefined>; readonly data?: unknown }
}

function errorShape(error: unknown): RequestErrorShape {
  return typeof error === 'object' && error !== null ? (error as RequestErrorShape) : {}
}

/** Octokit reports "no answer at all" (refused, reset, timed out) as status 500 without a response. */
function gotNoResponse(error: unknown): boolean {
  const shape = errorShape(error)
  return shape.status === 500 && shape.response === undefined
}

function isRateLimited(error: unknown): boolean {
  const { status, response } = errorShape(error)
  if (status === 429) return true
  if (status !== 403) return false
  const headers = response?.headers ?? {}
  const message = messageOf(error)
  return headers['retry-after'] !== undefined || headers['x-ratelimit-remaining'] === '0' || /rate limit/i.test(message)
}

function retryAfterMs(error: unknown): number | undefined {
  const value = errorShape(error).response?.headers?.['retry-after']
  const seconds = value === undefined ? NaN : Number(value)
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined
}

function retryAdvice(error: unknown): RetryAdvice {
  const { status } = errorShape(error)
  if (gotNoResponse(error) || isRateLimited(error)) return { retry: true, afterMs: retryAfterMs(error) }
  if (status === 500 || status === 502 || status === 503 || status === 504) return { retry: true }
  return { retry: false }
}

/** GitHub's own message (with its validation errors), without the documentation link. */
function messageOf(error: unknown): string {
  const shape = errorShape(error)
  const data = shape.response?.data as { message?: unknown; errors?: unknown } | undefined
  if (data && typeof data === 'object' && typeof data.message === 'string') {
    const details = Array.isArray(data.errors)
      ? data.errors
          .map(item =>
            typeof item === 'string'
              ? item
              : typeof item?.message === 'string'
                ? item.message
                : [item?.field, item?.code].filter(Boolean).join(' ')
          )
          .filter(Boolean)
      : []
    return details.length > 0 ? `${data.message}: ${details.join('; ')}` : data.message
  }
  return error instanceof Error ? error.message : String(error)
}

function describeStatus(error: unknown): string {
  const { status } = errorShape(error)
  return gotNoResponse(error) ? `no answer: ${messageOf(error)}` : `${status} ${messageOf(error)}`
}

/** Which permission a kind of record needs, for the 403 advice. */
export type RecordKind = 'deployments' | 'comment'

/**
 * Why a GitHub request failed and what to do about it, for a warning.
 * `apiUrl` is named when GitHub could not be reached.
 */
export function explainGitHubFailure(error: unknown, kind: RecordKind, context: Pick<GitHubContext, 'apiUrl' | 'owner' | 'repo'>): string {
  const { status } = errorShape(error)
  const message = messageOf(error)
  if (gotNoResponse(error))
    return `GitHub's API at ${context.apiUrl} did not answer (${message}); on GitHub Enterprise Server, check GITHUB_API_URL`
  if (status === 401) return `GitHub rejected the github-token (401 ${message}): pass a valid token, such as \${{ github.token }}`
  if (isRateLimited(error)) return `GitHub's API rate limit was reached (${status} ${message}); the records of this run are incomplete`
  if (status === 403) {
    return kind === 'deployments'
      ? `the github-token may not create deployments (403 ${message}): give the job 'permissions: deployments: write'`
      : `the github-token may not comment on pull requests (403 ${message}): give the job 'permissions: pull-requests: write' (a pull request from a fork gets a read-only token, so no comment is possible there)`
  }
  if (status === 404) {
    return `GitHub answered 404 for ${context.owner}/${context.repo} (${message}): the repository does not exist or the github-token cannot see it${kind === 'deployments' ? " (a fine-grained token needs 'Deployments: write')" : ''}`
  }
  if (status === 422) return `GitHub refused the request (422 ${message})`
  return status === undefined ? message : `GitHub answered ${status} (${message})`
}

/** Whether a failure will repeat for every further request of the same kind (so one warning is enough). */
export function failsEveryRequest(error: unknown): boolean {
  const { status } = errorShape(error)
  return gotNoResponse(error) || isRateLimited(error) || status === 401 || status === 403 || status === 404
}
