/**
 * Reading a repository's refs with one HTTP request instead of a git process:
 * what git http-backend really sends (through the emulator) must read the same
 * as `git ls-remote` prints it, and anything unusual must give way to git.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startCluster, type EmulatedCluster } from '../../emulator/index.js'
import { gitEnvironment } from '../../src/git/git-auth.js'
import { parseRefAdvertisement, readRefAdvertisement } from '../../src/git/ref-advertisement.js'
import { gitHasOwnNetworkSettings } from '../../src/git/runner-config.js'
import { headFromRefs, parseHeadListing } from '../../src/git/remote-head.js'
import { algorithmRepository } from '../../src/git/remote.js'
import type { ClusterAccount } from '../../src/core/config.js'
import { windowsEssentials } from '../helpers/platform.js'

const pkt = (payload: string): string => (payload.length + 5).toString(16).padStart(4, '0') + payload + '\n'
const SHA = 'de673b111c4ce1a41fe3296fdcf2c03f6e63e3ce'
const OTHER = '0123456789abcdef0123456789abcdef01234567'

describe('parseRefAdvertisement', () => {
  it('reads refs, HEAD, its branch and the capabilities, leaving out peeled tags', () => {
    const body =
      pkt('# service=git-upload-pack') +
      '0000' +
      pkt(`${SHA} HEAD\0multi_ack thin-pack filter symref=HEAD:refs/heads/main agent=git/2.39.5`) +
      pkt(`${SHA} refs/heads/main`) +
      pkt(`${OTHER} refs/tags/v1`) +
      pkt(`${SHA} refs/tags/v1^{}`) +
      '0000'
    const listed = parseRefAdvertisement(body)
    expect(listed?.refs).toEqual(
      new Map([
        ['HEAD', SHA],
        ['refs/heads/main', SHA],
        ['refs/tags/v1', OTHER]
      ])
    )
    expect(listed?.symrefs.get('HEAD')).toBe('refs/heads/main')
    expect(listed?.capabilities).toContain('filter')
  })

  it('reads an empty repository as no refs', () => {
    const body = pkt('# service=git-upload-pack') + '0000' + pkt(`${'0'.repeat(40)} capabilities^{}\0multi_ack agent=git/2`) + '0000'
    expect(parseRefAdvertisement(body)?.refs.size).toBe(0)
  })

  it('gives up on anything that is not a v0 advertisement', () => {
    const v0 = pkt('# service=git-upload-pack') + '0000' + pkt(`${SHA} HEAD\0agent=git/2`) + '0000'
    expect(parseRefAdvertisement(v0)).toBeDefined()
    expect(parseRefAdvertisement('')).toBeUndefined()
    expect(parseRefAdvertisement(pkt('# service=git-upload-pack') + '0000' + pkt('version 2') + '0000')).toBeUndefined()
    expect(parseRefAdvertisement(v0.slice(0, -4))).toBeUndefined()
    expect(parseRefAdvertisement(v0.replace('0000', 'zzzz'))).toBeUndefined()
    expect(parseRefAdvertisement('<html>login</html>')).toBeUndefined()
  })
})

describe('gitHasOwnNetworkSettings', () => {
  it('leaves listing to git when git would reach the server its own way', () => {
    expect(gitHasOwnNetworkSettings({}, [])).toBe(false)
    expect(gitHasOwnNetworkSettings({ GIT_SSL_CAINFO: '/etc/ca.pem' }, [])).toBe(true)
    expect(gitHasOwnNetworkSettings({ GIT_SSL_NO_VERIFY: '1' }, [])).toBe(true)
    expect(gitHasOwnNetworkSettings({}, [['http.proxy', 'http://proxy:3128']])).toBe(true)
    expect(gitHasOwnNetworkSettings({ NODE_TLS_REJECT_UNAUTHORIZED: '0' }, [])).toBe(true)
    expect(gitHasOwnNetworkSettings({ npm_config_https_proxy: 'http://proxy:3128' }, [])).toBe(true)
  })
})

describe('readRefAdvertisement against git http-backend', () => {
  let cluster: EmulatedCluster
  let account: ClusterAccount
  let redirecting: Server

  beforeAll(async () => {
    cluster = await startCluster({ name: 'dev', buildDelayMs: 10 })
    cluster.addUser('alice')
    const key = cluster.addKey('alice')
    cluster.createAlgorithm('alice', 'hello', { details: { label: 'hello' } })
    await cluster.commit('alice', 'hello', { 'a.txt': 'a' }, { message: 'a' })
    account = {
      cluster: { label: 'dev', apiUrl: cluster.url, gitUrl: cluster.url },
      keyOwner: 'alice',
      apiKey: key,
      algoOwner: 'alice'
    } as unknown as ClusterAccount
    redirecting = createServer((_req, res) => res.writeHead(301, { Location: 'http://127.0.0.1:9/elsewhere' }).end())
    await new Promise<void>(resolve => redirecting.listen(0, '127.0.0.1', resolve))
  })

  afterAll(async () => {
    await cluster.stop()
    await new Promise(resolve => redirecting.close(resolve))
  })

  it('lists what git ls-remote lists, with HEAD and its branch', async () => {
    const remote = algorithmRepository(account, 'alice', 'hello')
    const listed = await readRefAdvertisement(remote, 10_000)
    // Asynchronously: the emulator answering git runs in this process.
    const git = await promisify(execFile)('git', ['-c', 'protocol.version=0', 'ls-remote', '--symref', remote.url], {
      env: { ...windowsEssentials(), PATH: process.env.PATH, HOME: process.env.HOME, ...gitEnvironment(remote.credential) }
    })
    const fromGit = new Map(
      git.stdout
        .trim()
        .split('\n')
        .filter(line => !line.startsWith('ref: '))
        .map(line => line.split('\t').reverse() as [string, string])
    )
    expect(listed?.refs).toEqual(fromGit)
    expect(listed?.symrefs.get('HEAD')).toBe(/^ref: (\S+)\tHEAD$/m.exec(git.stdout)?.[1])
    expect(listed?.refs.get('HEAD')).toBe(await cluster.headCommit('alice', 'hello'))
  })

  it('leaves a wrong key, a missing repository and a redirect to git', async () => {
    const remote = algorithmRepository(account, 'alice', 'hello')
    expect(await readRefAdvertisement({ ...remote, credential: { ...remote.credential, apiKey: 'wrong' } }, 10_000)).toBeUndefined()
    expect(await readRefAdvertisement(algorithmRepository(account, 'alice', 'missing'), 10_000)).toBeUndefined()
    const port = (redirecting.address() as AddressInfo).port
    expect(await readRefAdvertisement({ ...remote, url: `http://127.0.0.1:${port}/git/alice/hello.git` }, 10_000)).toBeUndefined()
  })
})

describe('headFromRefs', () => {
  const refs = (entries: Record<string, string>): Map<string, string> => new Map(Object.entries(entries))

  it("reads master's head whatever HEAD names, and says where HEAD points when it is not master", () => {
    expect(headFromRefs(refs({ HEAD: SHA, 'refs/heads/master': SHA }), 'refs/heads/master')).toEqual({
      commit: SHA,
      headElsewhere: undefined,
      branches: ['refs/heads/master'],
      recorded: undefined
    })
    expect(headFromRefs(refs({ HEAD: SHA, 'refs/heads/main': SHA, 'refs/heads/master': OTHER }), 'refs/heads/main')).toMatchObject({
      commit: OTHER,
      headElsewhere: { branch: 'refs/heads/main' }
    })
    // HEAD naming a branch without commits: master is still where the code goes.
    expect(headFromRefs(refs({ 'refs/heads/master': OTHER }), 'refs/heads/trunk')).toMatchObject({
      commit: OTHER,
      headElsewhere: { branch: 'refs/heads/trunk' }
    })
  })

  it("guesses as git clone does when the server does not say where HEAD points: the branch at HEAD's commit, master first", () => {
    const both = refs({ HEAD: SHA, 'refs/heads/feature': SHA, 'refs/heads/master': SHA })
    expect(headFromRefs(both, undefined)).toMatchObject({ commit: SHA, headElsewhere: undefined })
    expect(headFromRefs(refs({ HEAD: SHA, 'refs/heads/feature': SHA, 'refs/heads/master': OTHER }), undefined)).toMatchObject({
      commit: OTHER,
      headElsewhere: { branch: 'refs/heads/feature' }
    })
  })

  it('calls HEAD detached only at a commit no branch has, and still reads master', () => {
    expect(headFromRefs(refs({ HEAD: SHA, 'refs/heads/master': OTHER }), undefined)).toMatchObject({
      commit: OTHER,
      headElsewhere: { detachedAt: SHA }
    })
  })

  it('has no commit without master: an empty repository has no branches either, one with code elsewhere lists them', () => {
    expect(headFromRefs(refs({}), 'refs/heads/master')).toEqual({
      commit: undefined,
      headElsewhere: undefined,
      branches: [],
      recorded: undefined
    })
    expect(headFromRefs(refs({ HEAD: SHA, 'refs/heads/trunk': SHA, 'refs/tags/v1': OTHER }), 'refs/heads/trunk')).toEqual({
      commit: undefined,
      headElsewhere: { branch: 'refs/heads/trunk' },
      branches: ['refs/heads/trunk'],
      recorded: undefined
    })
    expect(headFromRefs(refs({ 'refs/heads/trunk': SHA }), 'refs/heads/master')).toMatchObject({
      commit: undefined,
      headElsewhere: undefined
    })
  })

  it('reads the same from git ls-remote --symref output (the fallback when refs are not read over HTTP)', () => {
    const listing = [`ref: refs/heads/main\tHEAD`, `${SHA}\tHEAD`, `${SHA}\trefs/heads/main`, `${OTHER}\trefs/heads/master`, ''].join('\n')
    expect(parseHeadListing(listing)).toEqual({
      commit: OTHER,
      headElsewhere: { branch: 'refs/heads/main' },
      branches: ['refs/heads/main', 'refs/heads/master'],
      recorded: undefined
    })
  })

  it('finds the record ref', () => {
    const record = 'refs/algorithmia-promote/source/' + OTHER
    expect(headFromRefs(refs({ HEAD: SHA, 'refs/heads/master': SHA, [record]: SHA }), 'refs/heads/master', record).recorded).toBe(SHA)
  })
})
