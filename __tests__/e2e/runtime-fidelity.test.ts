/**
 * The bundled action promoting a working algorithm, not only its code, between
 * two emulated clusters: environments mapped per cluster, metadata kept in sync,
 * version details and numbers carried over, secrets checked by name, and a
 * smoke test of the destination build before it is published.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runAction, type ActionRun } from '../../scripts/lib/run-action.js'
import type { PublicResult } from '../../src/report/public-result.js'
import { DEST_OWNER, SOURCE_OWNER, startClusterPair, type ClusterPair } from '../helpers/clusters.js'

const HELLO_FILES = { 'src/hello.py': 'def apply(input):\n    return "hello " + input\n', 'requirements.txt': '' }
const BROKEN_FILES = { 'src/hello.py': 'def apply(input):\n    raise ValueError("model weights missing")\n', 'requirements.txt': '' }

let pair: ClusterPair
const cleanup: string[] = []

beforeEach(async () => {
  pair = await startClusterPair()
})
afterEach(async () => {
  await pair.stop()
  await Promise.all(cleanup.splice(0).map(dir => rm(dir, { recursive: true, force: true })))
})

async function promote(overrides: Record<string, string | boolean | number>, env: Record<string, string> = {}): Promise<ActionRun> {
  const run = await runAction(pair.inputs(overrides), env)
  cleanup.push(path.dirname(run.runnerTemp))
  return run
}

function results(run: ActionRun): PublicResult[] {
  expect(run.outputs.results, `no results output; stdout:\n${run.stdout}\nstderr:\n${run.stderr}`).toBeDefined()
  return JSON.parse(run.outputs.results) as PublicResult[]
}

function writes(cluster: ClusterPair['prod'], method?: string) {
  return cluster.requests.filter(r => (method ? r.method === method : r.method !== 'GET') && r.kind === 'api')
}

function pushes(cluster: ClusterPair['prod']) {
  return cluster.requests.filter(r => r.gitService === 'receive-pack' && r.method === 'POST')
}

/** Seeds the source with code and publishes it with version details. */
async function seedPublished(
  name: string,
  files: Record<string, string>,
  details: Parameters<ClusterPair['dev']['publish']>[4] = {},
  notes?: string
) {
  const commit = await pair.seed(name, files)
  await pair.dev.waitForBuild(SOURCE_OWNER, name, commit)
  await pair.dev.publish(SOURCE_OWNER, name, 'minor', notes, details)
  return commit
}

describe('environments are per cluster', () => {
  it("creates the destination with its own id for the source's environment, matched by display name and language (the clusters' specification ids differ)", async () => {
    const sourceEnvironment = pair.dev.environments.list('python3')[1]
    const counterpart = pair.prod.environments.list('python3').find(e => e.display_name === sourceEnvironment.display_name)!
    expect(counterpart.environment_specification_id, 'fixture: per-cluster specifications').not.toBe(
      sourceEnvironment.environment_specification_id
    )
    await pair.seed('hello', HELLO_FILES, { settings: { algorithm_environment: sourceEnvironment.id, license: 'mit' } })

    const run = await promote({ algorithms: 'hello' })

    expect(run.exitCode, run.stdout).toBe(0)
    expect(pair.prod.getAlgorithm(DEST_OWNER, 'hello')!.settings).toMatchObject({ algorithm_environment: counterpart.id, license: 'mit' })
  })

  it('prefers the same specification id over the same display name where the clusters share specification ids', async () => {
    await pair.stop()
    pair = await startClusterPair({ variants: { sharedEnvironmentSpecifications: true } })
    const sourceEnvironment = pair.dev.environments.list('python3')[1]
    const original = pair.prod.environments.list('python3').find(e => e.display_name === sourceEnvironment.display_name)!
    expect(original.environment_specification_id, 'fixture: shared specifications').toBe(sourceEnvironment.environment_specification_id)
    // The destination installed the specification under another name, and has another environment under the source's name.
    pair.prod.environments.remove(original.id)
    const renamed = pair.prod.environments.add({
      language: 'python3',
      display_name: 'Python 3.8 GPU (renamed)',
      environment_specification_id: sourceEnvironment.environment_specification_id
    })
    pair.prod.environments.add({ language: 'python3', display_name: sourceEnvironment.display_name })
    await pair.seed('hello', HELLO_FILES, { settings: { algorithm_environment: sourceEnvironment.id } })

    const run = await promote({ algorithms: 'hello' })

    expect(run.exitCode, run.stdout).toBe(0)
    expect(pair.prod.getAlgorithm(DEST_OWNER, 'hello')!.settings).toMatchObject({ algorithm_environment: renamed.id })
  })

  it('refuses an environment the destination lacks, naming it and the available ones, before any write', async () => {
    const experimental = pair.dev.environments.add({ language: 'python3', display_name: 'Python 3.12 Experimental' })
    await pair.seed('hello', HELLO_FILES, { settings: { algorithm_environment: experimental.id } })
    pair.prod.clearRequests()

    const run = await promote({ algorithms: 'hello', publish: true })

    expect(run.exitCode).toBe(1)
    const [result] = results(run)
    expect(result).toMatchObject({ status: 'failed', failedStep: 'prepare destination' })
    expect(result.error).toContain("'Python 3.12 Experimental'")
    expect(result.error).toContain(experimental.id)
    for (const available of pair.prod.environments.list('python3')) expect(result.error).toContain(available.id)
    expect(pair.prod.getAlgorithm(DEST_OWNER, 'hello')).toBeUndefined()
    expect(writes(pair.prod)).toEqual([])
    expect(pushes(pair.prod)).toEqual([])
  })
})

describe('metadata: sync', () => {
  async function seedBoth() {
    await pair.seed('hello', HELLO_FILES, {
      settings: { license: 'mit', network_access: 'isolated', algorithm_callability: 'private' }
    })
    pair.prod.createAlgorithm(DEST_OWNER, 'hello', {
      details: { label: 'hello', summary: 'prod only' },
      settings: { license: 'apl', network_access: 'isolated', algorithm_callability: 'private' }
    })
  }

  it('updates only what differs, shows it in a dry run, and sends nothing once they agree', async () => {
    await seedBoth()
    const planned = await promote({ algorithms: 'hello', metadata: 'sync', 'dry-run': true })
    expect(planned.exitCode, planned.stdout).toBe(0)
    expect(planned.stdout).toContain('settings.license: "apl" → "mit"')
    expect(writes(pair.prod, 'PUT')).toEqual([])
    expect(results(planned)[0].metadataChanges).toEqual(['settings.license'])

    const synced = await promote({ algorithms: 'hello', metadata: 'sync' })
    expect(synced.exitCode, synced.stdout).toBe(0)
    expect(writes(pair.prod, 'PUT')).toHaveLength(1)
    const after = pair.prod.getAlgorithm(DEST_OWNER, 'hello')!
    expect(after.settings).toMatchObject({ license: 'mit', network_access: 'isolated', algorithm_callability: 'private' })
    expect(after.name).toBe('hello')
    // A field the source does not have is left as it is.
    expect(after.details.summary).toBe('prod only')
    expect(synced.summary).toContain('settings.license')
    expect(results(synced)[0].metadataChanges).toEqual(['settings.license'])

    pair.prod.clearRequests()
    const again = await promote({ algorithms: 'hello', metadata: 'sync' })
    expect(again.exitCode, again.stdout).toBe(0)
    expect(writes(pair.prod, 'PUT')).toEqual([])
    expect(results(again)[0].metadataChanges ?? []).toEqual([])
  })

  it('leaves an existing destination alone with the default (create)', async () => {
    await seedBoth()
    const run = await promote({ algorithms: 'hello' })
    expect(run.exitCode, run.stdout).toBe(0)
    expect(writes(pair.prod, 'PUT')).toEqual([])
    expect(pair.prod.getAlgorithm(DEST_OWNER, 'hello')!.settings.license).toBe('apl')
  })
})

describe('publishing carries the source version', () => {
  it('copies sample input, callability, insights and quotes the release notes', async () => {
    const commit = await seedPublished(
      'hello',
      HELLO_FILES,
      { sample_input: 'Jane', algorithm_callability: 'private', insights_enabled: true },
      'Faster greetings'
    )

    const run = await promote({ algorithms: 'hello', publish: true })

    expect(run.exitCode, run.stdout).toBe(0)
    const [published] = pair.prod.listVersions(DEST_OWNER, 'hello', { published: true })
    expect(published.version_info).toMatchObject({ sample_input: 'Jane', insights_enabled: true })
    expect(published.settings.algorithm_callability).toBe('private')
    expect(published.version_info.release_notes).toContain('version 0.1.0')
    expect(published.version_info.release_notes).toContain(commit)
    expect(published.version_info.release_notes).toContain('> Faster greetings')
  })

  it("version-type match reaches the source's number, and refuses an unreachable one before publishing", async () => {
    const commit = await pair.seed('hello', HELLO_FILES)
    await pair.dev.waitForBuild(SOURCE_OWNER, 'hello', commit)
    await pair.dev.publish(SOURCE_OWNER, 'hello', 'major')
    const matched = await promote({ algorithms: 'hello', publish: true, 'version-type': 'match' })
    expect(matched.exitCode, matched.stdout).toBe(0)
    expect(results(matched)[0].destVersion).toBe('1.0.0')

    const later = await pair.dev.commit(SOURCE_OWNER, 'hello', { 'notes.txt': 'two' }, { replace: false })
    await pair.dev.waitForBuild(SOURCE_OWNER, 'hello', later)
    await pair.dev.publish(SOURCE_OWNER, 'hello', 'major') // 2.0.0
    const third = await pair.dev.commit(SOURCE_OWNER, 'hello', { 'notes.txt': 'three' }, { replace: false })
    await pair.dev.waitForBuild(SOURCE_OWNER, 'hello', third)
    await pair.dev.publish(SOURCE_OWNER, 'hello', 'minor') // 2.1.0: two steps from 1.0.0

    const refused = await promote({ algorithms: 'hello', publish: true, 'version-type': 'match' })
    expect(refused.exitCode).toBe(1)
    const [result] = results(refused)
    expect(result).toMatchObject({ status: 'failed', failedStep: 'publish', destVersion: '' })
    expect(result.error).toContain('2.1.0')
    expect(result.error).toContain('1.0.0')
    expect(result.error).toContain('minor → 1.1.0')
    expect(pair.prod.listVersions(DEST_OWNER, 'hello', { published: true }).map(v => v.version_info.semantic_version)).toEqual(['1.0.0'])
  })
})

describe('secrets', () => {
  const VALUE = 'canary-secret-value-7f3a'

  it('blocks publishing while the destination lacks a source secret, naming it and never its value', async () => {
    await pair.seed('hello', HELLO_FILES)
    pair.dev.addSecret(SOURCE_OWNER, 'hello', { short_name: 'DB_PASSWORD', value: VALUE })

    const run = await promote({ algorithms: 'hello', publish: true })

    expect(run.exitCode).toBe(1)
    const [result] = results(run)
    expect(result).toMatchObject({ status: 'failed', failedStep: 'publish', destVersion: '' })
    expect(result.error).toContain("'DB_PASSWORD'")
    expect(result.error).toContain('missing-secrets: warn')
    expect(pair.prod.listVersions(DEST_OWNER, 'hello', { published: true })).toEqual([])
    for (const text of [run.stdout, run.stderr, run.summary, JSON.stringify(run.outputs)]) expect(text).not.toContain(VALUE)

    // The code is on the destination now; a change gives the next run something to publish.
    await pair.dev.commit(SOURCE_OWNER, 'hello', { 'more.txt': '1' }, { replace: false })
    const warned = await promote({ algorithms: 'hello', publish: true, 'missing-secrets': 'warn' })
    expect(warned.exitCode, warned.stdout).toBe(0)
    expect(warned.stdout).toMatch(/::warning::.*DB_PASSWORD/)
    expect(pair.prod.listVersions(DEST_OWNER, 'hello', { published: true })).toHaveLength(1)
  })

  it('warns without publish, and passes once the destination has the secret', async () => {
    await pair.seed('hello', HELLO_FILES)
    pair.dev.addSecret(SOURCE_OWNER, 'hello', { short_name: 'API_TOKEN', value: VALUE })
    const run = await promote({ algorithms: 'hello' })
    expect(run.exitCode, run.stdout).toBe(0)
    expect(run.stdout).toMatch(/::warning::.*API_TOKEN/)

    pair.prod.addSecret(DEST_OWNER, 'hello', { short_name: 'API_TOKEN', value: 'prod-value' })
    await pair.dev.commit(SOURCE_OWNER, 'hello', { 'more.txt': '1' }, { replace: false })
    const published = await promote({ algorithms: 'hello', publish: true })
    expect(published.exitCode, published.stdout).toBe(0)
    expect(published.stdout).not.toMatch(/::warning::.*API_TOKEN/)
  })
})

describe('smoke test before publishing', () => {
  it('publishes when every case answers as expected, read from a file in the workspace', async () => {
    await pair.seed('hello', HELLO_FILES)
    const workspace = await mkdtemp(path.join(os.tmpdir(), 'smoke-workspace-'))
    cleanup.push(workspace)
    await writeFile(path.join(workspace, 'smoke.json'), JSON.stringify([{ input: 'Jane', expected: 'hello Jane' }, { input: 'Bob' }]))

    const run = await promote({ algorithms: 'hello', publish: true, 'smoke-test': 'smoke.json' }, { GITHUB_WORKSPACE: workspace })

    expect(run.exitCode, run.stdout).toBe(0)
    expect(run.stdout).toContain('smoke test passed (2 calls')
    const calls = pair.prod.requests.filter(r => r.path.startsWith(`/v1/algo/${DEST_OWNER}/hello/`))
    expect(calls).toHaveLength(2)
    expect(calls.every(c => c.path.endsWith(results(run)[0].destCommit))).toBe(true)
    expect(pair.prod.listVersions(DEST_OWNER, 'hello', { published: true })).toHaveLength(1)
  })

  it('compares with the source version on its sample input', async () => {
    await seedPublished('hello', HELLO_FILES, { sample_input: 'World' })
    const run = await promote({ algorithms: 'hello', publish: true, 'smoke-test': 'sample-input' })
    expect(run.exitCode, run.stdout).toBe(0)
    expect(pair.dev.requests.some(r => r.path.startsWith(`/v1/algo/${SOURCE_OWNER}/hello/`))).toBe(true)
  })

  it('sends the JSON value the sample input text denotes, so an algorithm reading input["name"] passes', async () => {
    const files = { 'src/hello.py': 'def apply(input):\n    return "hello " + input["name"]\n', 'requirements.txt': '' }
    await seedPublished('hello', files, { sample_input: '{"name": "Jane"}' })

    const run = await promote({ algorithms: 'hello', publish: true, 'smoke-test': 'sample-input' })

    expect(run.exitCode, run.stdout).toBe(0)
    expect(results(run)[0]).toMatchObject({ status: 'created', destVersion: '0.1.0' })
    expect(pair.prod.listVersions(DEST_OWNER, 'hello', { published: true })[0].version_info.sample_input).toBe('{"name": "Jane"}')
  })

  it('sends a sample input that is not JSON as the text itself', async () => {
    await seedPublished('hello', HELLO_FILES, { sample_input: 'Jane Doe' })
    const run = await promote({ algorithms: 'hello', publish: true, 'smoke-test': 'sample-input' })
    expect(run.exitCode, run.stdout).toBe(0)
  })

  for (const status of [200, 400] as const) {
    it(`reads an algorithm's error answered with HTTP ${status} as a failed smoke test`, async () => {
      await pair.stop()
      // 400 is not the spec's status for an algorithm's error: the contract check would rightly refuse it.
      pair = await startClusterPair({ variants: { algorithmErrorStatus: status }, contract: status === 400 ? false : undefined })
      await pair.seed('hello', BROKEN_FILES)

      const run = await promote({ algorithms: 'hello', publish: true, 'smoke-test': '[{"input": "Jane"}]' })

      expect(run.exitCode).toBe(1)
      const [result] = results(run)
      expect(result).toMatchObject({ status: 'failed', failedStep: 'smoke test', destVersion: '' })
      expect(result.error).toContain('the destination build answered an error')
      expect(result.error).toContain('ValueError: model weights missing')
      expect(pair.prod.listVersions(DEST_OWNER, 'hello', { published: true })).toEqual([])
    })
  }

  it('fails with the input and both answers, and publishes nothing', async () => {
    await pair.seed('hello', BROKEN_FILES)

    const run = await promote({ algorithms: 'hello', publish: true, 'smoke-test': '[{"input": "Jane", "expected": "hello Jane"}]' })

    expect(run.exitCode).toBe(1)
    const [result] = results(run)
    expect(result).toMatchObject({ status: 'failed', failedStep: 'smoke test', destVersion: '' })
    expect(result.error).toContain('Input "Jane"')
    expect(result.error).toContain('expected "hello Jane"')
    expect(result.error).toContain('ValueError: model weights missing')
    expect(result.error).toContain('Nothing was published')
    expect(pair.prod.listBuilds(DEST_OWNER, 'hello')[0].status).toBe('succeeded')
    expect(pair.prod.listVersions(DEST_OWNER, 'hello', { published: true })).toEqual([])
  })
})
