/**
 * The list reads a migration depends on, against a scripted local server:
 * pages and the spec's bare arrays, odd answers named as such, and the
 * accounts output kept under GitHub's output limit.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { AdminApi } from '../../src/cluster/admin-api.js'
import { AlgorithmiaApi } from '../../src/cluster/api.js'
import { ClusterAnswerError } from '../../src/cluster/errors.js'
import { ClusterHttp } from '../../src/cluster/http.js'
import type { AccountsReport } from '../../src/accounts/report.js'
import { silentLogger } from '../../src/util/log.js'
import { DEFAULT_RETRY_POLICY } from '../../src/util/retry.js'
import { accountsWithinLimit } from '../../src/workflow-commands/accounts-output.js'
import { RESULTS_BUDGET_BYTES } from '../../src/workflow-commands/outputs.js'

let server: Server | undefined
afterEach(async () => {
  await new Promise(resolve => (server ? server.close(resolve) : resolve(undefined)))
  server = undefined
})

/** Answers each GET with the JSON `answers` gives for its path and query. */
async function serve(answers: (url: URL) => unknown): Promise<ClusterHttp> {
  server = createServer((req, res) => {
    const body = JSON.stringify(answers(new URL(req.url ?? '/', 'http://x')))
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(body)
  })
  await new Promise<void>(resolve => server?.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  const retry = { ...DEFAULT_RETRY_POLICY, maxAttempts: 1, attemptTimeoutMs: 2000 }
  return new ClusterHttp({
    cluster: 'unit',
    apiUrl: `http://127.0.0.1:${port}`,
    apiKey: 'simKEY',
    retry,
    logger: silentLogger,
    redact: text => text
  })
}

describe("an owner's algorithm list", () => {
  it('follows markers across pages, reading name or algoname', async () => {
    const http = await serve(url =>
      url.searchParams.get('marker') ? { results: [{ algoname: 'second' }], marker: null } : { results: [{ name: 'first' }], marker: 'm1' }
    )
    expect(await new AlgorithmiaApi('unit', http).listAlgorithmNames('team')).toEqual(['first', 'second'])
  })

  it('takes a bare array, as the spec describes the answer', async () => {
    const http = await serve(() => [{ algoname: 'one', username: 'team' }])
    expect(await new AlgorithmiaApi('unit', http).listAlgorithmNames('team')).toEqual(['one'])
  })

  it('refuses a name that is not an algorithm name, naming the cluster and request', async () => {
    const http = await serve(() => ({ results: [{ name: '../../etc' }] }))
    const error = await new AlgorithmiaApi('unit', http).listAlgorithmNames('team').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ClusterAnswerError)
    expect((error as Error).message).toMatch(
      /^unit: GET \/users\/team\/algorithms: answered with an unexpected shape: results\[0\]: name is "..\/..\/etc"/
    )
  })
})

describe('admin lists', () => {
  it('read users, organizations, members and types; an account without a valid name is refused', async () => {
    const http = await serve(url => {
      if (url.pathname.endsWith('/organization/types')) return [{ id: 't1', name: 'basic' }]
      if (url.pathname.endsWith('/members')) return { results: [{ username: 'alice', role: 'owner' }] }
      if (url.pathname.endsWith('/organizations')) return { results: [{ org_name: 'team' }] }
      return { results: [{ username: 'alice' }, { username: 42 }] }
    })
    const admin = new AdminApi('unit', http)
    expect(await admin.listOrganizationTypes()).toEqual([{ id: 't1', name: 'basic' }])
    expect(await admin.listMembers('team')).toEqual([{ username: 'alice', role: 'owner' }])
    expect(await admin.listOrganizations()).toEqual([{ org_name: 'team' }])
    await expect(admin.listUsers()).rejects.toThrow(/results\[1\]: username is 42, not a user or organization name/)
  })
})

describe('the accounts output', () => {
  it('stays under GitHub’s output limit, however many accounts there are', () => {
    const users = Array.from({ length: 20_000 }, (_, i) => ({
      username: `user_${i}`,
      status: 'failed' as const,
      differences: [{ field: 'fullname', source: 'x'.repeat(40), destination: 'y'.repeat(40) }],
      error: 'e'.repeat(500)
    }))
    const report: AccountsReport = {
      source: 'dev',
      destination: 'prod',
      dryRun: false,
      users,
      organizations: [],
      mustSignIn: [],
      keysToReissue: [],
      failed: users.length
    }
    const json = accountsWithinLimit(report)
    expect(Buffer.byteLength(json)).toBeLessThanOrEqual(RESULTS_BUDGET_BYTES)
    const parsed = JSON.parse(json) as AccountsReport
    expect(parsed.failed).toBe(20_000)
    expect(parsed.users.length).toBeGreaterThan(1000)
    expect(parsed.users[0]).toEqual({ username: 'user_0', status: 'failed', error: expect.stringContaining('shortened') })
  })

  it('is the whole report when it fits', () => {
    const report: AccountsReport = {
      source: 'dev',
      destination: 'prod',
      dryRun: true,
      users: [{ username: 'a', status: 'would-create', differences: [] }],
      organizations: [],
      mustSignIn: ['a'],
      keysToReissue: ['a'],
      failed: 0
    }
    expect(JSON.parse(accountsWithinLimit(report))).toEqual(report)
  })
})
