/**
 * The environment, secret, update, publish-details and call requests of the
 * API client against an emulated cluster, and its shape checks against a
 * scripted server that answers something else.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { startCluster, type EmulatedCluster } from '../../emulator/index.js'
import { AlgorithmiaApi } from '../../src/cluster/api.js'
import { ClusterHttp } from '../../src/cluster/http.js'
import { RuntimeApi } from '../../src/cluster/runtime-api.js'
import { silentLogger } from '../../src/util/log.js'

let cluster: EmulatedCluster | undefined
let server: Server | undefined

afterEach(async () => {
  await cluster?.stop()
  cluster = undefined
  await new Promise<void>(resolve => (server ? server.close(() => resolve()) : resolve()))
  server = undefined
})

function clients(url: string, key: string) {
  const http = new ClusterHttp({
    cluster: 'test',
    apiUrl: url,
    apiKey: key,
    retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxTotalDelayMs: 1, attemptTimeoutMs: 30_000 },
    logger: silentLogger,
    redact: text => text
  })
  return { api: new AlgorithmiaApi('test', http), runtime: new RuntimeApi('test', http, 4) }
}

async function emulated() {
  cluster = await startCluster({ name: 'dev', buildDelayMs: 10 })
  cluster.addUser('alice')
  return { cluster, ...clients(cluster.url, cluster.addKey('alice')) }
}

describe('RuntimeApi against the emulator', () => {
  it('lists languages and environments, secret names, and calls a built version', async () => {
    const { cluster, api, runtime } = await emulated()
    expect(await runtime.listLanguages()).toContain('python3')
    const environments = await runtime.listEnvironments('python3')
    expect(environments[0]).toEqual({
      id: cluster.environments.list('python3')[0].id,
      specificationId: cluster.environments.list('python3')[0].environment_specification_id,
      displayName: cluster.environments.list('python3')[0].display_name,
      language: 'python3',
      machineType: 'CPU'
    })
    expect(await runtime.listEnvironments('cobol')).toEqual([])
    expect((await runtime.allEnvironments()).length).toBe(cluster.environments.list().length)

    const { id } = cluster.createAlgorithm('alice', 'hello')
    cluster.addSecret('alice', 'hello', { short_name: 'TOKEN', value: 'never-read-me' })
    expect(await runtime.listSecretNames(id)).toEqual(['TOKEN'])

    const sha = await cluster.commit('alice', 'hello', { 'a.txt': '1' }, { replace: false })
    await cluster.waitForBuild('alice', 'hello', sha)
    expect(await runtime.call('alice', 'hello', sha, 'Jane')).toEqual({ ok: true, result: 'hello Jane' })
    expect(await runtime.call('alice', 'hello', sha, 42)).toEqual({ ok: false, error: expect.stringContaining('TypeError') })
    await expect(runtime.call('alice', 'hello', '0'.repeat(40), 'x')).rejects.toThrow(/404/)

    await api.updateAlgorithm('alice', 'hello', { details: { summary: 'Greets' } })
    expect(cluster.getAlgorithm('alice', 'hello')!.details.summary).toBe('Greets')
    const version = await api.publish('alice', 'hello', 'minor', {
      releaseNotes: 'n',
      sampleInput: 'Jane',
      insightsEnabled: true,
      callability: 'private'
    })
    expect(version.version_info).toMatchObject({ sample_input: 'Jane', insights_enabled: true, release_notes: 'n' })
    expect((await api.getVersion('alice', 'hello', sha))!.settings).toMatchObject({ algorithm_callability: 'private' })
    expect(await api.getVersion('alice', 'hello', '1'.repeat(40))).toBeUndefined()
  })
})

describe('RuntimeApi shape checks', () => {
  it('names the cluster and request when an answer has an unexpected shape', async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' })
      res.end(JSON.stringify({ surprise: true }))
    })
    await new Promise<void>(resolve => server!.listen(0, '127.0.0.1', resolve))
    const { runtime } = clients(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 'simKEY')
    await expect(runtime.listEnvironments('python3')).rejects.toThrow(/test: GET .*environments: answered with an unexpected shape/)
    await expect(runtime.listSecretNames('id')).rejects.toThrow(/unexpected shape/)
    await expect(runtime.call('a', 'b', 'c', 'x')).rejects.toThrow(/unexpected shape/)
    await expect(runtime.listLanguages()).rejects.toThrow(/unexpected shape/)
  })
})
