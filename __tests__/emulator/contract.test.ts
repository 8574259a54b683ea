// The contract check (emulator/contract.ts) against Algorithmia's official spec,
// read from beside the checkout and never copied into it: what it reports, the
// one list of exceptions it applies, and the README table generated from the spec.
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { ContractCheck, SPEC_RELATIVE_PATH } from '../../emulator/index.js'
import { replaceSection } from '../../scripts/lib/action-metadata.js'
import { emulatedOperations, operationsTable } from '../../scripts/lib/emulated-operations.js'
import { api, seedUser, useFixture } from './helpers.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const SPEC = `${ROOT}/${SPEC_RELATIVE_PATH}`
const hasSpec = existsSync(SPEC)
if (!hasSpec) console.warn(`[contract] ${SPEC_RELATIVE_PATH} is not beside this checkout: the contract tests are skipped`)

const fixture = useFixture()

describe.skipIf(!hasSpec)('contract check against the official spec', () => {
  let check: ContractCheck
  beforeAll(async () => {
    check = await ContractCheck.load(SPEC)
  })

  const exchange = { method: 'GET', path: '/v1/users/team/algorithms', query: {}, status: 200 }

  it('names the operation and the field an answer gets wrong', () => {
    expect(check.check({ ...exchange, responseBody: [{ id: 'x', algoname: 'hello', username: 'team' }] })).toEqual([])
    const [violation] = check.check({ ...exchange, responseBody: { results: [] } })
    expect(violation).toMatch(/^listAlgorithmsForUser \(GET \/v1\/users\/team\/algorithms → 200\): response \/ must be array/)
  })

  it('reports a status the operation does not list, a request the spec refuses, and a route the spec lacks', () => {
    const compile = {
      method: 'POST',
      path: '/v1/algorithms/alice/hello/compile',
      query: {},
      requestBody: {},
      requestContentType: 'application/json'
    }
    expect(check.check({ ...compile, status: 201 })).toEqual([
      expect.stringMatching(/^compileAlgorithm .*status 201 is not one the spec lists/)
    ])
    const publish = {
      method: 'POST',
      path: '/v1/algorithms/alice/hello/versions',
      query: {},
      requestContentType: 'application/json',
      status: 200
    }
    expect(check.check({ ...publish, requestBody: { version_info: { version_type: 'patch' } } })).toEqual([
      expect.stringMatching(
        /^publishAlgorithm .*request \/requestBody\/version_info\/version_type must be equal to one of the allowed values/
      )
    ])
    // getAlgorithm lists no 403, which every route answers to a key without access (a listed exception), but its body is still checked.
    const forbidden = { method: 'GET', path: '/v1/algorithms/alice/hello', query: {}, status: 403 }
    expect(check.check({ ...forbidden, responseBody: { error: { code: 2001, message: 'no' } } })).toEqual([])
    expect(check.check({ ...forbidden, responseBody: { error: 'no' } })).toEqual([
      expect.stringMatching(/^getAlgorithm .*response \/error must be object/)
    ])
    expect(check.check({ method: 'GET', path: '/v1/nothing', query: {}, status: 404 })).toEqual([
      'GET /v1/nothing: no operation of the spec has this method and path'
    ])
  })

  it("applies the listed exceptions only where the spec is wrong: org_contact_name's pattern against its own example", () => {
    const org = { org_name: 'team', org_label: 'Team', org_contact_name: 'Jane Doe', org_email: 'j@example.com', type_id: 'x' }
    const answer = { method: 'GET', path: '/v1/organizations/team', query: {}, status: 200 }
    expect(check.check({ ...answer, responseBody: { ...org, resource_type: 'organization' } })).toEqual([])
    expect(check.check({ ...answer, responseBody: { ...org, org_email: 42 } })).toEqual([
      expect.stringMatching(/^getOrganization .*org_email must be string/)
    ])
  })

  it("finds nothing to report in a cluster's own answers to a session of the official client's calls", async () => {
    const cluster = await fixture.start({ contract: check })
    const key = seedUser(cluster, 'alice')
    cluster.createAlgorithm('alice', 'hello')
    await cluster.waitForBuild('alice', 'hello', await cluster.commit('alice', 'hello', { 'a.txt': '1' }, { replace: false }))
    await api(cluster, '/v1/algorithms/alice/hello', { key })
    await api(cluster, '/v1/algorithms/alice/hello/compile', { method: 'POST', key, body: {} })
    await api(cluster, '/v1/algorithms/alice/hello/versions', { method: 'POST', key, body: { version_info: { version_type: 'minor' } } })
    await api(cluster, '/v1/algorithms/alice/hello/versions?limit=1', { key })
    await api(cluster, '/v1/algo/alice/hello/0.1.0', { method: 'POST', key, body: 'Jane' })
    await api(cluster, '/v1/users/alice/algorithms', { key })
    await cluster.stop()
    expect(cluster.contractViolations).toEqual([])
  })

  it("keeps emulator/README.md's table of served operations generated from the spec (npm run emulator:operations)", async () => {
    const readme = await readFile(`${ROOT}/emulator/README.md`, 'utf8')
    const generated = replaceSection(readme, 'emulated-operations', operationsTable(await emulatedOperations(SPEC)))
    expect(readme).toBe(generated)
  })
})
