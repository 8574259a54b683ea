/**
 * The command-line tool's share of the hardening: it never echoes the value of
 * an unknown flag (a near-miss of a key flag carries a key), and text from a
 * cluster reaches the terminal without its escape sequences.
 */
import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, readdir } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DEST_OWNER, SOURCE_OWNER, startClusterPair, type ClusterPair } from '../helpers/clusters.js'
import { windowsEssentials } from '../helpers/platform.js'

const CLI_ENTRY = fileURLToPath(new URL('../../dist/cli/index.js', import.meta.url))
const DEV_KEY = 'simDevKey/with+Canary=0123456789'
const PROD_KEY = 'simProdKey/with+Canary=9876543210'

interface CliRun {
  readonly exitCode: number
  readonly stdout: string
  readonly stderr: string
}

function runCli(args: readonly string[], env: Record<string, string>, cwd?: string): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_ENTRY, ...args], {
      cwd,
      env: { ...windowsEssentials(), PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'xterm', ...env },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', chunk => (stdout += chunk))
    child.stderr.on('data', chunk => (stderr += chunk))
    child.on('error', reject)
    child.on('close', code => resolve({ exitCode: code ?? -1, stdout, stderr }))
  })
}

function commandLine(pair: ClusterPair, algorithms: string): { args: string[]; env: Record<string, string> } {
  const args = [
    ['--source-api-url', pair.dev.url],
    ['--source-git-url', pair.dev.url],
    ['--source-api-key-owner', 'alice'],
    ['--source-algo-owner', SOURCE_OWNER],
    ['--dest-api-url', pair.prod.url],
    ['--dest-git-url', pair.prod.url],
    ['--dest-api-key-owner', 'deployer'],
    ['--dest-algo-owner', DEST_OWNER],
    ['--algorithms', algorithms],
    ['--retry-delay', '0.05']
  ].flat()
  return { args, env: { SOURCE_API_KEY: DEV_KEY, DEST_API_KEY: PROD_KEY } }
}

describe('hardening: the command-line tool', () => {
  let pair: ClusterPair
  beforeEach(async () => {
    pair = await startClusterPair({ devKey: DEV_KEY, prodKey: PROD_KEY })
  })
  afterEach(async () => {
    await pair.stop()
  })

  it('3. never echoes the value of an unknown flag, however near a key flag it is', async () => {
    const { args, env } = commandLine(pair, 'hello')
    for (const flag of ['--dest-apikey', '--api-key', '--source-key', '--dest-api-key-value', '-k']) {
      // A key the tool does not know (it is in no variable), so no masking can hide it.
      const run = await runCli([...args, `${flag}=simStrayKey/Canary+42`], { SOURCE_API_KEY: env.SOURCE_API_KEY })
      expect(run.exitCode, flag).toBe(2)
      for (const text of [run.stdout, run.stderr]) {
        expect(text).not.toContain('Canary')
        expect(text).not.toContain('simStrayKey')
      }
      expect(run.stderr).toMatch(/unknown flag/)
      expect(run.stderr).toContain(flag)
    }
    expect(pair.dev.requests.length + pair.prod.requests.length).toBe(0)
  })

  it('12. settings {"constructor": 1} is unusable input (exit 2), not a crash', async () => {
    const { args, env } = commandLine(pair, 'hello')
    const run = await runCli([...args, '--settings', '{"constructor": 1}'], env)
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toMatch(/unknown setting 'constructor'/)
    expect(run.stderr).not.toMatch(/TypeError/)
  })

  it('13. a relative TMPDIR is resolved, and the promotion works', async () => {
    pair.dev.createAlgorithm(SOURCE_OWNER, 'hello')
    await pair.dev.commit(SOURCE_OWNER, 'hello', { 'a.txt': 'a\n' })
    const cwd = await mkdtemp(path.join(os.tmpdir(), 'cli-cwd-'))
    await mkdir(path.join(cwd, 'tmp'))
    const { args, env } = commandLine(pair, 'hello')

    const run = await runCli(args, { ...env, TMPDIR: 'tmp' }, cwd)

    expect(run.exitCode, run.stderr).toBe(0)
    expect((JSON.parse(run.stdout) as { results: Array<{ status: string }> }).results[0].status).toBe('created')
    expect(await readdir(path.join(cwd, 'tmp'))).toEqual([])
  })

  it('7. passes no terminal escape sequence from a cluster to the terminal', async () => {
    pair.dev.createAlgorithm(SOURCE_OWNER, 'hello')
    await pair.dev.commit(SOURCE_OWNER, 'hello', { 'a.txt': 'a\n' })
    const hostile = 'refused \u001b]0;pwned\u0007\u001b[2J\u001b[31mred\u009b1m\r\nsecond line'
    pair.dev.faults.add({
      method: 'GET',
      path: '/v1/algorithms/data_science/hello',
      status: 503,
      times: 1,
      body: { error: { code: 500, message: hostile } }
    })
    pair.prod.faults.add({
      method: 'GET',
      path: '/v1/algorithms/ml_prod/hello',
      status: 400,
      times: 1,
      body: { error: { code: 400, message: hostile } }
    })
    const { args, env } = commandLine(pair, 'hello')

    const run = await runCli([...args, '--verbose'], env)

    expect(run.exitCode).toBe(1)
    expect(run.stderr).toMatch(/refused .*pwned.*red/)
    for (const text of [run.stdout, run.stderr]) {
      expect(text).not.toMatch(/[\u001b\u0007\u009b]/)
    }
  })
})
