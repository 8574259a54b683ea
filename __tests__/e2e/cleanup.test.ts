import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { listFiles, runAction, runPostStep } from '../../scripts/lib/run-action.js'
import { startClusterPair, type ClusterPair } from '../helpers/clusters.js'
import { posixOnly } from '../helpers/platform.js'

describe('temporary repositories', () => {
  let pair: ClusterPair
  beforeEach(async () => {
    pair = await startClusterPair()
  })
  afterEach(() => pair.stop())

  // On Windows the main step cannot catch a signal: kill('SIGTERM') ends it outright, as SIGKILL does, and the
  // post step cleans up (the SIGKILL test below, which runs everywhere).
  const noSigterm = posixOnly(
    'cancelling the main step by SIGTERM: Windows ends the process outright; the post-step (SIGKILL) test covers it'
  )
  it.skipIf(noSigterm)('are removed when the job is cancelled (SIGTERM) while it waits for a build', async () => {
    await pair.seed('hello', { 'src/hello.py': 'x = 1\n', '.hidden': 'y\n' })
    pair.prod.builds.holdInProgress(true)

    const run = await runAction(
      pair.inputs({ algorithms: 'hello', publish: true, 'build-timeout': 60 }),
      {},
      { when: stdout => stdout.includes('Wait for builds'), signal: 'SIGTERM' }
    )

    expect(run.exitCode).not.toBe(0)
    expect(run.stdout).toContain('Wait for builds')
    expect(await listFiles(run.runnerTemp)).toEqual([])
    const { readdir } = await import('node:fs/promises')
    expect(await readdir(run.runnerTemp)).toEqual([])
  })

  it('are removed by the post step when the main step was killed outright (SIGKILL) while it waited for a build', async () => {
    await pair.seed('hello', { 'src/hello.py': 'x = 1\n' })
    pair.prod.builds.holdInProgress(true)

    const main = await runAction(
      pair.inputs({ algorithms: 'hello', publish: true, 'build-timeout': 60 }),
      {},
      { when: stdout => stdout.includes('Wait for builds'), signal: 'SIGKILL' }
    )
    const { readdir } = await import('node:fs/promises')
    expect(main.exitCode).not.toBe(0)
    expect(main.state['work-dir']).toMatch(/algorithmia-promote-/)
    expect(await readdir(main.runnerTemp)).not.toEqual([])

    const post = await runPostStep(main)
    expect(post.exitCode).toBe(0)
    expect(await readdir(main.runnerTemp)).toEqual([])
    expect(post.stdout).not.toContain('Resolve source versions')
  })
})
