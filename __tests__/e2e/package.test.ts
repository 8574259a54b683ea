/**
 * The npm package as a user gets it: `npm pack` of this repository, installed into an empty folder with
 * no registry and an empty cache (the runtime packages are bundled into dist/cli by ncc, so the package
 * declares no dependency), then its `algorithmia-promote` command: --help, and a dry run against two
 * emulated clusters.
 */
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { actionNode } from '../../scripts/lib/run-action.js'
import { DEST_OWNER, startClusterPair } from '../helpers/clusters.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const run = promisify(execFile)

interface Packed {
  readonly filename: string
  readonly files: ReadonlyArray<{ path: string }>
}

describe('the packed npm package', () => {
  let work: string
  let consumer: string
  let packed: Packed
  // npm from this Node, and the installed command run by the Node under test (ACTION_NODE, as the bundle is).
  const env = (): NodeJS.ProcessEnv => ({
    ...process.env,
    PATH: [path.dirname(actionNode()), path.dirname(process.execPath), process.env.PATH].join(path.delimiter),
    npm_config_cache: path.join(work, 'npm-cache'),
    npm_config_update_notifier: 'false'
  })
  const npm = (args: string[], cwd: string) => run(NPM, args, { cwd, env: env(), shell: process.platform === 'win32' })

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'package-test-'))
    const { stdout } = await npm(['pack', '--json', '--ignore-scripts', '--pack-destination', work], ROOT)
    packed = (JSON.parse(stdout) as Packed[])[0]
    consumer = path.join(work, 'consumer')
    await mkdir(consumer)
    await writeFile(path.join(consumer, 'package.json'), '{ "name": "consumer", "version": "1.0.0", "private": true }\n')
    await npm(['install', '--offline', '--no-audit', '--no-fund', path.join(work, packed.filename)], consumer)
  }, 120_000)
  afterAll(() => rm(work, { recursive: true, force: true }))

  it('holds only the command-line tool, its licenses, the README and the LICENSE', () => {
    expect(packed.files.map(file => file.path.replaceAll('\\', '/')).sort()).toEqual([
      'LICENSE',
      'README.md',
      'dist/cli/101.index.js',
      'dist/cli/50.index.js',
      'dist/cli/index.js',
      'dist/cli/licenses.txt',
      'dist/cli/package.json',
      'package.json'
    ])
  })

  it('installs with no registry: it declares no dependency, and npm fetched nothing', async () => {
    const manifest = JSON.parse(await readFile(path.join(consumer, 'node_modules', 'algorithmia-promote', 'package.json'), 'utf8'))
    expect(manifest.dependencies ?? {}).toEqual({})
    expect(manifest.publishConfig).toEqual({ access: 'public', provenance: true })
    const lock = JSON.parse(await readFile(path.join(consumer, 'package-lock.json'), 'utf8'))
    expect(Object.keys(lock.packages).sort()).toEqual(['', 'node_modules/algorithmia-promote'])
  })

  it('runs its algorithmia-promote command: --help', async () => {
    const { stdout } = await npm(['exec', '--offline', '--', 'algorithmia-promote', '--help'], consumer)
    expect(stdout).toContain('Usage: algorithmia-promote')
    expect(stdout).toContain('--source-cluster <domain>')
  })

  it('runs a dry run against emulated clusters from the install folder', async () => {
    const pair = await startClusterPair()
    try {
      await pair.seed('hello', { 'hello.py': 'x = 1\n' })
      const { 'source-api-key': sourceKey, 'dest-api-key': destKey, ...inputs } = pair.inputs({ algorithms: 'hello', 'dry-run': true })
      const args = Object.entries(inputs).flatMap(([name, value]) => (value === 'true' ? [`--${name}`] : [`--${name}`, value]))
      const { stdout } = await run(NPM, ['exec', '--offline', '--', 'algorithmia-promote', ...args, '--json'], {
        cwd: consumer,
        env: { ...env(), SOURCE_API_KEY: sourceKey, DEST_API_KEY: destKey },
        shell: process.platform === 'win32'
      })
      expect(JSON.parse(stdout)).toMatchObject({ changed: true, results: [{ algorithm: 'hello', status: 'planned' }] })
      expect(await pair.prod.headCommit(DEST_OWNER, 'hello')).toBeUndefined()
    } finally {
      await pair.stop()
    }
  })
})
