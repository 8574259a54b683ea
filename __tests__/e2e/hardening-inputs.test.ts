/**
 * Names and inputs, through the bundled action: keys too short to mask or
 * that HTTP cannot carry, names that are Object.prototype members, request
 * timeouts and temporary directories, and version-map-file paths.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { lstat, mkdir, mkdtemp, readFile, readdir, readlink, symlink, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { runAction, type ActionRun } from '../../scripts/lib/run-action.js'
import type { PublicResult } from '../../src/report/public-result.js'
import { DEST_OWNER, startClusterPair, type ClusterPair } from '../helpers/clusters.js'
import { withoutMaskCommands } from './security-scan.js'

const FILES = { 'src/hello.py': 'def apply(input):\n    return "hi " + input\n' }

const resultsOf = (run: ActionRun): PublicResult[] => JSON.parse(run.outputs.results ?? '[]') as PublicResult[]

/** The `::error title=Input '<name>'::<message>` annotations of a run. */
function inputErrors(run: ActionRun): Array<{ input: string; message: string }> {
  return [...run.stdout.matchAll(/^::error title=Input '([^']+)'::(.*)$/gm)].map(([, input, message]) => ({
    input,
    message: message.replaceAll('%0A', '\n')
  }))
}

describe('hardening: names and inputs', () => {
  let pair: ClusterPair
  beforeEach(async () => {
    pair = await startClusterPair({ buildDelayMs: 30 })
  })
  afterEach(async () => {
    await pair.stop()
  })

  async function refused(overrides: Record<string, string>, input: string, says: RegExp): Promise<ActionRun> {
    const run = await runAction(pair.inputs({ algorithms: 'hello', ...overrides }))
    expect(run.exitCode).toBe(1)
    expect(pair.dev.requests.length + pair.prod.requests.length, 'nothing was sent').toBe(0)
    const errors = inputErrors(run)
    expect(
      errors.map(error => error.input),
      run.stdout
    ).toEqual([input])
    expect(errors[0].message).toMatch(says)
    return run
  }

  describe('2. keys that cannot be masked or carried', () => {
    it('a key shorter than the masking minimum is refused with the reason', async () => {
      const run = await refused({ 'dest-api-key': 'k3y' }, 'dest-api-key', /shorter than 8 characters.*mask/)
      expect(withoutMaskCommands(run.stdout).log).not.toMatch(/k3y/)
    })

    it('a key with a character outside Latin-1 is refused with the reason, not called "the cluster is down"', async () => {
      const run = await refused({ 'source-api-key': 'simKey€0123456789' }, 'source-api-key', /outside Latin-1.*HTTP header/)
      // Only the runner's masking commands carry it.
      expect(withoutMaskCommands(run.stdout).log).not.toMatch(/simKey/)
    })
  })

  describe('12. names that are Object.prototype members', () => {
    it('algorithms named constructor, toString and valueOf all reach the version map', async () => {
      const names = ['constructor', 'toString', 'valueOf']
      for (const name of names) await pair.seed(name, FILES)

      const run = await runAction(pair.inputs({ algorithms: names.join(',') }))

      expect(run.exitCode, run.stdout).toBe(0)
      expect(resultsOf(run).map(result => result.status)).toEqual(['created', 'created', 'created'])
      const map = JSON.parse(run.outputs['version-map']) as Record<string, Record<string, string>>
      expect(Object.keys(map).sort()).toEqual([...names].sort())
      for (const name of names) expect(Object.values(map[name])).toHaveLength(1)
    })

    for (const destination of ['toString', 'constructor', '__proto__']) {
      it(`a destination named ${destination} gets its results and version map`, async () => {
        await pair.seed('hello', FILES)
        const destinations = JSON.stringify([
          {
            name: destination,
            'api-url': pair.prod.url,
            'git-url': pair.prod.url,
            'api-key-env': 'PROD_KEY',
            'api-key-owner': 'deployer',
            'algo-owner': DEST_OWNER
          }
        ])
        const inputs = pair.inputs({ algorithms: 'hello', destinations })
        for (const name of ['dest-api-url', 'dest-git-url', 'dest-api-key', 'dest-api-key-owner', 'dest-algo-owner']) delete inputs[name]

        const run = await runAction(inputs, { PROD_KEY: pair.prodKey })

        expect(run.exitCode, run.stdout).toBe(0)
        expect(resultsOf(run)).toEqual([expect.objectContaining({ destination, status: 'created' })])
        const map = JSON.parse(run.outputs['version-map']) as Record<string, unknown>
        expect(Object.keys(map)).toEqual([destination])
        expect(Object.keys(map[destination] as object)).toEqual(['hello'])
      })
    }

    it('settings {"constructor": 1} is refused as an unknown setting, not a TypeError', async () => {
      await refused({ settings: '{"constructor": 1}' }, 'settings', /constructor/)
    })
  })

  describe('13. request-timeout and temporary directories', () => {
    it('request-timeout 1.0005 (not whole milliseconds) is refused', async () => {
      await refused({ 'request-timeout': '1.0005' }, 'request-timeout', /whole number of milliseconds/)
    })

    it('request-timeout 5000000 (beyond any sane bound) is refused', async () => {
      await refused({ 'request-timeout': '5000000' }, 'request-timeout', /at most/)
    })

    it('a relative RUNNER_TEMP is resolved, and the promotion works', async () => {
      await pair.seed('hello', FILES)

      // The action runs in the workspace; the runner's temporary directory is its sibling.
      const run = await runAction(pair.inputs({ algorithms: 'hello' }), { RUNNER_TEMP: path.join('..', 'runner-temp') })

      expect(run.exitCode, run.stdout).toBe(0)
      expect(resultsOf(run)[0]).toMatchObject({ status: 'created' })
      expect((await readdir(run.runnerTemp)).filter(name => name.startsWith('algorithmia-promote'))).toEqual([])
    })
  })

  describe('14. version-map-file paths', () => {
    it('a symbolic link is written through, and stays a link', async () => {
      await pair.seed('hello', FILES)
      const dir = await mkdtemp(path.join(os.tmpdir(), 'map-link-'))
      await mkdir(path.join(dir, 'shared'))
      const target = path.join(dir, 'shared', 'versions.json')
      await writeFile(target, '{"older": {"1.0.0": "0.9.0"}}\n')
      const link = path.join(dir, 'versions.json')
      await symlink(path.join('shared', 'versions.json'), link)

      const run = await runAction(pair.inputs({ algorithms: 'hello', 'version-map-file': link }))

      expect(run.exitCode, run.stdout).toBe(0)
      expect((await lstat(link)).isSymbolicLink()).toBe(true)
      expect(await readlink(link)).toBe(path.join('shared', 'versions.json'))
      const written = JSON.parse(await readFile(target, 'utf8')) as Record<string, unknown>
      expect(Object.keys(written).sort()).toEqual(['hello', 'older'])
    })

    it('a path with a trailing slash is refused up front', async () => {
      await refused({ 'version-map-file': 'maps/' }, 'version-map-file', /names a directory/)
    })

    it('an existing directory is refused up front', async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'map-dir-'))
      await refused({ 'version-map-file': dir }, 'version-map-file', /names a directory/)
    })
  })
})
