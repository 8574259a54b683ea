/** What reaches a git process: settings and one scoped credential, never the runner's other secrets. */
import os from 'node:os'
import { afterEach, describe, expect, it } from 'vitest'
import { gitEnvironment } from '../../src/git/git-auth.js'
import { inheritedEnvironment, runGit } from '../../src/git/git-command.js'

/** The GIT_CONFIG_KEY_n / GIT_CONFIG_VALUE_n pairs, as git would read them. */
function configEntries(env: NodeJS.ProcessEnv): Array<[string, string]> {
  return Array.from({ length: Number(env.GIT_CONFIG_COUNT) }, (_, i) => [env[`GIT_CONFIG_KEY_${i}`]!, env[`GIT_CONFIG_VALUE_${i}`]!])
}

const SECRETS = {
  'INPUT_SOURCE-API-KEY': 'canary-input-source',
  'INPUT_DEST-API-KEY': 'canary-input-dest',
  'INPUT_GITHUB-TOKEN': 'canary-github-token',
  SOURCE_API_KEY: 'canary-source-env',
  DEST_API_KEY: 'canary-dest-env',
  PROD_EU_KEY: 'canary-destinations-env',
  NODE_OPTIONS: '--require=/tmp/canary.js',
  GIT_SSL_NO_VERIFY: 'canary-no-verify',
  GIT_TRACE: 'canary-trace'
}

describe('the environment git runs with', () => {
  const saved = { ...process.env }
  afterEach(() => {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name]
    Object.assign(process.env, saved)
  })

  it('keeps what git needs and nothing else', () => {
    const picked = inheritedEnvironment({
      ...SECRETS,
      PATH: '/usr/bin',
      HOME: '/home/runner',
      LC_MESSAGES: 'de_DE.UTF-8',
      https_proxy: 'http://proxy:3128',
      NO_PROXY: 'localhost',
      Path: 'C:\\Windows',
      SystemRoot: 'C:\\Windows',
      GIT_SSL_CAINFO: '/etc/ca.pem',
      GIT_EXEC_PATH: '/usr/lib/git-core'
    })
    expect(Object.keys(picked).sort()).toEqual([
      'GIT_EXEC_PATH',
      'GIT_SSL_CAINFO',
      'HOME',
      'LC_MESSAGES',
      'NO_PROXY',
      'PATH',
      'Path',
      'SystemRoot',
      'https_proxy'
    ])
  })

  it('gives a real git (and what it runs) none of the runner’s keys', async () => {
    Object.assign(process.env, SECRETS)
    // A shell alias prints the environment git hands to what it starts (helpers, hooks).
    const { stdout, exitCode } = await runGit({
      args: ['-c', 'alias.e=!env', 'e'],
      cwd: os.tmpdir(),
      inherited: inheritedEnvironment(process.env),
      env: gitEnvironment()
    })
    expect(exitCode).toBe(0)
    expect(stdout).toMatch(/^PATH=/m)
    expect(stdout).toMatch(/^GIT_CONFIG_COUNT=/m)
    for (const [name, value] of Object.entries(SECRETS)) {
      expect(stdout, name).not.toContain(value)
      expect(stdout, name).not.toMatch(new RegExp(`^${name}=`, 'm'))
    }
  })
})

describe('gitEnvironment', () => {
  it('trusts the CA the API client trusts (NODE_EXTRA_CA_CERTS)', () => {
    const entries = configEntries(gitEnvironment(undefined, { NODE_EXTRA_CA_CERTS: '/etc/company-ca.pem' }))
    expect(entries).toContainEqual(['http.sslCAInfo', '/etc/company-ca.pem'])
  })

  it('leaves the CA to GIT_SSL_CAINFO when that is set, and adds nothing without NODE_EXTRA_CA_CERTS', () => {
    const explicit = configEntries(
      gitEnvironment(undefined, { NODE_EXTRA_CA_CERTS: '/etc/company-ca.pem', GIT_SSL_CAINFO: '/etc/git-ca.pem' })
    )
    expect(explicit.map(([key]) => key)).not.toContain('http.sslCAInfo')
    expect(configEntries(gitEnvironment(undefined, {})).map(([key]) => key)).not.toContain('http.sslCAInfo')
  })

  it('scopes the credential to its cluster and keeps the count in step', () => {
    const env = gitEnvironment(
      { gitUrl: 'https://git.prod.example', username: 'deployer', apiKey: 'k' },
      { NODE_EXTRA_CA_CERTS: '/ca.pem' }
    )
    const entries = configEntries(env)
    expect(entries.at(-1)).toEqual([
      'http.https://git.prod.example/.extraHeader',
      `Authorization: Basic ${Buffer.from('deployer:k').toString('base64')}`
    ])
    expect(entries.every(([key, value]) => key !== undefined && value !== undefined)).toBe(true)
  })
})

describe("the runner's git network settings", () => {
  it('keeps proxy and TLS settings of the system and global scopes, also URL-scoped, and nothing else', async () => {
    const { networkEntries } = await import('../../src/git/runner-config.js')
    const output = [
      ['global', 'http.proxy\nhttp://proxy:3128'],
      ['system', 'http.sslcainfo\n/etc/ssl/corp.pem'],
      ['global', 'http.https://Algo.example.com/.sslbackend\nopenssl'],
      ['global', 'http.extraheader\nAuthorization: Basic c2VjcmV0'],
      ['global', 'http.sslverify\nfalse'],
      ['global', 'http.cookiefile\n/home/runner/cookies'],
      ['local', 'http.proxy\nhttp://local-repo-proxy:1']
    ]
      .map(([scope, entry]) => `${scope}\0${entry}\0`)
      .join('')
    expect(networkEntries(output)).toEqual([
      ['http.proxy', 'http://proxy:3128'],
      ['http.sslcainfo', '/etc/ssl/corp.pem'],
      ['http.https://Algo.example.com/.sslbackend', 'openssl']
    ])
  })

  it('gives git the upper-case HTTP_PROXY as curl reads it (lower case), so git and the API take the same proxy', () => {
    expect(inheritedEnvironment({ HTTP_PROXY: 'http://proxy:3128', PATH: '/usr/bin' })).toEqual({
      HTTP_PROXY: 'http://proxy:3128',
      http_proxy: 'http://proxy:3128',
      PATH: '/usr/bin'
    })
  })

  it('puts the runner settings after the CA from NODE_EXTRA_CA_CERTS and before its own, so the last one wins as git reads them', () => {
    const env = gitEnvironment(undefined, { NODE_EXTRA_CA_CERTS: '/ca.pem' }, [['http.sslcainfo', '/corp.pem']])
    const entries = configEntries(env)
    expect(entries.findIndex(([key]) => key === 'http.sslCAInfo')).toBeLessThan(entries.findIndex(([key]) => key === 'http.sslcainfo'))
    expect(entries.findIndex(([key]) => key === 'http.sslcainfo')).toBeLessThan(entries.findIndex(([key]) => key === 'http.lowSpeedLimit'))
    expect(env.GIT_CONFIG_NOSYSTEM).toBe('1')
    expect(env.GIT_CONFIG_GLOBAL).toBe('/dev/null')
  })
})
