// Environments, metadata validation and update, version details, secrets and
// algorithm calls: what a promotion needs to make a destination behave like its source.
import { describe, expect, it } from 'vitest'
import type { ClusterVariants, EmulatedCluster, Environment } from '../../emulator/index.js'
import { api, seedUser, useFixture } from './helpers.js'

const fixture = useFixture()

const REQUIRED_SETTINGS = { source_visibility: 'closed', license: 'apl', network_access: 'full', pipeline_enabled: true }

async function devCluster(name = 'dev', variants?: ClusterVariants) {
  const cluster = await fixture.start({ name, variants })
  const key = seedUser(cluster, 'alice')
  return { cluster, key }
}

function createVia(cluster: EmulatedCluster, key: string, body: object) {
  return api(cluster, '/v1/algorithms/alice', { method: 'POST', key, body })
}

async function built(cluster: EmulatedCluster, name: string, files: Record<string, string> = {}): Promise<string> {
  const sha = await cluster.commit('alice', name, files, { replace: false })
  await cluster.waitForBuild('alice', name, sha)
  return sha
}

describe('algorithm environments', () => {
  it('lists environments by language, with per-cluster ids and per-cluster specification ids', async () => {
    const { cluster: dev, key: devKey } = await devCluster('dev')
    const { cluster: prod, key: prodKey } = await devCluster('prod')
    const path = '/v1/algorithm-environments/edge/languages/python3/environments'
    const fromDev = (await api(dev, path, { key: devKey })).body as { environments: Environment[] }
    const fromProd = (await api(prod, path, { key: prodKey })).body as { environments: Environment[] }
    expect(fromDev.environments.length).toBeGreaterThan(0)
    expect(fromDev.environments[0]).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      environment_specification_id: expect.any(String),
      display_name: expect.any(String),
      language: { name: 'python3', display_name: expect.any(String) },
      machine_type: expect.any(String)
    })
    // Nothing public says two clusters share specification ids: by default they do not.
    const prodSpecifications = new Set(fromProd.environments.map(e => e.environment_specification_id))
    expect(fromDev.environments.some(e => prodSpecifications.has(e.environment_specification_id))).toBe(false)
    expect(fromDev.environments.map(e => e.display_name)).toEqual(fromProd.environments.map(e => e.display_name))
    const prodIds = new Set(fromProd.environments.map(e => e.id))
    expect(fromDev.environments.some(e => prodIds.has(e.id))).toBe(false)

    const languages = (await api(dev, '/v1/algorithm-environments/edge/languages', { key: devKey })).body as Array<{ name: string }>
    expect(languages.map(l => l.name)).toContain('python3')
    const unknown = await api(dev, '/v1/algorithm-environments/edge/languages/cobol/environments', { key: devKey })
    expect(unknown.status).toBe(404)
    expect((await api(dev, path)).status).toBe(401)
  })

  it('gives every cluster the same specification ids with the sharedEnvironmentSpecifications variant', async () => {
    const shared = { sharedEnvironmentSpecifications: true }
    const { cluster: dev } = await devCluster('dev', shared)
    const { cluster: prod } = await devCluster('prod', shared)
    const specifications = (cluster: EmulatedCluster) => cluster.environments.list().map(e => e.environment_specification_id)
    expect(specifications(dev)).toEqual(specifications(prod))
    expect(dev.environments.list().map(e => e.id)).not.toEqual(prod.environments.list().map(e => e.id))
  })

  it("accepts only the cluster's own environment ids on create and update", async () => {
    const { cluster: dev, key } = await devCluster('dev')
    const { cluster: prod } = await devCluster('prod')
    const devEnvironment = dev.environments.list('python3')[0].id
    const prodEnvironment = prod.environments.list('python3')[0].id
    const body = (environment: string, name: string) => ({
      name,
      details: { label: name },
      settings: { ...REQUIRED_SETTINGS, algorithm_environment: environment }
    })
    const foreign = await createVia(dev, key, body(prodEnvironment, 'foreign'))
    expect(foreign.status).toBe(400)
    expect(foreign.body).toMatchObject({ error: { code: 6001, message: expect.stringContaining(prodEnvironment) } })
    expect(dev.getAlgorithm('alice', 'foreign')).toBeUndefined()

    const own = await createVia(dev, key, body(devEnvironment, 'own'))
    expect(own.status).toBe(201)
    expect(own.body).toMatchObject({ settings: { algorithm_environment: devEnvironment } })
    const moved = await api(dev, '/v1/algorithms/alice/own', {
      method: 'PUT',
      key,
      body: { settings: { algorithm_environment: prodEnvironment } }
    })
    expect(moved.status).toBe(400)
    expect(dev.getAlgorithm('alice', 'own')!.settings.algorithm_environment).toBe(devEnvironment)
  })
})

describe('create and update validation', () => {
  it('requires details.label and the mandatory settings, and refuses unknown settings', async () => {
    const { cluster, key } = await devCluster()
    const cases: Array<[object, string]> = [
      [{ name: 'a', settings: REQUIRED_SETTINGS }, 'details.label'],
      [{ name: 'a', details: { label: 'A' } }, 'source_visibility'],
      [{ name: 'a', details: { label: 'A' }, settings: { ...REQUIRED_SETTINGS, license: undefined } }, 'license'],
      [{ name: 'a', details: { label: 'A' }, settings: { ...REQUIRED_SETTINGS, gpu_count: 2 } }, 'gpu_count'],
      [{ name: 'a', details: { label: 'A' }, settings: { ...REQUIRED_SETTINGS, insights_enabled: true } }, 'insights_enabled']
    ]
    for (const [body, named] of cases) {
      const response = await createVia(cluster, key, body)
      expect(response.status, JSON.stringify(body)).toBe(400)
      expect(response.body, JSON.stringify(body)).toMatchObject({ error: { code: 6001, message: expect.stringContaining(named) } })
    }
    expect(cluster.getAlgorithm('alice', 'a')).toBeUndefined()
  })

  it('updates details and settings with PUT, refusing unknown settings without changing anything', async () => {
    const { cluster, key } = await devCluster()
    cluster.createAlgorithm('alice', 'hello', { details: { label: 'Hello', summary: 'old' } })
    const refused = await api(cluster, '/v1/algorithms/alice/hello', {
      method: 'PUT',
      key,
      body: { details: { summary: 'new' }, settings: { license: 'mit', replicas: 3 } }
    })
    expect(refused.status).toBe(400)
    expect(refused.body).toMatchObject({ error: { code: 6001, message: expect.stringContaining('replicas') } })
    expect(cluster.getAlgorithm('alice', 'hello')).toMatchObject({ details: { summary: 'old' }, settings: { license: 'apl' } })

    const updated = await api(cluster, '/v1/algorithms/alice/hello', {
      method: 'PUT',
      key,
      body: { details: { summary: 'new', tagline: 'hi' }, settings: { license: 'mit', algorithm_callability: 'private' } }
    })
    expect(updated.status).toBe(200)
    expect(cluster.getAlgorithm('alice', 'hello')).toMatchObject({
      name: 'hello',
      details: { label: 'Hello', summary: 'new', tagline: 'hi' },
      settings: { license: 'mit', algorithm_callability: 'private', network_access: 'full' }
    })
  })
})

describe('published version details', () => {
  it('keeps sample input, callability, insights and release notes on the version', async () => {
    const { cluster, key } = await devCluster()
    cluster.createAlgorithm('alice', 'hello')
    const sha = await built(cluster, 'hello', { 'a.txt': '1' })
    const published = await api(cluster, '/v1/algorithms/alice/hello/versions', {
      method: 'POST',
      key,
      body: {
        settings: { algorithm_callability: 'private' },
        version_info: { version_type: 'minor', release_notes: 'Notes', sample_input: 'Jane', insights_enabled: true }
      }
    })
    expect(published.status).toBe(200)
    const expected = {
      version_info: { semantic_version: '0.1.0', git_hash: sha, release_notes: 'Notes', sample_input: 'Jane', insights_enabled: true },
      settings: { algorithm_callability: 'private' }
    }
    expect(published.body).toMatchObject(expected)
    expect((await api(cluster, `/v1/algorithms/alice/hello/versions/${sha}`, { key })).body).toMatchObject(expected)
    const list = (await api(cluster, '/v1/algorithms/alice/hello/versions?published=true', { key })).body as { results: unknown[] }
    expect(list.results[0]).toMatchObject(expected)

    const languageInPublish = await api(cluster, '/v1/algorithms/alice/hello/versions', {
      method: 'POST',
      key,
      body: { settings: { language: 'java' }, version_info: { version_type: 'minor' } }
    })
    expect(languageInPublish.status).toBe(400)
  })
})

describe('secrets', () => {
  it('lists secret names by algorithm id, never their values', async () => {
    const { cluster, key } = await devCluster()
    const { id } = cluster.createAlgorithm('alice', 'hello')
    cluster.addSecret('alice', 'hello', { short_name: 'DB_PASSWORD', secret_key: 'DB_PASSWORD', value: 'canary-value-1234' })
    const admin = cluster.addKey('alice', { admin: true })
    const created = await api(cluster, `/v1/algorithms/${id}/secrets`, {
      method: 'POST',
      key: admin,
      body: {
        short_name: 'API_TOKEN',
        description: 'token',
        secret_key: 'API_TOKEN',
        secret_value: 'canary-value-5678',
        owner_type: 'algorithm',
        owner_id: id
      }
    })
    expect(created.status).toBe(200)
    expect(created.text).not.toContain('canary-value')

    const listed = await api(cluster, `/v1/algorithms/${id}/secrets`, { key })
    expect(listed.status).toBe(200)
    expect(listed.body).toMatchObject({
      results: [
        { short_name: 'DB_PASSWORD', owner_type: 'algorithm', owner_id: id, id: expect.any(String) },
        { short_name: 'API_TOKEN', description: 'token' }
      ]
    })
    expect(listed.text).not.toContain('canary-value')

    const standardCreate = await api(cluster, `/v1/algorithms/${id}/secrets`, {
      method: 'POST',
      key,
      body: { short_name: 'X', description: '', secret_key: 'X', secret_value: 'v' }
    })
    expect(standardCreate.status).toBe(403)
    const mallory = seedUser(cluster, 'mallory')
    expect((await api(cluster, `/v1/algorithms/${id}/secrets`, { key: mallory })).status).toBe(403)
    const missing = await api(cluster, '/v1/algorithms/00000000-1111-2222-3333-444444444444/secrets', { key })
    expect(missing.status).toBe(404)
    expect(missing.body).toMatchObject({ error: { code: 1009 } })
  })

  it('refuses a secret without the owner_type and owner_id the spec requires', async () => {
    const { cluster } = await devCluster()
    const { id } = cluster.createAlgorithm('alice', 'hello')
    const admin = cluster.addKey('alice', { admin: true })
    const secret = { short_name: 'TOKEN', description: '', secret_key: 'TOKEN', secret_value: 'v' }
    for (const body of [secret, { ...secret, owner_type: 'algorithm' }, { ...secret, owner_type: 'user', owner_id: id }]) {
      const refused = await api(cluster, `/v1/algorithms/${id}/secrets`, { method: 'POST', key: admin, body })
      expect(refused.status, JSON.stringify(body)).toBe(400)
      expect(refused.body).toMatchObject({ error: { code: 8000, message: expect.stringContaining('owner_type') } })
    }
  })

  it('still routes an algorithm named "secrets" by owner and name', async () => {
    const { cluster, key } = await devCluster()
    cluster.createAlgorithm('alice', 'secrets')
    const response = await api(cluster, '/v1/algorithms/alice/secrets', { key })
    expect(response.status).toBe(200)
    expect(response.body).toMatchObject({ name: 'secrets', resource_type: 'algorithm' })
  })
})

describe('calling an algorithm', () => {
  function call(cluster: EmulatedCluster, key: string, version: string, input: unknown, name = 'hello') {
    return api(cluster, `/v1/algo/alice/${name}/${version}`, { method: 'POST', key, body: input })
  }

  it('answers from the code of a built version, by hash before publishing and by version after', async () => {
    const { cluster, key } = await devCluster()
    cluster.createAlgorithm('alice', 'hello')
    const sha = await built(cluster, 'hello', { 'a.txt': '1' })
    const answer = await call(cluster, key, sha, 'world')
    expect(answer.status).toBe(200)
    expect(answer.body).toMatchObject({ result: 'hello world', metadata: { content_type: 'text', duration: expect.any(Number) } })

    const changed = await built(cluster, 'hello', { 'src/hello.py': 'def apply(input):\n    return "hi " + input\n' })
    expect((await call(cluster, key, changed, 'world')).body).toMatchObject({ result: 'hi world' })
    expect((await call(cluster, key, sha, 'world')).body).toMatchObject({ result: 'hello world' })

    const typeError = await call(cluster, key, sha, { name: 'x' })
    expect(typeError.status).toBe(200)
    expect(typeError.body).toMatchObject({ error: { message: expect.stringContaining('TypeError') } })

    await cluster.publish('alice', 'hello', 'minor')
    const bob = seedUser(cluster, 'bob')
    expect((await call(cluster, bob, '0.1.0', 'bob')).body).toMatchObject({ result: 'hi bob' })
    expect((await call(cluster, bob, sha, 'bob')).status).toBe(403)
  })

  it('answers an error for a tree whose apply() raises, and 404 for an unbuilt hash', async () => {
    const { cluster, key } = await devCluster()
    cluster.createAlgorithm('alice', 'hello')
    const broken = await built(cluster, 'hello', {
      'src/hello.py': 'def apply(input):\n    raise ValueError("model file missing")\n'
    })
    const answer = await call(cluster, key, broken, 'world')
    // The spec and the vendor's own mock server answer an algorithm's error with 200.
    expect(answer.status).toBe(200)
    expect(answer.body).toEqual({
      error: { message: 'ValueError: model file missing', stacktrace: expect.any(String) },
      metadata: { duration: expect.any(Number) }
    })

    cluster.builds.failTreesContaining('b.txt')
    const failed = await cluster.commit('alice', 'hello', { 'b.txt': '2' }, { replace: false })
    expect((await cluster.waitForBuild('alice', 'hello', failed)).status).toBe('failed')
    expect((await call(cluster, key, failed, 'x')).status).toBe(404)
    expect((await call(cluster, key, '0'.repeat(40), 'x')).status).toBe(404)
  })

  it('answers 400 with the same error body with the algorithmErrorStatus 400 variant', async () => {
    const { cluster, key } = await devCluster('dev', { algorithmErrorStatus: 400 })
    cluster.createAlgorithm('alice', 'hello')
    const broken = await built(cluster, 'hello', { 'src/hello.py': 'def apply(input):\n    raise ValueError("model file missing")\n' })
    const answer = await call(cluster, key, broken, 'world')
    expect(answer.status).toBe(400)
    expect(answer.body).toMatchObject({ error: { message: 'ValueError: model file missing', stacktrace: expect.any(String) } })
  })

  it('reads a field of a JSON object input (input["name"]), and fails as Python would on other inputs', async () => {
    const { cluster, key } = await devCluster()
    cluster.createAlgorithm('alice', 'hello')
    const sha = await built(cluster, 'hello', { 'src/hello.py': 'def apply(input):\n    return "hello " + input["name"]\n' })
    expect((await call(cluster, key, sha, { name: 'Jane' })).body).toMatchObject({ result: 'hello Jane' })
    expect((await call(cluster, key, sha, 'Jane')).body).toMatchObject({ error: { message: 'TypeError: string indices must be integers' } })
    expect((await call(cluster, key, sha, { other: 1 })).body).toMatchObject({ error: { message: "KeyError: 'name'" } })
    expect((await call(cluster, key, sha, 42)).body).toMatchObject({ error: { message: "TypeError: 'int' object is not subscriptable" } })
  })

  it('takes application/octet-stream input as bytes: returned base64 as binary, a TypeError where text is expected', async () => {
    const { cluster, key } = await devCluster()
    cluster.createAlgorithm('alice', 'hello')
    const echo = await built(cluster, 'hello', { 'src/hello.py': 'def apply(input):\n    return input\n' })
    const bytes = (sha: string, query = '') =>
      fetch(`${cluster.url}/v1/algo/alice/hello/${sha}${query}`, {
        method: 'POST',
        headers: { Authorization: `Simple ${key}`, 'Content-Type': 'application/octet-stream' },
        body: Buffer.from([0, 1, 255])
      })
    expect(await (await bytes(echo)).json()).toMatchObject({
      result: Buffer.from([0, 1, 255]).toString('base64'),
      metadata: { content_type: 'binary' }
    })
    expect(Buffer.from(await (await bytes(echo, '?output=raw')).arrayBuffer())).toEqual(Buffer.from([0, 1, 255]))
    const greeting = await built(cluster, 'hello', { 'src/hello.py': 'def apply(input):\n    return "hello " + input\n' })
    expect(await (await bytes(greeting)).json()).toMatchObject({
      error: { message: 'TypeError: can only concatenate str (not "bytes") to str' }
    })
  })

  it('resolves the spec forms of the version: blank, latestPrivate, 1.2.*, 1.*; a missing algorithm is a {code, message} 404', async () => {
    const { cluster, key } = await devCluster()
    cluster.createAlgorithm('alice', 'hello')
    const releases: Record<string, string> = {}
    for (const [text, type, callability] of [
      ['one', 'minor', 'public'],
      ['two', 'revision', 'public'],
      ['three', 'major', 'public'],
      ['four', 'minor', 'private']
    ] as const) {
      await built(cluster, 'hello', { 'src/hello.py': `def apply(input):\n    return "${text} " + input\n` })
      const version = await cluster.publish('alice', 'hello', type, undefined, { algorithm_callability: callability })
      releases[version.version_info.semantic_version!] = text
    }
    expect(Object.keys(releases)).toEqual(['0.1.0', '0.1.1', '1.0.0', '1.1.0'])
    const result = async (version: string) => ((await call(cluster, key, version, 'x')).body as { result?: string }).result
    expect(await result('')).toBe('three x')
    const blank = await api(cluster, '/v1/algo/alice/hello', { method: 'POST', key, body: 'x' })
    expect(blank.body).toMatchObject({ result: 'three x' })
    expect(await result('latestPrivate')).toBe('four x')
    expect(await result('0.1.*')).toBe('two x')
    expect(await result('0.*')).toBe('two x')
    expect(await result('1.*')).toBe('three x')
    expect(await result('0.1.0')).toBe('one x')
    expect((await call(cluster, key, '2.*', 'x')).status).toBe(404)
    expect((await call(cluster, key, 'newest', 'x')).status).toBe(400)
    const missing = await api(cluster, '/v1/algo/alice/nothing/1.0.0', { method: 'POST', key, body: 'x' })
    expect(missing.status).toBe(404)
    expect(missing.body).toEqual({ error: { code: expect.any(Number), message: expect.any(String) } })
  })

  it('honours output=raw and output=void, checks timeout, and refuses values it cannot honour', async () => {
    const { cluster, key } = await devCluster()
    cluster.createAlgorithm('alice', 'hello')
    const sha = await built(cluster, 'hello', { 'a.txt': '1' })
    const raw = await api(cluster, `/v1/algo/alice/hello/${sha}?output=raw`, { method: 'POST', key, body: 'x' })
    expect(raw.text).toBe('hello x')
    const asynchronous = await api(cluster, `/v1/algo/alice/hello/${sha}?output=void`, { method: 'POST', key, body: 'x' })
    expect(asynchronous.body).toEqual({ async: true, request_id: expect.any(String) })
    expect((await api(cluster, `/v1/algo/alice/hello/${sha}?timeout=10`, { method: 'POST', key, body: 'x' })).body).toMatchObject({
      result: 'hello x'
    })
    for (const query of ['output=json', 'timeout=soon', 'timeout=0', 'stdout=maybe']) {
      expect((await api(cluster, `/v1/algo/alice/hello/${sha}?${query}`, { method: 'POST', key, body: 'x' })).status, query).toBe(400)
    }
  })
})
