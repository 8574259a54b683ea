// Algorithms that call algorithms: a call from inside an algorithm resolves
// against the same cluster, with the same version rules as an HTTP call, so a
// caller whose dependency is missing really fails.
import { describe, expect, it } from 'vitest'
import type { EmulatedCluster } from '../../emulator/index.js'
import { api, seedUser, useFixture } from './helpers.js'

const fixture = useFixture()

const calling = (address: string) =>
  `import Algorithmia\n\ndef apply(input):\n    return Algorithmia.client().algo("${address}").pipe(input).result\n`
const callingModuleClient = (address: string) =>
  `import Algorithmia\n\nclient = Algorithmia.client()\n\ndef apply(input):\n    return client.algo('${address}').pipe(input).result\n`

/** Creates, builds and (unless told otherwise) publishes owner/name with the code of src/<name>.py. */
async function algorithm(cluster: EmulatedCluster, owner: string, name: string, code: string, publish = true): Promise<string> {
  cluster.createAlgorithm(owner, name)
  const sha = await cluster.commit(owner, name, { [`src/${name}.py`]: code }, { replace: false })
  await cluster.waitForBuild(owner, name, sha)
  if (publish) await cluster.publish(owner, name, 'minor')
  return sha
}

async function setUp() {
  const cluster = await fixture.start()
  const key = seedUser(cluster, 'alice')
  const call = async (path: string, input: unknown = 'x') =>
    (await api(cluster, `/v1/algo/${path}`, { method: 'POST', key, body: input })).body
  return { cluster, key, call }
}

describe('algorithms calling algorithms', () => {
  it('A calls B 0.*, B calls C 0.1.0: A answers what C answers', async () => {
    const { cluster, call } = await setUp()
    await algorithm(cluster, 'alice', 'C', 'def apply(input):\n    return "C got " + input\n')
    await algorithm(cluster, 'alice', 'B', callingModuleClient('alice/C/0.1.0'))
    await algorithm(cluster, 'alice', 'A', calling('algo://alice/B/0.*'))
    expect(await call('alice/A/0.1.0', 'hi')).toMatchObject({ result: 'C got hi', metadata: { content_type: 'text' } })
  })

  it('fails the caller, naming the missing algorithm, when C is not there; every caller up the chain fails the same', async () => {
    const { cluster, call } = await setUp()
    await algorithm(cluster, 'alice', 'B', calling('alice/C/0.2.0'))
    await algorithm(cluster, 'alice', 'A', calling('alice/B/0.1.*'))
    const failed = { error: { message: 'AlgorithmException: algo://alice/C not found', stacktrace: expect.any(String) } }
    expect(await call('alice/B/0.1.0')).toMatchObject(failed)
    expect(await call('alice/A/0.1.0')).toMatchObject(failed)
  })

  it('fails the caller when the pinned version is not published, naming the algorithm and the version', async () => {
    const { cluster, call } = await setUp()
    await algorithm(cluster, 'alice', 'C', 'def apply(input):\n    return input\n')
    await algorithm(cluster, 'alice', 'A', calling('alice/C/0.2.0'))
    expect(await call('alice/A/0.1.0')).toMatchObject({ error: { message: 'AlgorithmException: algo://alice/C/0.2.0 not found' } })
    await cluster.commit('alice', 'C', { 'b.txt': '2' }, { replace: false }).then(sha => cluster.waitForBuild('alice', 'C', sha))
    await cluster.publish('alice', 'C', 'minor')
    expect(await call('alice/A/0.1.0', 'ok')).toMatchObject({ result: 'ok' })
  })

  it("calls as the caller's owner: another owner's private version, or its build by hash, is refused, the owner's own is not", async () => {
    const { cluster, call } = await setUp()
    seedUser(cluster, 'bob')
    cluster.createAlgorithm('bob', 'Secret')
    const sha = await cluster.commit('bob', 'Secret', { 'src/Secret.py': 'def apply(input):\n    return input\n' }, { replace: false })
    await cluster.waitForBuild('bob', 'Secret', sha)
    await cluster.publish('bob', 'Secret', 'minor', undefined, { algorithm_callability: 'private' })
    await algorithm(cluster, 'alice', 'A', calling('bob/Secret/0.1.0'))
    await algorithm(cluster, 'alice', 'ByHash', calling(`bob/Secret/${sha}`))
    const refused = { error: { message: 'AlgorithmException: Caller is not authorized to perform the operation' } }
    expect(await call('alice/A/0.1.0')).toMatchObject(refused)
    expect(await call('alice/ByHash/0.1.0')).toMatchObject(refused)
    await algorithm(cluster, 'bob', 'Own', calling('bob/Secret/latestPrivate'))
    expect(await call('bob/Own/0.1.0', 'mine')).toMatchObject({ result: 'mine' })
  })

  it('stops algorithms that call each other round at the depth bound, with an error instead of a hang', async () => {
    const { cluster, call } = await setUp()
    await algorithm(cluster, 'alice', 'Ping', calling('alice/Pong'), false)
    await algorithm(cluster, 'alice', 'Pong', calling('alice/Ping/latestPrivate'))
    await cluster.publish('alice', 'Ping', 'minor')
    expect(await call('alice/Ping/0.1.0')).toMatchObject({
      error: {
        message: expect.stringMatching(
          /^AlgorithmException: algo:\/\/alice\/(Ping\/latestPrivate|Pong): algorithm calls nested more than 10 deep$/
        )
      }
    })
  })

  it('fails with a NameError when apply uses a client the module never made', async () => {
    const { cluster, call } = await setUp()
    await algorithm(cluster, 'alice', 'A', "def apply(input):\n    return client.algo('alice/B').pipe(input).result\n")
    expect(await call('alice/A/0.1.0')).toMatchObject({ error: { message: "NameError: name 'client' is not defined" } })
  })
})
