/**
 * Runs that must converge, through the bundled action: a push that loses a
 * race inside the server ("failed to update ref"), a re-run after a run that
 * stopped before publishing, and destinations whose HEAD is on another
 * branch, unborn or detached.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { chmod, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { runAction, type ActionRun } from '../../scripts/lib/run-action.js'
import type { PublicResult } from '../../src/report/public-result.js'
import { DEST_OWNER, SOURCE_OWNER, startClusterPair, type ClusterPair } from '../helpers/clusters.js'

const FILES = { 'src/hello.py': 'def apply(input):\n    return "hi " + input\n', 'requirements.txt': 'numpy\n' }

const resultsOf = (run: ActionRun): PublicResult[] => JSON.parse(run.outputs.results ?? '[]') as PublicResult[]

describe('hardening: runs that converge', () => {
  let pair: ClusterPair
  beforeEach(async () => {
    pair = await startClusterPair({ buildDelayMs: 30 })
  })
  afterEach(async () => {
    await pair.stop()
  })

  const promote = (overrides: Record<string, string | boolean | number>): Promise<ActionRun> => runAction(pair.inputs(overrides))
  const destGit = (name: string, args: string[]): string =>
    execFileSync('git', ['-C', pair.prod.repoPath(DEST_OWNER, name), ...args], { encoding: 'utf8' }).trim()
  const pushes = (): unknown[] => pair.prod.requests.filter(r => r.gitService === 'receive-pack' && r.method === 'POST')
  const destRefs = (name: string): string => destGit(name, ['for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads'])

  /** A pre-receive hook that, once, lands another run's commit on master while our push is being received. */
  async function raceOnce(name: string): Promise<void> {
    const hook = path.join(pair.prod.repoPath(DEST_OWNER, name), 'hooks', 'pre-receive')
    await writeFile(
      hook,
      [
        '#!/bin/sh',
        'cat >/dev/null',
        '[ -e raced ] && exit 0',
        'touch raced',
        // The hook's own commit goes into the repository itself, not the push's quarantine.
        'unset GIT_QUARANTINE_PATH GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES',
        'head=$(git rev-parse refs/heads/master)',
        'commit=$(git -c user.name=teammate -c user.email=t@example.com commit-tree "$head^{tree}" -p "$head" -m "Concurrent promotion")',
        'git update-ref refs/heads/master "$commit" "$head"',
        'exit 0',
        ''
      ].join('\n')
    )
    await chmod(hook, 0o755)
  }

  describe('4. concurrent pushes', () => {
    it('a push that loses the race inside the server ("failed to update ref") is rebuilt on the new head', async () => {
      await pair.seed('hello', FILES)
      pair.prod.createAlgorithm(DEST_OWNER, 'hello')
      await pair.prod.headCommit(DEST_OWNER, 'hello')
      await raceOnce('hello')
      pair.prod.clearRequests()

      const run = await promote({ algorithms: 'hello' })

      expect(run.exitCode, run.stdout).toBe(0)
      expect(run.stdout).toMatch(/moved on since it was fetched; rebuilding/)
      const log = await pair.prod.log(DEST_OWNER, 'hello')
      expect(log[0].message).toMatch(/^Promote/)
      expect(log[1].message).toMatch(/^Concurrent promotion/)
      expect(log[0].parents).toEqual([log[1].sha])
      expect(resultsOf(run)[0]).toMatchObject({ status: 'updated', destCommit: log[0].sha })
      // Known as a race at once: not taken for a server refusing the promotion record, which costs a third push.
      expect(run.stdout).not.toMatch(/did not take the promotion record/)
      expect(pushes()).toHaveLength(2)
    })

    it('also when the branch is pushed alone (this source was promoted before and the destination changed since)', async () => {
      await pair.seed('hello', FILES)
      expect((await promote({ algorithms: 'hello' })).exitCode).toBe(0)
      await pair.prod.commit(DEST_OWNER, 'hello', { 'NOTES.md': 'a hotfix made on the destination\n' }, { replace: false })
      await raceOnce('hello')
      pair.prod.clearRequests()

      const run = await promote({ algorithms: 'hello' })

      expect(run.exitCode, run.stdout).toBe(0)
      expect(run.stdout).toMatch(/moved on since it was fetched; rebuilding/)
      const log = await pair.prod.log(DEST_OWNER, 'hello')
      expect(log[1].message).toMatch(/^Concurrent promotion/)
      expect(log[0].parents).toEqual([log[1].sha])
      expect(Object.keys(await pair.prod.readTree(DEST_OWNER, 'hello')).sort()).toEqual(Object.keys(FILES).sort())
      expect(resultsOf(run)[0]).toMatchObject({ status: 'updated', destCommit: log[0].sha })
      expect(pushes()).toHaveLength(2)
    })

    it("a lock file left behind is no race: the push fails with the server's words, and is not repeated", async () => {
      await pair.seed('hello', FILES)
      pair.prod.createAlgorithm(DEST_OWNER, 'hello')
      const template = await pair.prod.headCommit(DEST_OWNER, 'hello')
      await writeFile(path.join(pair.prod.repoPath(DEST_OWNER, 'hello'), 'refs', 'heads', 'master.lock'), '')
      pair.prod.clearRequests()

      const run = await promote({ algorithms: 'hello' })

      expect(run.exitCode).toBe(1)
      const [result] = resultsOf(run)
      expect(result).toMatchObject({ status: 'failed', failedStep: 'sync code' })
      expect(result.error).toMatch(/cannot lock ref 'refs\/heads\/master'/)
      expect(result.error).not.toMatch(/kept moving/)
      expect(run.stdout).not.toMatch(/moved on since it was fetched/)
      expect(destRefs('hello')).toBe(`refs/heads/master ${template}`)
    })
  })

  describe('5. publishing catches up', () => {
    it('a re-run after a build timeout publishes the unchanged head, and says so', async () => {
      await pair.seed('hello', FILES)
      pair.prod.builds.holdInProgress(true)
      const first = await promote({ algorithms: 'hello', publish: true, 'build-timeout': 1 })
      expect(first.exitCode).toBe(1)
      expect(resultsOf(first)[0]).toMatchObject({ status: 'failed', failedStep: 'build' })
      expect(resultsOf(first)[0].error).toMatch(/run the promotion again with publish: true/)
      pair.prod.builds.holdInProgress(false)
      const head = await pair.prod.headCommit(DEST_OWNER, 'hello')

      const run = await promote({ algorithms: 'hello', publish: true })

      expect(run.exitCode, run.stdout).toBe(0)
      const [result] = resultsOf(run)
      expect(result).toMatchObject({ status: 'unchanged', destCommit: head, destVersion: '0.1.0' })
      expect(run.outputs['dest-version']).toBe('0.1.0')
      expect(run.stdout).toMatch(/has no published version; publishing it once build \S+ \((in-progress|succeeded)\) succeeds/)
      expect(pair.prod.requests.filter(r => r.method === 'POST' && r.path.endsWith('/compile'))).toEqual([])
      const published = pair.prod.listVersions(DEST_OWNER, 'hello', { published: true })
      expect(published.map(v => v.version_info.git_hash)).toEqual([head])
      expect(JSON.parse(run.outputs['version-map'])).toEqual({ hello: { [result.sourceCommit]: '0.1.0' } })
    })

    it('a re-run after a failed build builds the unchanged head again (POST /compile), then publishes it', async () => {
      await pair.seed('hello', FILES)
      pair.prod.builds.failTreesContaining('requirements.txt')
      const first = await promote({ algorithms: 'hello', publish: true })
      expect(resultsOf(first)[0]).toMatchObject({ status: 'failed', failedStep: 'build' })
      pair.prod.builds.clearFailures()
      const head = await pair.prod.headCommit(DEST_OWNER, 'hello')

      const run = await promote({ algorithms: 'hello', publish: true })

      expect(run.exitCode, run.stdout).toBe(0)
      expect(resultsOf(run)[0]).toMatchObject({ status: 'unchanged', destCommit: head, destVersion: '0.1.0' })
      expect(run.stdout).toMatch(/has no published version and its build \S+ failed; building it again, then publishing it/)
      expect(pair.prod.requests.filter(r => r.method === 'POST' && r.path.endsWith('/compile'))).toHaveLength(1)
      expect(pair.prod.listVersions(DEST_OWNER, 'hello', { published: true }).map(v => v.version_info.git_hash)).toEqual([head])
    })

    it('the rebuild names the promoted commit (commitSha), so a teammate pushing meanwhile does not change what is built', async () => {
      await pair.seed('hello', FILES)
      pair.prod.builds.failTreesContaining('requirements.txt')
      expect(resultsOf(await promote({ algorithms: 'hello', publish: true }))[0]).toMatchObject({ failedStep: 'build' })
      pair.prod.builds.clearFailures()
      const ours = await pair.prod.headCommit(DEST_OWNER, 'hello')
      // The build request is held up long enough for a teammate's commit to land first.
      pair.prod.faults.add({ method: 'POST', path: /\/compile$/, latencyMs: 1500 })
      pair.prod.clearRequests()

      const running = promote({ algorithms: 'hello', publish: true })
      const asked = (r: { method: string; path: string }) => r.method === 'GET' && r.path.endsWith('/hello/builds')
      while (!pair.prod.requests.some(asked)) await new Promise(resolve => setTimeout(resolve, 20))
      const teammate = await pair.prod.commit(DEST_OWNER, 'hello', { 'teammate.txt': 'x' }, { replace: false })
      const run = await running

      expect(run.exitCode, run.stdout).toBe(0)
      const published = pair.prod.listVersions(DEST_OWNER, 'hello', { published: true })
      expect(published.map(v => v.version_info.git_hash)).toEqual([ours])
      expect(pair.prod.listBuilds(DEST_OWNER, 'hello').map(b => b.commit_sha)).toContain(teammate)
    })

    it('an unchanged head pushed without publishing is published by a run with publish: true', async () => {
      await pair.seed('hello', FILES)
      expect((await promote({ algorithms: 'hello' })).exitCode).toBe(0)
      const head = await pair.prod.headCommit(DEST_OWNER, 'hello')

      const run = await promote({ algorithms: 'hello', publish: true })

      expect(run.exitCode, run.stdout).toBe(0)
      expect(resultsOf(run)[0]).toMatchObject({ status: 'unchanged', destCommit: head, destVersion: '0.1.0' })
      expect(pair.prod.listVersions(DEST_OWNER, 'hello', { published: true }).map(v => v.version_info.git_hash)).toEqual([head])
    })

    it('an unchanged head that is already published is left alone', async () => {
      await pair.seed('hello', FILES)
      expect((await promote({ algorithms: 'hello', publish: true })).exitCode).toBe(0)
      pair.prod.clearRequests()

      const run = await promote({ algorithms: 'hello', publish: true })

      expect(run.exitCode, run.stdout).toBe(0)
      // Left alone, and reported with the version it already has.
      expect(resultsOf(run)[0]).toMatchObject({ status: 'unchanged', destVersion: '0.1.0' })
      expect(pair.prod.requests.filter(r => r.kind === 'api' && r.method === 'POST')).toEqual([])
      expect(pair.prod.listVersions(DEST_OWNER, 'hello', { published: true })).toHaveLength(1)
    })

    it('a dry run publishes nothing, even for an unpublished head', async () => {
      await pair.seed('hello', FILES)
      expect((await promote({ algorithms: 'hello' })).exitCode).toBe(0)
      pair.prod.clearRequests()

      const run = await promote({ algorithms: 'hello', publish: true, 'dry-run': true })

      expect(run.exitCode, run.stdout).toBe(0)
      expect(resultsOf(run)[0]).toMatchObject({ status: 'unchanged', destVersion: '' })
      expect(pair.prod.requests.filter(r => r.kind === 'api' && r.method === 'POST')).toEqual([])
      expect(pair.prod.listVersions(DEST_OWNER, 'hello', { published: true })).toEqual([])
    })
  })

  describe("6. the destination's HEAD: the code goes to master, the branch clusters build", () => {
    const warnings = (run: ActionRun): string[] => run.stdout.split('\n').filter(line => line.startsWith('::warning::'))

    it('on another branch: the code goes to master and is built and published, that branch is untouched, a warning says so', async () => {
      await pair.seed('hello', FILES)
      pair.prod.createAlgorithm(DEST_OWNER, 'hello')
      const template = await pair.prod.headCommit(DEST_OWNER, 'hello')
      destGit('hello', ['branch', 'main', template!])
      destGit('hello', ['symbolic-ref', 'HEAD', 'refs/heads/main'])

      const run = await promote({ algorithms: 'hello', publish: true })

      expect(run.exitCode, run.stdout).toBe(0)
      const master = destGit('hello', ['rev-parse', 'refs/heads/master'])
      expect(destGit('hello', ['rev-parse', `${master}^`])).toBe(template)
      expect(destGit('hello', ['rev-parse', 'refs/heads/main'])).toBe(template)
      expect(resultsOf(run)[0]).toMatchObject({ status: 'updated', destCommit: master, destVersion: '0.1.0' })
      expect(pair.prod.listVersions(DEST_OWNER, 'hello', { published: true }).map(v => v.version_info.git_hash)).toEqual([master])
      const warned = warnings(run).filter(line => /HEAD of /.test(line))
      expect(warned).toHaveLength(1)
      expect(warned[0]).toMatch(
        /HEAD of .*hello names refs\/heads\/main, while the cluster builds refs\/heads\/master only: the promotion goes to refs\/heads\/master; refs\/heads\/main is left as it is/
      )
      // A second run finds it unchanged, on master.
      const again = await promote({ algorithms: 'hello', publish: true })
      expect(again.exitCode, again.stdout).toBe(0)
      expect(resultsOf(again)[0]).toMatchObject({ status: 'unchanged', destCommit: master })
      expect(destGit('hello', ['rev-parse', 'refs/heads/main'])).toBe(template)
    })

    it('detached: the code goes to master with a warning, and later runs converge (never "kept moving")', async () => {
      await pair.seed('hello', FILES)
      pair.prod.createAlgorithm(DEST_OWNER, 'hello')
      const template = await pair.prod.headCommit(DEST_OWNER, 'hello')
      // At a commit no branch has: one that a branch has reads as that branch, as git clone reads it.
      const loose = destGit('hello', [
        '-c',
        'user.name=test',
        '-c',
        'user.email=test@example.com',
        'commit-tree',
        `${template}^{tree}`,
        '-p',
        template!,
        '-m',
        'detached'
      ])
      destGit('hello', ['update-ref', '--no-deref', 'HEAD', loose])

      const run = await promote({ algorithms: 'hello' })

      expect(run.exitCode, run.stdout).toBe(0)
      const master = destGit('hello', ['rev-parse', 'refs/heads/master'])
      expect(destGit('hello', ['rev-parse', `${master}^`])).toBe(template)
      expect(resultsOf(run)[0]).toMatchObject({ status: 'updated', destCommit: master })
      expect(warnings(run).filter(line => /HEAD of /.test(line))).toEqual([
        expect.stringMatching(new RegExp(`HEAD of .*hello is detached at commit ${loose}, while the cluster builds refs/heads/master only`))
      ])
      expect(run.stdout).not.toMatch(/kept moving|moved on since it was fetched/)
      expect(destGit('hello', ['rev-parse', 'HEAD'])).toBe(loose)

      // The bug this replaces: a later run built a parentless commit and took the rejection for a race.
      await pair.dev.commit(SOURCE_OWNER, 'hello', { 'NOTES.md': 'a second source commit\n' }, { replace: false })
      const again = await promote({ algorithms: 'hello' })
      expect(again.exitCode, again.stdout).toBe(0)
      const next = destGit('hello', ['rev-parse', 'refs/heads/master'])
      expect(destGit('hello', ['rev-parse', `${next}^`])).toBe(master)
      expect(again.stdout).not.toMatch(/kept moving|moved on since it was fetched/)
    })

    it('master missing while trunk has commits: refused before any push, with the branches and the fix', async () => {
      await pair.seed('hello', FILES)
      pair.prod.createAlgorithm(DEST_OWNER, 'hello')
      const template = await pair.prod.headCommit(DEST_OWNER, 'hello')
      // HEAD follows the rename: the repository's only branch is trunk.
      destGit('hello', ['branch', '-m', 'master', 'trunk'])
      expect(destRefs('hello')).toBe(`refs/heads/trunk ${template}`)

      const run = await promote({ algorithms: 'hello', publish: true })

      expect(run.exitCode).toBe(1)
      const [result] = resultsOf(run)
      expect(result).toMatchObject({ status: 'failed', failedStep: 'sync code' })
      expect(result.error).toMatch(
        / .*hello has no refs\/heads\/master, the branch the cluster builds, while refs\/heads\/trunk has commits/
      )
      expect(result.error).toMatch(/nothing was pushed/)
      expect(result.error).toMatch(new RegExp(`git push \\S+/git/${DEST_OWNER}/hello\\.git trunk:master`))
      expect(result.error).not.toMatch(/kept moving/)
      expect(destRefs('hello')).toBe(`refs/heads/trunk ${template}`)
      expect(pair.prod.requests.filter(r => r.gitService === 'receive-pack')).toEqual([])

      // The fix the message gives, then the promotion goes through.
      destGit('hello', ['branch', 'master', 'trunk'])
      const again = await promote({ algorithms: 'hello' })
      expect(again.exitCode, again.stdout).toBe(0)
      expect(destGit('hello', ['rev-parse', 'refs/heads/master^'])).toBe(template)
      expect(destGit('hello', ['rev-parse', 'refs/heads/trunk'])).toBe(template)
    })

    it("the source is read from master too, whatever the source's HEAD names", async () => {
      const built = await pair.seed('hello', FILES)
      const sourceGit = (args: string[]): string =>
        execFileSync('git', ['-C', pair.dev.repoPath(SOURCE_OWNER, 'hello'), ...args], { encoding: 'utf8' }).trim()
      sourceGit(['branch', 'dev', `${built}^`])
      sourceGit(['symbolic-ref', 'HEAD', 'refs/heads/dev'])

      const run = await promote({ algorithms: 'hello' })

      expect(run.exitCode, run.stdout).toBe(0)
      expect(resultsOf(run)[0]).toMatchObject({ status: 'created', sourceCommit: built })
      expect(Object.keys(await pair.prod.readTree(DEST_OWNER, 'hello')).sort()).toEqual(Object.keys(FILES).sort())
    })

    it('lists at most five branches when master is missing', async () => {
      await pair.seed('hello', FILES)
      pair.prod.createAlgorithm(DEST_OWNER, 'hello')
      const template = await pair.prod.headCommit(DEST_OWNER, 'hello')
      for (const branch of ['b1', 'b2', 'b3', 'b4', 'b5', 'b6', 'b7']) destGit('hello', ['branch', branch, template!])
      destGit('hello', ['update-ref', '-d', 'refs/heads/master'])

      const run = await promote({ algorithms: 'hello' })

      expect(run.exitCode).toBe(1)
      expect(resultsOf(run)[0].error).toMatch(
        /while refs\/heads\/b1, refs\/heads\/b2, refs\/heads\/b3, refs\/heads\/b4, refs\/heads\/b5 and 2 more have commits/
      )
      expect(resultsOf(run)[0].error).toMatch(/git push \S+ <branch>:master/)
      expect(pair.prod.requests.filter(r => r.gitService === 'receive-pack')).toEqual([])
    })
  })
})
