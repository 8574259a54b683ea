// `npm run emulator`: the environment variables that choose the kind of server.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { posixOnly } from '../helpers/platform.js'

const CLI = fileURLToPath(new URL('../../emulator/cli.ts', import.meta.url))

/** Starts the emulator CLI, returns what it printed up to "Press Ctrl+C", then stops it. */
function startupLines(env: NodeJS.ProcessEnv, args: string[] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { env: { ...process.env, ...env } })
    let out = ''
    let err = ''
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      if (out.includes('Press Ctrl+C')) child.kill('SIGTERM')
    })
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()))
    child.on('error', reject)
    child.on('close', () => (out.includes('Press Ctrl+C') ? resolve(out) : reject(new Error(`emulator did not start: ${err}`))))
  })
}

describe('npm run emulator', () => {
  it('serves repositories without partial clone and without added latency by default', async () => {
    const out = await startupLines({ EMULATOR_PARTIAL_CLONE: '', EMULATOR_LATENCY_MS: '' })
    expect(out).toContain('Partial clone: off; added latency: 0 ms')
  })

  it('EMULATOR_PARTIAL_CLONE=1 and EMULATOR_LATENCY_MS=40 turn on partial clone and add 40 ms per request', async () => {
    const out = await startupLines({ EMULATOR_PARTIAL_CLONE: '1', EMULATOR_LATENCY_MS: '40' })
    expect(out).toContain('Partial clone: on; added latency: 40 ms')
  })

  it('takes the same settings as flags', async () => {
    const out = await startupLines({}, ['--partial-clone', '--latency-ms', '25'])
    expect(out).toContain('Partial clone: on; added latency: 25 ms')
  })

  it('answers as the spec by default, and takes variants and the contract check as flags', async () => {
    expect(await startupLines({})).toContain('Variants: none (the spec); contract check: off')
    const out = await startupLines({}, ['--variant', 'ownerAlgorithmList=paged', '--variant', 'missingAccountStatus=409', '--contract'])
    expect(out).toMatch(/Variants: ownerAlgorithmList=paged, missingAccountStatus=409; contract check: (on|off)/)
  })

  // Windows has no signals to handle: child.kill() ends the process at once, so there is nothing to test.
  const noSignals = posixOnly('stopping the emulator by signal (Windows ends the process instead)')
  it.skipIf(noSignals)('removes its temporary folder when stopped, even by two signals in a row', async () => {
    const temp = await mkdtemp(path.join(os.tmpdir(), 'emulator-cli-'))
    try {
      await new Promise<void>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', CLI], { env: { ...process.env, TMPDIR: temp, TEMP: temp, TMP: temp } })
        let out = ''
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString()
          if (!out.includes('Press Ctrl+C')) return
          child.kill('SIGTERM')
          // Apart, or the system merges them into one: the second comes while the first is being handled.
          setTimeout(() => child.kill('SIGTERM'), 5)
        })
        child.on('error', reject)
        child.on('close', (code, signal) => (code === 0 ? resolve() : reject(new Error(`emulator exited with ${code ?? signal}`))))
      })
      expect((await readdir(temp)).filter(name => name.startsWith('algorithmia-emulator-'))).toEqual([])
    } finally {
      await rm(temp, { recursive: true, force: true })
    }
  })

  it('--seed: starts with the users, organizations, keys, published algorithms and collections of a seed file', async () => {
    const temp = await mkdtemp(path.join(os.tmpdir(), 'emulator-seed-'))
    const seedFile = path.join(temp, 'seed.json')
    await writeFile(
      seedFile,
      JSON.stringify({
        users: ['alice', { name: 'bob', email: 'bob@example.com' }],
        organizations: [{ name: 'data_science', members: ['alice', 'bob'] }],
        keys: [
          { owner: 'alice', key: 'seedAliceKey0123' },
          { owner: 'alice', admin: true, key: 'seedAdminKey0123' }
        ],
        algorithms: [
          { owner: 'data_science', name: 'hello', files: { 'src/hello.py': 'def apply(x):\n    return x\n' }, publish: 'minor' }
        ],
        collections: [{ owner: 'data_science', name: 'models', files: { 'weights.json': '{"w": 1}' } }]
      })
    )
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--seed', seedFile], { env: { ...process.env, TMPDIR: temp } })
    try {
      const out = await new Promise<string>((resolve, reject) => {
        let text = ''
        child.stdout.on('data', (chunk: Buffer) => {
          text += chunk.toString()
          if (text.includes('Press Ctrl+C')) resolve(text)
        })
        child.on('close', code => reject(new Error(`emulator exited with ${code} before it was ready`)))
      })
      expect(out).toContain('Key:  seedAdminKey0123 (alice, admin, from the seed file)')
      const url = /listening on (\S+)/.exec(out)![1]
      const get = async (route: string, key: string): Promise<unknown> => {
        const response = await fetch(`${url}/v1${route}`, { headers: { Authorization: `Simple ${key}` } })
        expect(response.status, route).toBe(200)
        return response.json()
      }
      const versions = (await get('/algorithms/data_science/hello/versions?published=true', 'seedAliceKey0123')) as { results: unknown[] }
      expect(versions.results).toHaveLength(1)
      const listing = (await get('/connector/data/data_science/models', 'seedAliceKey0123')) as { files: Array<{ filename: string }> }
      expect(listing.files.map(file => file.filename)).toEqual(['weights.json'])
      expect(await get('/users/bob', 'seedAdminKey0123')).toMatchObject({ username: 'bob', email: 'bob@example.com' })
    } finally {
      child.kill('SIGTERM')
      await new Promise(resolve => child.once('close', resolve))
      await rm(temp, { recursive: true, force: true })
    }
  })

  it('--seed: a broken seed file stops it before anything starts, naming the problem', async () => {
    const temp = await mkdtemp(path.join(os.tmpdir(), 'emulator-seed-'))
    try {
      const seedFile = path.join(temp, 'seed.json')
      await writeFile(seedFile, JSON.stringify({ keys: [{ admin: true }], members: [] }))
      const result = spawnSync(process.execPath, ['--import', 'tsx', CLI, '--seed', seedFile], {
        encoding: 'utf8',
        env: { ...process.env, TMPDIR: temp }
      })
      expect(result.status).toBe(1)
      expect(result.stderr).toContain('has unknown sections members')
      await writeFile(seedFile, JSON.stringify({ keys: [{ admin: true }] }))
      const missing = spawnSync(process.execPath, ['--import', 'tsx', CLI, '--seed', seedFile], {
        encoding: 'utf8',
        env: { ...process.env, TMPDIR: temp }
      })
      expect(missing.stderr).toContain('keys[0]: "owner" is missing')
      expect((await readdir(temp)).filter(name => name.startsWith('algorithmia-emulator-'))).toEqual([])
    } finally {
      await rm(temp, { recursive: true, force: true })
    }
  })
})
