// `mode: accounts`: users, organizations and memberships copied between two
// emulated clusters with admin keys, through the bundled action.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startCluster, type EmulatedCluster } from '../../emulator/index.js'
import { runAction } from '../../scripts/lib/run-action.js'
import { scanRun } from './security-scan.js'
import { DEV_ADMIN_KEY, PROD_ADMIN_KEY, accountsInputs } from '../helpers/inputs.js'

interface AccountsOutput {
  users: { username: string; status: string; error?: string; differences: unknown[] }[]
  organizations: {
    name: string
    type: string
    status: string
    members: { username: string; sourceRole: string; destinationRole: string; status: string }[]
    extraMembers: string[]
  }[]
  mustSignIn: string[]
  keysToReissue: string[]
  failed: number
}

describe('mode: accounts', () => {
  let dev: EmulatedCluster
  let prod: EmulatedCluster
  beforeEach(async () => {
    dev = await startCluster({ name: 'dev' })
    prod = await startCluster({ name: 'prod' })
    dev.addUser('dev_admin')
    dev.addKey('dev_admin', { admin: true, key: DEV_ADMIN_KEY })
    prod.addUser('prod_admin')
    prod.addKey('prod_admin', { admin: true, key: PROD_ADMIN_KEY })
    // alice and bob exist on both clusters; carol only on the source.
    for (const cluster of [dev, prod]) {
      cluster.addUser('alice', { email: 'alice@example.com', fullname: 'Alice A' })
      cluster.addUser('bob', { email: 'bob@example.com', fullname: 'Bob B' })
    }
    dev.addUser('carol', { email: 'carol@example.com', fullname: 'Carol C', company_name: 'Acme', company_role: 'Data scientist' })
    dev.addOrg('vision', ['alice', 'bob', 'carol'], {
      label: 'Vision team',
      contact_name: 'Alice A',
      email: 'vision@example.com',
      url: 'https://vision.example.com',
      type: 'enterprise',
      owners: ['alice']
    })
    // A standard key must not be needed, and is not given.
    dev.addKey('alice')
  })
  afterEach(() => Promise.all([dev.stop(), prod.stop()]))

  const inputs = (overrides: Record<string, string> = {}) => accountsInputs(dev.url, prod.url, overrides)

  const keys = [
    { owner: 'dev_admin', key: DEV_ADMIN_KEY },
    { owner: 'prod_admin', key: PROD_ADMIN_KEY }
  ]

  it('copies an organization with its type and three members, one of them a new user, and leaves no key behind', async () => {
    const run = await runAction(inputs({ accounts: 'vision' }))
    expect(run.exitCode, run.stdout).toBe(0)
    const report = JSON.parse(run.outputs.accounts) as AccountsOutput
    expect(report.users.map(user => [user.username, user.status])).toEqual([
      ['alice', 'exists'],
      ['bob', 'exists'],
      ['carol', 'created']
    ])
    expect(report.organizations).toEqual([
      expect.objectContaining({
        name: 'vision',
        type: 'enterprise',
        status: 'created',
        members: [
          { username: 'alice', sourceRole: 'owner', destinationRole: 'member', status: 'added' },
          { username: 'bob', sourceRole: 'member', destinationRole: 'member', status: 'added' },
          { username: 'carol', sourceRole: 'member', destinationRole: 'member', status: 'added' }
        ]
      })
    ])
    expect(prod.getOrg('vision')).toEqual({
      org_name: 'vision',
      org_label: 'Vision team',
      org_contact_name: 'Alice A',
      org_email: 'vision@example.com',
      org_url: 'https://vision.example.com',
      type_name: 'enterprise',
      members: { prod_admin: 'owner', alice: 'member', bob: 'member', carol: 'member' }
    })
    expect(prod.getUser('carol')).toEqual({
      username: 'carol',
      email: 'carol@example.com',
      fullname: 'Carol C',
      company_name: 'Acme',
      company_role: 'Data scientist'
    })
    expect(report.mustSignIn).toEqual(['carol'])
    expect(report.keysToReissue).toEqual(['carol', 'vision'])
    expect(run.summary).toContain('password reset or single sign-on')
    expect(run.summary).toContain('Roles to grant by hand')
    expect(run.summary).toContain('alice (owner of vision)')
    // Neither key, in any form, nor any password field anywhere.
    const scan = await scanRun(run, keys)
    expect(scan.leaks).toEqual([])
    for (const text of [run.stdout, run.stderr, run.summary, JSON.stringify(run.outputs)])
      expect(text).not.toMatch(/password"|"password|api_key|key_value/i)
    expect(dev.requests.filter(request => request.method !== 'GET')).toEqual([])
    expect(dev.requests.every(request => !request.path.includes('/keys') && !request.path.startsWith('/v1/algorithms'))).toBe(true)
  })

  it('has nothing to do on a second run: nothing written, every account reported as it is', async () => {
    expect((await runAction(inputs({ accounts: 'vision' }))).exitCode).toBe(0)
    prod.clearRequests()
    const again = await runAction(inputs({ accounts: 'vision' }))
    expect(again.exitCode, again.stdout).toBe(0)
    expect(prod.requests.filter(request => request.method !== 'GET')).toEqual([])
    const report = JSON.parse(again.outputs.accounts) as AccountsOutput
    expect(report.users.every(user => user.status === 'exists')).toBe(true)
    expect(report.organizations[0]).toMatchObject({ status: 'exists', extraMembers: ['prod_admin'] })
    expect(report.organizations[0].members.map(member => member.status)).toEqual(['already-member', 'already-member', 'already-member'])
    expect(report.mustSignIn).toEqual([])
    expect(again.outputs.changed).toBe('false')
  })

  it('reports a taken email as that account’s failure, names the holder, and still copies the others', async () => {
    dev.addUser('dave', { email: 'dave@example.com' })
    dev.addUser('erin', { email: 'erin@example.com' })
    prod.addUser('david', { email: 'dave@example.com' })
    const run = await runAction(inputs({ accounts: 'dave, erin, vision' }))
    expect(run.exitCode).not.toBe(0)
    const report = JSON.parse(run.outputs.accounts) as AccountsOutput
    const dave = report.users.find(user => user.username === 'dave')!
    expect(dave.status).toBe('failed')
    expect(dave.error).toContain("the email dave@example.com already belongs to the user 'david'")
    expect(report.users.find(user => user.username === 'erin')?.status).toBe('created')
    expect(report.organizations[0].status).toBe('created')
    expect(prod.getUser('dave')).toBeUndefined()
    expect(prod.getUser('david')).toMatchObject({ email: 'dave@example.com' })
    expect(run.stdout).toContain('::error title=user dave not copied')
    expect(report.failed).toBe(1)
  })

  it('reports differences of existing accounts without changing them', async () => {
    prod.addUser('carol', { email: 'carol@example.com', fullname: 'Carol Changed' })
    const run = await runAction(inputs({ accounts: 'carol' }))
    expect(run.exitCode, run.stdout).toBe(0)
    const report = JSON.parse(run.outputs.accounts) as AccountsOutput
    expect(report.users[0]).toMatchObject({
      status: 'exists',
      differences: expect.arrayContaining([{ field: 'fullname', source: 'Carol C', destination: 'Carol Changed' }])
    })
    expect(prod.getUser('carol')?.fullname).toBe('Carol Changed')
  })

  it("with '*' and dry-run, lists what would be created and creates nothing", async () => {
    prod.clearRequests()
    const run = await runAction(inputs({ accounts: '*', 'dry-run': 'true' }))
    expect(run.exitCode, run.stdout).toBe(0)
    const report = JSON.parse(run.outputs.accounts) as AccountsOutput
    expect(report.users.filter(user => user.status === 'would-create').map(user => user.username)).toEqual(['carol', 'dev_admin'])
    expect(report.organizations.map(org => [org.name, org.status])).toEqual([['vision', 'would-create']])
    expect(prod.requests.filter(request => request.method !== 'GET')).toEqual([])
    expect(run.summary).toContain('Algorithmia accounts plan (dry run)')
  })

  it('matches organization types by name and fails the organization when the destination lacks the type', async () => {
    dev.addOrgType('research')
    dev.addOrg('lab', ['alice'], { type: 'research' })
    const run = await runAction(inputs({ accounts: 'lab' }))
    expect(run.exitCode).not.toBe(0)
    const report = JSON.parse(run.outputs.accounts) as AccountsOutput
    expect(report.organizations[0]).toMatchObject({ name: 'lab', status: 'failed' })
    expect(run.stdout).toContain("has no organization type named 'research'")
    expect(prod.getOrg('lab')).toBeUndefined()
  })

  it('refuses an unknown account name before any write', async () => {
    prod.clearRequests()
    const run = await runAction(inputs({ accounts: 'vision, nobody' }))
    expect(run.exitCode).not.toBe(0)
    expect(run.stdout).toContain("'nobody' is neither a user nor an organization")
    expect(prod.requests.filter(request => request.method !== 'GET')).toEqual([])
  })

  it('needs both admin keys, and never echoes one given in the wrong input', async () => {
    const run = await runAction(inputs({ accounts: 'vision', 'dest-admin-api-key': '', 'dest-cluster': DEV_ADMIN_KEY }))
    expect(run.exitCode).not.toBe(0)
    expect(run.stdout).toContain("Input 'dest-admin-api-key'")
    expect((await scanRun(run, keys)).leaks).toEqual([])
  })
})
