// Users, organizations, memberships, organization types and owners' algorithm
// lists, as the management API spec shapes them.
import { describe, expect, it } from 'vitest'
import type { ClusterVariants, EmulatedCluster } from '../../emulator/index.js'
import { api, seedUser, useFixture } from './helpers.js'

const fixture = useFixture()

async function adminCluster(variants?: ClusterVariants) {
  const cluster = await fixture.start({ name: 'dev', variants })
  const key = seedUser(cluster, 'alice')
  cluster.addUser('root')
  const adminKey = cluster.addKey('root', { admin: true })
  return { cluster, key, adminKey }
}

async function typeId(cluster: EmulatedCluster, key: string, name: string): Promise<string> {
  const types = (await api(cluster, '/v1/organization/types', { key })).body as { id: string; name: string }[]
  return types.find(type => type.name === name)!.id
}

function orgBody(name: string, type_id: string) {
  return { org_name: name, org_label: 'Team', org_contact_name: 'Ada Lovelace', org_email: 'team@example.com', type_id }
}

describe('organization types', () => {
  it('lists types by name with ids of their own on every cluster', async () => {
    const one = await adminCluster()
    const two = await adminCluster()
    const first = (await api(one.cluster, '/v1/organization/types', { key: one.adminKey })).body as { name: string }[]
    expect(first.map(type => type.name)).toEqual(['basic', 'enterprise'])
    expect(await typeId(one.cluster, one.adminKey, 'basic')).not.toBe(await typeId(two.cluster, two.adminKey, 'basic'))
    expect((await api(one.cluster, '/v1/organization/types')).status).toBe(401)
  })
})

describe('users', () => {
  it('requires an email and reports missing fields with 3005', async () => {
    const { cluster, adminKey } = await adminCluster()
    const missing = await api(cluster, '/v1/users', { method: 'POST', key: adminKey, body: { username: 'bob' } })
    expect(missing.status).toBe(400)
    expect(missing.body).toMatchObject({ error: { code: 3005, message: expect.stringContaining('email') } })
    const bad = await api(cluster, '/v1/users', { method: 'POST', key: adminKey, body: { username: 'bob', email: 'nope' } })
    expect(bad.status).toBe(400)
  })

  it('answers 409 with 3003 for a taken username and 3004 for a taken email', async () => {
    const { cluster, adminKey } = await adminCluster()
    const body = { username: 'bob', email: 'bob@example.com', fullname: 'Bob', company_name: 'Acme', company_role: 'Dev' }
    const created = await api(cluster, '/v1/users', { method: 'POST', key: adminKey, body })
    expect(created.body).toMatchObject({ ...body, resource_type: 'user', id: expect.any(String) })
    const name = await api(cluster, '/v1/users', { method: 'POST', key: adminKey, body: { ...body, email: 'b2@example.com' } })
    expect([name.status, name.body]).toMatchObject([409, { error: { code: 3003 } }])
    const email = await api(cluster, '/v1/users', { method: 'POST', key: adminKey, body: { ...body, username: 'bob2' } })
    expect([email.status, email.body]).toMatchObject([409, { error: { code: 3004 } }])
    const org = await api(cluster, '/v1/users', { method: 'POST', key: adminKey, body: { username: 'team', email: 't@example.com' } })
    expect(org.status).toBe(200)
    expect(cluster.getUser('bob2')).toBeUndefined()
  })

  it('pages the user list with limit and marker', async () => {
    const { cluster, adminKey } = await adminCluster()
    for (const name of ['u1', 'u2', 'u3']) cluster.addUser(name)
    const names: string[] = []
    let path = '/v1/users?limit=2'
    for (let page = 0; page < 5 && path; page++) {
      const body = (await api(cluster, path, { key: adminKey })).body as { results: { username: string }[]; next_link: string | null }
      expect(body.results.length).toBeLessThanOrEqual(2)
      names.push(...body.results.map(user => user.username))
      path = body.next_link ? new URL(body.next_link).pathname + new URL(body.next_link).search : ''
    }
    expect(names.sort()).toEqual(['alice', 'root', 'u1', 'u2', 'u3'])
  })
})

describe('organizations', () => {
  it('requires type_id, contact name and email, and returns them', async () => {
    const { cluster, adminKey } = await adminCluster()
    const { type_id: _omitted, ...noType } = orgBody('team', 'x')
    const missing = await api(cluster, '/v1/organizations', { method: 'POST', key: adminKey, body: noType })
    expect([missing.status, missing.body]).toMatchObject([400, { error: { code: 3005, message: expect.stringContaining('type_id') } }])
    const unknownType = await api(cluster, '/v1/organizations', { method: 'POST', key: adminKey, body: orgBody('team', 'x') })
    expect([unknownType.status, unknownType.body]).toMatchObject([400, { error: { code: 3108 } }])
    const enterprise = await typeId(cluster, adminKey, 'enterprise')
    const body = { ...orgBody('team', enterprise), org_url: 'https://team.example.com' }
    const created = await api(cluster, '/v1/organizations', { method: 'POST', key: adminKey, body })
    expect(created.status).toBe(200)
    expect(created.body).toMatchObject({ ...body, resource_type: 'organization' })
    expect((await api(cluster, '/v1/organizations/team', { key: adminKey })).body).toMatchObject(body)
    expect(cluster.getOrg('team')).toMatchObject({ type_name: 'enterprise', members: { root: 'owner' } })
  })

  it('answers 409 with 3101 for a taken name, whether an organization or a user holds it', async () => {
    const { cluster, adminKey } = await adminCluster()
    const basic = await typeId(cluster, adminKey, 'basic')
    cluster.addOrg('team', [])
    for (const name of ['team', 'alice']) {
      const taken = await api(cluster, '/v1/organizations', { method: 'POST', key: adminKey, body: orgBody(name, basic) })
      expect([taken.status, taken.body]).toMatchObject([409, { error: { code: 3101 } }])
    }
  })

  it('adds members as plain members and lists every member with a role, paged', async () => {
    const { cluster, adminKey } = await adminCluster()
    cluster.addUser('bob')
    cluster.addOrg('team', ['alice'], { owners: ['alice'] })
    const added = await api(cluster, '/v1/organizations/team/members/bob', { method: 'PUT', key: adminKey })
    expect([added.status, added.body]).toMatchObject([201, { username: 'bob', role: 'member' }])
    const again = await api(cluster, '/v1/organizations/team/members/alice', { method: 'PUT', key: adminKey })
    expect([again.status, again.body]).toMatchObject([200, { username: 'alice', role: 'owner' }])
    const unknown = await api(cluster, '/v1/organizations/team/members/nobody', { method: 'PUT', key: adminKey })
    expect(unknown.status).toBe(404)
    const first = (await api(cluster, '/v1/organizations/team/members?limit=1', { key: adminKey })).body as {
      results: { username: string; role: string }[]
      marker: string
    }
    const second = (await api(cluster, `/v1/organizations/team/members?limit=1&marker=${first.marker}`, { key: adminKey })).body as {
      results: { username: string; role: string }[]
      marker: string | null
    }
    expect([...first.results, ...second.results]).toEqual([
      expect.objectContaining({ username: 'bob', role: 'member' }),
      expect.objectContaining({ username: 'alice', role: 'owner' })
    ])
    expect(second.marker).toBeUndefined()
  })

  it('pages the organization list and keeps standard keys out', async () => {
    const { cluster, key, adminKey } = await adminCluster()
    cluster.addOrg('one', [])
    cluster.addOrg('two', [])
    const page = (await api(cluster, '/v1/organizations?limit=1', { key: adminKey })).body as {
      results: { org_name: string }[]
      marker: string
    }
    expect(page.results.map(org => org.org_name)).toEqual(['two'])
    expect(page.marker).toEqual(expect.any(String))
    expect((await api(cluster, '/v1/organizations', { key })).status).toBe(403)
    expect((await api(cluster, '/v1/users', { key })).status).toBe(403)
  })
})

describe("an owner's algorithms", () => {
  it("lists a user or organization algorithms as the spec's bare array of {id, algoname, username}, to members and admins only", async () => {
    const { cluster, key, adminKey } = await adminCluster()
    cluster.addOrg('team', ['alice'])
    const ids = ['one', 'two', 'three'].map(name => cluster.createAlgorithm('team', name).id)
    cluster.createAlgorithm('alice', 'mine')
    const listed = await api(cluster, '/v1/users/team/algorithms', { key })
    expect(listed.body).toEqual([
      { id: ids[2], algoname: 'three', username: 'team' },
      { id: ids[1], algoname: 'two', username: 'team' },
      { id: ids[0], algoname: 'one', username: 'team' }
    ])
    const mine = (await api(cluster, '/v1/users/alice/algorithms', { key: adminKey })).body as { algoname: string }[]
    expect(mine.map(algo => algo.algoname)).toEqual(['mine'])
    const outsider = seedUser(cluster, 'eve')
    expect((await api(cluster, '/v1/users/team/algorithms', { key: outsider })).status).toBe(403)
    expect((await api(cluster, '/v1/users/nobody/algorithms', { key })).status).toBe(404)
  })

  it('pages whole algorithms with the ownerAlgorithmList "paged" variant', async () => {
    const { cluster, key, adminKey } = await adminCluster({ ownerAlgorithmList: 'paged' })
    cluster.addOrg('team', ['alice'])
    for (const name of ['one', 'two', 'three']) cluster.createAlgorithm('team', name)
    cluster.createAlgorithm('alice', 'mine')
    const first = (await api(cluster, '/v1/users/team/algorithms?limit=2', { key })).body as {
      results: { name: string }[]
      marker: string
    }
    const rest = (await api(cluster, `/v1/users/team/algorithms?limit=2&marker=${first.marker}`, { key })).body as {
      results: { name: string }[]
    }
    expect([...first.results, ...rest.results].map(algo => algo.name)).toEqual(['three', 'two', 'one'])
    const mine = (await api(cluster, '/v1/users/alice/algorithms', { key: adminKey })).body as { results: { name: string }[] }
    expect(mine.results).toEqual([expect.objectContaining({ name: 'mine', algoname: 'mine', username: 'alice' })])
  })

  it('answers a missing user or organization with 404, or 409 (the only status the spec lists) with the variant', async () => {
    for (const status of [404, 409] as const) {
      const { cluster, key, adminKey } = await adminCluster(status === 409 ? { missingAccountStatus: 409 } : undefined)
      expect((await api(cluster, '/v1/users/nobody', { key: adminKey })).status).toBe(status)
      expect((await api(cluster, '/v1/organizations/nobody', { key: adminKey })).status).toBe(status)
      expect((await api(cluster, '/v1/users/nobody/algorithms', { key })).status).toBe(status)
      await cluster.stop()
    }
  })

  it('gives admin keys no way into algorithms or git', async () => {
    const { cluster, adminKey } = await adminCluster()
    cluster.createAlgorithm('alice', 'hello')
    expect((await api(cluster, '/v1/algorithms/alice/hello', { key: adminKey })).status).toBe(403)
    const basic = `Basic ${Buffer.from(`root:${adminKey}`).toString('base64')}`
    const git = await api(cluster, '/git/alice/hello.git/info/refs?service=git-upload-pack', { authorization: basic })
    expect([401, 403]).toContain(git.status)
  })
})
