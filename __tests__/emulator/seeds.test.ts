/**
 * emulator/README.md's walk-through, as written there: two clusters started from emulator/seeds/dev.json
 * and prod.json, then its `algorithmia-promote` commands (the bundled CLI) with their keys and flags; the
 * only change is the port each cluster listens on.
 */
import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startCluster, type EmulatedCluster } from '../../emulator/index.js'
import { applySeed, parseSeed } from '../../emulator/seed.js'
import { actionNode } from '../../scripts/lib/run-action.js'
import { windowsEssentials } from '../helpers/platform.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const CLI_ENTRY = fileURLToPath(new URL('../../dist/cli/index.js', import.meta.url))

interface Command {
  readonly env: Record<string, string>
  readonly args: string[]
}

/** The walk-through's sh block: `CLUSTERS='…'` and each `VAR=… npx algorithmia-promote …` command. */
async function walkThrough(ports: Record<string, string>): Promise<Command[]> {
  const readme = await readFile(`${ROOT}emulator/README.md`, 'utf8')
  const section = readme.slice(readme.indexOf('### By hand: a migration and a data copy'))
  const block = /```sh\n([\s\S]*?)```/.exec(section)![1].replace(/\\\n\s*/g, ' ')
  const withPorts = block.replace(/127\.0\.0\.1:(\d+)/g, (_, port: string) => `127.0.0.1:${ports[port]}`)
  const clusters = /^CLUSTERS='([^']*)'$/m.exec(withPorts)![1]
  return withPorts
    .split('\n')
    .filter(line => line.includes('npx algorithmia-promote'))
    .map(line => {
      const [assignments, command] = line.split('npx algorithmia-promote')
      const env = Object.fromEntries(
        assignments
          .trim()
          .split(/\s+/)
          .map(pair => pair.split('=') as [string, string])
      )
      const words = [...command.replace('$CLUSTERS', clusters).matchAll(/'([^']*)'|(\S+)/g)].map(match => match[1] ?? match[2])
      return { env, args: words }
    })
}

function runCli(command: Command): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(actionNode(), [CLI_ENTRY, ...command.args, '--json'], {
      env: { ...windowsEssentials(), PATH: process.env.PATH, HOME: process.env.HOME, ...command.env },
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

describe("emulator/README.md's migration and data copy, from the seed files", () => {
  let dev: EmulatedCluster
  let prod: EmulatedCluster

  beforeAll(async () => {
    dev = await startCluster({ name: 'dev', buildDelayMs: 20 })
    prod = await startCluster({ name: 'prod', buildDelayMs: 20 })
    for (const [cluster, file] of [
      [dev, 'emulator/seeds/dev.json'],
      [prod, 'emulator/seeds/prod.json']
    ] as const) {
      await applySeed(cluster, parseSeed(await readFile(`${ROOT}${file}`, 'utf8'), file))
    }
  })
  afterAll(() => Promise.all([dev?.stop(), prod?.stop()]))

  it(
    'copies the accounts, then promotes every algorithm and the collection; a second run changes nothing',
    { timeout: 120_000 },
    async () => {
      const ports = { '8081': new URL(dev.url).port, '8082': new URL(prod.url).port }
      const [accounts, promotion] = await walkThrough(ports)

      const copied = await runCli(accounts)
      expect(copied.exitCode, copied.stderr).toBe(0)
      const report = JSON.parse(copied.stdout)
      expect(report.organizations).toMatchObject([{ name: 'data_science', status: 'created' }])
      expect(report.mustSignIn).toEqual(['bob'])
      expect(prod.getOrg('data_science')).toBeDefined()

      const promoted = await runCli(promotion)
      expect(promoted.exitCode, promoted.stderr).toBe(0)
      const output = JSON.parse(promoted.stdout)
      expect(
        output.results.map((result: { algorithm: string; status: string; destVersion: string }) => [
          result.algorithm,
          result.status,
          result.destVersion
        ])
      ).toEqual([
        ['sentiment', 'created', '0.1.0'],
        ['summarize', 'created', '0.1.0']
      ])
      expect(output.collections).toMatchObject([{ collection: 'models', status: 'created', copied: 1 }])
      expect((await prod.data.readFile('data_science', 'models', 'weights.json')).toString()).toBe('{"good": 0.9, "bad": -0.4}')

      const again = JSON.parse((await runCli(promotion)).stdout)
      expect(again.results.map((result: { status: string }) => result.status)).toEqual(['unchanged', 'unchanged'])
      expect(again.changed).toBe(false)
    }
  )
})
