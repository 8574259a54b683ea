/**
 * End to end: a team that moves its models alone promotes data collections without naming an algorithm
 * (`collections` given, `algorithms` empty), through the bundled action and the bundled CLI; `auto`,
 * which reads the promoted code, still needs algorithms.
 */
import { execFile } from 'node:child_process'
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { actionNode, runAction } from '../../scripts/lib/run-action.js'
import { DEST_OWNER, SOURCE_OWNER, startClusterPair, type ClusterPair } from '../helpers/clusters.js'
import { windowsEssentials } from '../helpers/platform.js'

const CLI_ENTRY = fileURLToPath(new URL('../../dist/cli/index.js', import.meta.url))

describe('data collections without algorithms', () => {
  let pair: ClusterPair
  const runRoots: string[] = []

  beforeEach(async () => {
    pair = await startClusterPair()
    pair.dev.data.createCollection(SOURCE_OWNER, 'models', ['user://*'])
    await pair.dev.data.putFile(SOURCE_OWNER, 'models', 'weights.json', '{"w": 1}')
  })
  afterEach(async () => {
    await pair.stop()
    await Promise.all(runRoots.splice(0).map(dir => rm(dir, { recursive: true, force: true })))
  })

  it('the action copies the named collections and promotes no algorithm', async () => {
    const run = await runAction(pair.inputs({ collections: 'models' }))
    runRoots.push(path.dirname(run.runnerTemp))

    expect(run.exitCode, run.stdout).toBe(0)
    expect(JSON.parse(run.outputs.results)).toEqual([])
    expect(JSON.parse(run.outputs.collections)).toMatchObject([{ collection: 'models', status: 'created', copied: 1 }])
    expect((await pair.prod.data.readFile(DEST_OWNER, 'models', 'weights.json')).toString()).toBe('{"w": 1}')
    expect(pair.prod.requests.filter(request => request.kind === 'git')).toEqual([])
  })

  it('the CLI does too, with --collections alone', async () => {
    const { 'source-api-key': sourceKey, 'dest-api-key': destKey, ...inputs } = pair.inputs({ collections: 'models' })
    const args = Object.entries(inputs).flatMap(([name, value]) => [`--${name}`, value])
    const { stdout } = await promisify(execFile)(actionNode(), [CLI_ENTRY, ...args, '--json'], {
      env: { ...windowsEssentials(), PATH: process.env.PATH, HOME: process.env.HOME, SOURCE_API_KEY: sourceKey, DEST_API_KEY: destKey }
    })
    const output = JSON.parse(stdout)
    expect(output.results).toEqual([])
    expect(output.collections).toMatchObject([{ collection: 'models', status: 'created', copied: 1 }])
  })

  it('auto needs algorithms: it finds the collections in their code', async () => {
    const run = await runAction(pair.inputs({ collections: 'auto' }))
    runRoots.push(path.dirname(run.runnerTemp))

    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain('is required with collections: auto')
    expect(pair.prod.requests).toEqual([])
  })
})
