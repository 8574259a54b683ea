import { readFile } from 'node:fs/promises'

/** What the runner's environment tells about the repository, the commit and the run. */
export interface GitHubContext {
  /** REST API base: `GITHUB_API_URL` (GitHub Enterprise Server sets it), else api.github.com. */
  readonly apiUrl: string
  readonly owner: string
  readonly repo: string
  /** `GITHUB_SHA`: the deployments' ref. */
  readonly sha?: string
  /** The workflow run's page, for `log_url` and links in the plan comment. */
  readonly runUrl?: string
  readonly eventName?: string
  readonly eventPath?: string
  /** `GITHUB_WORKFLOW` and `GITHUB_JOB`: with the destinations, they tell one plan comment from another. */
  readonly workflow?: string
  readonly job?: string
}

export const DEFAULT_API_URL = 'https://api.github.com'
const DEFAULT_SERVER_URL = 'https://github.com'

/** The context, or why there is none (a message for a warning). */
export function readGitHubContext(env: NodeJS.ProcessEnv): GitHubContext | { readonly problem: string } {
  const repository = env.GITHUB_REPOSITORY ?? ''
  const match = /^([^/\s]+)\/([^/\s]+)$/.exec(repository)
  if (!match) {
    return {
      problem: repository
        ? `GITHUB_REPOSITORY '${repository}' is not 'owner/repository'`
        : 'GITHUB_REPOSITORY is not set (it is on every GitHub runner; set it when running the action elsewhere)'
    }
  }
  const [, owner, repo] = match
  const serverUrl = (env.GITHUB_SERVER_URL || DEFAULT_SERVER_URL).replace(/\/+$/, '')
  const runId = env.GITHUB_RUN_ID?.trim()
  return {
    apiUrl: (env.GITHUB_API_URL || DEFAULT_API_URL).replace(/\/+$/, ''),
    owner,
    repo,
    sha: env.GITHUB_SHA?.trim() || undefined,
    runUrl: runId ? `${serverUrl}/${owner}/${repo}/actions/runs/${runId}` : undefined,
    eventName: env.GITHUB_EVENT_NAME || undefined,
    eventPath: env.GITHUB_EVENT_PATH || undefined,
    workflow: env.GITHUB_WORKFLOW || undefined,
    job: env.GITHUB_JOB || undefined
  }
}

/** True for the events that run a workflow for a pull request. */
export function isPullRequestEvent(context: GitHubContext): boolean {
  return context.eventName === 'pull_request' || context.eventName === 'pull_request_target'
}

export interface PullRequestFacts {
  readonly number: number
  /** The pull request's head commit (GITHUB_SHA is the merge commit on `pull_request`). */
  readonly headSha?: string
}

/** The pull request from the event payload (`pull_request.number`), or why it is unknown. */
export async function pullRequestOf(context: GitHubContext): Promise<PullRequestFacts | { readonly problem: string }> {
  if (!context.eventPath) return { problem: 'GITHUB_EVENT_PATH is not set, so the pull request is unknown' }
  let payload: unknown
  try {
    payload = JSON.parse(await readFile(context.eventPath, 'utf8'))
  } catch (error) {
    return { problem: `the event payload ${context.eventPath} could not be read (${(error as Error).message})` }
  }
  const pullRequest = (payload as { pull_request?: { number?: unknown; head?: { sha?: unknown } } } | null)?.pull_request
  const number = pullRequest?.number
  if (typeof number !== 'number' || !Number.isInteger(number) || number <= 0) {
    return { problem: `the event payload ${context.eventPath} has no pull_request.number` }
  }
  const headSha = pullRequest?.head?.sha
  return { number, headSha: typeof headSha === 'string' && headSha ? headSha : undefined }
}
