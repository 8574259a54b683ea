// `npm run emulator`: the environment variables that choose the kind of server.
import { spawn } from 'node:child_process'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

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

  it('removes its temporary folder when stopped, even by two signals in a row', async () => {
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
})
