/**
 * Algorithms that call algorithms (issue 22), through the bundled action: the
 * calls are found in the promoted code, checked at the destination (warn,
 * require), and with `dependencies: promote` the source owner's callees are
 * added and promoted first. Calls that must resolve at the destination use a
 * destination owner equal to the source owner: references are never rewritten.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { EmulatedCluster } from '../../emulator/index.js'
import type { RequestRecord } from '../../emulator/types.js'
import { actionNode, runAction } from '../../scripts/lib/run-action.js'
import { DEST_OWNER, SOURCE_OWNER, startClusterPair, type ClusterPair } from '../helpers/clusters.js'

const calling = (address: string): string =>
  `import Algorithmia\n\ndef apply(input):\n    return Algorithmia.client().algo("${address}").pipe(input).result\n`
const ANSWERING = 'def apply(input):\n    return "C got " + input\n'

type Bump = 'major' | 'minor' | 'revision'

/** Creates owner/name on a cluster and publishes one version per bump, each from a commit of its own. */
async function algorithm(cluster: EmulatedCluster, owner: string, name: string, code: string, bumps: readonly Bump[]): Promise<void> {
  cluster.createAlgorithm(owner, name, { details: { label: name }, settings: {} })
  for (const [index, bump] of bumps.entries()) {
    const commit = await cluster.commit(owner, name, { [`src/${name}.py`]: code, 'RELEASE.txt': `${index}\n` })
    await cluster.waitForBuild(owner, name, commit)
    await cluster.publish(owner, name, bump)
  }
}

/** The prod key of a user named like the source owner, so the promoted calls resolve there as written. */
function sameOwnerAtProd(pair: ClusterPair): Record<string, string> {
  pair.prod.addUser(SOURCE_OWNER)
  const key = pair.prod.addKey(SOURCE_OWNER)
  return { 'dest-api-key': key, 'dest-api-key-owner': SOURCE_OWNER, 'dest-algo-owner': SOURCE_OWNER }
}

function publishedAt(cluster: EmulatedCluster, owner: string): string[] {
  const publish = new RegExp(`^/v1/algorithms/${owner}/([^/]+)/versions$`)
  return cluster.requests.flatMap(request => {
    const match = request.method === 'POST' ? publish.exec(request.path) : null
    return match ? [match[1]] : []
  })
}

interface Result {
  algorithm: string
  status: string
  destVersion?: string
  error?: string
  failedStep?: string
  addedBecause?: string
  dynamicCalls?: number
  references?: Array<{ address: string; status: string; reason?: string; namesSourceOwner?: boolean }>
}

const labelOf = (cluster: EmulatedCluster): string => new URL(cluster.url).host

const resultsOf = (outputs: Record<string, string>): Result[] => JSON.parse(outputs.results) as Result[]

describe('bundled action, algorithms that call algorithms', () => {
  let pair: ClusterPair
  beforeEach(async () => {
    pair = await startClusterPair()
  })
  afterEach(() => pair.stop())

  it('dependencies: promote, only A named: publishes C, then B, then A, and the smoke test of A passes at the destination', async () => {
    await algorithm(pair.dev, SOURCE_OWNER, 'C', ANSWERING, ['minor', 'minor'])
    await algorithm(pair.dev, SOURCE_OWNER, 'B', calling(`${SOURCE_OWNER}/C/0.2.0`), ['major'])
    await algorithm(pair.dev, SOURCE_OWNER, 'A', calling(`algo://${SOURCE_OWNER}/B/1.*`), ['minor'])
    const destination = sameOwnerAtProd(pair)
    // The destination already holds C 0.1.0: B's call needs the 0.2.0 this run brings.
    await algorithm(pair.prod, SOURCE_OWNER, 'C', ANSWERING, ['minor'])
    const started = Date.now()
    const run = await runAction(
      pair.inputs({
        ...destination,
        algorithms: 'A',
        dependencies: 'promote',
        publish: true,
        'version-type': 'match',
        'smoke-test': '[{"input": "hi", "expected": "C got hi"}]'
      })
    )
    expect(run.exitCode, run.stdout).toBe(0)
    expect(publishedAt(pair.prod, SOURCE_OWNER)).toEqual(['C', 'B', 'A'])
    const results = resultsOf(run.outputs)
    expect(results.map(result => [result.algorithm, result.status, result.destVersion])).toEqual([
      ['C', 'updated', '0.2.0'],
      ['B', 'created', '1.0.0'],
      ['A', 'created', '0.1.0']
    ])
    expect(results.find(result => result.algorithm === 'C')?.addedBecause).toBe('called by B as C 0.2.0')
    expect(results.find(result => result.algorithm === 'B')?.addedBecause).toBe('called by A as B 1.*')
    expect(results.find(result => result.algorithm === 'A')).toMatchObject({
      references: [{ address: `${SOURCE_OWNER}/B/1.*`, status: 'satisfied' }],
      dynamicCalls: 0
    })
    expect(results.find(result => result.algorithm === 'A')?.addedBecause).toBeUndefined()
    expect(run.stdout).toContain('::group::Publish (wave 1 of 3, algorithms 1–1 of 3)')
    expect(run.stdout).toContain('::group::Publish (wave 3 of 3, algorithms 3–3 of 3)')
    expect(run.summary).toContain('called by B as C 0.2.0')
    expect(run.summary).toMatch(/```mermaid[\s\S]*-->\|"1\.\*"\|/)
    // What discovery cost, for the record: its own line, and the run's requests to the source.
    const discovery = run.stdout.split('\n').find(line => line.startsWith('Dependencies: '))
    console.log(`${discovery ?? 'no discovery line'}; run took ${Date.now() - started} ms; ${pair.dev.requests.length} source requests`)
  }, 120_000)

  it('dependencies: promote with source-versions: all satisfies a call pinned to an older version by replaying its history first', async () => {
    await algorithm(pair.dev, SOURCE_OWNER, 'C', ANSWERING, ['minor', 'minor'])
    await algorithm(pair.dev, SOURCE_OWNER, 'A', calling(`${SOURCE_OWNER}/C/0.1.0`), ['minor'])
    const destination = sameOwnerAtProd(pair)
    const run = await runAction(
      pair.inputs({
        ...destination,
        algorithms: 'A',
        dependencies: 'require',
        publish: true,
        'source-versions': 'all',
        'smoke-test': '[{"input": "hi", "expected": "C got hi"}]'
      })
    )
    // require alone: C is not in the run, so A's call of C 0.1.0 is unmet and A is not published.
    expect(run.exitCode).toBe(1)
    expect(publishedAt(pair.prod, SOURCE_OWNER)).toEqual([])
    const promoted = await runAction(
      pair.inputs({
        ...destination,
        algorithms: 'A',
        dependencies: 'promote',
        publish: true,
        'source-versions': 'all',
        'smoke-test': '[{"input": "hi", "expected": "C got hi"}]'
      })
    )
    expect(promoted.exitCode, promoted.stdout).toBe(0)
    expect(publishedAt(pair.prod, SOURCE_OWNER)).toEqual(['C', 'C', 'A'])
    const results = resultsOf(promoted.outputs)
    expect(results.find(result => result.algorithm === 'A')).toMatchObject({
      references: [{ address: `${SOURCE_OWNER}/C/0.1.0`, status: 'satisfied' }]
    })
  }, 120_000)

  it('dependencies: require with C 0.2.0 missing at the destination: A is not built or published, and the message names C 0.2.0', async () => {
    await algorithm(pair.dev, SOURCE_OWNER, 'C', ANSWERING, ['minor', 'minor'])
    await algorithm(pair.dev, SOURCE_OWNER, 'A', calling(`${SOURCE_OWNER}/C/0.2.0`), ['minor'])
    const destination = sameOwnerAtProd(pair)
    await algorithm(pair.prod, SOURCE_OWNER, 'C', ANSWERING, ['minor'])
    const run = await runAction(pair.inputs({ ...destination, algorithms: 'A', dependencies: 'require', publish: true }))
    expect(run.exitCode).toBe(1)
    const [result] = resultsOf(run.outputs)
    expect(result).toMatchObject({ algorithm: 'A', status: 'failed', failedStep: 'check dependencies' })
    expect(result.error).toContain(`C 0.2.0 is not published at ${labelOf(pair.prod)}`)
    expect(result.error).toContain('it holds 0.1.0')
    expect(publishedAt(pair.prod, SOURCE_OWNER)).toEqual([])
    expect(pair.prod.requests.some(request => request.path.endsWith('/A/compile'))).toBe(false)
  }, 60_000)

  it("dependencies: warn (the default): the unmet call is a warning, and the summary's graph draws it dashed", async () => {
    await algorithm(pair.dev, SOURCE_OWNER, 'C', ANSWERING, ['minor', 'minor'])
    await algorithm(pair.dev, SOURCE_OWNER, 'A', calling(`${SOURCE_OWNER}/C/0.2.0`), ['minor'])
    const destination = sameOwnerAtProd(pair)
    await algorithm(pair.prod, SOURCE_OWNER, 'C', ANSWERING, ['minor'])
    const run = await runAction(pair.inputs({ ...destination, algorithms: 'A', publish: true }))
    expect(run.exitCode, run.stdout).toBe(0)
    const prod = labelOf(pair.prod)
    expect(run.stdout).toContain(`::warning::A → ${prod}: calls data_science/C 0.2.0 (src/A.py:4), which ${prod} does not answer`)
    expect(run.stdout).toContain(`C 0.2.0 is not published at ${prod}; it holds 0.1.0`)
    expect(resultsOf(run.outputs)[0]).toMatchObject({
      status: 'created',
      destVersion: '0.1.0',
      references: [{ address: `${SOURCE_OWNER}/C/0.2.0`, status: 'unmet', reason: expect.stringContaining('it holds 0.1.0') }]
    })
    expect(run.summary).toMatch(
      /```mermaid[\s\S]*n0\["data_science\/A"\][\s\S]*n0 -\.->\|"0\.2\.0 unmet: [^:]+:\d+: C 0\.2\.0 is not published/
    )
    expect(run.summary).toContain('linkStyle 0 stroke:#d1242f')
    expect(publishedAt(pair.prod, SOURCE_OWNER)).toEqual(['A'])
  }, 60_000)

  it('warns about a call that names the source owner while the destination owner differs, and rewrites nothing', async () => {
    await algorithm(pair.dev, SOURCE_OWNER, 'A', calling(`${SOURCE_OWNER}/C/0.1.0`), ['minor'])
    const run = await runAction(pair.inputs({ algorithms: 'A' }))
    expect(run.exitCode, run.stdout).toBe(0)
    expect(run.stdout).toContain(
      `::warning::A → ${labelOf(pair.prod)}: calls data_science/C/0.1.0 (src/A.py:4), which names the source owner data_science while the code goes to ml_prod`
    )
    expect(resultsOf(run.outputs)[0].references).toEqual([
      {
        address: `${SOURCE_OWNER}/C/0.1.0`,
        status: 'unmet',
        reason: expect.stringContaining('may not read data_science/C'),
        namesSourceOwner: true
      }
    ])
    expect((await pair.prod.readTree(DEST_OWNER, 'A'))['src/A.py']?.toString()).toContain(`"${SOURCE_OWNER}/C/0.1.0"`)
  }, 60_000)

  it('dependencies: promote reports a cycle (A calls B, B calls A) with its members and promotes both', async () => {
    await algorithm(pair.dev, SOURCE_OWNER, 'A', calling(`${SOURCE_OWNER}/B`), ['minor'])
    await algorithm(pair.dev, SOURCE_OWNER, 'B', calling(`${SOURCE_OWNER}/A/0.*`), ['minor'])
    const run = await runAction(pair.inputs({ ...sameOwnerAtProd(pair), algorithms: 'A', dependencies: 'promote' }))
    expect(run.exitCode, run.stdout).toBe(0)
    expect(run.stdout).toMatch(/::warning::A, B call each other \(a cycle\)/)
    const results = resultsOf(run.outputs)
    expect(results.map(result => [result.algorithm, result.status, result.addedBecause])).toEqual([
      ['A', 'created', undefined],
      ['B', 'created', 'called by A as B latest']
    ])
  }, 60_000)

  it("dependencies: promote warns when a call pins a version the source's latest does not match", async () => {
    await algorithm(pair.dev, SOURCE_OWNER, 'B', ANSWERING, ['minor', 'minor'])
    await algorithm(pair.dev, SOURCE_OWNER, 'A', calling(`${SOURCE_OWNER}/B/0.1.0`), ['minor'])
    const run = await runAction(pair.inputs({ ...sameOwnerAtProd(pair), algorithms: 'A', dependencies: 'promote', 'dry-run': true }))
    expect(run.exitCode, run.stdout).toBe(0)
    expect(run.stdout).toContain("::warning::A calls B 0.1.0, but the source's B promoted by this run is its version 0.2.0")
    expect(resultsOf(run.outputs).map(result => [result.algorithm, result.addedBecause])).toEqual([
      ['B', 'called by A as B 0.1.0'],
      ['A', undefined]
    ])
  }, 60_000)

  it('the command line warns about the unmet calls on stderr, and --json includes them in the results', async () => {
    await algorithm(pair.dev, SOURCE_OWNER, 'A', calling(`${SOURCE_OWNER}/C/0.1.0`), ['minor'])
    const run = await runCli(pair, ['--algorithms', 'A', '--dependencies', 'warn', '--dry-run', '--json'])
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.stderr).toContain(
      `A → ${labelOf(pair.prod)}: calls ${SOURCE_OWNER}/C 0.1.0 (src/A.py:4), which ${labelOf(pair.prod)} does not answer`
    )
    const [result] = (JSON.parse(run.stdout) as { results: Result[] }).results
    expect(result.references).toMatchObject([{ address: `${SOURCE_OWNER}/C/0.1.0`, status: 'unmet', namesSourceOwner: true }])
    expect(result.dynamicCalls).toBe(0)
    const off = await runCli(pair, ['--algorithms', 'A', '--dry-run', '--json', '--dependencies', 'off'])
    expect((JSON.parse(off.stdout) as { results: Result[] }).results[0].references).toBeUndefined()
  }, 60_000)

  it('200 algorithms, one with a reference: the run asks only that reference more than with dependencies: off', async () => {
    // A library the destination owner already has there: the key may read it, so the check asks twice.
    await algorithm(pair.prod, DEST_OWNER, 'lib', ANSWERING, ['major'])
    const algorithms = Array.from({ length: 200 }, (_, index) => `algo_${String(index).padStart(3, '0')}`)
    for (const [index, name] of algorithms.entries()) {
      const code = index === 7 ? calling(`${DEST_OWNER}/lib/1.*`) : 'def apply(input):\n    return input\n'
      await pair.seed(name, { [`src/${name}.py`]: code })
    }
    // Dry runs write nothing, so both start from the same clusters.
    const requestsOf = async (dependencies: string): Promise<string[]> => {
      pair.dev.clearRequests()
      pair.prod.clearRequests()
      const run = await runAction(pair.inputs({ algorithms: 'algo_*', 'dry-run': true, concurrency: 8, dependencies }))
      expect(run.exitCode, run.stdout).toBe(0)
      return [...pair.dev.requests.map(line('dev')), ...pair.prod.requests.map(line('prod'))]
    }
    const off = await requestsOf('off')
    const warn = await requestsOf('warn')
    console.log(`200 algorithms, dry run: ${off.length} requests with dependencies: off, ${warn.length} with warn`)
    expect(difference(warn, off)).toEqual([
      `prod GET /v1/algorithms/${DEST_OWNER}/lib`,
      `prod GET /v1/algorithms/${DEST_OWNER}/lib/versions`
    ])
    expect(difference(off, warn)).toEqual([])
  }, 300_000)
})

const CLI_ENTRY = fileURLToPath(new URL('../../dist/cli/index.js', import.meta.url))

/** The bundled command-line tool promoting from the pair's dev to its prod, keys in the environment. */
function runCli(pair: ClusterPair, extra: readonly string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const { 'source-api-key': sourceKey, 'dest-api-key': destKey, ...inputs } = pair.inputs()
  const args = [...Object.entries(inputs).flatMap(([name, value]) => [`--${name}`, value]), ...extra]
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, SOURCE_API_KEY: sourceKey, DEST_API_KEY: destKey, NO_COLOR: '1' }
  return new Promise((resolve, reject) => {
    const child = spawn(actionNode(), [CLI_ENTRY, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', chunk => (stdout += chunk))
    child.stderr.on('data', chunk => (stderr += chunk))
    child.on('error', reject)
    child.on('close', code => resolve({ exitCode: code ?? -1, stdout, stderr }))
  })
}

const line =
  (cluster: string) =>
  (request: RequestRecord): string =>
    `${cluster} ${request.method} ${request.path}`

/** What `a` holds more of than `b`, counting repeats. */
function difference(a: readonly string[], b: readonly string[]): string[] {
  const left = new Map<string, number>()
  for (const item of b) left.set(item, (left.get(item) ?? 0) + 1)
  return a
    .filter(item => {
      const count = left.get(item) ?? 0
      if (count > 0) left.set(item, count - 1)
      return count === 0
    })
    .sort()
}
