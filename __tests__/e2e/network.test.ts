/**
 * The bundled action where self-hosted runners run it: behind a forward proxy
 * (a real proxy server on loopback, whose own log shows what went through it),
 * with the proxy set in the runner's git configuration, and against clusters
 * whose TLS certificate comes from a private CA (made with openssl per run).
 *
 * Clusters listen on 127.0.0.2 and 127.0.0.3: loopback, yet neither
 * "localhost" nor 127.0.0.1, so NO_PROXY decides for each as it would for a
 * real host.
 */
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { RequestRecord } from '../../emulator/index.js'
import { runAction, type ActionRun } from '../../scripts/lib/run-action.js'
import { DEST_OWNER, startClusterPair, type ClusterPair } from '../helpers/clusters.js'
import { startGitHubStandIn } from '../helpers/github-standin.js'
import { HAS_OPENSSL, freePort, makeCertificateAuthority, startForwardProxy, type ForwardProxy } from '../helpers/network.js'
import type { PublicResult } from '../../src/report/public-result.js'

const FILES = { 'src/hello.py': 'def apply(x):\n    return x\n', 'requirements.txt': '' }

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map(cleanup => cleanup()))
})

async function pairOf(options: Parameters<typeof startClusterPair>[0]): Promise<ClusterPair> {
  const pair = await startClusterPair(options)
  cleanups.push(() => pair.stop())
  return pair
}

async function proxy(options: Parameters<typeof startForwardProxy>[0] = {}): Promise<ForwardProxy> {
  const started = await startForwardProxy(options)
  cleanups.push(() => started.stop())
  return started
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'network-test-'))
  cleanups.push(() => rm(dir, { recursive: true, force: true }))
  return dir
}

async function promote(pair: ClusterPair, env: Record<string, string>, inputs: Record<string, string> = {}): Promise<ActionRun> {
  const run = await runAction(pair.inputs({ algorithms: 'hello', ...inputs }), env)
  cleanups.push(() => rm(path.dirname(run.runnerTemp), { recursive: true, force: true }))
  return run
}

function results(run: ActionRun): PublicResult[] {
  return JSON.parse(run.outputs.results ?? '[]') as PublicResult[]
}

/** How a request to `cluster` looks in the proxy's log: the absolute URL a proxy is sent. */
function asProxied(cluster: ClusterPair['dev'], request: RequestRecord): string {
  const query = new URLSearchParams(request.query).toString()
  return `${request.method} ${cluster.url}${request.path}${query ? `?${query}` : ''} HTTP/1.1`
}

describe('through a forward proxy', () => {
  it('sends the API and git of a cluster outside NO_PROXY through HTTPS_PROXY/HTTP_PROXY, and a NO_PROXY cluster direct', async () => {
    const forward = await proxy()
    const pair = await pairOf({ devHost: '127.0.0.2', prodHost: '127.0.0.3' })
    await pair.seed('hello', FILES)

    const run = await promote(pair, { HTTPS_PROXY: forward.url, HTTP_PROXY: forward.url, NO_PROXY: 'localhost,127.0.0.1,127.0.0.3' })

    expect(run.exitCode, run.stdout).toBe(0)
    expect(results(run)[0]).toMatchObject({ status: 'created' })
    const logged = await forward.requests()
    console.log(`proxy log, first lines:\n  ${logged.slice(0, 6).join('\n  ')}`)
    // Every request the source cluster got came through the proxy: API calls and git alike.
    const devRequests = pair.dev.requests.map(request => asProxied(pair.dev, request))
    expect(devRequests.some(line => line.includes('/v1/algorithms/'))).toBe(true)
    expect(devRequests.some(line => line.includes('/git/') && line.includes('git-upload-pack'))).toBe(true)
    for (const line of devRequests) expect(logged).toContain(line)
    // The destination is in NO_PROXY: it was reached, directly.
    expect(pair.prod.requests.some(request => request.kind === 'git' && request.gitService === 'receive-pack')).toBe(true)
    expect(logged.filter(line => line.includes('127.0.0.3'))).toEqual([])
  })

  it('reads the lower-case variables too (http_proxy, no_proxy), as curl and git do', async () => {
    const forward = await proxy()
    const pair = await pairOf({ devHost: '127.0.0.2', prodHost: '127.0.0.3' })
    await pair.seed('hello', FILES)

    const run = await promote(pair, { http_proxy: forward.url, no_proxy: 'localhost,127.0.0.2' })

    expect(run.exitCode, run.stdout).toBe(0)
    const logged = await forward.requests()
    // This time the source is exempt and the destination is proxied: its API calls and its push.
    expect(logged.filter(line => line.includes('127.0.0.2'))).toEqual([])
    for (const line of pair.prod.requests.map(request => asProxied(pair.prod, request))) expect(logged).toContain(line)
    expect(logged.some(line => /^POST http:\/\/127\.0\.0\.3:\d+\/git\/.*git-receive-pack HTTP/.test(line))).toBe(true)
  })

  it('sends the GitHub API (deployments) through the proxy too: Octokit uses the same transport', async () => {
    const forward = await proxy()
    const github = await startGitHubStandIn({ host: '127.0.0.4' })
    cleanups.push(() => github.stop())
    const pair = await pairOf({ devHost: '127.0.0.2', prodHost: '127.0.0.3' })
    await pair.seed('hello', FILES)
    const env = {
      HTTP_PROXY: forward.url,
      NO_PROXY: 'localhost,127.0.0.1,127.0.0.2,127.0.0.3',
      GITHUB_API_URL: github.url,
      GITHUB_REPOSITORY: github.repository,
      GITHUB_SHA: 'a'.repeat(40),
      GITHUB_RUN_ID: '987654',
      GITHUB_SERVER_URL: 'https://github.example',
      GITHUB_EVENT_NAME: 'push'
    }

    const run = await promote(pair, env, { 'github-token': 'ghs_networkTestToken' })

    expect(run.exitCode, run.stdout).toBe(0)
    const logged = await forward.requests()
    expect(logged).toContain(`POST ${github.url}/repos/${github.repository}/deployments HTTP/1.1`)
    expect(logged.filter(line => !line.includes('127.0.0.4'))).toEqual([])
  })

  it('gives the credentials in the proxy URL to a proxy that requires them, for the API and for git', async () => {
    const forward = await proxy({ credentials: 'runner:proxy-Secret-42' })
    const pair = await pairOf({ devHost: '127.0.0.2', prodHost: '127.0.0.3' })
    await pair.seed('hello', FILES)
    const withCredentials = forward.url.replace('http://', 'http://runner:proxy-Secret-42@')

    const run = await promote(pair, { HTTP_PROXY: withCredentials, NO_PROXY: 'localhost,127.0.0.3' })

    expect(run.exitCode, run.stdout).toBe(0)
    expect(results(run)[0]).toMatchObject({ status: 'created' })
    const logged = await forward.requests()
    for (const line of pair.dev.requests.map(request => asProxied(pair.dev, request))) expect(logged).toContain(line)
    expect(logged.some(line => /^POST http:\/\/127\.0\.0\.2:\d+\/git\/.*git-upload-pack HTTP/.test(line))).toBe(true)
    expect(run.stdout).not.toContain('proxy-Secret-42')
  })

  it('is a proxy that refuses requests without its credentials', async () => {
    const forward = await proxy({ credentials: 'runner:proxy-Secret-42' })
    const pair = await pairOf({ devHost: '127.0.0.2', prodHost: '127.0.0.3' })
    await pair.seed('hello', FILES)

    const run = await promote(pair, { HTTP_PROXY: forward.url, NO_PROXY: 'localhost,127.0.0.3' }, { 'max-attempts': '1' })

    expect(run.exitCode).toBe(1)
    expect(pair.dev.requests).toEqual([])
    expect((await forward.requests()).length).toBeGreaterThan(0)
  })

  it('says it is the proxy when the proxy cannot be reached, not that the cluster is down', async () => {
    const deadProxy = `http://127.0.0.1:${await freePort()}`
    const pair = await pairOf({ devHost: '127.0.0.2', prodHost: '127.0.0.3' })
    await pair.seed('hello', FILES)

    const run = await promote(pair, { HTTP_PROXY: deadProxy }, { 'max-attempts': '2' })

    expect(run.exitCode).toBe(1)
    const error = results(run)[0].error ?? ''
    expect(error).toContain(`the proxy ${deadProxy} (from HTTP_PROXY) failed to carry the request to 127.0.0.2`)
    expect(error).toContain('NO_PROXY')
    expect(error).not.toContain('that the cluster is up')
    expect(pair.dev.requests, 'nothing reached the cluster').toEqual([])
  })

  it("keeps the runner's git proxy (http.proxy in the global config) but not its credential helper or URL rewrites", async () => {
    const forward = await proxy()
    const pair = await pairOf({ devHost: '127.0.0.2', prodHost: '127.0.0.3' })
    await pair.seed('hello', FILES)
    const home = await tempDir()
    await writeFile(
      path.join(home, '.gitconfig'),
      [
        '[http]',
        `\tproxy = ${forward.url}`,
        '[credential]',
        '\thelper = store',
        // Would send every clone of the source to a port where nothing listens.
        `[url "http://127.0.0.9:1/"]`,
        `\tinsteadOf = ${pair.dev.url}/`,
        '[http]',
        '\textraHeader = X-Leak: from-the-runner-config'
      ].join('\n') + '\n'
    )

    const run = await promote(pair, { HOME: home })

    expect(run.exitCode, run.stdout).toBe(0)
    const logged = await forward.requests()
    // git went through the configured proxy to both clusters; the API client does not read git's configuration.
    expect(logged.some(line => /^GET http:\/\/127\.0\.0\.2:\d+\/git\/.*info\/refs/.test(line))).toBe(true)
    expect(logged.some(line => /^POST http:\/\/127\.0\.0\.3:\d+\/git\/.*git-receive-pack/.test(line))).toBe(true)
    expect(logged.filter(line => line.includes('/v1/'))).toEqual([])
    expect(existsSync(path.join(home, '.git-credentials')), 'no credential was stored').toBe(false)
    expect(await pair.prod.headCommit(DEST_OWNER, 'hello')).toBe(results(run)[0].destCommit)
  })
})

describe.skipIf(!HAS_OPENSSL)('over HTTPS with a private certificate authority', () => {
  it('trusts the CA in NODE_EXTRA_CA_CERTS for the API and for git', async () => {
    const ca = await makeCertificateAuthority()
    cleanups.push(() => ca.remove())
    const pair = await pairOf({ tls: ca.server })
    await pair.seed('hello', FILES)
    expect(pair.dev.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)

    const run = await promote(pair, { NODE_EXTRA_CA_CERTS: ca.caFile })

    expect(run.exitCode, run.stdout).toBe(0)
    expect(results(run)[0]).toMatchObject({ status: 'created' })
    expect(pair.dev.requests.some(request => request.kind === 'api')).toBe(true)
    expect(pair.dev.requests.some(request => request.gitService === 'upload-pack')).toBe(true)
    expect(pair.prod.requests.some(request => request.gitService === 'receive-pack')).toBe(true)
  })

  it('without it, names the refused certificate and NODE_EXTRA_CA_CERTS, and does not retry', async () => {
    const ca = await makeCertificateAuthority()
    cleanups.push(() => ca.remove())
    const pair = await pairOf({ tls: ca.server })
    await pair.seed('hello', FILES)

    const run = await promote(pair, {})

    expect(run.exitCode).toBe(1)
    const error = results(run)[0].error ?? ''
    console.log(`error without NODE_EXTRA_CA_CERTS: ${error}`)
    expect(error).toMatch(
      /the TLS certificate of 127\.0\.0\.1:\d+ was refused \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN)/
    )
    expect(error).toContain('issued to CN=127.0.0.1 by CN=Throwaway Test CA')
    expect(error).toContain('set NODE_EXTRA_CA_CERTS')
    expect(error).not.toContain('that the cluster is up')
    expect(run.stdout).not.toMatch(/retrying/)
  })

  it('git alone refusing the certificate also names it and NODE_EXTRA_CA_CERTS', async () => {
    const ca = await makeCertificateAuthority()
    cleanups.push(() => ca.remove())
    const pair = await pairOf({ tls: ca.server })
    await pair.seed('hello', FILES)
    // The API trusts the CA (NODE_EXTRA_CA_CERTS); git is told to use another CA file, which wins for git.
    const other = await makeCertificateAuthority()
    cleanups.push(() => other.remove())

    const run = await promote(pair, { NODE_EXTRA_CA_CERTS: ca.caFile, GIT_SSL_CAINFO: other.caFile })

    expect(run.exitCode).toBe(1)
    const error = results(run)[0].error ?? ''
    expect(error).toMatch(/git \S+ .*TLS certificate was refused \(.*(certificate|verif)/i)
    expect(error).toContain('NODE_EXTRA_CA_CERTS')
  })
})
