/**
 * What a hostile or odd cluster can do, through the bundled action: redirects
 * that would carry a key elsewhere, text that would forge workflow commands,
 * answers that never end or have the wrong shape, pushes refused by a hook,
 * source trees git itself would reject, and more failures than a job summary
 * can hold. Each case is played by the emulator, or by a proxy in front of it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { chmod, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { ActionRun } from '../../scripts/lib/run-action.js'
import type { PublicResult } from '../../src/report/public-result.js'
import { DEST_OWNER, SOURCE_OWNER, startClusterPair, type ClusterPair } from '../helpers/clusters.js'
import { editJson, startHostileProxy, type HostileProxy } from './hostile-proxy.js'
import { CANARY_DEV_KEY, CANARY_PROD_KEY, runAndScan, type ScanReport } from './security-scan.js'

const KEYS = [
  { owner: 'alice', key: CANARY_DEV_KEY },
  { owner: 'deployer', key: CANARY_PROD_KEY }
]
const FILES = { 'src/hello.py': 'def apply(input):\n    return "hi " + input\n', 'requirements.txt': 'numpy\n' }
const API = '/v1/algorithms'

const resultsOf = (run: ActionRun): PublicResult[] => JSON.parse(run.outputs.results ?? '[]') as PublicResult[]

/** Lines the runner would take as commands that the cluster forged (the runner splits at CR or LF and trims each line). */
function forgedCommands(stdout: string): string[] {
  return stdout
    .split(/\r\n|\r|\n/)
    .map(line => line.trim())
    .filter(line => /^(::[a-z-]+::|##\[[a-z-]+\])\s*forged/i.test(line))
}

describe('hardening: what a cluster sends is data, never commands', () => {
  let pair: ClusterPair
  let proxy: HostileProxy | undefined
  beforeEach(async () => {
    pair = await startClusterPair({ devKey: CANARY_DEV_KEY, prodKey: CANARY_PROD_KEY, buildDelayMs: 30 })
  })
  afterEach(async () => {
    await proxy?.stop()
    proxy = undefined
    await pair.stop()
  })

  async function promote(overrides: Record<string, string | boolean | number>): Promise<{ run: ActionRun; scan: ScanReport }> {
    const { run, scan } = await runAndScan(pair.inputs(overrides), KEYS)
    expect(scan.leaks, JSON.stringify(scan.leaks, null, 2)).toEqual([])
    expect(scan.leftInRunnerTemp).toEqual([])
    return { run, scan }
  }

  describe('1. a key never follows a redirect', () => {
    it('git: a redirect to another host is not followed; the run says the git server redirected', async () => {
      await pair.seed('hello', FILES)
      pair.prod.createAlgorithm(DEST_OWNER, 'hello')
      const before = await pair.prod.headCommit(DEST_OWNER, 'hello')
      pair.prod.clearRequests()
      proxy = await startHostileProxy(pair.prod.url)
      proxy.add({ kind: 'redirect', path: /^\/git\//, to: pair.prod.url, status: 301 })

      const { run } = await promote({ algorithms: 'hello', 'dest-git-url': proxy.url })

      expect(run.exitCode).toBe(1)
      // Nothing reached the other host: not the key, not a push.
      expect(pair.prod.requests.filter(r => r.path.startsWith('/git/'))).toEqual([])
      expect(await pair.prod.headCommit(DEST_OWNER, 'hello')).toBe(before)
      const [result] = resultsOf(run)
      expect(result).toMatchObject({ status: 'failed', failedStep: 'sync code' })
      expect(result.error).toMatch(/redirect/i)
      expect(result.error).toMatch(/dest-git-url/)
      expect(result.error).not.toMatch(/authentication failed/i)
    })

    for (const status of [301, 307]) {
      it(`API: a ${status} redirect to another origin is not followed with the key, and is not called a wrong key`, async () => {
        await pair.seed('hello', FILES)
        pair.prod.clearRequests()
        proxy = await startHostileProxy(pair.prod.url)
        proxy.add({ kind: 'redirect', path: /^\/v1\//, to: pair.prod.url, status })

        const { run } = await promote({ algorithms: 'hello', 'dest-api-url': proxy.url })

        expect(run.exitCode).toBe(1)
        // No API request reached the redirect's target with the key (git asks prod itself: it is dest-git-url).
        expect(pair.prod.requests.filter(r => r.kind === 'api' && r.principal !== undefined)).toEqual([])
        const [result] = resultsOf(run)
        expect(result).toMatchObject({ status: 'failed', failedStep: 'prepare destination' })
        expect(result.error).toMatch(new RegExp(`answered ${status}.*redirect.*${pair.prod.url.replace(/[.:/]/g, '\\$&')}`))
        expect(result.error).toMatch(/dest-api-url/)
        expect(result.error).not.toMatch(/authentication failed/i)
      })
    }
  })

  describe('7. remote text is flattened before it is logged; semvers and commit hashes are checked', () => {
    it('an API error message with newlines forges no workflow command', async () => {
      await pair.seed('hello', FILES)
      const message =
        'busy\n::error::forged by the cluster\n::add-mask::forged\n::stop-commands::forgedtoken\n##[error]forged too\r::warning::forged'
      pair.dev.faults.add({
        method: 'GET',
        path: `${API}/${SOURCE_OWNER}/hello`,
        status: 503,
        times: 1,
        body: { error: { code: 500, message } }
      })
      pair.prod.faults.add({
        method: 'GET',
        path: `${API}/${DEST_OWNER}/hello`,
        status: 400,
        times: 1,
        body: { error: { code: 400, message } }
      })

      const { run } = await promote({ algorithms: 'hello' })

      expect(run.exitCode).toBe(1)
      // The text is still shown, on one line.
      expect(run.stdout).toMatch(/busy.*forged by the cluster/)
      expect(forgedCommands(run.stdout)).toEqual([])
    })

    it('a published semantic_version that is not a semver is refused, naming the cluster; it never reaches the outputs', async () => {
      await pair.seed('hello', FILES, { publish: 'minor' })
      proxy = await startHostileProxy(pair.prod.url)
      const forged = '1.0.0\n::error::forged'
      proxy.add({
        kind: 'rewrite',
        method: 'POST',
        path: /\/versions$/,
        transform: editJson(body => {
          ;(body.version_info as Record<string, unknown>).semantic_version = forged
        })
      })

      const { run } = await promote({ algorithms: 'hello', publish: true, 'dest-api-url': proxy.url })

      expect(run.exitCode).toBe(1)
      const [result] = resultsOf(run)
      expect(result).toMatchObject({ status: 'failed', failedStep: 'publish', destVersion: '' })
      expect(result.error).toMatch(/127\.0\.0\.1:\d+.*semantic_version.*not a semantic version/)
      expect(run.outputs['dest-version']).toBe('')
      expect(run.outputs['version-map']).not.toContain('forged')
      expect(forgedCommands(run.stdout)).toEqual([])
    })

    it('a git_hash that looks like an option never reaches git as an option', async () => {
      await pair.seed('hello', FILES, { publish: 'minor' })
      proxy = await startHostileProxy(pair.dev.url)
      const hostile = '--upload-pack=touch /tmp/algorithmia-promote-pwned'
      proxy.add({
        kind: 'rewrite',
        method: 'GET',
        path: /\/versions$/,
        transform: editJson(body => {
          for (const item of body.results as Array<{ version_info: Record<string, unknown> }>) item.version_info.git_hash = hostile
        })
      })

      const { run, scan } = await promote({ algorithms: 'hello', 'source-version': '0.1.0', 'source-api-url': proxy.url })

      expect(run.exitCode).toBe(1)
      // Undefined only on Windows, which has no git spy (createGitSpy printed why).
      if (scan.gitInvocations) expect(scan.gitInvocations.flat().filter(arg => arg.includes('upload-pack='))).toEqual([])
      const [result] = resultsOf(run)
      expect(result).toMatchObject({ status: 'failed', failedStep: 'resolve source' })
      expect(result.error).toMatch(/127\.0\.0\.1:\d+.*git_hash.*not a commit hash/)
    })
  })

  describe('8. answers are bounded', () => {
    it('an endless API answer is cut off at the size cap with a clear message', async () => {
      await pair.seed('hello', FILES)
      proxy = await startHostileProxy(pair.dev.url)
      proxy.add({
        kind: 'endless',
        method: 'GET',
        path: new RegExp(`^${API}/${SOURCE_OWNER}/hello$`),
        contentType: 'application/json',
        prefix: '{"name":"hello","details":"',
        chunk: 'a'.repeat(64 * 1024),
        bytesPerSecond: 64 * 1024 * 1024
      })
      const started = Date.now()

      const { run } = await promote({ algorithms: 'hello', 'source-api-url': proxy.url, 'request-timeout': 8, 'max-attempts': 1 })

      expect(run.exitCode).toBe(1)
      expect(Date.now() - started).toBeLessThan(8000)
      const [result] = resultsOf(run)
      expect(result).toMatchObject({ status: 'failed', failedStep: 'resolve source' })
      expect(result.error).toMatch(/127\.0\.0\.1:\d+: GET \/algorithms\/data_science\/hello: the answer is larger than \d+ MiB/)
    }, 30_000)

    it('a git transfer that trickles (fast enough for the stall guard) is stopped at its time bound', async () => {
      await pair.seed('hello', FILES)
      pair.prod.createAlgorithm(DEST_OWNER, 'hello')
      proxy = await startHostileProxy(pair.prod.url)
      proxy.add({
        kind: 'endless',
        method: 'GET',
        path: /\/info\/refs$/,
        contentType: 'application/x-git-upload-pack-advertisement',
        prefix: '',
        chunk: 'x'.repeat(512),
        bytesPerSecond: 4096
      })
      const started = Date.now()

      // One transfer may take 60 × request-timeout: 12 s here.
      const { run } = await promote({ algorithms: 'hello', 'dest-git-url': proxy.url, 'request-timeout': 0.2 })

      expect(run.exitCode).toBe(1)
      expect(Date.now() - started).toBeLessThan(40_000)
      const [result] = resultsOf(run)
      expect(result).toMatchObject({ status: 'failed', failedStep: 'sync code' })
      expect(result.error).toMatch(/git ls-remote .* was stopped after 12 s/)
    }, 90_000)
  })

  describe('9. answers of the wrong shape', () => {
    it('{"results": null} is refused naming the cluster and the request, not a TypeError', async () => {
      await pair.seed('hello', FILES, { publish: 'minor' })
      proxy = await startHostileProxy(pair.dev.url)
      proxy.add({ kind: 'rewrite', method: 'GET', path: /\/versions$/, transform: editJson(() => ({ results: null })) })

      const { run } = await promote({ algorithms: 'hello', 'source-api-url': proxy.url })

      expect(run.exitCode).toBe(1)
      const [result] = resultsOf(run)
      expect(result).toMatchObject({ status: 'failed', failedStep: 'resolve source' })
      expect(result.error).toMatch(/127\.0\.0\.1:\d+: GET \/algorithms\/data_science\/hello\/versions.* answered .*unexpected.*results/)
      expect(result.error).not.toMatch(/TypeError|is not iterable|undefined/)
    })

    it('a version without a git_hash is refused naming the cluster', async () => {
      await pair.seed('hello', FILES, { publish: 'minor' })
      proxy = await startHostileProxy(pair.dev.url)
      proxy.add({
        kind: 'rewrite',
        method: 'GET',
        path: /\/versions$/,
        transform: editJson(body => {
          for (const item of body.results as Array<{ version_info: Record<string, unknown> }>) delete item.version_info.git_hash
        })
      })

      const { run } = await promote({ algorithms: 'hello', 'source-version': '0.1.0', 'source-api-url': proxy.url })

      expect(run.exitCode).toBe(1)
      const [result] = resultsOf(run)
      expect(result).toMatchObject({ status: 'failed', failedStep: 'resolve source' })
      expect(result.error).toMatch(/127\.0\.0\.1:\d+: GET .*\/versions.*git_hash/)
      expect(result.error).not.toMatch(/TypeError|undefined/)
    })

    it('a build status outside the spec ("queued") is taken as not finished', async () => {
      await pair.seed('hello', FILES)
      proxy = await startHostileProxy(pair.prod.url)
      const queued = (value: unknown): unknown => {
        const build = value as Record<string, unknown>
        if (build && typeof build === 'object' && 'status' in build) build.status = 'queued'
        return build
      }
      proxy.add({
        kind: 'rewrite',
        method: 'GET',
        path: /\/builds(\/[^/]+)?$/,
        times: 3,
        transform: editJson(body => {
          if (Array.isArray(body.results)) body.results.forEach(queued)
          else queued(body)
        })
      })

      const { run } = await promote({ algorithms: 'hello', publish: true, 'dest-api-url': proxy.url })

      expect(run.exitCode, run.stdout).toBe(0)
      expect(resultsOf(run)[0]).toMatchObject({ status: 'created', destVersion: '0.1.0' })
      // Publishing waited until a build read said the build had finished.
      const publish = proxy.seen.findIndex(r => r.method === 'POST' && r.path.endsWith('/versions'))
      const buildReads = proxy.seen.slice(0, publish).filter(r => r.method === 'GET' && /\/builds/.test(r.path))
      expect(buildReads.length).toBeGreaterThan(3)
      expect(buildReads.at(-1)!.rule).toBe(-1)
    })
  })

  describe('10. a push refused by a server hook', () => {
    it("keeps the server's own words", async () => {
      await pair.seed('hello', FILES)
      pair.prod.createAlgorithm(DEST_OWNER, 'hello')
      await pair.prod.headCommit(DEST_OWNER, 'hello')
      const hook = path.join(pair.prod.repoPath(DEST_OWNER, 'hello'), 'hooks', 'pre-receive')
      // Portable: Git for Windows runs a hook that starts with #! through its own sh, with no executable bit.
      await writeFile(hook, '#!/bin/sh\necho "Pushes need a change ticket (OPS-42); ask #release." >&2\nexit 1\n')
      await chmod(hook, 0o755)

      const { run } = await promote({ algorithms: 'hello' })

      expect(run.exitCode).toBe(1)
      const [result] = resultsOf(run)
      expect(result).toMatchObject({ status: 'failed', failedStep: 'sync code' })
      expect(result.error).toContain('Pushes need a change ticket (OPS-42); ask #release.')
      expect(result.error).toMatch(/pre-receive hook declined/)
    })
  })

  describe('11. source trees that git itself would reject', () => {
    /** Writes a commit with `tree` on the source's master, as a hostile pusher could. */
    function commitTree(name: string, entries: string): string {
      const repo = pair.dev.repoPath(SOURCE_OWNER, name)
      const git = (args: string[], input?: string): string => execFileSync('git', ['-C', repo, ...args], { input, encoding: 'utf8' }).trim()
      const tree = git(['mktree'], entries)
      const head = git(['rev-parse', 'HEAD'])
      const commit = git(['-c', 'user.name=x', '-c', 'user.email=x@x', 'commit-tree', tree, '-p', head, '-m', 'hostile'])
      git(['update-ref', 'refs/heads/master', commit])
      return commit
    }

    it('refuses .git and .. entries and option-shaped .gitmodules URLs, naming the path; the destination is untouched', async () => {
      const cases = {
        dotgit: (blob: string, sub: string) => `040000 tree ${sub}\tsrc\n100644 blob ${blob}\tREADME\n`,
        dotdot: (blob: string) => `100644 blob ${blob}\t..\n100644 blob ${blob}\tREADME\n`,
        modules: (_blob: string, _sub: string, modules: string) => `100644 blob ${modules}\t.gitmodules\n`
      }
      for (const name of Object.keys(cases)) await pair.seed(name, FILES)
      for (const [name, entries] of Object.entries(cases)) {
        const repo = pair.dev.repoPath(SOURCE_OWNER, name)
        const hash = (text: string): string =>
          execFileSync('git', ['-C', repo, 'hash-object', '-w', '--stdin'], { input: text, encoding: 'utf8' }).trim()
        const blob = hash('[core]\n\tfsmonitor = touch /tmp/pwned\n')
        const sub = execFileSync('git', ['-C', repo, 'mktree'], { input: `100644 blob ${blob}\t.GIT\n`, encoding: 'utf8' }).trim()
        const modules = hash('[submodule "x"]\n\tpath = x\n\turl = --upload-pack=touch /tmp/pwned\n')
        commitTree(name, entries(blob, sub, modules))
        pair.prod.createAlgorithm(DEST_OWNER, name)
      }
      const heads = Object.fromEntries(
        await Promise.all(Object.keys(cases).map(async name => [name, await pair.prod.headCommit(DEST_OWNER, name)]))
      )

      const { run } = await promote({ algorithms: Object.keys(cases).join(',') })

      expect(run.exitCode).toBe(1)
      const byName = Object.fromEntries(resultsOf(run).map(result => [result.algorithm, result]))
      for (const name of Object.keys(cases)) {
        expect(byName[name]).toMatchObject({ status: 'failed', failedStep: 'sync code' })
        expect(await pair.prod.headCommit(DEST_OWNER, name)).toBe(heads[name])
      }
      expect(byName.dotgit.error).toMatch(/'src\/\.GIT'/)
      expect(byName.dotdot.error).toMatch(/'\.\.'/)
      expect(byName.modules.error).toMatch(/'\.gitmodules'.*url.*option/)
      for (const result of Object.values(byName)) expect(result.error).toMatch(/127\.0\.0\.1:\d+ data_science\/\w+/)
    })
  })

  describe('15. the job summary and results stay within GitHub limits', () => {
    it('with many long failures: the summary stays under 1 MiB and results under 1 MB, pointing to the full data', async () => {
      const names = Array.from({ length: 1000 }, (_, i) => `algo${i}`)
      const message = `refused: ${'the cluster explains at length. '.repeat(200)}`
      pair.dev.faults.add({
        method: 'GET',
        path: new RegExp(`^${API}/${SOURCE_OWNER}/algo\\d+$`),
        status: 400,
        times: 10_000,
        body: { error: { code: 400, message } }
      })

      const { run } = await promote({ algorithms: names.join(','), concurrency: 32 })

      expect(run.exitCode).toBe(1)
      expect(Buffer.byteLength(run.summary)).toBeGreaterThan(10_000)
      expect(Buffer.byteLength(run.summary)).toBeLessThanOrEqual(1024 * 1024)
      expect(run.summary).toMatch(/more failures .* in the log/)
      expect(Buffer.byteLength(run.outputs.results)).toBeLessThanOrEqual(1_000_000)
      const results = resultsOf(run)
      expect(results).toHaveLength(names.length)
      expect(results.every(result => result.status === 'failed')).toBe(true)
      expect(results[0].error).toMatch(/shortened; the full message is in the log/)
      // The log still has every message whole.
      expect(run.stdout.split(message.slice(0, 200)).length - 1).toBeGreaterThanOrEqual(names.length)
    }, 120_000)
  })
})
