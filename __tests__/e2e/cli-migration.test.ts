/**
 * The bundled command-line tool for a migration: algorithm patterns and
 * `--mode accounts`, with admin keys only ever from the environment.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DEST_OWNER, SOURCE_OWNER, startClusterPair, type ClusterPair } from '../helpers/clusters.js'
import { windowsEssentials } from '../helpers/platform.js'

const CLI_ENTRY = fileURLToPath(new URL('../../dist/cli/index.js', import.meta.url))
const DEV_ADMIN_KEY = 'simDevAdmin/with+Canary=0123456789'
const PROD_ADMIN_KEY = 'simProdAdmin/with+Canary=9876543210'

interface CliRun {
  readonly exitCode: number
  readonly stdout: string
  readonly stderr: string
}

function runCli(args: readonly string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_ENTRY, ...args], {
      env: { ...windowsEssentials(), PATH: process.env.PATH, HOME: process.env.HOME, ...env }
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', chunk => (stdout += chunk))
    child.stderr.on('data', chunk => (stderr += chunk))
    child.stdin.end()
    child.on('error', reject)
    child.on('close', code => resolve({ exitCode: code ?? -1, stdout, stderr }))
  })
}

function expectNoAdminKeys(run: CliRun): void {
  for (const key of [DEV_ADMIN_KEY, PROD_ADMIN_KEY]) {
    for (const form of [key, encodeURIComponent(key), Buffer.from(key).toString('base64')]) {
      expect(run.stdout).not.toContain(form)
      expect(run.stderr).not.toContain(form)
    }
  }
}

describe('bundled CLI for a migration', () => {
  let pair: ClusterPair
  beforeEach(async () => {
    pair = await startClusterPair()
    pair.dev.addUser('dev_admin')
    pair.dev.addKey('dev_admin', { admin: true, key: DEV_ADMIN_KEY })
    pair.prod.addUser('prod_admin')
    pair.prod.addKey('prod_admin', { admin: true, key: PROD_ADMIN_KEY })
  })
  afterEach(() => pair.stop())

  const clusters = () => [
    '--source-api-url',
    pair.dev.url,
    '--source-git-url',
    pair.dev.url,
    '--dest-api-url',
    pair.prod.url,
    '--dest-git-url',
    pair.prod.url
  ]
  const adminEnv = { SOURCE_ADMIN_API_KEY: DEV_ADMIN_KEY, DEST_ADMIN_API_KEY: PROD_ADMIN_KEY }

  it('--mode accounts copies an organization with its members, keys from the environment, JSON on stdout', async () => {
    const run = await runCli([...clusters(), '--mode', 'accounts', '--accounts', 'data_science'], adminEnv)
    expect(run.exitCode, run.stderr).toBe(0)
    const report = JSON.parse(run.stdout)
    expect(report.organizations).toMatchObject([
      { name: 'data_science', status: 'created', members: [{ username: 'alice', status: 'added' }] }
    ])
    expect(report.users).toMatchObject([{ username: 'alice', status: 'created' }])
    expect(pair.prod.getOrg('data_science')?.members).toMatchObject({ alice: 'member' })
    expectNoAdminKeys(run)
  })

  it('exits 2 for an admin key passed as a flag, without echoing it, and names the variable when one is missing', async () => {
    const asFlag = await runCli([...clusters(), '--mode', 'accounts', '--accounts', '*', `--dest-admin-api-key=${PROD_ADMIN_KEY}`], {})
    expect(asFlag.exitCode).toBe(2)
    expect(asFlag.stderr).toContain('DEST_ADMIN_API_KEY')
    const missing = await runCli([...clusters(), '--mode', 'accounts', '--accounts', '*'], { SOURCE_ADMIN_API_KEY: DEV_ADMIN_KEY })
    expect(missing.exitCode).toBe(2)
    expect(missing.stderr).toContain('DEST_ADMIN_API_KEY: is not set')
    for (const run of [asFlag, missing]) expectNoAdminKeys(run)
    expect(pair.prod.requests).toHaveLength(0)
  })

  it('expands --algorithms patterns minus --exclude-algorithms', async () => {
    for (const name of ['alpha', 'beta', 'beta_old']) await pair.seed(name, { 'a.py': `${name} = 1\n` })
    const { 'source-api-key': sourceKey, 'dest-api-key': destKey, ...inputs } = pair.inputs()
    const args = Object.entries(inputs).flatMap(([name, value]) => [`--${name}`, value])
    const run = await runCli([...args, '--algorithms', '*', '--exclude-algorithms', '*_old', '--dry-run'], {
      SOURCE_API_KEY: sourceKey,
      DEST_API_KEY: destKey
    })
    expect(run.exitCode, run.stderr).toBe(0)
    const results = JSON.parse(run.stdout).results as { algorithm: string; status: string }[]
    expect(results.map(result => `${result.algorithm}:${result.status}`)).toEqual(['alpha:planned', 'beta:planned'])
    expect(pair.prod.getAlgorithm(DEST_OWNER, 'alpha')).toBeUndefined()
  })

  it('--source-versions all --publish replays the published history, each version in the JSON results', async () => {
    pair.dev.createAlgorithm(SOURCE_OWNER, 'hist')
    const tree = (n: number) => ({ files: { 'src/hist.py': `def apply(input):\n    return "v${n} " + input\n` } })
    await pair.dev.publishHistory(SOURCE_OWNER, 'hist', [
      { ...tree(1), publish: 'minor' },
      { ...tree(2), publish: 'revision' },
      { ...tree(3), publish: 'major' }
    ])
    const { 'source-api-key': sourceKey, 'dest-api-key': destKey, ...inputs } = pair.inputs()
    const args = Object.entries(inputs).flatMap(([name, value]) => [`--${name}`, value])
    const run = await runCli([...args, '--algorithms', 'hist', '--publish', '--source-versions', 'all'], {
      SOURCE_API_KEY: sourceKey,
      DEST_API_KEY: destKey
    })
    expect(run.exitCode, run.stderr).toBe(0)
    const [result] = JSON.parse(run.stdout).results as { versions: { sourceVersion: string; destVersion: string }[] }[]
    expect(result.versions.map(version => `${version.sourceVersion}=${version.destVersion}`)).toEqual([
      '0.1.0=0.1.0',
      '0.1.1=0.1.1',
      '1.0.0=1.0.0'
    ])
  })

  it('--create-owner with a version-map-file that is not a version map creates nothing', async () => {
    await pair.seed('hello', { 'src/hello.py': 'def apply(x):\n    return x\n' })
    const folder = await mkdtemp(path.join(os.tmpdir(), 'promote-map-'))
    const mapFile = path.join(folder, 'versions.json')
    await writeFile(mapFile, 'not json')
    try {
      const run = await runCli(
        [
          ...clusters(),
          '--source-api-key-owner',
          'alice',
          '--source-algo-owner',
          'data_science',
          '--dest-api-key-owner',
          'deployer',
          '--dest-algo-owner',
          'data_science',
          '--algorithms',
          'hello',
          '--create-owner',
          '--version-map-file',
          mapFile
        ],
        { ...adminEnv, SOURCE_API_KEY: pair.devKey, DEST_API_KEY: pair.prodKey }
      )
      expect(run.exitCode, run.stderr).not.toBe(0)
      expect(run.stderr).toMatch(/version-map-file/)
      expect(pair.prod.getOrg('data_science')).toBeUndefined()
      expect(pair.prod.requests.filter(request => request.method !== 'GET')).toEqual([])
    } finally {
      await rm(folder, { recursive: true, force: true })
    }
  })
})
