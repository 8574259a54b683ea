import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/inputs/parse.js'
import { inputProblems, VALID_PROMOTION_INPUTS } from '../helpers/inputs.js'

const valid: Record<string, string> = { ...VALID_PROMOTION_INPUTS, algorithms: 'sentiment, summarize\nclassify' }

const parse = (overrides: Record<string, string>) => parseConfig(name => (overrides[name] ?? valid[name] ?? '').trim(), process.env)

const problemsOf = (overrides: Record<string, string>): string[] => inputProblems(() => parse(overrides))

describe('parseConfig', () => {
  it('derives API and git addresses from the cluster domains', () => {
    const config = parse({})
    expect(config.source.cluster).toEqual({
      label: 'dev.algo.example.com',
      apiUrl: 'https://api.dev.algo.example.com',
      gitUrl: 'https://git.dev.algo.example.com'
    })
    expect(config.destinations[0].cluster.gitUrl).toBe('https://git.prod.algo.example.com')
  })

  it('splits algorithms on commas and lines', () => {
    expect(parse({}).algorithms).toEqual(['sentiment', 'summarize', 'classify'])
  })

  it('uses the documented defaults', () => {
    const config = parse({})
    expect(config).toMatchObject({
      publish: false,
      versionType: 'minor',
      buildTimeoutMs: 600_000,
      dryRun: false,
      sourceVersion: { kind: 'latest' }
    })
  })

  it('accepts URL overrides instead of a domain', () => {
    const config = parse({ 'source-cluster': '', 'source-api-url': 'http://127.0.0.1:8080/', 'source-git-url': 'http://127.0.0.1:8080' })
    expect(config.source.cluster).toEqual({ label: '127.0.0.1:8080', apiUrl: 'http://127.0.0.1:8080', gitUrl: 'http://127.0.0.1:8080' })
  })

  it.each([
    ['1.2.0', { kind: 'semver', version: '1.2.0' }],
    ['ABCDEF1234567', { kind: 'commit', sha: 'abcdef1234567' }],
    ['', { kind: 'latest' }]
  ])('reads source-version %s', (value, expected) => {
    expect(parse({ 'source-version': value }).sourceVersion).toEqual(expected)
  })

  it('lists every problem at once, naming each input', () => {
    const problems = problemsOf({ 'source-api-key': '', 'dest-algo-owner': '../x', 'version-type': 'patch', 'build-timeout': '-3' })
    expect(problems).toEqual([
      expect.stringMatching(/^source-api-key: is required/),
      expect.stringMatching(/^dest-algo-owner: '\.\.\/x' is not a valid user or organization name/),
      expect.stringMatching(/^version-type: 'patch' is not a version type: use major, minor, revision/),
      expect.stringMatching(/^build-timeout: '-3' is not a positive number/)
    ])
  })

  it.each(['../x', 'has space', 'a'.repeat(31), '1abc'])('refuses the owner name %j', owner => {
    expect(problemsOf({ 'source-algo-owner': owner })).toEqual([
      expect.stringMatching(/^source-algo-owner: .* is not a valid user or organization name/)
    ])
  })

  it('refuses invalid and duplicated algorithm names', () => {
    expect(problemsOf({ algorithms: 'good, ../evil, good, with space' })).toEqual([
      expect.stringMatching(/'\.\.\/evil' is not a valid algorithm name/),
      expect.stringMatching(/'good' is listed twice/),
      expect.stringMatching(/'with space' is not a valid algorithm name/)
    ])
  })

  it.each([
    ['not json', /is not valid JSON/],
    ['[1,2]', /must be a JSON object/],
    ['{"language":"cobol"}', /'language' cannot be "cobol": use one of "java"/],
    ['{"colour":"blue"}', /unknown setting 'colour'/],
    ['{"details":{"label":"x","colour":1}}', /unknown detail 'colour'/]
  ])('refuses settings %s', (settings, message) => {
    expect(problemsOf({ settings })).toEqual([expect.stringMatching(message)])
  })

  it('splits details from settings', () => {
    expect(parse({ settings: '{"license":"mit","details":{"label":"Sentiment"}}' }).settingsOverride).toEqual({
      settings: { license: 'mit' },
      details: { label: 'Sentiment' }
    })
  })

  it('refuses URL overrides that are not http(s) or carry credentials, without echoing them', () => {
    const problems = problemsOf({ 'dest-api-url': 'https://deployer:simSECRET@api.example.com', 'source-git-url': 'ftp://git.example.com' })
    expect(problems.join('\n')).not.toContain('simSECRET')
    expect(problems).toEqual([
      expect.stringMatching(/^source-git-url: uses 'ftp:'/),
      expect.stringMatching(/^dest-api-url: contains a user name or password/)
    ])
  })

  it('refuses promoting onto the same cluster and owner', () => {
    expect(problemsOf({ 'dest-cluster': 'dev.algo.example.com' })).toEqual([
      expect.stringMatching(/^dest-algo-owner: is 'team' on the same cluster as the source/)
    ])
    expect(problemsOf({ 'dest-cluster': 'dev.algo.example.com', 'dest-algo-owner': 'prod_team' })).toEqual([])
  })

  it('refuses unknown commit-message placeholders and non-boolean flags', () => {
    expect(problemsOf({ 'commit-message': 'Promote {algo}', publish: 'maybe' })).toEqual([
      expect.stringMatching(/^publish: 'maybe' is not a boolean/),
      expect.stringMatching(/^commit-message: has an unknown placeholder \{algo\}/)
    ])
  })

  it('never puts a key into a problem message', () => {
    const problems = problemsOf({ 'source-api-key': 'sim with spaces/+', 'dest-api-key': 'sim\nsecret' })
    expect(problems.join('\n')).not.toMatch(/with spaces|secret/)
  })
})

describe('parseConfig, several destinations', () => {
  const noDest = { 'dest-cluster': '', 'dest-api-key': '', 'dest-api-key-owner': '', 'dest-algo-owner': '' }
  const list = JSON.stringify([
    {
      name: 'prod-us',
      cluster: 'us.algo.example.com',
      'api-key-env': 'TEST_PROD_US_KEY',
      'api-key-owner': 'deployer',
      'algo-owner': 'team'
    },
    {
      name: 'prod-eu',
      'api-url': 'http://127.0.0.1:9',
      'git-url': 'http://127.0.0.1:9',
      'api-key': 'simEUkey0123',
      'api-key-owner': 'deployer',
      'algo-owner': 'team'
    }
  ])

  it('reads each destination, keys from the environment or inline', () => {
    process.env.TEST_PROD_US_KEY = 'simUSkey0123'
    const config = parse({ ...noDest, destinations: list })
    expect(config.destinations.map(d => [d.cluster.label, d.apiKey, d.cluster.apiUrl])).toEqual([
      ['prod-us', 'simUSkey0123', 'https://api.us.algo.example.com'],
      ['prod-eu', 'simEUkey0123', 'http://127.0.0.1:9']
    ])
    expect(config.destinations[0].inputName('api-key')).toBe('destinations[0].api-key')
  })

  it('filters destinations by name', () => {
    process.env.TEST_PROD_US_KEY = 'simUSkey0123'
    expect(parse({ ...noDest, destinations: list, 'destination-filter': 'prod-eu' }).destinations.map(d => d.cluster.label)).toEqual([
      'prod-eu'
    ])
    expect(problemsOf({ ...noDest, destinations: list, 'destination-filter': 'mars' })).toEqual([
      expect.stringMatching(/'mars' is not a destination: use one of prod-us, prod-eu/)
    ])
  })

  it('names the entry and field of a problem, and never quotes the JSON', () => {
    delete process.env.TEST_PROD_US_KEY
    expect(problemsOf({ ...noDest, destinations: list })).toEqual([
      expect.stringMatching(/^destinations\[0\]\.api-key: is required: the environment variable TEST_PROD_US_KEY/)
    ])
    const broken = problemsOf({ ...noDest, destinations: '[{"api-key": "simSECRET", ' })
    expect(broken).toEqual([expect.stringMatching(/^destinations: is not valid JSON/)])
    expect(broken.join()).not.toContain('simSECRET')
  })

  it('refuses mixing destinations with dest-* inputs', () => {
    process.env.TEST_PROD_US_KEY = 'simUSkey0123'
    expect(problemsOf({ destinations: list })).toEqual([
      expect.stringMatching(/^destinations: cannot be combined with dest-cluster, dest-api-key/)
    ])
  })

  it('plans without writing', () => {
    expect(parse({ mode: 'plan' })).toMatchObject({ mode: 'plan', dryRun: true })
    expect(problemsOf({ mode: 'deploy' })).toEqual([expect.stringMatching(/^mode: 'deploy' is not a mode/)])
  })
})

describe('parseConfig, values that may be keys', () => {
  it('quotes a short plain bad value, but not one that looks like a key', () => {
    expect(problemsOf({ 'source-algo-owner': 'has space' })).toEqual([
      expect.stringMatching(/^source-algo-owner: 'has space' is not a valid/)
    ])
    expect(problemsOf({ 'dest-api-key-owner': 'simABC/def+ghi=' }).join()).not.toContain('simABC')
    expect(problemsOf({ 'dest-api-url': 'https://deployer:sim/raw+key@host' }).join()).not.toContain('sim/raw')
  })
})

describe('parseConfig, transport safety', () => {
  it('refuses plain http except to loopback, and a cluster domain without a dot', () => {
    expect(problemsOf({ 'dest-api-url': 'http://api.prod.example.com', 'dest-git-url': 'https://git.prod.example.com' })).toEqual([
      expect.stringMatching(/^dest-api-url: uses plain http to api\.prod\.example\.com, which would send the API key unencrypted/)
    ])
    expect(problemsOf({ 'dest-api-url': 'http://127.0.0.1:8080', 'dest-git-url': 'http://localhost:8080' })).toEqual([])
    expect(problemsOf({ 'source-cluster': 'simABCDEFGHIJKLMNOPQRSTUVWXYZ12' })).toEqual([
      expect.stringMatching(/^source-cluster: the value given is not a cluster domain/)
    ])
  })
})
