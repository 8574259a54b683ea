/**
 * End to end: what the bundled action does when things go wrong or when it is
 * told not to write: failing builds, a chosen source version, dry runs, one
 * failure among several algorithms, the same-owner refusal, and keys that
 * must never leave the process. Assertions are made on the emulated clusters'
 * real state and request logs.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { RequestRecord } from '../../emulator/index.js'
import { listFiles, runAction, type ActionRun } from '../../scripts/lib/run-action.js'
import { DEST_OWNER, SOURCE_OWNER, startClusterPair, type ClusterPair } from '../helpers/clusters.js'
import type { PublicResult } from '../../src/report/public-result.js'

type ResultItem = PublicResult

const HELLO_FILES = {
  'src/hello.py': 'def apply(input):\n    return "hello " + input\n',
  'requirements.txt': 'numpy==1.26.4\n'
}

let pair: ClusterPair
const cleanup: string[] = []

/** Runs the bundled action with the pair's inputs; the run's folders are removed after the test. */
async function promote(overrides: Record<string, string | boolean | number>): Promise<ActionRun> {
  const run = await runAction(pair.inputs(overrides))
  cleanup.push(path.dirname(run.runnerTemp))
  return run
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'promotion-test-'))
  cleanup.push(dir)
  return dir
}

async function stopPair(): Promise<void> {
  await pair.stop()
  await Promise.all(cleanup.splice(0).map(dir => rm(dir, { recursive: true, force: true })))
}

describe('promotion failures and dry runs, end to end', () => {
  beforeEach(async () => {
    pair = await startClusterPair()
  })
  afterEach(stopPair)

  describe('a failing destination build', () => {
    it('fails with the build log, publishes nothing, and still reports the pushed commit', async () => {
      pair.prod.builds.failTreesContaining('FAIL_BUILD')
      const sourceCommit = await pair.seed('hello', { ...HELLO_FILES, FAIL_BUILD: 'this tree does not build\n' })

      const run = await promote({ algorithms: 'hello', publish: true })

      expect(run.exitCode).not.toBe(0)
      const [result] = results(run)
      expect(result).toMatchObject({ algorithm: 'hello', status: 'failed', failedStep: 'build', sourceCommit, destVersion: '' })
      const [build] = pair.prod.listBuilds(DEST_OWNER, 'hello')
      expect(build.status).toBe('failed')
      expect(result.error).toContain('build')
      expect(result.error).toContain(build.build_id)
      // The tail of the build log, as the cluster wrote it.
      expect(result.error).toContain('ERROR: build failed: FAIL_BUILD: unsupported file in algorithm source')
      expect(pair.prod.listVersions(DEST_OWNER, 'hello', { published: true })).toEqual([])
      // The code is pushed and reported.
      const head = await pair.prod.headCommit(DEST_OWNER, 'hello')
      expect(result.destCommit).toBe(head)
      expect(build.commit_sha).toBe(head)
      expect(Object.keys(await pair.prod.readTree(DEST_OWNER, 'hello'))).toContain('FAIL_BUILD')
      expect(run.outputs['dest-commit']).toBe(head)
      expect(run.outputs['dest-version']).toBe('')
      // The failure is one error annotation on the runner, with a title, and no warning annotation besides.
      expect(run.stdout).toMatch(/^::error .*FAIL_BUILD/m)
      const annotations = run.stdout.split('\n').filter(line => /^::(error|warning)\b/.test(line) && line.includes('FAIL_BUILD'))
      expect(annotations).toHaveLength(1)
      expect(annotations[0]).toMatch(/^::error title=hello → \S+ build failed::/)
      // action.yml: `changed` is "true when at least one destination got ... a new commit"; this one did.
      expect(run.outputs.changed, 'the destination got a new commit, so changed is true').toBe('true')
    })
  })

  describe('a chosen source-version', () => {
    async function seedThreeCommits(): Promise<{ commit1: string; commit2: string; commit3: string }> {
      const commit1 = await pair.seed('hello', { ...HELLO_FILES, VERSION: '1\n', 'src/only_in_v1.py': 'v1\n' }, { publish: 'minor' })
      const commit2 = await pair.dev.commit(SOURCE_OWNER, 'hello', { ...HELLO_FILES, VERSION: '2\n', 'src/added_in_v2.py': 'v2\n' })
      await pair.dev.waitForBuild(SOURCE_OWNER, 'hello', commit2)
      await pair.dev.publish(SOURCE_OWNER, 'hello', 'minor')
      const commit3 = await pair.dev.commit(SOURCE_OWNER, 'hello', { ...HELLO_FILES, VERSION: '3 (unpublished)\n' })
      await pair.dev.waitForBuild(SOURCE_OWNER, 'hello', commit3)
      const published = pair.dev
        .listVersions(SOURCE_OWNER, 'hello', { published: true })
        .map(v => [v.version_info.semantic_version, v.version_info.git_hash])
      expect(published, 'fixture: 0.2.0 at commit 2, 0.1.0 at commit 1').toEqual([
        ['0.2.0', commit2],
        ['0.1.0', commit1]
      ])
      return { commit1, commit2, commit3 }
    }

    it('promotes a published version, then a commit by its full and abbreviated hash', async () => {
      const { commit1, commit2 } = await seedThreeCommits()

      const byVersion = await promote({ algorithms: 'hello', 'source-version': '0.1.0' })
      expect(byVersion.exitCode, byVersion.stdout).toBe(0)
      expect(results(byVersion)[0]).toMatchObject({ status: 'created', sourceVersion: '0.1.0', sourceCommit: commit1 })
      expect(hex(await pair.prod.readTree(DEST_OWNER, 'hello'))).toEqual(hex(await pair.dev.readTree(SOURCE_OWNER, 'hello', commit1)))
      expect((await pair.prod.log(DEST_OWNER, 'hello'))[0].message).toContain(commit1)

      const byHash = await promote({ algorithms: 'hello', 'source-version': commit2 })
      expect(byHash.exitCode, byHash.stdout).toBe(0)
      expect(results(byHash)[0]).toMatchObject({ status: 'updated', sourceVersion: '0.2.0', sourceCommit: commit2 })
      expect(hex(await pair.prod.readTree(DEST_OWNER, 'hello'))).toEqual(hex(await pair.dev.readTree(SOURCE_OWNER, 'hello', commit2)))

      const byShortHash = await promote({ algorithms: 'hello', 'source-version': commit1.slice(0, 10) })
      expect(byShortHash.exitCode, byShortHash.stdout).toBe(0)
      expect(results(byShortHash)[0]).toMatchObject({ status: 'updated', sourceVersion: '0.1.0', sourceCommit: commit1 })
      expect(hex(await pair.prod.readTree(DEST_OWNER, 'hello'))).toEqual(hex(await pair.dev.readTree(SOURCE_OWNER, 'hello', commit1)))
    })

    it('promotes an unpublished commit by hash with an empty source version', async () => {
      const { commit3 } = await seedThreeCommits()

      const run = await promote({ algorithms: 'hello', 'source-version': commit3 })

      expect(run.exitCode, run.stdout).toBe(0)
      expect(results(run)[0]).toMatchObject({ status: 'created', sourceVersion: '', sourceCommit: commit3 })
      expect(hex(await pair.prod.readTree(DEST_OWNER, 'hello'))).toEqual(hex(await pair.dev.readTree(SOURCE_OWNER, 'hello', commit3)))
    })

    it('fails on an unknown version, listing the available ones, without touching the destination', async () => {
      await seedThreeCommits()

      const run = await promote({ algorithms: 'hello', 'source-version': '9.9.9' })

      expect(run.exitCode).not.toBe(0)
      const [result] = results(run)
      expect(result).toMatchObject({ algorithm: 'hello', status: 'failed', failedStep: 'resolve source' })
      expect(result.error).toContain('9.9.9')
      expect(result.error).toMatch(/0\.2\.0, 0\.1\.0|0\.1\.0, 0\.2\.0/)
      expect(pair.prod.getAlgorithm(DEST_OWNER, 'hello')).toBeUndefined()
      expect(describeRequests(writesOf(pair.prod.requests))).toEqual([])
      expect(run.outputs.changed).toBe('false')
    })
  })

  describe('dry run', () => {
    it('plans the creation of a missing destination without creating it, pushing or publishing', async () => {
      await pair.seed('hello', { ...HELLO_FILES, '.hidden': 'h\n' }, { publish: 'minor' })
      const mapFile = path.join(await tempDir(), 'versions.json')
      const mapBefore = JSON.stringify({ other: { '1.0.0': '2.0.0' } })
      await writeFile(mapFile, mapBefore)

      const run = await promote({ algorithms: 'hello', 'dry-run': true, publish: true, 'version-map-file': mapFile })

      expect(run.exitCode, run.stdout).toBe(0)
      expect(results(run)[0]).toMatchObject({ algorithm: 'hello', status: 'planned', destVersion: '' })
      expect(run.outputs.changed).toBe('true')
      expect(pair.prod.getAlgorithm(DEST_OWNER, 'hello')).toBeUndefined()
      expect(describeRequests(writesOf(pair.prod.requests)), 'no write on prod').toEqual([])
      expect(describeRequests(writesOf(pair.dev.requests)), 'no write on dev').toEqual([])
      expect(await readFile(mapFile, 'utf8'), 'the version-map file is not written in a dry run').toBe(mapBefore)
      expect(run.summary).toContain('dry run')
      expect(run.summary).toContain('<td>planned</td>')
      // The plan lists the files the promotion would add.
      for (const file of ['src/hello.py', 'requirements.txt', '.hidden']) expect(run.summary).toContain(`A ${file}`)
    })

    it('plans an update of an existing destination without moving its head', async () => {
      await pair.seed('hello', HELLO_FILES, { publish: 'minor' })
      pair.prod.createAlgorithm(DEST_OWNER, 'hello')
      const head = await pair.prod.headCommit(DEST_OWNER, 'hello')
      const log = await pair.prod.log(DEST_OWNER, 'hello')
      const metadata = pair.prod.getAlgorithm(DEST_OWNER, 'hello')

      const run = await promote({ algorithms: 'hello', 'dry-run': true, publish: true })

      expect(run.exitCode, run.stdout).toBe(0)
      expect(results(run)[0]).toMatchObject({ status: 'planned', destCommit: head, destVersion: '' })
      expect(run.outputs.changed).toBe('true')
      expect(await pair.prod.headCommit(DEST_OWNER, 'hello')).toBe(head)
      expect(await pair.prod.log(DEST_OWNER, 'hello')).toEqual(log)
      expect(pair.prod.getAlgorithm(DEST_OWNER, 'hello')).toEqual(metadata)
      expect(pair.prod.listBuilds(DEST_OWNER, 'hello')).toEqual([])
      expect(describeRequests(writesOf(pair.prod.requests))).toEqual([])
      expect(run.summary).toContain('dry run')
      // Template files the source does not have would be deleted; the source's code added or modified.
      expect(run.summary).toContain('D algorithmia.conf')
      expect(run.summary).toMatch(/[AM] src\/hello\.py/)
    })
  })

  describe('several algorithms, one failing', () => {
    it('promotes the others when one is missing on the source, and still writes every output and the summary', async () => {
      await pair.seed('alpha', { 'src/alpha.py': 'a = 1\n' })
      await pair.seed('beta', { 'src/beta.py': 'b = 2\n' })
      pair.prod.createAlgorithm(DEST_OWNER, 'beta')

      const run = await promote({ algorithms: 'alpha, ghost, beta' })

      expect(run.exitCode).not.toBe(0)
      const byName = Object.fromEntries(results(run).map(result => [result.algorithm, result]))
      expect(Object.keys(byName).sort()).toEqual(['alpha', 'beta', 'ghost'])
      expect(byName.alpha.status).toBe('created')
      expect(byName.beta.status).toBe('updated')
      expect(byName.ghost).toMatchObject({ status: 'failed', failedStep: 'resolve source' })
      expect(byName.ghost.error).toContain('ghost')
      for (const name of ['alpha', 'beta']) {
        expect(hex(await pair.prod.readTree(DEST_OWNER, name)), name).toEqual(hex(await pair.dev.readTree(SOURCE_OWNER, name)))
        expect(byName[name].destCommit).toBe(await pair.prod.headCommit(DEST_OWNER, name))
      }
      expect(pair.prod.getAlgorithm(DEST_OWNER, 'ghost')).toBeUndefined()
      // Every output was still written.
      expect(run.outputs.changed).toBe('true')
      expect(Object.keys(JSON.parse(run.outputs['version-map'])).sort()).toEqual(['alpha', 'beta'])
      expect(run.outputs).toHaveProperty('dest-commit', '')
      expect(run.outputs).toHaveProperty('dest-version', '')
      const rows = summaryRows(run.summary)
      expect(rows.map(row => [row[0], row[2]]).sort()).toEqual([
        ['alpha', 'created'],
        ['beta', 'updated'],
        ['ghost', 'failed']
      ])
      expect(run.stdout).toMatch(/^::error .*ghost/m)
    })

    it('publishes the others when one destination build fails', async () => {
      pair.prod.builds.failTreesContaining('FAIL_BUILD')
      await pair.seed('alpha', { 'src/alpha.py': 'a = 1\n' }, { publish: 'minor' })
      await pair.seed('broken', { 'src/broken.py': 'x\n', FAIL_BUILD: '1\n' }, { publish: 'minor' })
      await pair.seed('gamma', { 'src/gamma.py': 'g = 3\n' }, { publish: 'minor' })

      const run = await promote({ algorithms: 'alpha\nbroken\ngamma', publish: true })

      expect(run.exitCode).not.toBe(0)
      const byName = Object.fromEntries(results(run).map(result => [result.algorithm, result]))
      expect(byName.broken).toMatchObject({ status: 'failed', failedStep: 'build', destVersion: '' })
      expect(byName.broken.error).toContain('broken')
      expect(pair.prod.listVersions(DEST_OWNER, 'broken', { published: true })).toEqual([])
      for (const name of ['alpha', 'gamma']) {
        expect(byName[name]).toMatchObject({ status: 'created', sourceVersion: '0.1.0', destVersion: '0.1.0' })
        expect(hex(await pair.prod.readTree(DEST_OWNER, name)), name).toEqual(hex(await pair.dev.readTree(SOURCE_OWNER, name)))
        const published = pair.prod.listVersions(DEST_OWNER, name, { published: true })
        expect(
          published.map(v => [v.version_info.semantic_version, v.version_info.git_hash]),
          name
        ).toEqual([['0.1.0', byName[name].destCommit]])
      }
      expect(JSON.parse(run.outputs['version-map'])).toEqual({ alpha: { '0.1.0': '0.1.0' }, gamma: { '0.1.0': '0.1.0' } })
      expect(summaryRows(run.summary)).toHaveLength(3)
    })
  })

  describe('same cluster, same owner', () => {
    it.each([
      ['the same URLs', ''],
      ['the same URLs with a trailing slash', '/']
    ])('refuses before any request when the destination is the source (%s)', async (_label, suffix) => {
      await pair.seed('hello', HELLO_FILES)
      const sourceLog = await pair.dev.log(SOURCE_OWNER, 'hello')
      pair.dev.clearRequests()

      const run = await promote({
        algorithms: 'hello',
        'dest-api-url': pair.dev.url + suffix,
        'dest-git-url': pair.dev.url + suffix,
        'dest-api-key': pair.devKey,
        'dest-api-key-owner': 'alice',
        'dest-algo-owner': SOURCE_OWNER
      })

      expect(run.exitCode).not.toBe(0)
      expect(run.stdout).toMatch(/^::error.*dest-algo-owner/m)
      expect(pair.dev.requests, 'no request reached the cluster').toEqual([])
      expect(pair.prod.requests).toEqual([])
      expect(await pair.dev.log(SOURCE_OWNER, 'hello')).toEqual(sourceLog)
    })
  })
})

describe('promotion secrets, end to end', () => {
  const DEV_KEY = 'simCANARY/dev+key='
  const PROD_KEY = 'simCANARY/prod+key='
  const UNKNOWN_KEY = 'simCANARY/unknown+key='

  beforeEach(async () => {
    pair = await startClusterPair({ devKey: DEV_KEY, prodKey: PROD_KEY })
  })
  afterEach(stopPair)

  describe('keys never leave the process', () => {
    it('leaves no key in outputs, logs, summary, arguments, request logs or files, whether a run succeeds or fails', async () => {
      expect([pair.devKey, pair.prodKey], 'fixture: the canary keys are in use').toEqual([DEV_KEY, PROD_KEY])
      pair.prod.builds.failTreesContaining('FAIL_BUILD')
      await pair.seed('hello', HELLO_FILES, { publish: 'minor' })
      await pair.seed('broken', { ...HELLO_FILES, FAIL_BUILD: '1\n' }, { publish: 'minor' })
      const mapDir = await tempDir()
      const mapFile = path.join(mapDir, 'versions.json')

      const runs: Array<{ label: string; run: ActionRun; succeeds: boolean }> = [
        { label: 'success', succeeds: true, run: await promote({ algorithms: 'hello', publish: true, 'version-map-file': mapFile }) },
        {
          label: 'build failure and missing algorithm',
          succeeds: false,
          run: await promote({ algorithms: 'broken, ghost', publish: true })
        },
        { label: 'rejected destination key', succeeds: false, run: await promote({ algorithms: 'hello', 'dest-api-key': UNKNOWN_KEY }) },
        {
          label: 'input error',
          succeeds: false,
          run: await promote({
            algorithms: 'hello',
            'dest-api-url': pair.dev.url,
            'dest-git-url': pair.dev.url,
            'dest-api-key': DEV_KEY,
            'dest-api-key-owner': 'alice',
            'dest-algo-owner': SOURCE_OWNER
          })
        }
      ]

      const forms = [...keyForms('alice', DEV_KEY), ...keyForms('deployer', PROD_KEY), ...keyForms('deployer', UNKNOWN_KEY), 'CANARY']
      for (const { label, run, succeeds } of runs) {
        expect(run.exitCode === 0, `${label}: exit code ${run.exitCode}\n${run.stdout}`).toBe(succeeds)
        // `::add-mask::` lines are commands to the runner (which swallows them), not log output.
        const masks = run.stdout.split('\n').filter(line => line.startsWith('::add-mask::'))
        expect(masks, `${label}: the source key was registered as a secret`).toContain(`::add-mask::${DEV_KEY}`)
        const places: Record<string, string> = {
          stdout: run.stdout
            .split('\n')
            .filter(line => !line.startsWith('::add-mask::'))
            .join('\n'),
          stderr: run.stderr,
          summary: run.summary,
          argv: run.argv.join(' '),
          ...Object.fromEntries(Object.entries(run.outputs).map(([name, value]) => [`output ${name}`, value]))
        }
        const leftBehind = [...(await listFiles(run.runnerTemp)), ...(await listFiles(run.workspace))]
        expect(leftBehind, `${label}: files left in RUNNER_TEMP or the workspace`).toEqual([])
        for (const file of leftBehind) places[file] = await readFile(file, 'latin1')
        for (const [place, text] of Object.entries(places)) {
          for (const form of forms) expect(text.includes(form), `${label}: ${place} contains '${form}'`).toBe(false)
        }
      }
      // The version-map file and everything the clusters logged (paths and queries) are clean too.
      const elsewhere: Record<string, string> = {
        'version-map file': await readFile(mapFile, 'utf8'),
        'dev request log': JSON.stringify(pair.dev.requests),
        'prod request log': JSON.stringify(pair.prod.requests)
      }
      for (const file of await listFiles(mapDir)) elsewhere[file] = await readFile(file, 'latin1')
      for (const [place, text] of Object.entries(elsewhere)) {
        for (const form of forms) expect(text.includes(form), `${place} contains '${form}'`).toBe(false)
      }
      // The runs did what they were meant to, so the scans covered real work.
      expect(results(runs[0].run)[0]).toMatchObject({ status: 'created', destVersion: '0.1.0' })
      expect(results(runs[1].run).map(result => result.status)).toEqual(['failed', 'failed'])
      expect(results(runs[2].run)[0]).toMatchObject({ status: 'failed', failedStep: 'prepare destination' })
    })
  })
})

function results(run: ActionRun): ResultItem[] {
  expect(run.outputs.results, `no results output; stdout:\n${run.stdout}\nstderr:\n${run.stderr}`).toBeDefined()
  return JSON.parse(run.outputs.results) as ResultItem[]
}

/** Every form in which a key could travel: raw, URL-encoded, base64, and the Basic credential. */
function keyForms(owner: string, key: string): string[] {
  const basic = Buffer.from(`${owner}:${key}`).toString('base64')
  return [key, encodeURIComponent(key), key.replaceAll('/', '%2F'), Buffer.from(key).toString('base64'), basic, basic.replace(/=+$/, '')]
}

function hex(tree: Record<string, Buffer>): Record<string, string> {
  return Object.fromEntries(Object.entries(tree).map(([file, content]) => [file, content.toString('hex')]))
}

/** API writes and pushes; fetches and reads are not writes. */
function writesOf(requests: readonly RequestRecord[]): RequestRecord[] {
  return requests.filter(r => (r.kind === 'api' && r.method !== 'GET' && r.method !== 'HEAD') || r.gitService === 'receive-pack')
}

function describeRequests(requests: readonly RequestRecord[]): string[] {
  return requests.map(r => `${r.method} ${r.path}`)
}

/** The data rows (not the header) of the job summary's results table. */
function summaryRows(summary: string): string[][] {
  const table = /<table>([\s\S]*?)<\/table>/.exec(summary)
  expect(table, `no table in the summary:\n${summary}`).not.toBeNull()
  const rows = [...table![1].matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map(row =>
    [...row[1].matchAll(/<td>([\s\S]*?)<\/td>/g)].map(cell => cell[1])
  )
  return rows.filter(row => row.length > 0)
}
