/**
 * The GitHub records in process, through Octokit and real HTTP, against the
 * GitHub stand-in: deployments and their statuses, the plan comment (found
 * again by its marker across pages), and every failure path ending in a
 * warning rather than an error. The bundled action is covered in github.test.ts.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { explainGitHubFailure } from '../../src/github-api/api.js'
import { gitHubRecorder } from '../../src/github-api/records.js'
import { algorithmPageUrl, isProductionName, successDescription } from '../../src/github-api/deployments.js'
import { PLAN_MARKER_PREFIX, planMarker, renderPlanComment } from '../../src/github-api/plan-comment.js'
import { code, text, truncate } from '../../src/github-api/text.js'
import { FILES_PER_LIST } from '../../src/report/file-list.js'
import type { PromotionConfig } from '../../src/core/config.js'
import { parseConfig } from '../../src/inputs/parse.js'
import type { RunReport } from '../../src/report/run-report.js'
import type { PromotionResult } from '../../src/promotion/result.js'
import type { Logger } from '../../src/util/log.js'
import { startGitHubStandIn, type GitHubStandIn, type StandInOptions } from '../helpers/github-standin.js'

const TOKEN = 'ghs_standInToken0123456789abcdef'
const SHA = '0123456789abcdef0123456789abcdef01234567'

interface CapturedLogger extends Logger {
  readonly lines: { level: 'info' | 'warning' | 'error' | 'debug'; message: string }[]
  warnings(): string[]
}

function capturingLogger(): CapturedLogger {
  const lines: CapturedLogger['lines'] = []
  return {
    lines,
    info: message => lines.push({ level: 'info', message }),
    warning: message => lines.push({ level: 'warning', message }),
    error: message => lines.push({ level: 'error', message }),
    debug: message => lines.push({ level: 'debug', message }),
    group: (_title, body) => body(),
    warnings: () => lines.filter(line => line.level === 'warning').map(line => line.message)
  }
}

const DESTINATIONS = [
  {
    name: 'staging',
    cluster: 'staging.algo.example.com',
    'api-key': 'simStagingKey0000000000',
    'api-key-owner': 'deployer',
    'algo-owner': 'ml_stage'
  },
  {
    name: 'prod',
    cluster: 'prod.algo.example.com',
    'api-key': 'simProdKey00000000000000',
    'api-key-owner': 'deployer',
    'algo-owner': 'ml_prod'
  }
]

/** A config from action inputs: two algorithms to two clusters given by domain. */
function configOf(overrides: Record<string, string> = {}): PromotionConfig {
  const inputs: Record<string, string> = {
    'source-cluster': 'dev.algo.example.com',
    'source-api-key': 'simDevKey000000000000000000',
    'source-api-key-owner': 'alice',
    'source-algo-owner': 'data_science',
    destinations: JSON.stringify(DESTINATIONS),
    algorithms: 'hello, world',
    'github-token': TOKEN,
    'max-attempts': '3',
    'retry-delay': '0.01',
    ...overrides
  }
  return parseConfig(name => inputs[name] ?? '', {})
}

function result(fields: Partial<PromotionResult> & Pick<PromotionResult, 'algorithm' | 'destination' | 'status'>): PromotionResult {
  const defaults = {
    sourceCommit: 'a'.repeat(40),
    sourceVersion: '',
    destCommit: '',
    destVersion: '',
    newCommit: ['created', 'updated', 'planned'].includes(fields.status)
  }
  return { ...defaults, ...fields }
}

function reportOf(results: PromotionResult[]): RunReport {
  return {
    results,
    versionMap: {},
    changed: results.some(r => r.status !== 'unchanged' && r.status !== 'failed'),
    failed: results.filter(r => r.status === 'failed').length,
    versionMapWritten: false
  }
}

let standIn: GitHubStandIn
let dir: string

async function start(options: StandInOptions = {}): Promise<void> {
  standIn = await startGitHubStandIn(options)
}

function envFor(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    GITHUB_API_URL: standIn.url,
    GITHUB_REPOSITORY: standIn.repository,
    GITHUB_SHA: SHA,
    GITHUB_RUN_ID: '4242',
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_EVENT_NAME: 'push',
    ...extra
  }
}

/** The workflow and job of the plan comment tests; with configOf's destinations they make MARKER. */
const WORKFLOW = { GITHUB_WORKFLOW: 'Promotion plan', GITHUB_JOB: 'plan' }

async function pullRequestEnv(number = 7, extra: Record<string, string> = {}): Promise<NodeJS.ProcessEnv> {
  const eventPath = path.join(dir, `event-${number}.json`)
  await writeFile(eventPath, JSON.stringify({ action: 'synchronize', number, pull_request: { number, head: { sha: 'b'.repeat(40) } } }))
  return envFor({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: eventPath, ...WORKFLOW, ...extra })
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'github-records-'))
})
afterEach(async () => {
  await standIn?.stop()
  await rm(dir, { recursive: true, force: true })
})

describe('deployments', () => {
  it('creates one deployment per algorithm × destination, in progress, then success or failure', async () => {
    await start()
    const logger = capturingLogger()
    const config = configOf({ 'source-version': '1.2.0' })
    const recorder = gitHubRecorder(config, envFor(), logger)!
    await recorder.beforePromotion()

    expect(standIn.deployments.map(d => [d.payload && (d.payload as { algorithm: string }).algorithm, d.environment])).toEqual([
      ['hello', 'staging'],
      ['hello', 'prod'],
      ['world', 'staging'],
      ['world', 'prod']
    ])
    const first = standIn.requests.find(r => r.method === 'POST' && r.path.endsWith('/deployments'))!
    expect(first.path).toBe('/repos/octo-org/promotions/deployments')
    expect(first.authorization).toBe(`token ${TOKEN}`)
    expect(first.body).toMatchObject({
      ref: SHA,
      environment: 'staging',
      auto_merge: false,
      required_contexts: [],
      transient_environment: false,
      production_environment: false,
      payload: {
        algorithm: 'hello',
        source: { cluster: 'dev.algo.example.com', owner: 'data_science', requested: '1.2.0', version: '1.2.0', commit: null },
        destination: { cluster: 'staging', owner: 'ml_stage', version: null, commit: null }
      }
    })
    expect(standIn.deployments.map(d => d.production_environment)).toEqual([false, true, false, true])
    for (const deployment of standIn.deployments) {
      expect(deployment.statuses).toHaveLength(1)
      expect(deployment.statuses[0]).toMatchObject({
        state: 'in_progress',
        log_url: 'https://github.example/octo-org/promotions/actions/runs/4242',
        auto_inactive: false
      })
    }
    expect(standIn.deployments[1].statuses[0].environment_url).toBe('https://prod.algo.example.com/algorithms/ml_prod/hello')

    const longError = `The destination build failed: ${'x'.repeat(300)}`
    await recorder.afterPromotion(
      reportOf([
        result({
          algorithm: 'hello',
          destination: 'staging',
          status: 'created',
          sourceVersion: '1.2.0',
          destCommit: 'c'.repeat(40),
          destVersion: '0.1.0'
        }),
        result({ algorithm: 'hello', destination: 'prod', status: 'unchanged', destCommit: 'd'.repeat(40) }),
        result({ algorithm: 'world', destination: 'staging', status: 'failed', error: longError, failedStep: 'build' })
        // world → prod has no result: the run ended early for it.
      ])
    )
    const final = standIn.deployments.map(d => d.statuses.at(-1)!)
    expect(final.map(s => s.state)).toEqual(['success', 'success', 'failure', 'error'])
    expect(final[0].description).toBe(`created: hello 1.2.0 @ aaaaaaaaaaaa → staging 0.1.0 @ cccccccccccc`)
    expect(final[1].description).toBe(`unchanged: hello aaaaaaaaaaaa → prod dddddddddddd`)
    expect([...final[2].description]).toHaveLength(140)
    expect(final[2].description).toMatch(/^build failed: The destination build failed: x+…$/)
    expect(logger.warnings()).toEqual([])
    expect(JSON.stringify(logger.lines)).not.toContain(TOKEN)
  })

  it('uses the environment input for every deployment', async () => {
    await start()
    const recorder = gitHubRecorder(configOf({ environment: 'production', algorithms: 'hello' }), envFor(), capturingLogger())!
    await recorder.beforePromotion()
    expect(standIn.deployments.map(d => [d.environment, d.production_environment])).toEqual([
      ['production', true],
      ['production', true]
    ])
  })

  it('warns once and carries on when the token may not write deployments (403)', async () => {
    await start({ failDeployments: 403 })
    const logger = capturingLogger()
    const recorder = gitHubRecorder(configOf(), envFor(), logger)!
    await recorder.beforePromotion()
    await recorder.afterPromotion(reportOf([result({ algorithm: 'hello', destination: 'prod', status: 'created' })]))
    expect(standIn.requests).toHaveLength(1)
    expect(logger.warnings()).toHaveLength(1)
    expect(logger.warnings()[0]).toContain('hello → staging was not created')
    expect(logger.warnings()[0]).toContain('permissions: deployments: write')
    expect(logger.warnings()[0]).toContain('Resource not accessible by integration')
    expect(logger.warnings()[0]).toContain('The promotion goes on')
  })

  it('names a rejected token (401) without printing it', async () => {
    await start({ token: 'some-other-token' })
    const logger = capturingLogger()
    await gitHubRecorder(configOf(), envFor(), logger)!.beforePromotion()
    expect(logger.warnings()).toHaveLength(1)
    expect(logger.warnings()[0]).toContain('GitHub rejected the github-token (401 Bad credentials)')
    expect(JSON.stringify(logger.lines)).not.toContain(TOKEN)
  })

  it('retries transient failures (502)', async () => {
    await start({ transientFailures: 2 })
    const logger = capturingLogger()
    await gitHubRecorder(configOf({ algorithms: 'hello' }), envFor(), logger)!.beforePromotion()
    expect(standIn.deployments).toHaveLength(2)
    expect(logger.warnings()).toEqual([])
  })

  it('warns when GitHub cannot be reached, without failing', async () => {
    await start()
    const closedPort = await unusedPort()
    const logger = capturingLogger()
    const recorder = gitHubRecorder(
      configOf({ 'max-attempts': '2' }),
      envFor({ GITHUB_API_URL: `http://127.0.0.1:${closedPort}` }),
      logger
    )!
    await recorder.beforePromotion()
    await recorder.afterPromotion(reportOf([]))
    expect(logger.warnings()).toHaveLength(1)
    expect(logger.warnings()[0]).toContain(`GitHub's API at http://127.0.0.1:${closedPort} did not answer`)
    expect(logger.warnings()[0]).toContain('No further deployments are recorded')
  })

  it('marks open deployments as errors when the run is abandoned', async () => {
    await start()
    const recorder = gitHubRecorder(configOf({ algorithms: 'hello' }), envFor(), capturingLogger())!
    await recorder.beforePromotion()
    await recorder.abandon('the version map file is not valid JSON')
    expect(standIn.deployments.map(d => d.statuses.map(s => s.state))).toEqual([
      ['in_progress', 'error'],
      ['in_progress', 'error']
    ])
    expect(standIn.deployments[0].statuses[1].description).toBe('The run stopped: the version map file is not valid JSON')
  })

  it('records nothing in a dry run outside a pull request, and nothing without a token', async () => {
    await start()
    const logger = capturingLogger()
    const recorder = gitHubRecorder(configOf({ 'dry-run': 'true' }), envFor(), logger)!
    await recorder.beforePromotion()
    await recorder.afterPromotion(reportOf([result({ algorithm: 'hello', destination: 'prod', status: 'planned' })]))
    expect(standIn.requests).toEqual([])
    expect(gitHubRecorder(configOf({ 'github-token': '' }), envFor(), logger)).toBeUndefined()
    expect(logger.warnings()).toEqual([])
  })

  it('warns (and records nothing) without GITHUB_REPOSITORY or GITHUB_SHA', async () => {
    await start()
    const logger = capturingLogger()
    expect(gitHubRecorder(configOf(), envFor({ GITHUB_REPOSITORY: '' }), logger)).toBeUndefined()
    await gitHubRecorder(configOf(), envFor({ GITHUB_SHA: '' }), logger)!.beforePromotion()
    expect(logger.warnings()).toEqual([
      expect.stringContaining('GITHUB_REPOSITORY is not set'),
      expect.stringContaining('GITHUB_SHA is not set')
    ])
    expect(standIn.requests).toEqual([])
  })
})

describe('the plan comment', () => {
  const planned = (): PromotionResult[] => [
    result({
      algorithm: 'hello',
      destination: 'staging',
      status: 'planned',
      changes: { added: ['src/new.py'], modified: ['src/hello.py'], deleted: ['old.txt'] },
      destCommit: 'e'.repeat(40)
    }),
    result({
      algorithm: 'hello',
      destination: 'prod',
      status: 'planned',
      changes: { added: ['src/hello.py', 'src/new.py'], modified: [], deleted: [] }
    }),
    result({ algorithm: 'world', destination: 'staging', status: 'unchanged', destCommit: 'e'.repeat(40) }),
    result({
      algorithm: 'world',
      destination: 'prod',
      status: 'failed',
      failedStep: 'resolve source',
      error: 'world was not found on dev.algo.example.com | ask @octocat'
    })
  ]

  const MARKER = planMarker(configOf(), { workflow: WORKFLOW.GITHUB_WORKFLOW, job: WORKFLOW.GITHUB_JOB })

  it('is posted once on a dry run of a pull request, then updated in place', async () => {
    await start()
    standIn.addComment(7, 'Looks good to me', 'reviewer')
    standIn.addComment(7, `> ${MARKER}\n> quoted by someone`, 'reviewer')
    // A person's comment that starts with the very marker is still theirs: never edited.
    const pasted = standIn.addComment(7, `${MARKER}\npasted by someone`, 'reviewer')
    const env = await pullRequestEnv(7)
    const logger = capturingLogger()
    const config = configOf({ 'dry-run': 'true', publish: 'true', 'version-type': 'major' })
    const recorder = gitHubRecorder(config, env, logger)!
    await recorder.beforePromotion()
    await recorder.afterPromotion(reportOf(planned()))
    expect(standIn.deployments).toEqual([])
    const mine = standIn.comments.filter(comment => comment.body.startsWith(MARKER) && comment.user !== 'reviewer')
    expect(mine).toHaveLength(1)
    const body = mine[0].body
    expect(body).toContain('### `staging` (owner `ml_stage`)')
    expect(body).toContain('| `hello` | update | `aaaaaaaaaaaa` | 1 added, 1 modified, 1 deleted |')
    expect(body).toContain('| `hello` | **create** | `aaaaaaaaaaaa` | 2 added |')
    expect(body).toContain('| `world` | stay unchanged |')
    expect(body).toContain('**fail** (resolve source): world was not found on dev.algo.example.com \\| ask @\u200boctocat')
    expect(body).toContain('a new **major** version would be published')
    expect(body).toContain('**2 of 4 promotions would change a destination**; 1 unchanged; 1 failed.')
    expect(body).toContain('Dry run at `bbbbbbbbbbbb` ([workflow run](https://github.example/octo-org/promotions/actions/runs/4242))')
    expect(body).toMatch(/\*\*Added\*\*\n\n- `src\/new.py`/)
    expect(body).toMatch(/\*\*Modified\*\*\n\n- `src\/hello.py`/)
    expect(body).toMatch(/\*\*Deleted\*\*\n\n- `old.txt`/)
    expect(logger.lines).toContainEqual({
      level: 'info',
      message: expect.stringMatching(/^Commented the plan on pull request #7: https:\/\/github.example\//)
    })

    const again = gitHubRecorder(configOf({ 'dry-run': 'true' }), env, logger)!
    await again.afterPromotion(reportOf(planned().slice(2)))
    expect(standIn.comments.filter(comment => comment.body.startsWith(MARKER) && comment.user !== 'reviewer')).toHaveLength(1)
    expect(mine[0].updatedCount).toBe(1)
    expect(mine[0].body).toContain('**0 of 2 promotions would change a destination**')
    expect(mine[0].body).toContain('nothing would be published')
    expect(standIn.comments.map(comment => comment.user)).toEqual(['reviewer', 'reviewer', 'reviewer', 'github-actions[bot]'])
    expect(pasted).toMatchObject({ body: `${MARKER}\npasted by someone`, updatedCount: 0 })
    expect(standIn.requests.filter(r => r.method === 'PATCH').map(r => r.path)).toEqual([
      `/repos/octo-org/promotions/issues/comments/${mine[0].id}`
    ])
    expect(logger.warnings()).toEqual([])
  })

  it('keeps one comment per workflow, job and destinations on a pull request', async () => {
    await start()
    const logger = capturingLogger()
    const staging = configOf({ 'dry-run': 'true', destinations: JSON.stringify(DESTINATIONS.slice(0, 1)) })
    const both = configOf({ 'dry-run': 'true' })
    const stagingRun = await pullRequestEnv(7, { GITHUB_WORKFLOW: 'Staging plan', GITHUB_JOB: 'plan' })
    const productionRun = await pullRequestEnv(7, { GITHUB_WORKFLOW: 'Production plan', GITHUB_JOB: 'plan' })
    await gitHubRecorder(staging, stagingRun, logger)!.afterPromotion(reportOf(planned().filter(r => r.destination === 'staging')))
    await gitHubRecorder(both, productionRun, logger)!.afterPromotion(reportOf(planned()))
    expect(standIn.comments).toHaveLength(2)
    const [stagingComment, productionComment] = standIn.comments
    expect(stagingComment.body.split('\n')[0]).toBe(planMarker(staging, { workflow: 'Staging plan', job: 'plan' }))
    expect(productionComment.body.split('\n')[0]).toBe(planMarker(both, { workflow: 'Production plan', job: 'plan' }))

    // Each workflow's next dry run updates its own comment only.
    await gitHubRecorder(staging, stagingRun, logger)!.afterPromotion(reportOf(planned().slice(2, 3)))
    expect(standIn.comments).toHaveLength(2)
    expect([stagingComment.updatedCount, productionComment.updatedCount]).toEqual([1, 0])
    expect(stagingComment.body).toContain('**0 of 1 promotion would change a destination**')
    expect(productionComment.body).toContain('**2 of 4 promotions would change a destination**')
    expect(logger.warnings()).toEqual([])
  })

  it('names its plan by the workflow, the job and the set of destinations', () => {
    const config = configOf()
    const marker = planMarker(config, { workflow: 'Plan', job: 'plan' })
    expect(marker).toMatch(/^<!-- algorithmia-promote plan: [0-9a-f]{8} -->$/)
    const reordered = configOf({ destinations: JSON.stringify([...DESTINATIONS].reverse()) })
    expect(planMarker(reordered, { workflow: 'Plan', job: 'plan' })).toBe(marker)
    expect(planMarker(config, { workflow: 'Plan', job: 'plan' })).toBe(marker)
    const others = [
      planMarker(config, { workflow: 'Other', job: 'plan' }),
      planMarker(config, { workflow: 'Plan', job: 'plan-prod' }),
      planMarker(config, {})
    ]
    expect(new Set([marker, ...others]).size).toBe(4)
  })

  it('finds its earlier comment on a later page', async () => {
    await start({ maxPerPage: 100 })
    for (let i = 0; i < 130; i++) standIn.addComment(9, `comment ${i}`, 'reviewer')
    const mine = standIn.addComment(9, `${MARKER}\nold plan`)
    standIn.addComment(9, 'after', 'reviewer')
    await gitHubRecorder(configOf({ 'dry-run': 'true' }), await pullRequestEnv(9), capturingLogger())!.afterPromotion(reportOf(planned()))
    expect(standIn.requests.filter(r => r.method === 'GET').map(r => r.query.page ?? '1')).toEqual(['1', '2'])
    expect(mine.updatedCount).toBe(1)
    expect(standIn.requests.filter(r => r.method === 'POST')).toEqual([])
  })

  it('is a warning when the token may not comment (a pull request from a fork)', async () => {
    await start({ failComments: 403 })
    const logger = capturingLogger()
    await gitHubRecorder(configOf({ 'dry-run': 'true' }), await pullRequestEnv(), logger)!.afterPromotion(reportOf(planned()))
    expect(logger.warnings()).toEqual([
      expect.stringContaining(
        "The plan was not commented on pull request #7: the github-token may not comment on pull requests (403 Resource not accessible by integration): give the job 'permissions: pull-requests: write'"
      )
    ])
  })

  it('is a warning when the event payload names no pull request', async () => {
    await start()
    const eventPath = path.join(dir, 'event.json')
    await writeFile(eventPath, JSON.stringify({ ref: 'refs/heads/main' }))
    const logger = capturingLogger()
    await gitHubRecorder(
      configOf({ 'dry-run': 'true' }),
      envFor({ GITHUB_EVENT_NAME: 'pull_request_target', GITHUB_EVENT_PATH: eventPath }),
      logger
    )!.afterPromotion(reportOf(planned()))
    expect(logger.warnings()).toEqual([expect.stringContaining('has no pull_request.number')])
    expect(standIn.requests).toEqual([])
  })

  it('caps long file lists, and shortens them further when the comment would be too long', () => {
    const many = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}/file-${i}.py`)
    const config = configOf({ 'dry-run': 'true' })
    const body = renderPlanComment(config, [
      result({
        algorithm: 'hello',
        destination: 'prod',
        status: 'planned',
        changes: { added: many('a', 45), modified: [], deleted: many('d', 3) }
      })
    ])
    expect(body.match(/^- `a\/file-\d+\.py`$/gm)).toHaveLength(FILES_PER_LIST)
    expect(body).toContain(`- … and ${45 - FILES_PER_LIST} more`)
    expect(body.match(/^- `d\/file-\d+\.py`$/gm)).toHaveLength(3)

    const longName = 'x'.repeat(200)
    const manyResults = (n: number): PromotionResult[] =>
      Array.from({ length: n }, (_, i) =>
        result({
          algorithm: `algo_${i}`,
          destination: 'prod',
          status: 'planned',
          changes: { added: many(longName, 100), modified: [], deleted: [] }
        })
      )
    const shortened = renderPlanComment(config, manyResults(40))
    expect(shortened.length).toBeLessThanOrEqual(60_000)
    expect(shortened.match(/^- `x+\/file-\d+\.py`$/gm)).toHaveLength(40 * 5)
    expect(shortened).toContain('File lists are cut to 5 per kind')
    const withoutFiles = renderPlanComment(config, manyResults(120))
    expect(withoutFiles.length).toBeLessThanOrEqual(60_000)
    expect(withoutFiles).not.toContain('<details>')
    expect(withoutFiles).toContain('File lists are left out')
    expect(withoutFiles.match(/^\| `algo_\d+` \| \*\*create\*\* \|/gm)).toHaveLength(120)
    const cut = renderPlanComment(config, manyResults(1500))
    expect(cut.length).toBeLessThanOrEqual(60_000)
    expect(cut.startsWith(PLAN_MARKER_PREFIX)).toBe(true)
    expect(cut).toContain('the plan is too long for a comment')
  })
})

describe('small parts', () => {
  it('explains failures that are not GitHub answers as they are', () => {
    const context = { apiUrl: 'https://ghe.example.com/api/v3', owner: 'o', repo: 'r' }
    expect(explainGitHubFailure(new Error('GitHub created no deployment: Auto-merged main into topic'), 'deployments', context)).toBe(
      'GitHub created no deployment: Auto-merged main into topic'
    )
    expect(explainGitHubFailure(Object.assign(new Error('connect ECONNREFUSED'), { status: 500 }), 'comment', context)).toBe(
      "GitHub's API at https://ghe.example.com/api/v3 did not answer (connect ECONNREFUSED); on GitHub Enterprise Server, check GITHUB_API_URL"
    )
    expect(
      explainGitHubFailure({ status: 404, response: { headers: {}, data: { message: 'Not Found' } } }, 'deployments', context)
    ).toContain('GitHub answered 404 for o/r (Not Found)')
    expect(
      explainGitHubFailure(
        { status: 403, response: { headers: { 'x-ratelimit-remaining': '0' }, data: { message: 'API rate limit exceeded' } } },
        'deployments',
        context
      )
    ).toContain("GitHub's API rate limit was reached")
  })

  it('links the algorithm on its cluster', () => {
    const cluster = (apiUrl: string) => ({ label: 'x', apiUrl, gitUrl: apiUrl })
    expect(algorithmPageUrl(cluster('https://api.prod.algo.example.com'), 'ml_prod', 'hello')).toBe(
      'https://prod.algo.example.com/algorithms/ml_prod/hello'
    )
    expect(algorithmPageUrl(cluster('http://127.0.0.1:8080'), 'ml_prod', 'hello')).toBe('http://127.0.0.1:8080/algorithms/ml_prod/hello')
    expect(algorithmPageUrl(cluster('https://algorithmia.internal:8443/api'), 'team', 'a_b')).toBe(
      'https://algorithmia.internal:8443/algorithms/team/a_b'
    )
  })

  it('calls production what is named like it', () => {
    expect(['prod', 'production', 'Prod-EU', 'prod.algo.example.com', 'eu_prod'].map(isProductionName)).toEqual([
      true,
      true,
      true,
      true,
      true
    ])
    expect(['staging', 'preprod', 'product-demo', 'dev.algo.example.com', '127.0.0.1:8080'].map(isProductionName)).toEqual([
      false,
      false,
      false,
      false,
      false
    ])
  })

  it('writes code spans and plain text that markdown cannot break out of', () => {
    expect(code('a`b')).toBe('``a`b``')
    expect(code('`x`')).toBe('`` `x` ``')
    expect(text('<img src=x> *bold* @team')).toBe('&lt;img src=x&gt; \\*bold\\* @\u200bteam')
  })

  it('describes a success with versions where there are some', () => {
    const described = (fields: Partial<PromotionResult>) =>
      successDescription(result({ algorithm: 'a', destination: 'p', status: 'updated', ...fields }))
    expect(described({ sourceCommit: '1234567890abcdef', destCommit: 'abcdef0123456789', destVersion: '2.0.0' })).toBe(
      'updated: a 1234567890ab → p 2.0.0 @ abcdef012345'
    )
    expect(described({ sourceCommit: '', sourceVersion: '1.0.0', destCommit: '' })).toBe('updated: a 1.0.0 → p ?')
  })

  it('cuts text by characters, not halves of a pair', () => {
    expect(truncate('short', 10)).toBe('short')
    expect(truncate('abcdefghij', 5)).toBe('abcd…')
    expect(truncate('😀😀😀', 2)).toBe('😀…')
  })
})

function unusedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
    server.on('error', reject)
  })
}
