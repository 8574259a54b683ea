// `create-owner`: a first promotion into a cluster where the owner organization
// does not exist yet, through the bundled action.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runAction } from '../../scripts/lib/run-action.js'
import { SOURCE_OWNER, startClusterPair, type ClusterPair } from '../helpers/clusters.js'
import { scanRun } from './security-scan.js'

const DEV_ADMIN_KEY = 'simCANARY/devadmin+k='
const PROD_ADMIN_KEY = 'simCANARY/prodadmin+k='
const FILES = { 'src/main.py': 'def apply(x):\n    return x\n' }

describe('create-owner', () => {
  let pair: ClusterPair
  beforeEach(async () => {
    pair = await startClusterPair()
    pair.dev.addUser('dev_admin')
    pair.dev.addKey('dev_admin', { admin: true, key: DEV_ADMIN_KEY })
    pair.prod.addUser('prod_admin')
    pair.prod.addKey('prod_admin', { admin: true, key: PROD_ADMIN_KEY })
    await pair.seed('hello', FILES)
  })
  afterEach(() => pair.stop())

  // The destination owner is the source's organization name, which prod does not have yet.
  const newOwner = { 'dest-algo-owner': SOURCE_OWNER }

  it('without it, the missing-owner failure names create-owner', async () => {
    const run = await runAction(pair.inputs({ ...newOwner, algorithms: 'hello' }))
    expect(run.exitCode).not.toBe(0)
    const [result] = JSON.parse(run.outputs.results) as { status: string; error: string }[]
    expect(result.status).toBe('failed')
    expect(result.error).toContain('create-owner: true')
  })

  it('takes a 409 for a missing organization (the only status the spec lists) as missing, and creates it', async () => {
    await pair.stop()
    pair = await startClusterPair({ variants: { missingAccountStatus: 409 } })
    pair.dev.addUser('dev_admin')
    pair.dev.addKey('dev_admin', { admin: true, key: DEV_ADMIN_KEY })
    pair.prod.addUser('prod_admin')
    pair.prod.addKey('prod_admin', { admin: true, key: PROD_ADMIN_KEY })
    await pair.seed('hello', FILES)

    const run = await runAction(
      pair.inputs({
        ...newOwner,
        algorithms: 'hello',
        'create-owner': 'true',
        'source-admin-api-key': DEV_ADMIN_KEY,
        'dest-admin-api-key': PROD_ADMIN_KEY
      })
    )

    expect(run.exitCode, run.stdout).toBe(0)
    expect(pair.prod.requests.some(r => r.path === `/v1/organizations/${SOURCE_OWNER}` && r.status === 409)).toBe(true)
    expect(pair.prod.getOrg(SOURCE_OWNER)).toBeDefined()
    expect(await pair.prod.readTree(SOURCE_OWNER, 'hello')).toEqual(await pair.dev.readTree(SOURCE_OWNER, 'hello'))
  })

  it('creates the missing owner organization from the source one, then the first promotion succeeds', async () => {
    const run = await runAction(
      pair.inputs({
        ...newOwner,
        algorithms: 'hello',
        'create-owner': 'true',
        'source-admin-api-key': DEV_ADMIN_KEY,
        'dest-admin-api-key': PROD_ADMIN_KEY
      })
    )
    expect(run.exitCode, run.stdout).toBe(0)
    const [result] = JSON.parse(run.outputs.results) as { status: string }[]
    expect(result.status).toBe('created')
    const sourceOrg = pair.dev.getOrg(SOURCE_OWNER)!
    expect(pair.prod.getOrg(SOURCE_OWNER)).toMatchObject({
      org_label: sourceOrg.org_label,
      org_contact_name: sourceOrg.org_contact_name,
      org_email: sourceOrg.org_email,
      type_name: sourceOrg.type_name,
      // The destination key's owner joins so its key can create algorithms; alice does not exist on prod.
      members: { prod_admin: 'owner', deployer: 'member' }
    })
    expect(await pair.prod.readTree(SOURCE_OWNER, 'hello')).toEqual(await pair.dev.readTree(SOURCE_OWNER, 'hello'))
    const scan = await scanRun(run, [
      { owner: 'dev_admin', key: DEV_ADMIN_KEY },
      { owner: 'prod_admin', key: PROD_ADMIN_KEY }
    ])
    expect(scan.leaks).toEqual([])
    // The admin keys reached admin routes only.
    const adminCalls = [...pair.dev.requests, ...pair.prod.requests].filter(request => request.principal?.endsWith('_admin'))
    expect(adminCalls.length).toBeGreaterThan(0)
    expect(adminCalls.every(request => request.kind === 'api' && /^\/v1\/(users|organizations|organization)\b/.test(request.path))).toBe(
      true
    )

    // A second run finds the owner and leaves it alone.
    pair.prod.clearRequests()
    const again = await runAction(
      pair.inputs({
        ...newOwner,
        algorithms: 'hello',
        'create-owner': 'true',
        'source-admin-api-key': DEV_ADMIN_KEY,
        'dest-admin-api-key': PROD_ADMIN_KEY
      })
    )
    expect(again.exitCode, again.stdout).toBe(0)
    expect(pair.prod.requests.filter(request => request.path.startsWith('/v1/organizations') && request.method !== 'GET')).toEqual([])
  })

  it('refuses create-owner without the admin keys, before any write', async () => {
    const run = await runAction(pair.inputs({ ...newOwner, algorithms: 'hello', 'create-owner': 'true' }))
    expect(run.exitCode).not.toBe(0)
    expect(run.stdout).toContain("Input 'source-admin-api-key'")
    expect(run.stdout).toContain("Input 'dest-admin-api-key'")
    expect(pair.prod.requests.filter(request => request.method !== 'GET')).toEqual([])
  })
})
