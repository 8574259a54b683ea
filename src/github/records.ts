import type { PromotionConfig } from '../inputs/config.js'
import type { RunReport } from '../promote.js'
import type { Logger } from '../util/log.js'

/** Records a run on GitHub: deployments per destination promotion, and a plan comment on pull requests. */
export interface GitHubRecorder {
  /** Before any promotion: create the deployments and mark them in progress. */
  beforePromotion(): Promise<void>
  /** After the run: final deployment statuses, or the plan comment for a dry run on a pull request. */
  afterPromotion(report: RunReport): Promise<void>
}

/** Undefined when no github-token was given. (Placeholder: implemented in the GitHub records change.) */
export function gitHubRecorder(config: PromotionConfig, _env: NodeJS.ProcessEnv, _logger: Logger): GitHubRecorder | undefined {
  if (!config.github) return undefined
  return { beforePromotion: async () => {}, afterPromotion: async () => {} }
}
