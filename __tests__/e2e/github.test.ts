/**
 * End to end: the bundled action records its promotions on GitHub (a local
 * stand-in for the REST API, reached through GITHUB_API_URL as on GitHub
 * Enterprise Server): a deployment per algorithm × destination with
 * `in_progress` then `success`/`failure`, and, for a dry run on a pull
 * request, one plan comment that later dry runs update. GitHub failures are
 * warnings; the promotion still succeeds.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runAction, type ActionRun } from '../../scripts/lib/run-action.js'
import { DEST_OWNER, startClusterPair, type ClusterPair } from '../helpers/clusters.js'
import { startGitHubStandIn, type GitHubStandIn, type StandInOptions } from '../helpers/github-standin.js'

const TOKEN = 'ghs_e2eStandInToken0123456789ABCDEF'
const SHA = 'feedfacefeedfacefeedfacefeedfacefeedface'
const HELLO_FILES = { 'src/hello.py': 'def apply(input):\n    return "hello " + input\n', 'requirements.txt': 'numpy==1.26.4\n' }

interface Payload {
  algorithm: string
  source: { cluster: string; owner: string; requested: string }
  destination: { cluster: string; owner: string }
}

let pair: ClusterPair
let github: GitHubStandIn
let dir: string
const runDirs: string[] = []

async function startGitHub(options: StandInOptions = {}): Promise<void> {
  github = await startGitHubStandIn(options)
}

function gitHubEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    GITHUB_API_URL: github.url,
    GITHUB_REPOSITORY: github.repository,
    GITHUB_SHA: SHA,
    GITHUB_RUN_ID: '987654',
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_EVENT_NAME: 'push',
    ...extra
  }
}

async function run(inputs: Record<string, string | boolean | number>, env: Record<string, string>): Promise<ActionRun> {
  const result = await runAction(pair.inputs({ 'github-token': TOKEN, ...inputs }), env)
  runDirs.push(path.dirname(result.runnerTemp))
  return result
}

/** Warnings (`::warning::…` lines) about the GitHub records; the engine has warnings of its own. */
function warnings(result: ActionRun): string[] {
  return result.stdout.split('\n').filter(line => line.startsWith('::warning') && /GitHub|github-token|plan was not commented/.test(line))
}

describe('GitHub records, end to end', () => {
  beforeEach(async () => {
    pair = await startClusterPair()
    dir = await mkdtemp(path.join(os.tmpdir(), 'github-e2e-'))
  })
  afterEach(async () => {
    await Promise.all([pair.stop(), github?.stop()])
    await Promise.all([dir, ...runDirs.splice(0)].map(folder => rm(folder, { recursive: true, force: true })))
  })

  it('records a deployment per promotion: in progress, then success with the promotion, or failure with the error', async () => {
    await startGitHub()
    const sourceCommit = await pair.seed('hello', HELLO_FILES, { publish: 'minor' })
    const result = await run({ algorithms: 'hello, ghost', publish: true }, gitHubEnv())
    // ghost does not exist on the source: that promotion fails, and so does the step.
    expect(result.exitCode, result.stdout).toBe(1)
    const results = JSON.parse(result.outputs.results) as Array<{
      algorithm: string
      status: string
      destCommit: string
      destVersion: string
      error?: string
    }>
    const hello = results.find(item => item.algorithm === 'hello')!
    expect(hello).toMatchObject({ status: 'created', destVersion: '0.1.0' })
    const prodLabel = new URL(pair.prod.url).host

    expect(github.deployments).toHaveLength(2)
    const creations = github.requests.filter(
      request => request.method === 'POST' && request.path === `/repos/${github.repository}/deployments`
    )
    expect(creations).toHaveLength(2)
    for (const request of github.requests) expect(request.authorization).toMatch(new RegExp(`^(token|Bearer) ${TOKEN}$`, 'i'))
    expect(creations[0].body).toMatchObject({
      ref: SHA,
      environment: prodLabel,
      auto_merge: false,
      required_contexts: [],
      transient_environment: false,
      production_environment: false
    })

    const [helloDeployment, ghostDeployment] = github.deployments
    expect(helloDeployment.payload).toMatchObject({
      algorithm: 'hello',
      source: { cluster: new URL(pair.dev.url).host, owner: 'data_science', requested: 'latest' },
      destination: { cluster: prodLabel, owner: DEST_OWNER }
    } satisfies Payload)
    expect(helloDeployment.environment).toBe(prodLabel)
    expect(helloDeployment.statuses.map(status => status.state)).toEqual(['in_progress', 'success'])
    for (const status of helloDeployment.statuses) {
      expect(status.environment_url).toBe(`${pair.prod.url}/algorithms/${DEST_OWNER}/hello`)
      expect(status.log_url).toBe(`https://github.example/${github.repository}/actions/runs/987654`)
    }
    expect(helloDeployment.statuses[1].description).toBe(
      `created: hello 0.1.0 @ ${sourceCommit.slice(0, 12)} → ${prodLabel} 0.1.0 @ ${hello.destCommit.slice(0, 12)}`
    )

    expect((ghostDeployment.payload as Payload).algorithm).toBe('ghost')
    expect(ghostDeployment.statuses.map(status => status.state)).toEqual(['in_progress', 'failure'])
    const failure = ghostDeployment.statuses[1].description
    expect([...failure].length).toBeLessThanOrEqual(140)
    expect(failure).toMatch(/^resolve source failed: .*ghost/)

    // Deployments come first: both were in progress before the promotion's first push.
    const order = github.requests.map(
      request => `${request.method} ${(request.body as { state?: string } | undefined)?.state ?? request.path}`
    )
    expect(order.slice(0, 4)).toEqual([
      `POST /repos/${github.repository}/deployments`,
      'POST in_progress',
      `POST /repos/${github.repository}/deployments`,
      'POST in_progress'
    ])
    expect(warnings(result)).toEqual([])
    // `::add-mask::` is the command that tells the runner to mask the token; nothing else may print it.
    expect(result.stdout.split('\n').filter(line => line.includes(TOKEN))).toEqual([`::add-mask::${TOKEN}`])
    expect(result.stderr).not.toContain(TOKEN)
  })

  it('uses the environment input, and calls a production environment one', async () => {
    await startGitHub()
    await pair.seed('hello', HELLO_FILES)
    const result = await run({ algorithms: 'hello', environment: 'production' }, gitHubEnv())
    expect(result.exitCode, result.stdout).toBe(0)
    expect(github.deployments.map(deployment => [deployment.environment, deployment.production_environment])).toEqual([
      ['production', true]
    ])
    expect(github.deployments[0].statuses.map(status => status.state)).toEqual(['in_progress', 'success'])
  })

  it('comments the plan of a dry run on the pull request once, and updates that comment on the next dry run', async () => {
    await startGitHub()
    await pair.seed('hello', { ...HELLO_FILES, 'src/new_feature.py': 'X = 1\n' })
    pair.prod.createAlgorithm(DEST_OWNER, 'hello')
    await pair.prod.commit(DEST_OWNER, 'hello', {
      'src/hello.py': 'def apply(input):\n    return input\n',
      'requirements.txt': 'numpy==1.26.4\n',
      'legacy/old.py': 'OLD = True\n'
    })
    const eventPath = path.join(dir, 'event.json')
    await writeFile(
      eventPath,
      JSON.stringify({ action: 'opened', number: 12, pull_request: { number: 12, head: { sha: 'c0ffee'.padEnd(40, '0') } } })
    )
    const env = gitHubEnv({
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_WORKFLOW: 'Promotion plan',
      GITHUB_JOB: 'plan'
    })

    const first = await run({ algorithms: 'hello', 'dry-run': true, publish: true, 'version-type': 'major' }, env)
    expect(first.exitCode, first.stdout).toBe(0)
    expect(github.deployments).toEqual([])
    expect(github.comments).toHaveLength(1)
    const comment = github.comments[0]
    expect(comment.issue).toBe(12)
    expect(comment.body).toMatch(/^<!-- algorithmia-promote plan: [0-9a-f]{8} -->\n/)
    expect(comment.body).toContain('| `hello` | update |')
    expect(comment.body).toContain('1 added, 1 modified, 1 deleted')
    expect(comment.body).toMatch(/\*\*Added\*\*\n\n- `src\/new_feature.py`\n/)
    expect(comment.body).toMatch(/\*\*Modified\*\*\n\n- `src\/hello.py`\n/)
    expect(comment.body).toMatch(/\*\*Deleted\*\*\n\n- `legacy\/old.py`\n/)
    expect(comment.body).toContain('a new **major** version would be published')
    expect(comment.body).toContain('Dry run at `c0ffee000000`')
    expect(first.stdout).toContain('Commented the plan on pull request #12')
    // A dry run pushes nothing.
    expect(Object.keys(await pair.prod.readTree(DEST_OWNER, 'hello'))).toContain('legacy/old.py')

    // The source moves on; the next dry run replaces the plan rather than adding a comment.
    await pair.dev.commit('data_science', 'hello', { 'src/another.py': 'Y = 2\n' }, { replace: false })
    const second = await run({ algorithms: 'hello', 'dry-run': true }, env)
    expect(second.exitCode, second.stdout).toBe(0)
    expect(github.comments).toHaveLength(1)
    expect(comment.updatedCount).toBe(1)
    expect(comment.body).toContain('2 added, 1 modified, 1 deleted')
    expect(comment.body).toContain('- `src/another.py`')
    expect(comment.body).toContain('nothing would be published')
    expect(github.requests.map(request => request.method)).toEqual(['GET', 'POST', 'GET', 'PATCH'])
    expect(second.stdout).toContain('Updated the plan comment on pull request #12')
    expect(warnings(first).concat(warnings(second))).toEqual([])
  })

  it('warns when the token may not create deployments (403) and still promotes', async () => {
    await startGitHub({ failDeployments: 403 })
    await pair.seed('hello', HELLO_FILES)
    const result = await run({ algorithms: 'hello' }, gitHubEnv())
    expect(result.exitCode, result.stdout).toBe(0)
    expect(JSON.parse(result.outputs.results)[0]).toMatchObject({ algorithm: 'hello', status: 'created' })
    expect(Object.keys(await pair.prod.readTree(DEST_OWNER, 'hello')).sort()).toEqual(['requirements.txt', 'src/hello.py'])
    const [warning, ...others] = warnings(result)
    expect(others).toEqual([])
    expect(warning).toContain('The GitHub deployment for hello')
    expect(warning).toContain('permissions: deployments: write')
    expect(warning).toContain('403 Resource not accessible by integration')
    expect(github.requests).toHaveLength(1)
  })
})
