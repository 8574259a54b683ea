/**
 * Issue 3, secrets: canary keys with '/', '+' and '=' never appear, in any
 * form, in stdout/stderr (with RUNNER_DEBUG=1 too), GITHUB_OUTPUT, the job
 * summary, error messages (even when a cluster echoes the request back), git's
 * argument lists, or any file left in RUNNER_TEMP or the workspace; and the
 * temporary repositories are gone after every run, failed or not.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { readdir } from 'node:fs/promises'
import { createServer, type AddressInfo } from 'node:net'
import path from 'node:path'
import { listFiles, type ActionRun } from '../../scripts/lib/run-action.js'
import { DEST_OWNER, SOURCE_OWNER, startClusterPair, type ClusterPair } from '../helpers/clusters.js'
import {
  CANARY_DEV_KEY,
  CANARY_PROD_KEY,
  runAndScan,
  secretForms,
  withoutMaskCommands,
  type KeyUnderTest,
  type ScanReport
} from './security-scan.js'

const DEV = { owner: 'alice', key: CANARY_DEV_KEY }
const PROD = { owner: 'deployer', key: CANARY_PROD_KEY }
const WRONG_KEY = 'simCANARY/wrong+k='
const READ_ONLY_KEY = 'simCANARY/read+only='
const FILES = { 'src/hello.py': 'def apply(input):\n    return "hi " + input\n', 'requirements.txt': 'numpy\n' }

/** A local port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise(resolve => server.close(resolve))
  return port
}

/** A cluster error body that echoes the request back, credentials and all, in every form. */
function echoingBody(key: KeyUnderTest): string {
  const basic = Buffer.from(`${key.owner}:${key.key}`).toString('base64')
  return `Upstream said: Authorization: Simple ${key.key}; url-encoded ${encodeURIComponent(key.key)}; basic ${basic}; raw ${Buffer.from(key.key).toString('base64')}`
}

interface Scenario {
  readonly name: string
  /** Prepares the clusters; returns input overrides and any extra keys that must not leak. */
  readonly setup: (pair: ClusterPair) => Promise<{ inputs?: Record<string, string>; keys?: KeyUnderTest[] }>
  readonly exitCode: 0 | 1
  /** Something the failure must say, to prove the scenario failed where intended. */
  readonly error?: RegExp
}

const SCENARIOS: Scenario[] = [
  {
    name: 'a successful promotion with publish and a version map',
    setup: async pair => {
      await pair.seed('hello', FILES, { publish: 'minor' })
      return { inputs: { publish: 'true', 'version-map-file': 'versions.json' } }
    },
    exitCode: 0
  },
  {
    name: 'the API answers 500 with a JSON body echoing the key',
    setup: async pair => {
      await pair.seed('hello', FILES)
      pair.prod.faults.add({
        path: `/v1/algorithms/${DEST_OWNER}`,
        status: 500,
        times: 100,
        body: { error: { code: 5001, message: echoingBody(PROD) } }
      })
      return { inputs: { 'max-attempts': '2' } }
    },
    exitCode: 1,
    error: /answered 500 \(code 5001\): Upstream said: Authorization: Simple \*\*\*/
  },
  {
    name: 'a proxy answers 502 with a long HTML page echoing the key where an excerpt would cut it',
    setup: async pair => {
      await pair.seed('hello', FILES)
      const page = `<html><body>${'x'.repeat(180)} ${CANARY_DEV_KEY} ${echoingBody(DEV)}</body></html>`
      pair.dev.faults.add({ path: `/v1/algorithms/${SOURCE_OWNER}/hello`, status: 502, times: 100, body: page })
      return { inputs: { 'max-attempts': '2' } }
    },
    exitCode: 1,
    error: /answered 502/
  },
  {
    name: 'git answers 500 with a body echoing the key',
    setup: async pair => {
      await pair.seed('hello', FILES)
      pair.prod.faults.add({ path: `/git/${DEST_OWNER}/hello.git/info/refs`, status: 500, times: 100, body: echoingBody(PROD) })
      return { inputs: { 'max-attempts': '2' } }
    },
    exitCode: 1,
    error: /git ls-remote .* failed: .*500/
  },
  {
    name: 'the source key is wrong (API 401)',
    setup: async pair => {
      await pair.seed('hello', FILES)
      return { inputs: { 'source-api-key': WRONG_KEY }, keys: [{ owner: 'alice', key: WRONG_KEY }] }
    },
    exitCode: 1,
    error: /authentication failed on .* for the API key owned by 'alice'. Check that source-api-key/
  },
  {
    name: 'the destination key owner is wrong (git 401)',
    setup: async pair => {
      await pair.seed('hello', FILES)
      pair.prod.addUser('someone_else')
      return { inputs: { 'dest-api-key-owner': 'someone_else' }, keys: [{ owner: 'someone_else', key: CANARY_PROD_KEY }] }
    },
    exitCode: 1,
    error: /authentication failed on .*git.* for the API key owned by 'someone_else'.*dest-api-key-owner names its owner/
  },
  {
    name: 'the destination key may not manage algorithms (403)',
    setup: async pair => {
      await pair.seed('hello', FILES)
      pair.prod.addKey('deployer', { algoManagement: false, key: READ_ONLY_KEY })
      return { inputs: { 'dest-api-key': READ_ONLY_KEY }, keys: [{ owner: 'deployer', key: READ_ONLY_KEY }] }
    },
    exitCode: 1,
    error: /the API key owned by 'deployer' may not manage the algorithms of 'ml_prod'/
  },
  {
    name: 'the destination owner does not exist',
    setup: async pair => {
      await pair.seed('hello', FILES)
      return { inputs: { 'dest-algo-owner': 'nobody_here' } }
    },
    exitCode: 1,
    error: /users and organizations must exist on the destination/i
  },
  {
    name: 'the source algorithm and version do not exist (404)',
    setup: async pair => {
      await pair.seed('hello', FILES, { publish: 'minor' })
      return { inputs: { algorithms: 'hello, missing', 'source-version': '9.9.9' } }
    },
    exitCode: 1,
    error: /source-version 9\.9\.9 is not a published version of .*hello\. Published versions: 0\.1\.0\./
  },
  {
    name: 'the source commit does not exist',
    setup: async pair => {
      await pair.seed('hello', FILES)
      return { inputs: { 'source-version': 'a'.repeat(40) } }
    },
    exitCode: 1,
    error: /source-version a{40} is not a commit of .*: check the hash, or give a published version/
  },
  {
    name: 'the destination cluster is unreachable',
    setup: async pair => {
      await pair.seed('hello', FILES)
      return { inputs: { 'dest-api-url': `http://127.0.0.1:${await closedPort()}`, 'max-attempts': '2' } }
    },
    exitCode: 1,
    error: /got no answer \(ECONNREFUSED\), even after retries. Check dest-cluster \(or dest-api-url\)/
  },
  {
    name: 'the build never finishes',
    setup: async pair => {
      await pair.seed('hello', FILES)
      pair.prod.builds.holdInProgress(true)
      return { inputs: { publish: 'true', 'build-timeout': '0.5' } }
    },
    exitCode: 1,
    error: /did not finish within build-timeout/
  },
  {
    name: 'the build fails',
    setup: async pair => {
      await pair.seed('hello', { ...FILES, 'broken.txt': 'x\n' })
      pair.prod.builds.failTreesContaining('broken.txt')
      return { inputs: { publish: 'true' } }
    },
    exitCode: 1,
    error: /Last lines of the build log/
  },
  {
    name: 'the destination keeps moving (push race never settles)',
    setup: async pair => {
      await pair.seed('hello', FILES)
      pair.prod.createAlgorithm(DEST_OWNER, 'hello')
      pair.prod.faults.injectCommitAfterFetch(DEST_OWNER, 'hello', { 'teammate.txt': 'theirs\n' }, { times: 1000 })
      return {}
    },
    exitCode: 1,
    error: /kept moving while we pushed/
  },
  {
    name: 'pushes keep failing (git 503 on receive-pack)',
    setup: async pair => {
      await pair.seed('hello', FILES)
      pair.prod.faults.add({
        method: 'POST',
        path: `/git/${DEST_OWNER}/hello.git/git-receive-pack`,
        status: 503,
        times: 100,
        body: echoingBody(PROD)
      })
      return { inputs: { 'max-attempts': '2' } }
    },
    exitCode: 1,
    error: /git push .* failed: .*503.*even after retries/
  }
]

function expectNothingLeaked(run: ActionRun, scan: ScanReport): void {
  expect(scan.leaks, JSON.stringify(scan.leaks, null, 2)).toEqual([])
  expect(scan.leftInRunnerTemp, 'temporary repositories are removed').toEqual([])
  expect(scan.scanned).toEqual(expect.arrayContaining(['stdout', 'stderr', 'github-output', 'step-summary']))
  expect(run.stderr).toBe('')
  // Undefined only on Windows, which has no git spy (createGitSpy printed why).
  if (!scan.gitInvocations) return
  expect(scan.scanned).toContain('git argv')
  // Keys reach git only through the environment: never an argument, never a URL with credentials.
  for (const args of scan.gitInvocations) {
    for (const arg of args) expect(arg).not.toMatch(/\/\/[^/\s]*@|extraHeader|Authorization|credential\.helper=./i)
  }
}

describe('security: no key leaks, on success and on every failing path', () => {
  let pair: ClusterPair
  beforeEach(async () => {
    pair = await startClusterPair({ devKey: CANARY_DEV_KEY, prodKey: CANARY_PROD_KEY, buildDelayMs: 30 })
  })
  afterEach(() => pair.stop())

  for (const scenario of SCENARIOS) {
    it(`${scenario.name} (RUNNER_DEBUG=1)`, async () => {
      const { inputs = {}, keys = [] } = await scenario.setup(pair)
      const { run, scan } = await runAndScan(pair.inputs({ algorithms: 'hello', ...inputs }), [DEV, PROD, ...keys], { RUNNER_DEBUG: '1' })

      expect(run.exitCode, run.stdout).toBe(scenario.exitCode)
      // A run that crashed (rather than failed cleanly) writes no outputs; the log says why.
      expect(run.outputs, withoutMaskCommands(run.stdout).log).toHaveProperty('results')
      if (scenario.error) expect(run.outputs.results, run.stdout).toMatch(scenario.error)
      // Every API request is logged at debug level, so the debug stream is exercised too.
      expect(run.stdout).toMatch(/^::debug::.*(GET|POST) \/algorithms\//m)
      expectNothingLeaked(run, scan)
      // Git ran; its repositories lived in RUNNER_TEMP and are gone, with their config files.
      if (scan.gitInvocations) expect(scan.gitInvocations.length).toBeGreaterThan(0)
      expect((await listFiles(run.runnerTemp)).filter(file => path.basename(file) === 'config')).toEqual([])
    })
  }

  it('a successful run without debug: the runner is asked to mask every form of each key, and the map file holds none', async () => {
    await pair.seed('hello', FILES, { publish: 'minor' })
    const { run, scan } = await runAndScan(pair.inputs({ algorithms: 'hello', publish: 'true', 'version-map-file': 'versions.json' }), [
      DEV,
      PROD
    ])

    expect(run.exitCode, run.stdout).toBe(0)
    expectNothingLeaked(run, scan)
    const { masked } = withoutMaskCommands(run.stdout)
    for (const key of [DEV, PROD]) {
      const forms = secretForms(key).filter(form => ['raw key', 'encodeURIComponent(key)', 'base64(owner:key)'].includes(form.form))
      for (const form of forms) expect(masked, form.form).toContain(form.value)
    }
    expect(scan.scanned).toContain('workspace/versions.json')
    expect(await readdir(run.workspace)).toEqual(['versions.json'])
  })

  it("a runner with git's tracing turned on (GIT_TRACE_CURL prints headers) still shows no key", async () => {
    await pair.seed('hello', FILES)
    const tracing = {
      RUNNER_DEBUG: '1',
      GIT_TRACE: '1',
      GIT_TRACE_CURL: '1',
      GIT_CURL_VERBOSE: '1',
      GIT_TRACE_PACKET: '1',
      GIT_TRACE_SETUP: '1'
    }
    const { run, scan } = await runAndScan(pair.inputs({ algorithms: 'hello' }), [DEV, PROD], tracing)

    expect(run.exitCode, run.stdout).toBe(0)
    expectNothingLeaked(run, scan)
  })
})
