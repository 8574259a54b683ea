/**
 * The contenders. Each runs one promotion as its own process tree and returns
 * its wall time, the git bytes the emulators saw, and its peak memory. Setup
 * (destination owners, an emptied floor repository) happens before the clock
 * starts; checks that the result is right happen after it stops.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { EmulatedCluster } from '../emulator/index.js'
import { runAction } from '../scripts/lib/run-action.js'
import { SOURCE_OWNER, type ClusterPair } from '../__tests__/helpers/clusters.js'
import { isolatedGitEnv } from './fixtures.js'
import { RssSampler, runCommand, secondsSince, sleep } from './measure.js'

export interface Measurement {
  readonly seconds: number
  /** Bytes the servers sent in answer to fetches and clones (upload-pack). */
  readonly bytesFetched: number
  /** Bytes the client sent in pushes (receive-pack). */
  readonly bytesPushed: number
  /** Sum over samples of the tree's RSS at one instant, at its largest. */
  readonly peakRssKb: number
  /** The largest peak (VmHWM) of any single process of the tree. */
  readonly largestProcessKb: number
  /** Sum over samples of the tree's proportional set size (shared pages counted once), at its largest. */
  readonly peakPssKb: number
  /** The most processes of the tree alive at one sample. */
  readonly peakProcesses: number
  /** HTTP requests both emulators answered (API and git). */
  readonly requests: number
}

export interface BenchContext {
  readonly pair: ClusterPair
  readonly sampler: RssSampler
  /** Scratch space for this bench run; removed at the end. */
  readonly workDir: string
  /** HOME for the git processes the bench starts, so the host's ~/.gitconfig stays out. */
  readonly home: string
}

/** The API key owners of the cluster pair (see __tests__/helpers/clusters.ts). */
const SOURCE_KEY_OWNER = 'alice'
const DEST_KEY_OWNER = 'deployer'
const SEED_SCRIPT = fileURLToPath(new URL('./seed-promote.sh', import.meta.url))
const FLOOR_SCRIPT = fileURLToPath(new URL('./git-floor.sh', import.meta.url))
const FLOOR_CHANGE_SCRIPT = fileURLToPath(new URL('./git-floor-change.sh', import.meta.url))

/** A fresh destination owner, so every "first promotion" starts from nothing. */
export function addDestinationOwner(ctx: BenchContext, owner: string): string {
  ctx.pair.prod.addOrg(owner, [DEST_KEY_OWNER])
  return owner
}

/** (1) The seed script's steps: full clones of both, cp, commit, push. */
export async function seedScript(ctx: BenchContext, algorithm: string, destOwner: string): Promise<Measurement> {
  const { dev, prod } = ctx.pair
  const cwd = await scratchDir(ctx, `seed-${destOwner}`)
  const env = {
    ...isolatedGitEnv(ctx.home),
    ...commitIdentity('Seed Script'),
    DEST_API_URL: prod.url,
    DEST_API_KEY: ctx.pair.prodKey,
    DEST_ALGO_OWNER: destOwner,
    ALGO_NAME: algorithm,
    SOURCE_REPO_URL: repoUrl(dev, SOURCE_OWNER, algorithm),
    DEST_REPO_URL: repoUrl(prod, destOwner, algorithm),
    SOURCE_AUTH_HEADER: authorization(SOURCE_KEY_OWNER, ctx.pair.devKey),
    DEST_AUTH_HEADER: authorization(DEST_KEY_OWNER, ctx.pair.prodKey)
  }
  const result = await measure(ctx, path.basename(SEED_SCRIPT), () => runCommand('bash', [SEED_SCRIPT], { env, cwd }))
  await rm(cwd, { recursive: true, force: true })
  if ((await prod.headCommit(destOwner, algorithm)) === undefined) throw new Error('seed script: nothing was pushed')
  return result
}

/** (3) Depth-1 clone of the source, one root commit of its tree, push into an emptied repository. */
export async function gitFloor(ctx: BenchContext, algorithm: string, destOwner: string): Promise<Measurement> {
  const { dev, prod } = ctx.pair
  await emptyRepository(ctx, prod, destOwner, algorithm)
  const cwd = await scratchDir(ctx, `floor-${destOwner}`)
  const env = {
    ...isolatedGitEnv(ctx.home),
    ...commitIdentity('Git Floor'),
    SOURCE_REPO_URL: repoUrl(dev, SOURCE_OWNER, algorithm),
    DEST_REPO_URL: repoUrl(prod, destOwner, algorithm),
    SOURCE_AUTH_HEADER: authorization(SOURCE_KEY_OWNER, ctx.pair.devKey),
    DEST_AUTH_HEADER: authorization(DEST_KEY_OWNER, ctx.pair.prodKey)
  }
  const result = await measure(ctx, path.basename(FLOOR_SCRIPT), () => runCommand('bash', [FLOOR_SCRIPT], { env, cwd }))
  await rm(cwd, { recursive: true, force: true })
  await expectSameTree(ctx, algorithm, destOwner, 'git floor')
  return result
}

/**
 * (5') The floor procedure applied to a change: depth-1 fetches of both heads,
 * commit-tree on top of the destination head, push. `destOwner`'s algorithm
 * must already hold code (the floor's earlier root commit).
 */
export async function gitFloorChange(ctx: BenchContext, algorithm: string, destOwner: string): Promise<Measurement> {
  const { dev, prod } = ctx.pair
  const cwd = await scratchDir(ctx, `floor-change-${destOwner}`)
  const env = {
    ...isolatedGitEnv(ctx.home),
    ...commitIdentity('Git Floor'),
    SOURCE_REPO_URL: repoUrl(dev, SOURCE_OWNER, algorithm),
    DEST_REPO_URL: repoUrl(prod, destOwner, algorithm),
    SOURCE_AUTH_HEADER: authorization(SOURCE_KEY_OWNER, ctx.pair.devKey),
    DEST_AUTH_HEADER: authorization(DEST_KEY_OWNER, ctx.pair.prodKey)
  }
  const result = await measure(ctx, path.basename(FLOOR_CHANGE_SCRIPT), () => runCommand('bash', [FLOOR_CHANGE_SCRIPT], { env, cwd }))
  await rm(cwd, { recursive: true, force: true })
  await expectSameTree(ctx, algorithm, destOwner, 'floor procedure')
  return result
}

export type ResultStatus = 'created' | 'updated' | 'unchanged'

/**
 * (2), (4), (5), (6): the bundled action, run as GitHub runs it. `expected`
 * counts the statuses the run must report (e.g. { unchanged: 45, updated: 5 }).
 */
export async function action(
  ctx: BenchContext,
  algorithms: readonly string[],
  destOwner: string,
  expected: Partial<Record<ResultStatus, number>>,
  extraInputs: Record<string, string | boolean> = {}
): Promise<Measurement> {
  const inputs = ctx.pair.inputs({ algorithms: algorithms.join('\n'), 'dest-algo-owner': destOwner, ...extraInputs })
  const result = await measure(ctx, 'dist/index.js', () => runAction(inputs))
  const run = result.value
  await rm(path.dirname(run.runnerTemp), { recursive: true, force: true })
  if (run.exitCode !== 0) throw new Error(`action exited ${run.exitCode}:\n${run.stdout}\n${run.stderr}`)
  const statuses = statusesOf(run.outputs.results, run.summary)
  for (const [status, count] of Object.entries(expected)) {
    if (statuses[status] !== count) throw new Error(`action: expected ${count} ${status}, got ${JSON.stringify(statuses)}`)
  }
  if (algorithms.length === 1) await expectSameTree(ctx, algorithms[0], destOwner, 'action')
  return result
}

/**
 * How many results of each status a run reported. The `results` output holds the first of them when
 * they pass GitHub's 1 MB output limit (thousands of algorithms); the job summary's count line
 * (`4990 unchanged, 10 updated`) then has the whole run.
 */
function statusesOf(results: string, summary: string): Record<string, number> {
  const statuses: Record<string, number> = {}
  for (const entry of JSON.parse(results) as Array<{ status: string }>) statuses[entry.status] = (statuses[entry.status] ?? 0) + 1
  const counted = Object.values(statuses).reduce((sum, count) => sum + count, 0)
  const line = /((?:\d+ (?:created|updated|unchanged|planned|failed)(?:, )?)+)/.exec(summary)?.[1]
  if (!line) return statuses
  const fromSummary: Record<string, number> = {}
  for (const [, count, status] of line.matchAll(/(\d+) (\w+)/g)) fromSummary[status] = Number(count)
  const total = Object.values(fromSummary).reduce((sum, count) => sum + count, 0)
  return total > counted ? fromSummary : statuses
}

/** Runs `work` with the clock, the memory sampler and the request logs around it. */
async function measure<T>(ctx: BenchContext, marker: string, work: () => Promise<T>): Promise<Measurement & { value: T }> {
  const clusters = [ctx.pair.dev, ctx.pair.prod]
  clusters.forEach(cluster => cluster.clearRequests())
  const start = performance.now()
  const { value, memory } = await ctx.sampler.during(marker, work)
  const seconds = secondsSince(start)
  // The log entry is written when the server closes the response, which can trail the client's exit.
  await sleep(50)
  const bytes = gitBytes(clusters)
  const requests = clusters.reduce((sum, cluster) => sum + cluster.requests.length, 0)
  const { peakRssKb, largestProcessKb, peakPssKb, peakProcesses } = memory
  return { value, seconds, ...bytes, requests, peakRssKb, largestProcessKb, peakPssKb, peakProcesses }
}

function gitBytes(clusters: readonly EmulatedCluster[]): { bytesFetched: number; bytesPushed: number } {
  let bytesFetched = 0
  let bytesPushed = 0
  for (const request of clusters.flatMap(cluster => cluster.requests)) {
    if (request.gitService === 'upload-pack') bytesFetched += request.bytesOut
    if (request.gitService === 'receive-pack') bytesPushed += request.bytesIn
  }
  return { bytesFetched, bytesPushed }
}

/**
 * The floor's destination: an algorithm created as usual, whose repository
 * then loses its master ref and the template's objects, so the push meets a
 * truly empty repository served by the emulator with its normal configuration.
 */
async function emptyRepository(ctx: BenchContext, cluster: EmulatedCluster, owner: string, name: string): Promise<void> {
  cluster.createAlgorithm(owner, name, { details: { label: name } })
  await cluster.headCommit(owner, name) // waits for the template commit
  const env = { ...isolatedGitEnv(ctx.home), GIT_DIR: cluster.repoPath(owner, name) }
  await runCommand('git', ['update-ref', '-d', 'refs/heads/master'], { env })
  await runCommand('git', ['prune', '--expire=now'], { env })
  const left = await runCommand('git', ['count-objects'], { env })
  if (!left.stdout.startsWith('0 objects')) throw new Error(`the floor's repository is not empty: ${left.stdout}`)
}

async function expectSameTree(ctx: BenchContext, algorithm: string, destOwner: string, who: string): Promise<void> {
  const [source, dest] = await Promise.all([
    treeOf(ctx, ctx.pair.dev, SOURCE_OWNER, algorithm),
    treeOf(ctx, ctx.pair.prod, destOwner, algorithm)
  ])
  if (source !== dest) throw new Error(`${who}: destination tree ${dest} is not the source tree ${source}`)
}

async function treeOf(ctx: BenchContext, cluster: EmulatedCluster, owner: string, name: string): Promise<string> {
  await cluster.headCommit(owner, name) // waits for pending emulator commits
  const env = { ...isolatedGitEnv(ctx.home), GIT_DIR: cluster.repoPath(owner, name) }
  return (await runCommand('git', ['rev-parse', 'refs/heads/master^{tree}'], { env })).stdout.trim()
}

function repoUrl(cluster: EmulatedCluster, owner: string, name: string): string {
  return `${cluster.url}/git/${owner}/${name}.git`
}

/** The header value git sends; it goes into GIT_CONFIG_VALUE_0, never into a URL or an argument. */
function authorization(owner: string, key: string): string {
  return `Authorization: Basic ${Buffer.from(`${owner}:${key}`).toString('base64')}`
}

function commitIdentity(name: string): NodeJS.ProcessEnv {
  const email = 'bench@example.com'
  return { GIT_AUTHOR_NAME: name, GIT_AUTHOR_EMAIL: email, GIT_COMMITTER_NAME: name, GIT_COMMITTER_EMAIL: email }
}

async function scratchDir(ctx: BenchContext, name: string): Promise<string> {
  await mkdir(ctx.workDir, { recursive: true })
  return mkdtemp(path.join(ctx.workDir, `${name}-`))
}

/** Bundle cold start: `node dist/index.js` with no inputs, to its exit (it fails on the missing inputs). */
export async function coldStart(ctx: BenchContext, runs: number): Promise<number[]> {
  const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url))
  const env = { PATH: process.env.PATH, HOME: ctx.home }
  const seconds: number[] = []
  for (let i = 0; i < runs + 2; i++) {
    const start = performance.now()
    const result = await runCommand(process.execPath, [entry], { env, allowFailure: true })
    if (result.exitCode === 0) throw new Error('cold start: the action succeeded without inputs')
    if (i >= 2) seconds.push(secondsSince(start)) // two warm-up runs fill the page cache
  }
  return seconds
}

export { SOURCE_OWNER }
