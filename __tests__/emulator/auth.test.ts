import { describe, expect, it } from 'vitest'
import { api, seedUser, useFixture } from './helpers.js'

const fixture = useFixture()

const UNAUTHENTICATED = { error: { code: 2002, message: 'Unknown or invalid API key' } }
const FORBIDDEN = { error: { code: 2001, message: 'Caller is not authorized to perform the operation' } }

async function clusterWithAlgorithm() {
  const cluster = await fixture.start()
  const key = seedUser(cluster, 'alice')
  cluster.createAlgorithm('alice', 'hello')
  return { cluster, key }
}

describe('API authentication', () => {
  it('accepts Simple, raw and Bearer keys', async () => {
    const { cluster, key } = await clusterWithAlgorithm()
    for (const authorization of [`Simple ${key}`, key, `Bearer ${key}`, `simple ${key}`]) {
      const response = await api(cluster, '/v1/algorithms/alice/hello', { authorization })
      expect(response.status, authorization.replace(key, '<key>')).toBe(200)
    }
  })

  it('answers a missing or unknown key with 401 / 2002', async () => {
    const { cluster, key } = await clusterWithAlgorithm()
    for (const authorization of [undefined, 'Simple simNOPE', `Basic ${key}`]) {
      const response = await api(cluster, '/v1/algorithms/alice/hello', { authorization })
      expect(response.status).toBe(401)
      expect(response.body).toEqual(UNAUTHENTICATED)
    }
  })

  it('accepts keys containing / + and =', async () => {
    const cluster = await fixture.start()
    cluster.addUser('alice')
    const key = cluster.addKey('alice', { key: 'simCanary/with+plus=equals' })
    cluster.createAlgorithm('alice', 'hello')
    expect((await api(cluster, '/v1/algorithms/alice/hello', { key })).status).toBe(200)
  })
})

describe('API authorization', () => {
  it("forbids reading or writing another user's algorithm", async () => {
    const { cluster } = await clusterWithAlgorithm()
    const mallory = seedUser(cluster, 'mallory')
    expect((await api(cluster, '/v1/algorithms/alice/hello', { key: mallory })).body).toEqual(FORBIDDEN)
    const create = await api(cluster, '/v1/algorithms/alice', { method: 'POST', key: mallory, body: { name: 'x' } })
    expect(create.status).toBe(403)
    expect(create.body).toEqual(FORBIDDEN)
  })

  it('lets organization members read and write, and forbids non-members', async () => {
    const cluster = await fixture.start()
    const member = seedUser(cluster, 'alice')
    const outsider = seedUser(cluster, 'bob')
    cluster.addOrg('team', ['alice'])
    const created = await api(cluster, '/v1/algorithms/team', {
      method: 'POST',
      key: member,
      body: {
        name: 'shared',
        details: { label: 'Shared' },
        settings: { source_visibility: 'closed', license: 'apl', network_access: 'full', pipeline_enabled: true }
      }
    })
    expect(created.status).toBe(201)
    expect((await api(cluster, '/v1/algorithms/team/shared', { key: member })).status).toBe(200)
    expect((await api(cluster, '/v1/algorithms/team/shared', { key: outsider })).status).toBe(403)
    const outsiderCreate = await api(cluster, '/v1/algorithms/team', { method: 'POST', key: outsider, body: { name: 'x' } })
    expect(outsiderCreate.status).toBe(403)
  })

  it('requires algorithm management for writes but not for reads', async () => {
    const { cluster } = await clusterWithAlgorithm()
    const readOnly = cluster.addKey('alice', { algoManagement: false })
    expect((await api(cluster, '/v1/algorithms/alice/hello', { key: readOnly })).status).toBe(200)
    const writes: Array<[string, string, unknown]> = [
      ['POST', '/v1/algorithms/alice', { name: 'other' }],
      ['PUT', '/v1/algorithms/alice/hello', { details: { label: 'x' } }],
      ['POST', '/v1/algorithms/alice/hello/compile', undefined],
      ['POST', '/v1/algorithms/alice/hello/versions', { version_info: { version_type: 'minor' } }],
      ['DELETE', '/v1/algorithms/alice/hello', undefined]
    ]
    for (const [method, path, body] of writes) {
      const response = await api(cluster, path, { method, key: readOnly, body })
      expect(response.status, `${method} ${path}`).toBe(403)
      expect(response.body).toEqual(FORBIDDEN)
    }
  })
})
