import type { PromotionConfig } from '../core/config.js'
import type { RunReport } from '../report/run-report.js'
import { redactingLogger, type Logger } from '../util/log.js'
import type { RetryPolicy } from '../util/retry.js'
import { SecretRegistry } from '../util/secrets.js'
import { explainGitHubFailure, GitHubApi } from './api.js'
import { isPullRequestEvent, pullRequestOf, readGitHubContext, type GitHubContext } from './context.js'
import { DeploymentRecords } from './deployments.js'
import { isPlanComment, planMarker, renderPlanComment, type PlanFacts } from './plan-comment.js'

/** Records a run on GitHub: deployments per destination promotion, and a plan comment on pull requests. */
export interface GitHubRecorder {
  /** Before any promotion: create the deployments and mark them in progress. */
  beforePromotion(): Promise<void>
  /** After the run: final deployment statuses, or the plan comment for a dry run on a pull request. */
  afterPromotion(report: RunReport): Promise<void>
  /** The run stopped without a report (an unexpected error): open deployments get `error` with the reason. */
  abandon(reason: string): Promise<void>
}

/**
 * Undefined when no github-token was given (or the runner's environment names
 * no repository, with a warning). The recorder never throws: every GitHub
 * failure is a warning that says what was not recorded and why.
 *
 * - A real run: one deployment per algorithm × destination, `in_progress`
 *   before the promotion, `success` or `failure` after it.
 * - A dry run (or plan mode) on a `pull_request`/`pull_request_target` event:
 *   no deployments; the plan as one comment on the pull request, updated on
 *   each later dry run.
 */
export function gitHubRecorder(config: PromotionConfig, env: NodeJS.ProcessEnv, logger: Logger): GitHubRecorder | undefined {
  if (!config.github) return undefined
  // The token is masked by the runner already; our own lines never carry it either.
  const token = new SecretRegistry()
  token.add(config.github.token)
  const log = redactingLogger(logger, text => token.redact(text))
  const context = readGitHubContext(env)
  if ('problem' in context) {
    log.warning(`No GitHub deployments or plan comment are recorded: ${context.problem}. The promotion goes on.`)
    return undefined
  }
  return new Recorder(config, context, new GitHubApi(config.github.token, context, recordsRetryPolicy(config.retry), log), log)
}

/**
 * The run's retry policy, capped: the records are secondary to the promotion, so an
 * unreachable or struggling GitHub costs the run seconds, not minutes.
 */
export function recordsRetryPolicy(policy: RetryPolicy): RetryPolicy {
  return {
    maxAttempts: Math.min(policy.maxAttempts, 3),
    baseDelayMs: policy.baseDelayMs,
    maxDelayMs: Math.min(policy.maxDelayMs, 10_000),
    maxTotalDelayMs: Math.min(policy.maxTotalDelayMs, 30_000),
    attemptTimeoutMs: Math.min(policy.attemptTimeoutMs, 20_000)
  }
}

class Recorder implements GitHubRecorder {
  private readonly deployments?: DeploymentRecords

  constructor(
    private readonly config: PromotionConfig,
    private readonly context: GitHubContext,
    private readonly api: GitHubApi,
    private readonly logger: Logger
  ) {
    // A dry run changes nothing, so there is nothing to deploy.
    if (!config.dryRun) this.deployments = new DeploymentRecords(api, config, context, logger)
  }

  async beforePromotion(): Promise<void> {
    await this.guard('GitHub deployments', async () => {
      if (this.deployments) await this.deployments.start()
      else this.logger.debug('Dry run: no GitHub deployments are recorded.')
    })
  }

  async afterPromotion(report: RunReport): Promise<void> {
    const deployments = this.deployments
    if (deployments) {
      await this.guard('GitHub deployment statuses', () => deployments.finish(report.results))
    } else if (isPullRequestEvent(this.context)) {
      await this.guard('The plan comment', () => this.commentPlan(report))
    } else {
      this.logger.debug(`Dry run outside a pull request (event '${this.context.eventName ?? 'unknown'}'): no plan comment.`)
    }
  }

  async abandon(reason: string): Promise<void> {
    await this.guard('GitHub deployment statuses', async () => this.deployments?.abandon(reason))
  }

  private async commentPlan(report: RunReport): Promise<void> {
    const pullRequest = await pullRequestOf(this.context)
    if ('problem' in pullRequest) {
      this.logger.warning(`The plan was not commented on the pull request: ${pullRequest.problem}. The promotion goes on.`)
      return
    }
    const { workflow, job, runUrl } = this.context
    const facts: PlanFacts = { sha: pullRequest.headSha ?? this.context.sha, runUrl, workflow, job }
    try {
      await this.postPlan(pullRequest.number, renderPlanComment(this.config, report.results, facts), planMarker(this.config, facts))
    } catch (error) {
      this.logger.warning(
        `The plan was not commented on pull request #${pullRequest.number}: ${explainGitHubFailure(error, 'comment', this.context)}. The promotion goes on.`
      )
    }
  }

  /** Updates this plan's earlier comment (same marker, written by a bot), or adds the first one. */
  private async postPlan(pullRequest: number, body: string, marker: string): Promise<void> {
    const earlier = (await this.api.listIssueComments(pullRequest)).find(comment => isPlanComment(comment, marker))
    if (earlier) {
      const comment = await this.api.updateIssueComment(earlier.id, body)
      this.logger.info(`Updated the plan comment on pull request #${pullRequest}: ${comment.url}`)
    } else {
      const comment = await this.api.createIssueComment(pullRequest, body)
      this.logger.info(`Commented the plan on pull request #${pullRequest}: ${comment.url}`)
    }
  }

  /** Anything unexpected in the records is a warning too: they must never fail a promotion. */
  private async guard(what: string, body: () => Promise<unknown>): Promise<void> {
    try {
      await body()
    } catch (error) {
      this.logger.warning(
        `${what} could not be recorded: ${error instanceof Error ? error.message : String(error)}. The promotion goes on.`
      )
    }
  }
}
