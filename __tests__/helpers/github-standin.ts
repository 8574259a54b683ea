/**
 * A stand-in for the few GitHub REST endpoints the action's records use, on
 * loopback only. It records every request (method, path, body, Authorization)
 * and answers the way GitHub does: 201 with ids and the stored fields, 422
 * for what GitHub would refuse (a missing ref, an unknown state, a status
 * description over 140 characters), 404 for other repositories and unknown
 * ids, and pagination of comments with a Link header.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface RecordedRequest {
  readonly method: string
  /** The path without the query. */
  readonly path: string
  readonly query: Record<string, string>
  readonly body: unknown
  readonly authorization?: string
}

export interface StandInDeployment {
  readonly id: number
  readonly ref: string
  readonly task: string
  readonly environment: string
  readonly description: string | null
  readonly payload: unknown
  readonly transient_environment: boolean
  readonly production_environment: boolean
  readonly statuses: StandInDeploymentStatus[]
}

export interface StandInDeploymentStatus {
  readonly id: number
  readonly state: string
  readonly description: string
  readonly environment_url: string
  readonly log_url: string
  readonly auto_inactive?: boolean
}

export interface StandInComment {
  readonly id: number
  body: string
  readonly issue: number
  readonly user: string
  updatedCount: number
}

export interface StandInOptions {
  /** owner/repo that exists; every other repository is a 404. Default `octo-org/promotions`. */
  readonly repository?: string
  /** Answer POST …/deployments (and their statuses) with this status, like a token without `deployments: write` (403). */
  readonly failDeployments?: number
  /** Answer the comment endpoints with this status. */
  readonly failComments?: number
  /** Answer the first N requests with 502 (transient failures that a retry gets past). */
  readonly transientFailures?: number
  /** Comments per page when listing (GitHub's per_page, capped). Default: the request's per_page, at most 100. */
  readonly maxPerPage?: number
  /** Only this token is accepted (401 Bad credentials for others). Default: any token, but one is required. */
  readonly token?: string
  /** Loopback address to listen on; default 127.0.0.1. */
  readonly host?: string
}

export interface GitHubStandIn {
  /** The API base, for GITHUB_API_URL. */
  readonly url: string
  readonly repository: string
  readonly requests: RecordedRequest[]
  readonly deployments: StandInDeployment[]
  readonly comments: StandInComment[]
  /**
   * A comment already on the pull request. By default it is the action's
   * (github-actions[bot], type Bot, as the comments the stand-in creates);
   * another login is a person (type User), whose comments must stay untouched.
   */
  addComment(issue: number, body: string, user?: string): StandInComment
  stop(): Promise<void>
}

export async function startGitHubStandIn(options: StandInOptions = {}): Promise<GitHubStandIn> {
  const repository = options.repository ?? 'octo-org/promotions'
  const requests: RecordedRequest[] = []
  const deployments: StandInDeployment[] = []
  const comments: StandInComment[] = []
  let nextId = 1000
  let transientLeft = options.transientFailures ?? 0
  let baseUrl = ''

  const addComment = (issue: number, body: string, user = 'github-actions[bot]'): StandInComment => {
    const comment: StandInComment = { id: nextId++, body, issue, user, updatedCount: 0 }
    comments.push(comment)
    return comment
  }
  const commentJson = (comment: StandInComment): Record<string, unknown> => ({
    id: comment.id,
    node_id: `IC_${comment.id}`,
    url: `${baseUrl}/repos/${repository}/issues/comments/${comment.id}`,
    html_url: `https://github.example/${repository}/pull/${comment.issue}#issuecomment-${comment.id}`,
    issue_url: `${baseUrl}/repos/${repository}/issues/${comment.issue}`,
    body: comment.body,
    user: userJson(comment.user),
    created_at: '2026-11-24T12:00:00Z',
    updated_at: '2026-11-24T12:00:00Z',
    author_association: 'NONE'
  })

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', baseUrl)
    const text = await readBody(request)
    let body: unknown = undefined
    if (text) {
      try {
        body = JSON.parse(text)
      } catch {
        return send(response, 400, { message: 'Problems parsing JSON' })
      }
    }
    const method = request.method ?? 'GET'
    requests.push({
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body,
      authorization: request.headers.authorization
    })

    if (transientLeft > 0) {
      transientLeft--
      return send(response, 502, { message: 'Server Error' })
    }
    const token = /^(?:token|bearer) (.+)$/i.exec(request.headers.authorization ?? '')?.[1]
    if (!token || (options.token !== undefined && token !== options.token)) {
      return send(response, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' })
    }
    const match = /^\/repos\/([^/]+)\/([^/]+)(\/.*)$/.exec(url.pathname)
    if (!match || `${match[1]}/${match[2]}` !== repository) return notFound(response)
    const rest = match[3]
    const fields = (body ?? {}) as Record<string, unknown>

    if (method === 'POST' && rest === '/deployments') {
      if (options.failDeployments) return send(response, options.failDeployments, forbidden())
      if (typeof fields.ref !== 'string' || !fields.ref) return invalid(response, 'Deployment', 'ref', 'missing_field')
      const environment = typeof fields.environment === 'string' ? fields.environment : 'production'
      const deployment: StandInDeployment = {
        id: nextId++,
        ref: fields.ref,
        task: typeof fields.task === 'string' ? fields.task : 'deploy',
        environment,
        description: typeof fields.description === 'string' ? fields.description : null,
        payload: fields.payload ?? {},
        transient_environment: fields.transient_environment === true,
        production_environment:
          typeof fields.production_environment === 'boolean' ? fields.production_environment : environment === 'production',
        statuses: []
      }
      deployments.push(deployment)
      const { statuses: _statuses, ...json } = deployment
      return send(response, 201, {
        ...json,
        url: `${baseUrl}/repos/${repository}/deployments/${deployment.id}`,
        sha: 'f'.repeat(40),
        original_environment: environment,
        creator: { login: 'github-actions[bot]', type: 'Bot' },
        statuses_url: `${baseUrl}/repos/${repository}/deployments/${deployment.id}/statuses`,
        repository_url: `${baseUrl}/repos/${repository}`,
        created_at: '2026-11-24T12:00:00Z',
        updated_at: '2026-11-24T12:00:00Z'
      })
    }

    const statusPath = /^\/deployments\/(\d+)\/statuses$/.exec(rest)
    if (method === 'POST' && statusPath) {
      if (options.failDeployments) return send(response, options.failDeployments, forbidden())
      const deployment = deployments.find(candidate => candidate.id === Number(statusPath[1]))
      if (!deployment) return notFound(response)
      const states = ['error', 'failure', 'inactive', 'in_progress', 'queued', 'pending', 'success']
      if (typeof fields.state !== 'string' || !states.includes(fields.state))
        return invalid(response, 'DeploymentStatus', 'state', 'invalid')
      const description = typeof fields.description === 'string' ? fields.description : ''
      if ([...description].length > 140)
        return invalid(response, 'DeploymentStatus', 'description', 'custom', 'description is too long (maximum is 140 characters)')
      const status: StandInDeploymentStatus = {
        id: nextId++,
        state: fields.state,
        description,
        environment_url: typeof fields.environment_url === 'string' ? fields.environment_url : '',
        log_url: typeof fields.log_url === 'string' ? fields.log_url : '',
        ...(typeof fields.auto_inactive === 'boolean' ? { auto_inactive: fields.auto_inactive } : {})
      }
      deployment.statuses.push(status)
      return send(response, 201, {
        ...status,
        url: `${baseUrl}/repos/${repository}/deployments/${deployment.id}/statuses/${status.id}`,
        deployment_url: `${baseUrl}/repos/${repository}/deployments/${deployment.id}`,
        environment: deployment.environment,
        target_url: status.log_url,
        creator: { login: 'github-actions[bot]', type: 'Bot' },
        created_at: '2026-11-24T12:00:00Z',
        updated_at: '2026-11-24T12:00:00Z'
      })
    }

    const issueComments = /^\/issues\/(\d+)\/comments$/.exec(rest)
    if (issueComments && (method === 'GET' || method === 'POST')) {
      if (options.failComments) return send(response, options.failComments, forbidden())
      const issue = Number(issueComments[1])
      if (method === 'POST') {
        if (typeof fields.body !== 'string' || !fields.body) return invalid(response, 'IssueComment', 'body', 'missing_field')
        if (fields.body.length > 65536)
          return invalid(response, 'IssueComment', 'body', 'custom', 'body is too long (maximum is 65536 characters)')
        return send(response, 201, commentJson(addComment(issue, fields.body)))
      }
      const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30) || 30, 100, options.maxPerPage ?? 100)
      const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1)
      const all = comments.filter(comment => comment.issue === issue)
      const lastPage = Math.max(1, Math.ceil(all.length / perPage))
      const headers: Record<string, string> = {}
      if (page < lastPage) {
        const next = new URL(url)
        next.searchParams.set('page', String(page + 1))
        next.searchParams.set('per_page', String(perPage))
        const last = new URL(next)
        last.searchParams.set('page', String(lastPage))
        headers.link = `<${next}>; rel="next", <${last}>; rel="last"`
      }
      return send(response, 200, all.slice((page - 1) * perPage, page * perPage).map(commentJson), headers)
    }

    const commentPath = /^\/issues\/comments\/(\d+)$/.exec(rest)
    if (commentPath && method === 'PATCH') {
      if (options.failComments) return send(response, options.failComments, forbidden())
      const comment = comments.find(candidate => candidate.id === Number(commentPath[1]))
      if (!comment) return notFound(response)
      if (typeof fields.body !== 'string' || !fields.body) return invalid(response, 'IssueComment', 'body', 'missing_field')
      comment.body = fields.body
      comment.updatedCount++
      return send(response, 200, commentJson(comment))
    }
    return notFound(response)
  }

  const server = createServer((request, response) => {
    handle(request, response).catch(error => send(response, 500, { message: String(error) }))
  })
  const host = options.host ?? '127.0.0.1'
  await new Promise<void>(resolve => server.listen(0, host, resolve))
  baseUrl = `http://${host}:${(server.address() as AddressInfo).port}`
  return {
    url: baseUrl,
    repository,
    requests,
    deployments,
    comments,
    addComment,
    stop: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

/** GitHub's user object: logins ending in [bot] are GitHub Apps' bots (github-actions[bot] is 41898282). */
function userJson(login: string): Record<string, unknown> {
  const bot = login.endsWith('[bot]')
  return { login, id: bot ? 41898282 : 583231, type: bot ? 'Bot' : 'User' }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = ''
    request.setEncoding('utf8')
    request.on('data', chunk => (text += chunk))
    request.on('end', () => resolve(text))
    request.on('error', reject)
  })
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'x-github-request-id': 'STANDIN:0001',
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': '4999',
    ...headers
  })
  response.end(text)
}

function notFound(response: ServerResponse): void {
  send(response, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' })
}

function forbidden(): Record<string, string> {
  return {
    message: 'Resource not accessible by integration',
    documentation_url: 'https://docs.github.com/rest/deployments/deployments#create-a-deployment',
    status: '403'
  }
}

function invalid(response: ServerResponse, resource: string, field: string, code: string, message?: string): void {
  send(response, 422, {
    message: 'Validation Failed',
    errors: [{ resource, field, code, ...(message ? { message } : {}) }],
    documentation_url: 'https://docs.github.com/rest',
    status: '422'
  })
}
