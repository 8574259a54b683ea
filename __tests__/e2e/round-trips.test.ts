/**
 * End to end: on a real network every question asked after another one's
 * answer costs a round trip, so independent questions go out together. One
 * answer is slowed down (an emulator fault) and the request logs show which
 * questions were sent while it was still pending: an order, not a duration.
 */
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { RequestRecord } from '../../emulator/index.js'
import { runAction, type ActionRun } from '../../scripts/lib/run-action.js'
import { DEST_OWNER, SOURCE_OWNER, startClusterPair, type ClusterPair } from '../helpers/clusters.js'

const FILES = { 'src/hello.py': 'def apply(input):\n    return "hello " + input\n', 'requirements.txt': 'numpy\n' }
const SLOW_MS = 1500

let pair: ClusterPair
const runRoots: string[] = []

beforeEach(async () => {
  pair = await startClusterPair()
  await pair.seed('hello', FILES)
})
afterEach(async () => {
  await pair.stop()
  await Promise.all(runRoots.splice(0).map(dir => rm(dir, { recursive: true, force: true })))
})

async function promote(overrides: Record<string, string> = {}): Promise<ActionRun> {
  const run = await runAction(pair.inputs({ algorithms: 'hello', ...overrides }))
  runRoots.push(path.dirname(run.runnerTemp))
  expect(run.exitCode, run.stdout).toBe(0)
  return run
}

function only(requests: readonly RequestRecord[], method: string, pathname: string): RequestRecord {
  const matching = requests.filter(request => request.method === method && request.path === pathname)
  expect(matching, `${method} ${pathname}`).toHaveLength(1)
  return matching[0]
}

/** Sent while `slow` was still waiting for its answer. */
function sentDuring(request: RequestRecord, slow: RequestRecord): boolean {
  return request.at < slow.at + SLOW_MS
}

describe('questions that do not depend on each other go out together', () => {
  it("asks each destination whether the algorithm exists, and its refs, together with the source's questions", async () => {
    await promote()
    pair.dev.clearRequests()
    pair.prod.clearRequests()
    pair.dev.faults.add({ method: 'GET', path: /^\/v1\/algorithms\/data_science\/hello$/, latencyMs: SLOW_MS, times: 1 })

    await promote()

    const slow = only(pair.dev.requests, 'GET', `/v1/algorithms/${SOURCE_OWNER}/hello`)
    expect(sentDuring(only(pair.prod.requests, 'GET', `/v1/algorithms/${DEST_OWNER}/hello`), slow)).toBe(true)
    expect(sentDuring(only(pair.prod.requests, 'GET', `/git/${DEST_OWNER}/hello.git/info/refs`), slow)).toBe(true)
    expect(sentDuring(only(pair.dev.requests, 'GET', `/git/${SOURCE_OWNER}/hello.git/info/refs`), slow)).toBe(true)
    // Nothing changed: six requests in all, the refs read without git (no upload-pack POST).
    const all = [...pair.dev.requests, ...pair.prod.requests]
    expect(all.map(request => `${request.method} ${request.path}`).sort()).toHaveLength(6)
    expect(all.filter(request => request.method === 'POST')).toEqual([])
  })

  it("fetches a new destination's template head while the source's fetch runs", async () => {
    pair.dev.faults.add({ method: 'POST', path: `/git/${SOURCE_OWNER}/hello.git/git-upload-pack`, latencyMs: SLOW_MS, times: 1 })

    const run = await promote()

    expect(JSON.parse(run.outputs.results)[0]).toMatchObject({ status: 'created' })
    const slow = only(pair.dev.requests, 'POST', `/git/${SOURCE_OWNER}/hello.git/git-upload-pack`)
    expect(sentDuring(only(pair.prod.requests, 'POST', `/git/${DEST_OWNER}/hello.git/git-upload-pack`), slow)).toBe(true)
    expect(await pair.prod.readTree(DEST_OWNER, 'hello')).toEqual(await pair.dev.readTree(SOURCE_OWNER, 'hello'))
  })

  it("fetches an existing destination's head while the source's fetch runs, when neither server serves partial clone", async () => {
    await promote()
    await pair.dev.commit(SOURCE_OWNER, 'hello', { 'NOTES.md': 'one more file\n' }, { replace: false })
    pair.dev.clearRequests()
    pair.prod.clearRequests()
    pair.dev.faults.add({ method: 'POST', path: `/git/${SOURCE_OWNER}/hello.git/git-upload-pack`, latencyMs: SLOW_MS, times: 1 })

    const run = await promote()

    expect(JSON.parse(run.outputs.results)[0]).toMatchObject({ status: 'updated' })
    const slow = only(pair.dev.requests, 'POST', `/git/${SOURCE_OWNER}/hello.git/git-upload-pack`)
    expect(sentDuring(only(pair.prod.requests, 'POST', `/git/${DEST_OWNER}/hello.git/git-upload-pack`), slow)).toBe(true)
    expect(await pair.prod.readTree(DEST_OWNER, 'hello')).toEqual(await pair.dev.readTree(SOURCE_OWNER, 'hello'))
  })

  it('compares secret names while the push runs', async () => {
    pair.dev.addSecret(SOURCE_OWNER, 'hello', { short_name: 'TOKEN', value: 'never-read' })
    const pushes = (requests: readonly RequestRecord[]) =>
      requests.filter(request => request.method === 'POST' && request.gitService === 'receive-pack' && request.bytesIn > 4)
    pair.prod.faults.add({ method: 'POST', path: `/git/${DEST_OWNER}/hello.git/git-receive-pack`, latencyMs: SLOW_MS })

    const run = await promote()

    expect(run.stdout).toMatch(/::warning::.*TOKEN/)
    const [push] = pushes(pair.prod.requests)
    const secrets = pair.dev.requests.filter(request => request.path.endsWith('/secrets'))
    expect(secrets).toHaveLength(1)
    expect(sentDuring(secrets[0], push)).toBe(true)
  })
})
