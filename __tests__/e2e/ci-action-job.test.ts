/**
 * The CI job that runs the action itself (`uses: ./`, .github/workflows/ci.yml): its steps run here as a
 * runner would run them, with the bundled action standing in for `uses: ./` (a runner runs the same
 * dist/index.js from action.yml with the same INPUT_* variables): the cluster script, the promotion and
 * re-run with the inputs the script wrote, and the checks of their outputs.
 */
import { spawnSync } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { runAction, type ActionRun } from '../../scripts/lib/run-action.js'
import { posixOnly } from '../helpers/platform.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

interface Step {
  name?: string
  id?: string
  uses?: string
  run?: string
  with?: Record<string, string>
  env?: Record<string, string>
}

// The job runs on ubuntu-latest; its bash steps leave a background process whose pid Node can signal only
// where bash's pids are the system's, which Git Bash's on Windows are not.
const linuxJob = posixOnly("CI's uses: ./ job runs on Linux runners only (its bash steps leave a pid Node cannot signal under Git Bash)")

describe.skipIf(linuxJob)("CI's job that runs the action itself (uses: ./)", () => {
  let steps: Step[]
  let temp: string
  const step = (name: string): Step => steps.find(candidate => candidate.name === name)!

  beforeAll(async () => {
    const ci = parse(await readFile(path.join(ROOT, '.github/workflows/ci.yml'), 'utf8')) as { jobs: Record<string, { steps: Step[] }> }
    steps = ci.jobs.action.steps
    temp = await mkdtemp(path.join(os.tmpdir(), 'ci-action-job-'))
  })
  afterAll(() => rm(temp, { recursive: true, force: true }))

  /** A step's script as a runner runs it, with GITHUB_OUTPUT and RUNNER_TEMP of its own. */
  function runStep(name: string, env: Record<string, string>): { status: number; output: string } {
    const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step(name).run!], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      encoding: 'utf8',
      timeout: 90_000
    })
    return { status: result.status ?? 1, output: `${result.stdout}${result.stderr}` }
  }

  /** The `with:` of a `uses: ./` step, `${{ steps.clusters.outputs.X }}` filled from the cluster step's outputs. */
  function inputsOf(name: string, outputs: Record<string, string>): Record<string, string> {
    const given = step(name).with ?? {}
    return Object.fromEntries(
      Object.entries(given).map(([input, value]) => [
        input,
        value.replace(/^\$\{\{ steps\.clusters\.outputs\.([\w-]+) \}\}$/, (_, key: string) => outputs[key])
      ])
    )
  }

  function check(name: string, expected: string, run: ActionRun): { status: number; output: string } {
    expect(step(name).env?.EXPECTED).toBe(expected)
    return runStep(name, {
      EXPECTED: expected,
      RESULTS: run.outputs.results,
      CHANGED: run.outputs.changed,
      VERSION_MAP: run.outputs['version-map']
    })
  }

  it('uses the action from the checkout twice, with every input from the cluster step', () => {
    const uses = steps.filter(candidate => candidate.uses === './').map(candidate => candidate.name)
    expect(uses).toEqual(['Promote', 'Re-run'])
    expect(step('Promote').with).toEqual(step('Re-run').with)
  })

  it('starts the clusters, promotes, checks, re-runs and checks again', { timeout: 180_000 }, async () => {
    const githubOutput = path.join(temp, 'github-output')
    await writeFile(githubOutput, '')
    // The step leaves the cluster script running, as on a runner, where the job's end stops it.
    const start = runStep('Start two emulated clusters', { RUNNER_TEMP: temp, GITHUB_OUTPUT: githubOutput })
    try {
      expect(start.status, start.output).toBe(0)
      const outputs = Object.fromEntries(
        (await readFile(githubOutput, 'utf8'))
          .trim()
          .split('\n')
          .map(line => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)])
      )
      expect(start.output).toContain(`::add-mask::${outputs['source-api-key']}`)
      expect(start.output).toContain(`::add-mask::${outputs['dest-api-key']}`)

      const first = await runAction(inputsOf('Promote', outputs))
      expect(first.exitCode, first.stdout).toBe(0)
      const firstCheck = check('Check the promotion', 'created', first)
      expect(firstCheck, firstCheck.output).toMatchObject({
        status: 0,
        output: expect.stringMatching(/^created: sentiment 0\.1\.0 → 0\.1\.0/)
      })

      const again = await runAction(inputsOf('Re-run', outputs))
      const againCheck = check('Check the re-run', 'unchanged', again)
      expect(againCheck, againCheck.output).toMatchObject({
        status: 0,
        output: expect.stringMatching(/^unchanged: sentiment 0\.1\.0 → 0\.1\.0/)
      })

      // A check that finds the wrong outcome fails the job, saying why.
      const wrong = check('Check the re-run', 'unchanged', first)
      expect(wrong.status).toBe(1)
      expect(wrong.output).toContain('::error::sentiment: status created, expected unchanged')
    } finally {
      await stopClusterScript(temp)
    }
  })
})

/** Stops the cluster script the step left running (its pid is in RUNNER_TEMP), as the end of a job does. */
async function stopClusterScript(runnerTemp: string): Promise<void> {
  const pid = Number(await readFile(path.join(runnerTemp, 'clusters.pid'), 'utf8').catch(() => ''))
  if (!Number.isInteger(pid) || pid <= 0) return
  process.kill(pid, 'SIGTERM')
  for (let waited = 0; waited < 100; waited++) {
    try {
      process.kill(pid, 0)
    } catch {
      return
    }
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}
