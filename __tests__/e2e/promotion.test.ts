/**
 * End to end: the bundled action promotes algorithms from an emulated "dev"
 * cluster to an emulated "prod" cluster. Every assertion that matters is made
 * on the clusters' real state (repositories, algorithms, versions, request
 * logs), not only on what the action says it did.
 *
 * Failures, dry runs, refusals and secrets are in promotion-failures.test.ts.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { EmulatedCluster, RequestRecord } from '../../emulator/index.js'
import { runAction, type ActionRun } from '../../scripts/lib/run-action.js'
import { DEST_OWNER, SOURCE_OWNER, startClusterPair, type ClusterPair } from '../helpers/clusters.js'
import type { PublicResult } from '../../src/report/public-result.js'

const execFileAsync = promisify(execFile)

type ResultItem = PublicResult

/** Every byte value, twice, with NULs and invalid UTF-8: survives no text conversion. */
const BINARY = Buffer.concat([
  Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
  Buffer.from([0xff, 0xfe, 0x00, 0x0d, 0x0a, 0x80, 0xc3])
])

const HELLO_FILES = {
  'src/hello.py': 'def apply(input):\n    return "hello " + input\n',
  'requirements.txt': 'numpy==1.26.4\n'
}

/** The core promotion runs against both kinds of git server: with and without partial clone. */
const SERVER_KINDS = [
  { kind: 'a git server without partial clone', partialClone: false },
  { kind: 'a git server with partial clone', partialClone: true }
]

describe.each(SERVER_KINDS)('promotion, end to end, on $kind', ({ partialClone }) => {
  let pair: ClusterPair
  const runRoots: string[] = []
  const tempDirs: string[] = []

  beforeEach(async () => {
    pair = await startClusterPair({ partialClone })
  })
  afterEach(async () => {
    await pair.stop()
    await Promise.all([...runRoots.splice(0), ...tempDirs.splice(0)].map(dir => rm(dir, { recursive: true, force: true })))
  })

  /** Runs the bundled action with the pair's inputs; the run's folders are removed after the test. */
  async function promote(overrides: Record<string, string | boolean | number>): Promise<ActionRun> {
    const run = await runAction(pair.inputs(overrides))
    runRoots.push(path.dirname(run.runnerTemp))
    return run
  }

  async function tempDir(): Promise<string> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'promotion-test-'))
    tempDirs.push(dir)
    return dir
  }

  describe('creating the destination', () => {
    it('creates a missing destination with the source details and settings, merged with the settings input', async () => {
      const sourceSettings = {
        language: 'scala',
        environment: 'gpu',
        license: 'mit',
        network_access: 'isolated',
        source_visibility: 'open',
        pipeline_enabled: false,
        algorithm_callability: 'private'
      }
      pair.dev.createAlgorithm(SOURCE_OWNER, 'hello', {
        details: { label: 'Hello World', summary: 'Says hello', tagline: 'greetings' },
        settings: sourceSettings
      })
      await pair.dev.commit(SOURCE_OWNER, 'hello', HELLO_FILES)
      const source = pair.dev.getAlgorithm(SOURCE_OWNER, 'hello')!

      const run = await promote({ algorithms: 'hello', settings: '{"license":"gpl3","details":{"summary":"x"}}' })

      expect(run.exitCode, run.stdout).toBe(0)
      expect(results(run)[0].status).toBe('created')
      const created = pair.prod.getAlgorithm(DEST_OWNER, 'hello')
      expect(created, 'the destination algorithm exists').toBeDefined()
      // Every source setting, with the input's license on top.
      expect(created!.settings).toEqual({ ...source.settings, license: 'gpl3' })
      expect(created!.settings).toMatchObject({
        language: 'scala',
        environment: 'gpu',
        network_access: 'isolated',
        source_visibility: 'open',
        pipeline_enabled: false
      })
      expect(created!.details).toEqual({ label: 'Hello World', summary: 'x', tagline: 'greetings' })
      // The source itself is not touched.
      expect(pair.dev.getAlgorithm(SOURCE_OWNER, 'hello')!.settings).toEqual(source.settings)
    })

    it('copies environment-based settings without inventing a language, mapping the cluster-local environment id', async () => {
      const devEnvironment = pair.dev.environments.list('python3')[0]
      const prodCounterpart = pair.prod.environments.list('python3').find(e => e.display_name === devEnvironment.display_name)!.id
      const prodOther = pair.prod.environments.list('python3')[1].id
      await pair.seed('envalgo', HELLO_FILES, {
        settings: { package_set: 'python38', algorithm_environment: devEnvironment.id, license: 'apache2' }
      })
      await pair.seed('envmapped', HELLO_FILES, {
        settings: { package_set: 'python38', algorithm_environment: devEnvironment.id, license: 'apache2' }
      })
      const source = pair.dev.getAlgorithm(SOURCE_OWNER, 'envalgo')!
      expect(source.settings.language, 'fixture: the source has no language').toBeUndefined()
      const { algorithm_environment: sourceEnvironment, ...portable } = source.settings
      expect(sourceEnvironment).toBe(devEnvironment.id)

      const run = await promote({ algorithms: 'envalgo' })
      const mapped = await promote({ algorithms: 'envmapped', settings: JSON.stringify({ algorithm_environment: prodOther }) })

      expect(run.exitCode, run.stdout).toBe(0)
      expect(mapped.exitCode, mapped.stdout).toBe(0)
      // An environment id belongs to one cluster: the destination gets its own id for the same environment, or the id the user gives.
      expect(pair.prod.getAlgorithm(DEST_OWNER, 'envalgo')!.settings).toEqual({ ...portable, algorithm_environment: prodCounterpart })
      expect(pair.prod.getAlgorithm(DEST_OWNER, 'envmapped')!.settings).toEqual({ ...portable, algorithm_environment: prodOther })
    })

    it('leaves an existing destination algorithm’s details and settings alone (status updated)', async () => {
      await pair.seed('hello', HELLO_FILES, { settings: { license: 'mit', environment: 'gpu', network_access: 'isolated' } })
      const existing = pair.prod.createAlgorithm(DEST_OWNER, 'hello', {
        details: { label: 'Production Hello', summary: 'prod summary' },
        settings: { license: 'apache2', environment: 'cpu', network_access: 'full', source_visibility: 'closed', pipeline_enabled: true }
      })

      const run = await promote({ algorithms: 'hello', settings: '{"license":"gpl3","details":{"summary":"x"}}' })

      expect(run.exitCode, run.stdout).toBe(0)
      expect(results(run)[0].status).toBe('updated')
      const after = pair.prod.getAlgorithm(DEST_OWNER, 'hello')!
      expect(after.id).toBe(existing.id)
      expect(after.details).toEqual(existing.details)
      expect(after.settings).toEqual(existing.settings)
      const metadataWrites = pair.prod.requests.filter(
        r =>
          r.kind === 'api' &&
          (r.method === 'PUT' || r.method === 'DELETE' || (r.method === 'POST' && r.path === `/v1/algorithms/${DEST_OWNER}`))
      )
      expect(metadataWrites, 'no create, update or delete was sent for an existing destination').toEqual([])
      // The code was still promoted.
      expect(hex(await pair.prod.readTree(DEST_OWNER, 'hello'))).toEqual(hex(await pair.dev.readTree(SOURCE_OWNER, 'hello')))
    })
  })

  describe('the destination tree', () => {
    it('equals the source tree byte for byte, with a dotfile, nested files, a binary and an empty file', async () => {
      const files = {
        '.env.example': 'API_URL=https://example.com\n',
        '.github/workflows/ci.yml': 'on: push\n',
        'src/hello.py': 'print("héllo wörld")\r\n',
        'src/deep/er/still/nested.txt': 'nested\n',
        'model/weights.bin': BINARY,
        'src/__init__.py': '',
        'no-newline-at-end': 'x'
      }
      await pair.seed('hello', files)

      const run = await promote({ algorithms: 'hello' })

      expect(run.exitCode, run.stdout).toBe(0)
      const destTree = await pair.prod.readTree(DEST_OWNER, 'hello')
      expect(hex(destTree)).toEqual(hex(await pair.dev.readTree(SOURCE_OWNER, 'hello')))
      expect(Object.keys(destTree).sort()).toEqual(Object.keys(files).sort())
      expect(destTree['model/weights.bin'].equals(BINARY)).toBe(true)
      // Same git tree object: identical paths, contents and modes.
      expect(await treeId(pair.prod, DEST_OWNER, 'hello')).toBe(await treeId(pair.dev, SOURCE_OWNER, 'hello'))
    })

    it('mirrors a file deleted at the source on the next promotion', async () => {
      await pair.seed('hello', { ...HELLO_FILES, 'src/obsolete.py': 'old\n', '.oldrc': 'x=1\n' })
      const first = await promote({ algorithms: 'hello' })
      expect(first.exitCode, first.stdout).toBe(0)
      expect(Object.keys(await pair.prod.readTree(DEST_OWNER, 'hello'))).toContain('src/obsolete.py')

      await pair.dev.commit(
        SOURCE_OWNER,
        'hello',
        {},
        { replace: false, deletes: ['src/obsolete.py', '.oldrc'], message: 'Remove obsolete code' }
      )
      const second = await promote({ algorithms: 'hello' })

      expect(second.exitCode, second.stdout).toBe(0)
      expect(results(second)[0].status).toBe('updated')
      const destTree = await pair.prod.readTree(DEST_OWNER, 'hello')
      expect(Object.keys(destTree).sort()).toEqual(Object.keys(HELLO_FILES).sort())
      expect(hex(destTree)).toEqual(hex(await pair.dev.readTree(SOURCE_OWNER, 'hello')))
    })

    it('removes files that exist only at the destination and builds on its current head', async () => {
      await pair.seed('hello', HELLO_FILES)
      pair.prod.createAlgorithm(DEST_OWNER, 'hello')
      const prodOnly = await pair.prod.commit(
        DEST_OWNER,
        'hello',
        { 'src/hotfix.py': 'patched in prod\n' },
        { replace: false, message: 'Hotfix in prod' }
      )

      const run = await promote({ algorithms: 'hello' })

      expect(run.exitCode, run.stdout).toBe(0)
      const log = await pair.prod.log(DEST_OWNER, 'hello')
      expect(log[0].parents).toEqual([prodOnly])
      expect(hex(await pair.prod.readTree(DEST_OWNER, 'hello'))).toEqual(hex(await pair.dev.readTree(SOURCE_OWNER, 'hello')))
    })
  })

  describe('history', () => {
    it('adds one commit on top of the destination head and keeps every earlier commit', async () => {
      const sourceCommit1 = await pair.seed('hello', HELLO_FILES)
      const first = await promote({ algorithms: 'hello' })
      expect(first.exitCode, first.stdout).toBe(0)

      const log1 = await pair.prod.log(DEST_OWNER, 'hello')
      expect(log1).toHaveLength(2)
      const [promotion1, template] = log1
      expect(template.parents, 'the template commit is the root').toEqual([])
      expect(template.message).toMatch(/^Initial commit/)
      expect(promotion1.parents).toEqual([template.sha])
      expect(promotion1.message).toContain(sourceCommit1)
      expect(results(first)[0].destCommit).toBe(promotion1.sha)

      const sourceCommit2 = await pair.dev.commit(
        SOURCE_OWNER,
        'hello',
        { 'src/hello.py': 'def apply(input):\n    return "hi " + input\n' },
        { replace: false }
      )
      const second = await promote({ algorithms: 'hello' })
      expect(second.exitCode, second.stdout).toBe(0)

      const log2 = await pair.prod.log(DEST_OWNER, 'hello')
      expect(log2.map(entry => entry.sha)).toEqual([results(second)[0].destCommit, promotion1.sha, template.sha])
      expect(log2[0].parents).toEqual([promotion1.sha])
      expect(log2[0].message).toContain(sourceCommit2)
      expect(log2[1]).toEqual(promotion1)
    })

    it('builds on a pre-existing destination’s head (its template commit)', async () => {
      const sourceCommit = await pair.seed('hello', HELLO_FILES)
      pair.prod.createAlgorithm(DEST_OWNER, 'hello')
      const templateHead = await pair.prod.headCommit(DEST_OWNER, 'hello')
      expect(templateHead).toMatch(/^[0-9a-f]{40}$/)

      const run = await promote({ algorithms: 'hello' })

      expect(run.exitCode, run.stdout).toBe(0)
      const log = await pair.prod.log(DEST_OWNER, 'hello')
      expect(log.map(entry => entry.sha)).toEqual([results(run)[0].destCommit, templateHead])
      expect(log[0].parents).toEqual([templateHead])
      expect(log[0].message).toContain(sourceCommit)
    })
  })

  describe('re-running with nothing new', () => {
    it('reports unchanged and writes nothing: no commit, no publish, no push, no POST', async () => {
      await pair.seed('hello', HELLO_FILES, { publish: 'minor' })
      const mapFile = path.join(await tempDir(), 'versions.json')
      const first = await promote({ algorithms: 'hello', publish: true, 'version-map-file': mapFile })
      expect(first.exitCode, first.stdout).toBe(0)
      expect(results(first)[0]).toMatchObject({ status: 'created', destVersion: '0.1.0' })

      const head = await pair.prod.headCommit(DEST_OWNER, 'hello')
      const log = await pair.prod.log(DEST_OWNER, 'hello')
      const versions = pair.prod.listVersions(DEST_OWNER, 'hello')
      const builds = pair.prod.listBuilds(DEST_OWNER, 'hello')
      const mapAfterFirst = await readFile(mapFile, 'utf8')
      pair.dev.clearRequests()
      pair.prod.clearRequests()

      const second = await promote({ algorithms: 'hello', publish: true, 'version-map-file': mapFile })

      expect(second.exitCode, second.stdout).toBe(0)
      // destVersion names the version the unchanged head carries, as the version map does.
      expect(results(second)[0]).toMatchObject({ status: 'unchanged', destCommit: head, destVersion: '0.1.0' })
      expect(second.outputs['dest-version'], 'nothing was published in this run').toBe('')
      expect(second.outputs.changed).toBe('false')
      expect(second.outputs['dest-commit']).toBe(head)
      expect(await pair.prod.headCommit(DEST_OWNER, 'hello')).toBe(head)
      expect(await pair.prod.log(DEST_OWNER, 'hello')).toEqual(log)
      expect(pair.prod.listVersions(DEST_OWNER, 'hello')).toEqual(versions)
      expect(pair.prod.listBuilds(DEST_OWNER, 'hello')).toEqual(builds)
      expect(describeRequests(pair.prod.requests.filter(r => r.gitService === 'receive-pack')), 'no push').toEqual([])
      const posts = [...pair.dev.requests, ...pair.prod.requests].filter(r => r.method === 'POST' && r.kind === 'api')
      expect(describeRequests(posts), 'no API POST on either cluster').toEqual([])
      expect(describeRequests(writesOf(pair.prod.requests)), 'no write of any kind').toEqual([])
      // "Unchanged" comes from the ref listings alone (the promotion record): no tree moves, on either kind of server.
      const gitRequests = [...pair.dev.requests, ...pair.prod.requests].filter(r => r.kind === 'git')
      expect(
        gitRequests.reduce((sum, r) => sum + r.bytesOut, 0),
        'git bytes served'
      ).toBeLessThan(4_000)
      expect(gitRequests.length, describeRequests(gitRequests).join('\n')).toBeLessThanOrEqual(4)
      // The re-run keeps "0.1.0 → 0.1.0" rather than replacing it with a commit hash.
      expect(JSON.parse(await readFile(mapFile, 'utf8'))).toEqual(JSON.parse(mapAfterFirst))
      expect(JSON.parse(second.outputs['version-map'])).toEqual({ hello: { '0.1.0': '0.1.0' } })
    })
  })

  describe('re-running without the version map of the first run', () => {
    it('maps the source version to the semver the unchanged destination head already carries', async () => {
      await pair.seed('hello', HELLO_FILES, { publish: 'minor' })
      const first = await promote({ algorithms: 'hello', publish: true, 'version-type': 'major' })
      expect(first.exitCode, first.stdout).toBe(0)
      expect(JSON.parse(first.outputs['version-map'])).toEqual({ hello: { '0.1.0': '1.0.0' } })
      const head = await pair.prod.headCommit(DEST_OWNER, 'hello')

      // Another runner, or a lost map file: no record of the first run.
      const mapFile = path.join(await tempDir(), 'versions.json')
      await writeFile(mapFile, JSON.stringify({ hello: { '0.1.0': head } }))
      const second = await promote({ algorithms: 'hello', publish: true, 'version-map-file': mapFile })

      expect(second.exitCode, second.stdout).toBe(0)
      expect(results(second)[0]).toMatchObject({ status: 'unchanged', destCommit: head, destVersion: '1.0.0' })
      expect(second.outputs['dest-version'], 'nothing was published in this run').toBe('')
      expect(JSON.parse(second.outputs['version-map'])).toEqual({ hello: { '0.1.0': '1.0.0' } })
      expect(JSON.parse(await readFile(mapFile, 'utf8')), 'the bare commit in the file is replaced by its version').toEqual({
        hello: { '0.1.0': '1.0.0' }
      })

      const withoutFile = await promote({ algorithms: 'hello' })
      expect(JSON.parse(withoutFile.outputs['version-map'])).toEqual({ hello: { '0.1.0': '1.0.0' } })
    })

    it('maps to the destination commit when its head was never published', async () => {
      await pair.seed('hello', HELLO_FILES, { publish: 'minor' })
      const first = await promote({ algorithms: 'hello' })
      expect(first.exitCode, first.stdout).toBe(0)
      const head = await pair.prod.headCommit(DEST_OWNER, 'hello')

      const second = await promote({ algorithms: 'hello' })

      expect(results(second)[0]).toMatchObject({ status: 'unchanged', destCommit: head })
      expect(JSON.parse(second.outputs['version-map'])).toEqual({ hello: { '0.1.0': head } })
    })
  })

  describe('a destination without a promotion record', () => {
    it('is found unchanged when its head already holds the source tree, and nothing is pushed', async () => {
      await pair.seed('hello', HELLO_FILES)
      pair.prod.createAlgorithm(DEST_OWNER, 'hello', { details: { label: 'hello' } })
      const byHand = await pair.prod.commit(DEST_OWNER, 'hello', HELLO_FILES, { message: 'Copied by hand' })
      pair.prod.clearRequests()

      const run = await promote({ algorithms: 'hello' })

      expect(run.exitCode, run.stdout).toBe(0)
      expect(results(run)[0]).toMatchObject({ status: 'unchanged', destCommit: byHand })
      expect(await pair.prod.headCommit(DEST_OWNER, 'hello')).toBe(byHand)
      expect(describeRequests(writesOf(pair.prod.requests)), 'no write of any kind').toEqual([])
    })

    it('gets one with its next promotion, so the run after that decides from the ref listings alone', async () => {
      await pair.seed('hello', HELLO_FILES)
      pair.prod.createAlgorithm(DEST_OWNER, 'hello', { details: { label: 'hello' } })
      await pair.prod.commit(DEST_OWNER, 'hello', { 'src/hello.py': 'old\n' }, { message: 'Copied by hand' })
      const first = await promote({ algorithms: 'hello' })
      expect(results(first)[0]).toMatchObject({ status: 'updated' })
      pair.dev.clearRequests()
      pair.prod.clearRequests()

      const second = await promote({ algorithms: 'hello' })

      expect(results(second)[0]).toMatchObject({ status: 'unchanged', destCommit: results(first)[0].destCommit })
      const fetches = [...pair.dev.requests, ...pair.prod.requests].filter(r => r.gitService === 'upload-pack' && r.bytesOut > 4_000)
      expect(describeRequests(fetches), 'no pack fetched').toEqual([])
    })
  })

  describe('publishing', () => {
    it('publishes the promoted commit and maps the source version to the destination version', async () => {
      const sourceCommit = await pair.seed('hello', HELLO_FILES, { publish: 'major' })
      expect(pair.dev.getAlgorithm(SOURCE_OWNER, 'hello')!.version_info?.semantic_version, 'fixture: source at 1.0.0').toBe('1.0.0')

      const run = await promote({ algorithms: 'hello', publish: true })

      expect(run.exitCode, run.stdout).toBe(0)
      const destCommit = await pair.prod.headCommit(DEST_OWNER, 'hello')
      const published = pair.prod.listVersions(DEST_OWNER, 'hello', { published: true })
      expect(published.map(v => [v.version_info.semantic_version, v.version_info.git_hash])).toEqual([['0.1.0', destCommit]])
      expect(published[0].version_info.release_notes, 'default release notes name the source commit').toContain(sourceCommit)
      expect(run.outputs['dest-version']).toBe('0.1.0')
      expect(run.outputs['dest-commit']).toBe(destCommit)
      expect(JSON.parse(run.outputs['version-map'])).toEqual({ hello: { '1.0.0': '0.1.0' } })
      expect(results(run)[0]).toMatchObject({ sourceVersion: '1.0.0', destVersion: '0.1.0', sourceCommit, destCommit })
    })

    it('merges the new entry into a version-map file, keeping its earlier entries', async () => {
      await pair.seed('hello', HELLO_FILES, { publish: 'minor' })
      const mapFile = path.join(await tempDir(), 'version-map.json')
      await writeFile(mapFile, JSON.stringify({ hello: { '0.0.9': '0.0.1' }, other: { '1.0.0': '2.0.0' } }, null, 2))

      const run = await promote({ algorithms: 'hello', publish: true, 'version-map-file': mapFile })

      expect(run.exitCode, run.stdout).toBe(0)
      const expected = { hello: { '0.0.9': '0.0.1', '0.1.0': '0.1.0' }, other: { '1.0.0': '2.0.0' } }
      expect(JSON.parse(await readFile(mapFile, 'utf8'))).toEqual(expected)
      expect(JSON.parse(run.outputs['version-map'])).toEqual(expected)
    })

    it('bumps the destination by version-type: major gives 1.0.0, a following revision 1.0.1', async () => {
      await pair.seed('hello', HELLO_FILES, { publish: 'minor' })

      const run = await promote({ algorithms: 'hello', publish: true, 'version-type': 'major' })

      expect(run.exitCode, run.stdout).toBe(0)
      expect(run.outputs['dest-version']).toBe('1.0.0')
      expect(pair.prod.listVersions(DEST_OWNER, 'hello', { published: true }).map(v => v.version_info.semantic_version)).toEqual(['1.0.0'])
      expect(JSON.parse(run.outputs['version-map'])).toEqual({ hello: { '0.1.0': '1.0.0' } })

      const sourceCommit2 = await pair.dev.commit(SOURCE_OWNER, 'hello', { 'src/extra.py': 'x = 1\n' }, { replace: false })
      const second = await promote({ algorithms: 'hello', publish: true, 'version-type': 'revision' })

      expect(second.exitCode, second.stdout).toBe(0)
      expect(second.outputs['dest-version']).toBe('1.0.1')
      expect(pair.prod.listVersions(DEST_OWNER, 'hello', { published: true }).map(v => v.version_info.semantic_version)).toEqual([
        '1.0.1',
        '1.0.0'
      ])
      // The new source commit was never published: it is keyed by its commit hash.
      expect(JSON.parse(second.outputs['version-map'])).toEqual({ hello: { [sourceCommit2]: '1.0.1' } })
    })

    it('without publish, pushes but publishes nothing, and maps to the destination commit', async () => {
      const sourceCommit = await pair.seed('hello', HELLO_FILES)

      const run = await promote({ algorithms: 'hello' })

      expect(run.exitCode, run.stdout).toBe(0)
      const destCommit = await pair.prod.headCommit(DEST_OWNER, 'hello')
      expect(pair.prod.listVersions(DEST_OWNER, 'hello', { published: true })).toEqual([])
      expect(run.outputs['dest-version']).toBe('')
      expect(JSON.parse(run.outputs['version-map'])).toEqual({ hello: { [sourceCommit]: destCommit } })
    })
  })

  describe('outputs and job summary', () => {
    it('reports dest-commit as the destination head and results with every documented field', async () => {
      const sourceCommit = await pair.seed('hello', HELLO_FILES, { publish: 'minor' })

      const run = await promote({ algorithms: 'hello', publish: true })

      expect(run.exitCode, run.stdout).toBe(0)
      const head = await pair.prod.headCommit(DEST_OWNER, 'hello')
      expect(run.outputs['dest-commit']).toBe(head)
      expect(run.outputs.changed).toBe('true')
      const items = results(run)
      expect(items).toHaveLength(1)
      expect(items[0]).toEqual({
        algorithm: 'hello',
        destination: new URL(pair.prod.url).host,
        status: 'created',
        sourceCommit,
        sourceVersion: '0.1.0',
        destCommit: head,
        destVersion: '0.1.0'
      })
    })

    it('writes a job summary with one row per algorithm, its status and versions', async () => {
      const alphaCommit = await pair.seed('alpha', HELLO_FILES, { publish: 'major' })
      const betaCommit = await pair.seed('beta', { 'src/beta.py': 'b = 2\n' })
      pair.prod.createAlgorithm(DEST_OWNER, 'beta')

      const run = await promote({ algorithms: 'alpha\nbeta', publish: true })

      expect(run.exitCode, run.stdout).toBe(0)
      const alphaHead = (await pair.prod.headCommit(DEST_OWNER, 'alpha'))!
      const betaHead = (await pair.prod.headCommit(DEST_OWNER, 'beta'))!
      const table = summaryTable(run.summary)
      expect(table.header).toEqual([
        'Algorithm',
        'Destination',
        'Status',
        'Source version',
        'Source commit',
        'Destination version',
        'Destination commit'
      ])
      const prodHost = new URL(pair.prod.url).host
      expect(sortRows(table.rows)).toEqual([
        ['alpha', prodHost, 'created', '1.0.0', alphaCommit.slice(0, 12), '0.1.0', alphaHead.slice(0, 12)],
        ['beta', prodHost, 'updated', '—', betaCommit.slice(0, 12), '0.1.0', betaHead.slice(0, 12)]
      ])
      // Both were really published on prod.
      expect(pair.prod.listVersions(DEST_OWNER, 'alpha', { published: true })[0].version_info.git_hash).toBe(alphaHead)
      expect(pair.prod.listVersions(DEST_OWNER, 'beta', { published: true })[0].version_info.git_hash).toBe(betaHead)
      expect(JSON.parse(run.outputs['version-map'])).toEqual({ alpha: { '1.0.0': '0.1.0' }, beta: { [betaCommit]: '0.1.0' } })
      // With several algorithms the single-algorithm outputs are empty.
      expect(run.outputs['dest-commit']).toBe('')
      expect(run.outputs['dest-version']).toBe('')
    })
  })
})

function results(run: ActionRun): ResultItem[] {
  expect(run.outputs.results, `no results output; stdout:\n${run.stdout}\nstderr:\n${run.stderr}`).toBeDefined()
  return JSON.parse(run.outputs.results) as ResultItem[]
}

/** A tree as hex strings, so a mismatch shows which file differs. */
function hex(tree: Record<string, Buffer>): Record<string, string> {
  return Object.fromEntries(Object.entries(tree).map(([file, content]) => [file, content.toString('hex')]))
}

async function treeId(cluster: EmulatedCluster, owner: string, name: string): Promise<string> {
  const { stdout } = await execFileAsync('git', ['--git-dir', cluster.repoPath(owner, name), 'rev-parse', 'master^{tree}'])
  return stdout.trim()
}

function writesOf(requests: readonly RequestRecord[]): RequestRecord[] {
  return requests.filter(r => (r.kind === 'api' && r.method !== 'GET' && r.method !== 'HEAD') || r.gitService === 'receive-pack')
}

function describeRequests(requests: readonly RequestRecord[]): string[] {
  return requests.map(r => `${r.method} ${r.path}`)
}

/** The results table of the job summary (the first <table>). */
function summaryTable(summary: string): { header: string[]; rows: string[][] } {
  const table = /<table>([\s\S]*?)<\/table>/.exec(summary)
  expect(table, `no table in the summary:\n${summary}`).not.toBeNull()
  const rows = [...table![1].matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map(row =>
    [...row[1].matchAll(/<t([hd])>([\s\S]*?)<\/t\1>/g)].map(cell => cell[2])
  )
  return { header: rows[0], rows: rows.slice(1) }
}

function sortRows(rows: string[][]): string[][] {
  return [...rows].sort((a, b) => a.join('\t').localeCompare(b.join('\t')))
}
