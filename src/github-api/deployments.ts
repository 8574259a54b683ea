import type { ClusterAccount, ClusterAddress, PromotionConfig, SourceVersion } from '../core/config.js'
import type { PromotionResult } from '../promotion/result.js'
import type { Logger } from '../util/log.js'
import { shortCommit } from '../report/table.js'
import { explainGitHubFailure, failsEveryRequest, STATUS_DESCRIPTION_LIMIT, type DeploymentState, type GitHubApi } from './api.js'
import type { GitHubContext } from './context.js'
import { oneLine, truncate } from './text.js'

/** One algorithm going to one destination, and its deployment once created. */
interface DeploymentTarget {
  readonly algorithm: string
  readonly account: ClusterAccount
  readonly environment: string
  readonly environmentUrl: string
  deploymentId?: number
}

/**
 * A GitHub deployment per algorithm × destination: created (and marked
 * `in_progress`) before the promotion, finished with `success` or `failure`
 * after it. A failing request is a warning, never an error; when a failure
 * would repeat for every request (no permission, bad token, no answer) the
 * remaining deployments are skipped with that one warning.
 */
export class DeploymentRecords {
  private readonly targets: DeploymentTarget[]
  private disabled = false

  constructor(
    private readonly api: GitHubApi,
    private readonly config: PromotionConfig,
    private readonly context: GitHubContext,
    private readonly logger: Logger
  ) {
    this.targets = config.algorithms.flatMap(algorithm =>
      config.destinations.map(account => ({
        algorithm,
        account,
        environment: config.github?.environment || account.cluster.label,
        environmentUrl: algorithmPageUrl(account.cluster, account.algoOwner, algorithm)
      }))
    )
  }

  async start(): Promise<void> {
    const ref = this.context.sha
    if (!ref) {
      this.logger.warning(
        'GitHub deployments are not recorded: GITHUB_SHA is not set, and a deployment needs the commit it is made from. The promotion goes on.'
      )
      this.disabled = true
      return
    }
    for (const target of this.targets) {
      if (this.disabled) return
      const label = `${target.algorithm} → ${target.account.cluster.label}`
      try {
        target.deploymentId = await this.api.createDeployment({
          ref,
          environment: target.environment,
          description: truncate(
            `Promote ${target.algorithm} from ${this.config.source.cluster.label} to ${target.account.cluster.label}`,
            STATUS_DESCRIPTION_LIMIT
          ),
          payload: this.initialPayload(target),
          productionEnvironment: isProductionName(target.environment)
        })
      } catch (error) {
        this.warn(`The GitHub deployment for ${label} was not created`, error)
        continue
      }
      await this.setStatus(target, 'in_progress', `Promoting ${target.algorithm} to ${target.account.cluster.label}`)
      this.logger.info(`GitHub deployment ${target.deploymentId} for ${label} (environment '${target.environment}') is in progress.`)
    }
  }

  /** Final statuses from the results; a target without a result (the run stopped early) gets `error`. */
  async finish(results: readonly PromotionResult[]): Promise<void> {
    for (const target of this.targets.filter(target => target.deploymentId !== undefined)) {
      const result = results.find(result => result.algorithm === target.algorithm && result.destination === target.account.cluster.label)
      if (!result) {
        await this.setStatus(target, 'error', 'The run ended without a result for this promotion')
      } else if (result.status === 'failed') {
        await this.setStatus(
          target,
          'failure',
          `${result.failedStep ? `${result.failedStep} failed: ` : ''}${oneLine(result.error ?? 'failed')}`
        )
      } else {
        await this.setStatus(target, 'success', successDescription(result))
      }
    }
  }

  /** The run stopped before any result: every open deployment gets `error` with the reason. */
  async abandon(reason: string): Promise<void> {
    for (const target of this.targets.filter(target => target.deploymentId !== undefined)) {
      await this.setStatus(target, 'error', `The run stopped: ${oneLine(reason)}`)
    }
  }

  private async setStatus(target: DeploymentTarget, state: DeploymentState, description: string): Promise<void> {
    if (target.deploymentId === undefined) return
    try {
      await this.api.createDeploymentStatus(target.deploymentId, {
        state,
        description,
        environmentUrl: target.environmentUrl,
        logUrl: this.context.runUrl
      })
    } catch (error) {
      this.warn(
        `The GitHub deployment ${target.deploymentId} for ${target.algorithm} → ${target.account.cluster.label} did not get its '${state}' status`,
        error
      )
    }
  }

  private warn(what: string, error: unknown): void {
    const every = failsEveryRequest(error) && !this.disabled
    if (every) this.disabled = true
    const rest = every && this.targets.length > 1 ? ' No further deployments are recorded in this run.' : ''
    this.logger.warning(`${what}: ${explainGitHubFailure(error, 'deployments', this.context)}.${rest} The promotion goes on.`)
  }

  /** What is known before the promotion; the statuses' descriptions carry the outcome. */
  private initialPayload(target: DeploymentTarget): Record<string, unknown> {
    const requested = requestedSource(this.config.sourceVersion)
    return {
      tool: 'algorithmia-promote',
      algorithm: target.algorithm,
      source: {
        cluster: this.config.source.cluster.label,
        owner: this.config.source.algoOwner,
        requested: requested.text,
        version: requested.version ?? null,
        commit: requested.commit ?? null
      },
      destination: {
        cluster: target.account.cluster.label,
        owner: target.account.algoOwner,
        version: null,
        commit: null
      },
      publish: this.config.publish ? this.config.versionType : false
    }
  }
}

function requestedSource(version: SourceVersion): { text: string; version?: string; commit?: string } {
  switch (version.kind) {
    case 'latest':
      return { text: 'latest' }
    case 'semver':
      return { text: version.version, version: version.version }
    case 'commit':
      return { text: version.sha, commit: version.sha }
  }
}

/** "created: hello 0.2.0 @ 1a2b3c4d5e6f → prod 0.1.0 @ 5d6e7f8a9b0c" (version and commit where there are some). */
export function successDescription(result: PromotionResult): string {
  return `${result.status}: ${result.algorithm} ${versionAt(result.sourceVersion, result.sourceCommit)} → ${result.destination} ${versionAt(result.destVersion, result.destCommit)}`
}

function versionAt(version: string, commit: string): string {
  // shortCommit writes '—' for no commit; here an unknown commit is left out instead.
  return [version, commit ? shortCommit(commit) : ''].filter(Boolean).join(' @ ') || '?'
}

/**
 * The algorithm's page on its cluster. A cluster given by domain `d` has its
 * API at `https://api.d` and its pages at `https://d`; for an API URL
 * override, the same rule: the API host without a leading `api.`.
 */
export function algorithmPageUrl(cluster: ClusterAddress, owner: string, algorithm: string): string {
  let base: string
  try {
    const api = new URL(cluster.apiUrl)
    base = `${api.protocol}//${api.host.replace(/^api\./i, '')}`
  } catch {
    base = `https://${cluster.label}`
  }
  return `${base}/algorithms/${encodeURIComponent(owner)}/${encodeURIComponent(algorithm)}`
}

/** GitHub's production flag: environments named like production (`prod`, `production`, `prod-eu`, `prod.algo.example.com`). */
export function isProductionName(environment: string): boolean {
  return /(^|[^a-z0-9])prod(uction)?($|[^a-z0-9])/i.test(environment)
}
