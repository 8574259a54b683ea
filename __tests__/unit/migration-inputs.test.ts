import { describe, expect, it } from 'vitest'
import { parseAccountsConfig, parseConfig } from '../../src/inputs/parse.js'
import { secretsInInputs } from '../../src/inputs/secret-inputs.js'
import { inputProblems, VALID_PROMOTION_INPUTS } from '../helpers/inputs.js'

const promotion: Record<string, string> = { ...VALID_PROMOTION_INPUTS, algorithms: 'sentiment' }

const accounts: Record<string, string> = {
  mode: 'accounts',
  'source-cluster': 'dev.algo.example.com',
  'source-admin-api-key': 'simSOURCEADMIN',
  'dest-cluster': 'prod.algo.example.com',
  'dest-admin-api-key': 'simDESTADMIN',
  accounts: 'vision, alice'
}

const problemsOf = inputProblems

const parsePromotion = (overrides: Record<string, string>, env: Record<string, string> = {}) =>
  parseConfig(name => (overrides[name] ?? promotion[name] ?? '').trim(), env)
const parseAccounts = (overrides: Record<string, string>) =>
  parseAccountsConfig(name => (overrides[name] ?? accounts[name] ?? '').trim(), {})

describe('algorithm patterns as inputs', () => {
  it('keeps plain names final, and leaves patterns for the source owner list', () => {
    expect(parsePromotion({ algorithms: 'a, b, c', 'exclude-algorithms': 'b' }).algorithms).toEqual(['a', 'c'])
    const patterned = parsePromotion({ algorithms: 'sentiment_*, summarize', 'exclude-algorithms': '*_legacy' })
    expect(patterned.algorithms).toEqual([])
    expect(patterned.algorithmSelection).toEqual({ include: ['sentiment_*', 'summarize'], exclude: ['*_legacy'] })
  })

  it('refuses malformed patterns, and plain exclusions of names not listed', () => {
    expect(problemsOf(() => parsePromotion({ algorithms: 'sent.*' }))).toEqual([
      expect.stringMatching(/^algorithms: 'sent\.\*' is not a valid algorithm name: .* or a pattern/)
    ])
    expect(problemsOf(() => parsePromotion({ algorithms: 'a', 'exclude-algorithms': 'b' }))).toEqual([
      "exclude-algorithms: 'b' is not among the algorithms listed: remove it, or use a pattern"
    ])
    expect(problemsOf(() => parsePromotion({ algorithms: 'a', 'exclude-algorithms': 'a' }))).toEqual([
      "exclude-algorithms: leaves none of the algorithms listed in 'algorithms': exclude fewer"
    ])
  })
})

describe('mode: accounts inputs', () => {
  it('needs no standard keys, owners or algorithms', () => {
    const config = parseAccounts({})
    expect(config).toMatchObject({
      mode: 'accounts',
      source: { adminKey: 'simSOURCEADMIN', cluster: { apiUrl: 'https://api.dev.algo.example.com' } },
      destination: { adminKey: 'simDESTADMIN' },
      accounts: { kind: 'names', names: ['vision', 'alice'] },
      dryRun: false
    })
    expect(parseAccounts({ accounts: '*' }).accounts).toEqual({ kind: 'all' })
  })

  it('names each missing or bad input, and never echoes a key', () => {
    const problems = problemsOf(() =>
      parseAccounts({
        'dest-admin-api-key': '',
        accounts: 'ok, not valid, *',
        destinations: '[]',
        'dest-cluster': 'simSOURCEADMINxxxxxxxxxxxxxxxx'
      })
    )
    expect(problems.map(problem => problem.split(':')[0]).sort()).toEqual([
      'accounts',
      'dest-admin-api-key',
      'dest-cluster',
      'destinations'
    ])
    expect(problems.join('\n')).not.toContain('simSOURCEADMIN')
  })
})

describe('create-owner inputs', () => {
  it('needs admin keys for both sides and carries them to the accounts that use them', () => {
    expect(problemsOf(() => parsePromotion({ 'create-owner': 'true' })).map(problem => problem.split(':')[0])).toEqual([
      'source-admin-api-key',
      'dest-admin-api-key'
    ])
    const config = parsePromotion({ 'create-owner': 'true', 'source-admin-api-key': 'simSA', 'dest-admin-api-key': 'simDA' })
    expect(config.createOwner).toBe(true)
    expect(config.sourceAdmin?.adminKey).toBe('simSA')
    expect(config.destinations[0].adminKey).toBe('simDA')
  })

  it('reads a destinations entry admin key from the variable it names, and masks it', () => {
    const destinations = JSON.stringify([
      {
        name: 'eu',
        cluster: 'eu.algo.example.com',
        'api-key-env': 'EU_KEY',
        'api-key-owner': 'd',
        'algo-owner': 'team',
        'admin-api-key-env': 'EU_ADMIN'
      }
    ])
    const inputs = {
      ...Object.fromEntries(
        Object.keys(promotion)
          .filter(name => name.startsWith('dest-'))
          .map(name => [name, ''])
      ),
      destinations
    }
    const env = { EU_KEY: 'simEUKEY', EU_ADMIN: 'simEUADMINKEY' }
    const config = parsePromotion({ ...inputs, 'create-owner': 'true', 'source-admin-api-key': 'simSA' }, env)
    expect(config.destinations[0].adminKey).toBe('simEUADMINKEY')
    const read = (name: string) => ({ ...promotion, ...inputs, 'source-admin-api-key': 'simSA' })[name] ?? ''
    expect(secretsInInputs(read, env).map(secret => secret.value)).toEqual(expect.arrayContaining(['simSA', 'simEUADMINKEY']))
  })
})
