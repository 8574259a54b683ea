import { describe, expect, it } from 'vitest'
import { api, seedUser, useFixture } from './helpers.js'

const fixture = useFixture()

/** The settings a create request must carry. */
const REQUIRED_SETTINGS = { source_visibility: 'closed', license: 'apl', network_access: 'full', pipeline_enabled: true }

async function devCluster() {
  const cluster = await fixture.start({ name: 'dev' })
  const key = seedUser(cluster, 'alice')
  return { cluster, key }
}

describe('algorithm create and get', () => {
  it('creates with defaults (201) and gets it back', async () => {
    const { cluster, key } = await devCluster()
    const created = await api(cluster, '/v1/algorithms/alice', {
      method: 'POST',
      key,
      body: { name: 'hello', details: { label: 'Hello' }, settings: { ...REQUIRED_SETTINGS, license: 'mit' } }
    })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({
      name: 'hello',
      details: { label: 'Hello' },
      settings: {
        language: 'python3-1',
        environment: 'cpu',
        license: 'mit',
        network_access: 'full',
        pipeline_enabled: true,
        source_visibility: 'closed'
      },
      source: { scm: { id: 'internal', provider: 'internal', default: true, enabled: true } },
      self_link: `${cluster.url}/v1/algorithms/alice/hello`,
      resource_type: 'algorithm'
    })
    const fetched = await api(cluster, '/v1/algorithms/alice/hello', { key })
    expect(fetched.status).toBe(200)
    expect(fetched.body).toEqual(created.body)
    expect(cluster.getAlgorithm('alice', 'hello')).toEqual(created.body)
  })

  it('stores package_set / algorithm_environment as given, without a default language', async () => {
    const { cluster, key } = await devCluster()
    const environment = cluster.environments.list('python3')[0].id
    const created = await api(cluster, '/v1/algorithms/alice', {
      method: 'POST',
      key,
      body: {
        name: 'envy',
        details: { label: 'Envy' },
        settings: { ...REQUIRED_SETTINGS, package_set: 'python38', algorithm_environment: environment }
      }
    })
    expect(created.status).toBe(201)
    const settings = (created.body as { settings: Record<string, unknown> }).settings
    expect(settings).toMatchObject({ package_set: 'python38', algorithm_environment: environment, license: 'apl' })
    expect(settings.language).toBeUndefined()
  })

  it('returns the string-shaped 404 for a missing algorithm', async () => {
    const { cluster, key } = await devCluster()
    const response = await api(cluster, '/v1/algorithms/alice/missing', { key })
    expect(response.status).toBe(404)
    expect(response.body).toEqual({ error: { code: 1000, message: 'No such algorithm' } })
  })

  it('rejects a taken name with 1002 and leaves the existing algorithm untouched', async () => {
    const { cluster, key } = await devCluster()
    const first = cluster.createAlgorithm('alice', 'hello', { details: { label: 'Original' } })
    const again = await api(cluster, '/v1/algorithms/alice', {
      method: 'POST',
      key,
      body: { name: 'hello', details: { label: 'Replacement' }, settings: { ...REQUIRED_SETTINGS, license: 'gpl3' } }
    })
    expect(again.status).toBe(400)
    expect(again.body).toMatchObject({ error: { code: 1002 } })
    expect(cluster.getAlgorithm('alice', 'hello')).toEqual(first)
  })

  it('validates language (4001), enums (6001), names (6001) and JSON (2013)', async () => {
    const { cluster, key } = await devCluster()
    const post = (body: unknown, rawBody?: string) => api(cluster, '/v1/algorithms/alice', { method: 'POST', key, body, rawBody })
    const cases: Array<[unknown, number]> = [
      [{ name: 'a', settings: { language: 'cobol' } }, 4001],
      [{ name: 'a', settings: { license: 'wtfpl' } }, 6001],
      [{ name: 'a', settings: { network_access: 'partial' } }, 6001],
      [{ name: 'a', settings: { source_visibility: 'hidden' } }, 6001],
      [{ name: 'a', settings: { environment: 'tpu' } }, 6001],
      [{ name: 'a', settings: { algorithm_callability: 'everyone' } }, 6001],
      [{ name: '9lives' }, 6001],
      [{ name: 'has-dash' }, 6001]
    ]
    for (const [body, code] of cases) {
      const response = await post(body)
      expect(response.status, JSON.stringify(body)).toBe(400)
      expect(response.body, JSON.stringify(body)).toMatchObject({ error: { code } })
    }
    const malformed = await post(undefined, '{"name": ')
    expect(malformed.status).toBe(400)
    expect(malformed.body).toMatchObject({ error: { code: 2013 } })
    expect(cluster.getAlgorithm('alice', 'a')).toBeUndefined()
  })

  it('reports an unknown owner as 404 with a clear message', async () => {
    const { cluster, key } = await devCluster()
    const response = await api(cluster, '/v1/algorithms/nobody', { method: 'POST', key, body: { name: 'x' } })
    expect(response.status).toBe(404)
    expect(response.body).toMatchObject({ error: { code: 2015, message: expect.stringContaining('nobody') } })
  })
})

describe('algorithm update, compile and delete', () => {
  it('updates details and settings with PUT', async () => {
    const { cluster, key } = await devCluster()
    cluster.createAlgorithm('alice', 'hello')
    const updated = await api(cluster, '/v1/algorithms/alice/hello', {
      method: 'PUT',
      key,
      body: { details: { summary: 'Greets' }, settings: { network_access: 'isolated' } }
    })
    expect(updated.status).toBe(200)
    expect(updated.body).toMatchObject({
      details: { label: 'hello', summary: 'Greets' },
      settings: { network_access: 'isolated', license: 'apl' }
    })
  })

  it('compiles the head of master and reports the compilation', async () => {
    const { cluster, key } = await devCluster()
    cluster.createAlgorithm('alice', 'hello')
    const compiled = await api(cluster, '/v1/algorithms/alice/hello/compile', { method: 'POST', key, body: {} })
    expect(compiled.status).toBe(200)
    const head = await cluster.headCommit('alice', 'hello')
    expect(compiled.body).toMatchObject({
      version_info: { git_hash: head },
      build: { status: 'succeeded', commit_sha: head },
      compilation: { successful: true, output: expect.stringContaining('Build succeeded') }
    })
  })

  it("refuses compile without the spec's required BuildRequest body, and builds the commit its commitSha names", async () => {
    const { cluster, key } = await devCluster()
    cluster.createAlgorithm('alice', 'hello')
    const first = await cluster.commit('alice', 'hello', { 'a.txt': '1' }, { replace: false })
    await cluster.waitForBuild('alice', 'hello', first)
    const head = await cluster.commit('alice', 'hello', { 'a.txt': '2' }, { replace: false })
    await cluster.waitForBuild('alice', 'hello', head)
    const bare = await api(cluster, '/v1/algorithms/alice/hello/compile', { method: 'POST', key })
    expect(bare.status).toBe(400)
    expect(bare.body).toMatchObject({ error: { message: expect.stringContaining('BuildRequest') } })
    expect(cluster.listBuilds('alice', 'hello')).toHaveLength(2)
    const named = await api(cluster, '/v1/algorithms/alice/hello/compile', { method: 'POST', key, body: { commitSha: first } })
    expect(named.status).toBe(200)
    expect(named.body).toMatchObject({ build: { commit_sha: first, status: 'succeeded' } })
    expect(cluster.listBuilds('alice', 'hello')[0].commit_sha).toBe(first)
    const unknown = await api(cluster, '/v1/algorithms/alice/hello/compile', { method: 'POST', key, body: { commitSha: '0'.repeat(40) } })
    expect(unknown.status).toBe(400)
  })

  it('answers routes by algorithm id that are not emulated with 404 "no such route", not 403', async () => {
    const { cluster, key } = await devCluster()
    const algo = cluster.createAlgorithm('alice', 'hello')
    for (const [method, path] of [
      ['GET', `/v1/algorithms/${algo.id}/builds`],
      ['POST', `/v1/algorithms/${algo.id}/compile`],
      ['GET', `/v1/algorithms/${algo.id}/versions`]
    ]) {
      const answer = await api(cluster, path, { method, key, body: method === 'POST' ? {} : undefined })
      expect(answer.status, path).toBe(404)
      expect(answer.body).toMatchObject({ error: { message: expect.stringMatching(/^No such route/) } })
    }
    expect((await api(cluster, `/v1/algorithms/${algo.id}/secrets`, { key })).status).toBe(200)
  })

  it('accepts any page size of 1 or more (the spec states no maximum)', async () => {
    const { cluster, key } = await devCluster()
    cluster.createAlgorithm('alice', 'hello')
    expect((await api(cluster, '/v1/algorithms/alice/hello/builds?limit=5000', { key })).status).toBe(200)
    expect((await api(cluster, '/v1/algorithms/alice/hello/builds?limit=0', { key })).status).toBe(400)
  })

  it('deletes with 204 and removes the repository', async () => {
    const { cluster, key } = await devCluster()
    cluster.createAlgorithm('alice', 'hello')
    expect(await cluster.headCommit('alice', 'hello')).toMatch(/^[0-9a-f]{40}$/)
    const deleted = await api(cluster, '/v1/algorithms/alice/hello', { method: 'DELETE', key })
    expect(deleted.status).toBe(204)
    expect((await api(cluster, '/v1/algorithms/alice/hello', { key })).status).toBe(404)
    expect(await cluster.headCommit('alice', 'hello')).toBeUndefined()
  })

  it('answers unknown routes with a JSON 404', async () => {
    const { cluster, key } = await devCluster()
    const response = await api(cluster, '/v1/nothing/here', { key })
    expect(response.status).toBe(404)
    expect(response.body).toMatchObject({ error: { code: expect.any(Number), message: expect.any(String) } })
  })
})

describe('template repository', () => {
  it('holds one template commit on master', async () => {
    const { cluster } = await devCluster()
    cluster.createAlgorithm('alice', 'hello')
    const tree = await cluster.readTree('alice', 'hello')
    expect(Object.keys(tree).sort()).toEqual([
      'algorithmia.conf',
      'requirements.txt',
      'src/__init__.py',
      'src/hello.py',
      'src/hello_test.py'
    ])
    expect(JSON.parse(tree['algorithmia.conf'].toString())).toMatchObject({
      username: 'alice',
      algoname: 'hello',
      language: 'python3-1'
    })
    expect(tree['src/hello.py'].toString()).toContain('"hello " + input')
    const log = await cluster.log('alice', 'hello')
    expect(log).toHaveLength(1)
    expect(log[0].parents).toEqual([])
  })
})

describe('admin endpoints', () => {
  async function adminCluster() {
    const { cluster, key } = await devCluster()
    cluster.addUser('root')
    const adminKey = cluster.addKey('root', { admin: true })
    return { cluster, key, adminKey }
  }

  it('creates and reads users (409 when taken)', async () => {
    const { cluster, adminKey } = await adminCluster()
    const body = { username: 'bob', email: 'bob@example.com', fullname: 'Bob' }
    const created = await api(cluster, '/v1/users', { method: 'POST', key: adminKey, body })
    expect(created.status).toBe(200)
    expect(created.body).toMatchObject({ username: 'bob', resource_type: 'user' })
    expect((await api(cluster, '/v1/users', { method: 'POST', key: adminKey, body })).status).toBe(409)
    expect((await api(cluster, '/v1/users/bob', { key: adminKey })).body).toMatchObject({ username: 'bob' })
    expect((await api(cluster, '/v1/users/nobody', { key: adminKey })).status).toBe(404)
  })

  it('manages organizations and members (201 added, 200 already)', async () => {
    const { cluster, adminKey } = await adminCluster()
    const types = await api(cluster, '/v1/organization/types', { key: adminKey })
    const typeId = (types.body as { id: string }[])[0].id
    const org = { org_name: 'team', org_label: 'Team', org_contact_name: 'A', org_email: 'a@example.com', type_id: typeId }
    expect((await api(cluster, '/v1/organizations', { method: 'POST', key: adminKey, body: org })).status).toBe(200)
    expect((await api(cluster, '/v1/organizations', { method: 'POST', key: adminKey, body: org })).status).toBe(409)
    expect((await api(cluster, '/v1/organizations/team', { key: adminKey })).body).toMatchObject({
      org_name: 'team',
      resource_type: 'organization'
    })
    const put = () => api(cluster, '/v1/organizations/team/members/alice', { method: 'PUT', key: adminKey })
    expect((await put()).status).toBe(201)
    expect((await put()).status).toBe(200)
    const members = await api(cluster, '/v1/organizations/team/members', { key: adminKey })
    // The creating admin is the organization's owner, as the spec says of every creator.
    expect(members.body).toMatchObject({
      results: [
        { username: 'alice', role: 'member', resource_type: 'organizationMember' },
        { username: 'root', role: 'owner', resource_type: 'organizationMember' }
      ]
    })
  })

  it('keeps standard keys out of admin endpoints and admin keys out of standard ones', async () => {
    const { cluster, key, adminKey } = await adminCluster()
    const standard = await api(cluster, '/v1/users', { method: 'POST', key, body: { username: 'eve' } })
    expect(standard.status).toBe(403)
    expect(standard.body).toEqual({
      error: { code: 2001, message: 'Caller is not authorized to perform the operation' }
    })
    cluster.createAlgorithm('alice', 'hello')
    const admin = await api(cluster, '/v1/algorithms/alice/hello', { key: adminKey })
    expect(admin.status).toBe(403)
    expect(admin.body).toMatchObject({ error: { code: 2001 } })
  })
})
