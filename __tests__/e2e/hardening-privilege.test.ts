/**
 * What must never widen access or act on the wrong account, through the
 * bundled action: settings the source left out, accounts that share a name
 * with the source's but are someone else's, a promotion record written by
 * hand, and a runner that switches certificate checks off.
 */
import { execFileSync } from 'node:child_process'
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startCluster, type EmulatedCluster } from '../../emulator/index.js'
import { runAction, type ActionRun } from '../../scripts/lib/run-action.js'
import type { PublicResult } from '../../src/report/public-result.js'
import { DEST_OWNER, SOURCE_OWNER, startClusterPair, type ClusterPair } from '../helpers/clusters.js'
import { DEV_ADMIN_KEY, PROD_ADMIN_KEY, accountsInputs } from '../helpers/inputs.js'
import { editJson, startHostileProxy, type HostileProxy } from './hostile-proxy.js'

const HELLO = { 'src/hello.py': 'def apply(input):\n    return "hello " + input\n', 'requirements.txt': '' }
const resultsOf = (run: ActionRun): PublicResult[] => JSON.parse(run.outputs.results ?? '[]') as PublicResult[]

describe('hardening: promotions never widen access or trust a record blindly', () => {
  let pair: ClusterPair
  let proxy: HostileProxy | undefined
  const runRoots: string[] = []
  beforeEach(async () => {
    pair = await startClusterPair({ buildDelayMs: 30 })
  })
  afterEach(async () => {
    await proxy?.stop()
    proxy = undefined
    await pair.stop()
    await Promise.all(runRoots.splice(0).map(dir => rm(dir, { recursive: true, force: true })))
  })

  async function promote(overrides: Record<string, string>, env: Record<string, string> = {}): Promise<ActionRun> {
    const run = await runAction(pair.inputs(overrides), env)
    runRoots.push(path.dirname(run.runnerTemp))
    return run
  }

  it('metadata: sync writes no setting the source left out of its answer', async () => {
    await pair.seed('hello', HELLO, { settings: { license: 'mit', network_access: 'full', pipeline_enabled: true } })
    pair.prod.createAlgorithm(DEST_OWNER, 'hello', {
      settings: { license: 'apl', network_access: 'isolated', pipeline_enabled: false, source_visibility: 'closed' }
    })
    proxy = await startHostileProxy(pair.dev.url)
    proxy.add({
      kind: 'rewrite',
      method: 'GET',
      path: new RegExp(`^/v1/algorithms/${SOURCE_OWNER}/hello$`),
      transform: editJson(body => {
        const settings = body.settings as Record<string, unknown>
        for (const field of ['network_access', 'pipeline_enabled', 'license', 'source_visibility']) delete settings[field]
      })
    })

    const run = await promote({ algorithms: 'hello', metadata: 'sync', 'source-api-url': proxy.url })

    expect(run.exitCode, run.stdout).toBe(0)
    expect(pair.prod.getAlgorithm(DEST_OWNER, 'hello')!.settings).toMatchObject({
      license: 'apl',
      network_access: 'isolated',
      pipeline_enabled: false,
      source_visibility: 'closed'
    })
    expect(resultsOf(run)[0].metadataChanges ?? []).toEqual([])
  })

  it('metadata: sync that widens access says so in the log and the job summary', async () => {
    await pair.seed('hello', HELLO, { settings: { network_access: 'full', algorithm_callability: 'public' } })
    pair.prod.createAlgorithm(DEST_OWNER, 'hello', { settings: { network_access: 'isolated', algorithm_callability: 'private' } })

    const run = await promote({ algorithms: 'hello', metadata: 'sync' })

    expect(run.exitCode, run.stdout).toBe(0)
    expect(run.stdout).toMatch(/::warning::.*widened access.*settings\.network_access: "isolated" → "full" \(widens access\)/)
    expect(run.stdout).toMatch(/settings\.algorithm_callability: "private" → "public" \(widens access\)/)
    expect(run.summary).toContain('(widens access)')
  })

  it('a promotion record written by hand is not trusted when publishing: the source tree is promoted and published', async () => {
    const sourceCommit = await pair.seed('hello', HELLO)
    pair.prod.createAlgorithm(DEST_OWNER, 'hello')
    await pair.prod.commit(DEST_OWNER, 'hello', { 'src/hello.py': 'def apply(input):\n    return "not the source"\n' })
    const forged = await pair.prod.headCommit(DEST_OWNER, 'hello')
    const repo = pair.prod.repoPath(DEST_OWNER, 'hello')
    execFileSync('git', ['-C', repo, 'update-ref', `refs/algorithmia-promote/source/${sourceCommit}`, forged!])

    const run = await promote({ algorithms: 'hello', publish: 'true' })

    expect(run.exitCode, run.stdout).toBe(0)
    expect(run.stdout).toMatch(/::warning::.*promotion record.*not that commit's/)
    const [result] = resultsOf(run)
    expect(result.destCommit).not.toBe(forged)
    expect(result.destVersion).toBe('0.1.0')
    expect(await pair.prod.readTree(DEST_OWNER, 'hello')).toEqual(await pair.dev.readTree(SOURCE_OWNER, 'hello'))
    const published = pair.prod.requests.filter(r => r.method === 'POST' && r.path.endsWith('/versions'))
    expect(published).toHaveLength(1)
  })

  it('a plain unchanged re-run still trusts the record: no tree is fetched when nothing is published', async () => {
    await pair.seed('hello', HELLO)
    expect((await promote({ algorithms: 'hello' })).exitCode).toBe(0)
    pair.prod.clearRequests()
    const again = await promote({ algorithms: 'hello' })
    expect(again.exitCode, again.stdout).toBe(0)
    expect(resultsOf(again)[0].status).toBe('unchanged')
    expect(pair.prod.requests.filter(r => r.path.endsWith('/git-upload-pack'))).toEqual([])
  })

  it('refuses to run with NODE_TLS_REJECT_UNAUTHORIZED=0, naming the variable, before any request', async () => {
    await pair.seed('hello', HELLO)
    pair.dev.clearRequests()

    const run = await promote({ algorithms: 'hello' }, { NODE_TLS_REJECT_UNAUTHORIZED: '0' })

    expect(run.exitCode).toBe(1)
    expect(run.stdout).toMatch(/::error title=Input 'NODE_TLS_REJECT_UNAUTHORIZED'::.*NODE_EXTRA_CA_CERTS/)
    expect(pair.dev.requests).toEqual([])
    expect(pair.prod.requests).toEqual([])
  })
})

describe('hardening: accounts are matched by more than their name', () => {
  let dev: EmulatedCluster
  let prod: EmulatedCluster
  let proxy: HostileProxy | undefined
  beforeEach(async () => {
    dev = await startCluster({ name: 'dev' })
    prod = await startCluster({ name: 'prod' })
    dev.addUser('dev_admin')
    dev.addKey('dev_admin', { admin: true, key: DEV_ADMIN_KEY })
    prod.addUser('prod_admin')
    prod.addKey('prod_admin', { admin: true, key: PROD_ADMIN_KEY })
    dev.addUser('alice', { email: 'alice@example.com' })
    prod.addUser('alice', { email: 'Alice@Example.com' })
    dev.addUser('bob', { email: 'bob@example.com' })
    // Someone else registered 'bob' at the destination.
    prod.addUser('bob', { email: 'someone.else@example.org' })
    dev.addOrg('vision', ['alice', 'bob'], { email: 'vision@example.com', url: 'https://vision.example.com', contact_name: 'Alice' })
  })
  afterEach(async () => {
    await proxy?.stop()
    proxy = undefined
    await Promise.all([dev.stop(), prod.stop()])
  })

  const inputs = (overrides: Record<string, string> = {}) => accountsInputs(dev.url, prod.url, overrides)
  type Report = {
    users: { username: string; status: string; error?: string }[]
    organizations: { name: string; status: string; error?: string; members: { username: string; status: string }[] }[]
  }
  const reportOf = (run: ActionRun): Report => JSON.parse(run.outputs.accounts) as Report

  it('a destination user with the same name and another email is a conflict: reported, and added to no organization', async () => {
    const run = await runAction(inputs({ accounts: 'vision' }))

    const report = reportOf(run)
    expect(report.users.map(user => [user.username, user.status])).toEqual([
      ['alice', 'exists'],
      ['bob', 'failed']
    ])
    expect(report.users[1].error).toMatch(/'bob' exists there with another email.*someone else's account/)
    expect(prod.getOrg('vision')?.members).toEqual({ prod_admin: 'owner', alice: 'member' })
    expect(report.organizations[0].members.find(member => member.username === 'bob')?.status).toBe('failed')
    expect(run.exitCode).toBe(1)
  })

  it('a destination organization of the same name that matches on nothing else gets no member', async () => {
    prod.addOrg('vision', ['prod_admin'], { email: 'other-team@example.org', url: 'https://other.example.org', contact_name: 'Mallory' })

    const run = await runAction(inputs({ accounts: 'vision' }))

    const [org] = reportOf(run).organizations
    expect(org).toMatchObject({ name: 'vision', status: 'failed', members: [] })
    expect(org.error).toMatch(/none of its email, URL or contact name matches/)
    expect(Object.keys(prod.getOrg('vision')?.members ?? {})).toEqual(['prod_admin'])
    expect(prod.requests.filter(r => r.method === 'PUT')).toEqual([])
    expect(run.exitCode).toBe(1)
  })

  it('an answer about another organization than the one asked for adds nobody anywhere', async () => {
    prod.addOrg('admins', ['prod_admin'])
    proxy = await startHostileProxy(prod.url)
    proxy.add({
      kind: 'rewrite',
      method: 'GET',
      path: /^\/v1\/organizations\/vision$/,
      transform: () => ({
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: Buffer.from(JSON.stringify({ org_name: 'admins', org_email: 'vision@example.com', type_id: 'x' }))
      })
    })

    const run = await runAction(inputs({ accounts: 'vision', 'dest-api-url': proxy.url }))

    const [org] = reportOf(run).organizations
    expect(org.status).toBe('failed')
    expect(org.error).toMatch(/answered about "admins" when asked for 'vision'/)
    expect(Object.keys(prod.getOrg('admins')?.members ?? {})).toEqual(['prod_admin'])
    expect(prod.requests.filter(r => r.method === 'PUT' || r.method === 'POST')).toEqual([])
  })
})
