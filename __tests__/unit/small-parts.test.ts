import { describe, expect, it } from 'vitest'
import { parseErrorBody, parseRetryAfter } from '../../src/cluster/http.js'
import { GitError } from '../../src/git/git-error.js'
import { basicAuthorization, gitEnvironment } from '../../src/git/git-auth.js'
import { commitMessage } from '../../src/promotion/commit-message.js'
import { INPUT_DEFAULTS } from '../../src/inputs/defaults.js'
import { SecretRegistry } from '../../src/util/secrets.js'
import { mapWithConcurrency } from '../../src/util/concurrency.js'
import { EarlyAnswers } from '../../src/util/early-answers.js'

const facts = {
  algorithm: 'sentiment',
  sourceCluster: 'dev.example.com',
  sourceOwner: 'team',
  sourceCommit: 'c'.repeat(40),
  sourceVersion: '1.2.0',
  destCluster: 'prod.example.com',
  destOwner: 'team'
}

describe('commit message', () => {
  it('fills the template and always carries the full source commit', () => {
    const message = commitMessage('Ship {algorithm} {source-version}', facts)
    expect(message).toBe(
      `Ship sentiment 1.2.0\n\nSource-Algorithm: dev.example.com/team/sentiment\nSource-Version: 1.2.0\nSource-Commit: ${'c'.repeat(40)}\n`
    )
  })

  it('names the commit when the source version was never published', () => {
    expect(commitMessage(INPUT_DEFAULTS['commit-message'], { ...facts, sourceVersion: '' })).toMatch(
      /^Promote sentiment cccccccccccc from dev\.example\.com/
    )
  })
})

describe('SecretRegistry', () => {
  it('masks the key and its derived forms, longest first', () => {
    const masked: string[] = []
    const secrets = new SecretRegistry(secret => masked.push(secret))
    const key = 'simAB/CD+EF=='
    secrets.registerKey('alice', key)
    const basic = Buffer.from(`alice:${key}`).toString('base64')
    expect(masked).toEqual(expect.arrayContaining([key, encodeURIComponent(key), basic]))
    expect(secrets.redact(`key ${key} url ${encodeURIComponent(key)} header Basic ${basic}`)).toBe('key *** url *** header Basic ***')
  })
})

describe('git environment', () => {
  it('carries the credential in GIT_CONFIG_* variables scoped to the git host', () => {
    const env = gitEnvironment({ gitUrl: 'http://127.0.0.1:9', username: 'alice', apiKey: 'simKEY' })
    const count = Number(env.GIT_CONFIG_COUNT)
    const pairs = Array.from({ length: count }, (_, i) => [env[`GIT_CONFIG_KEY_${i}`], env[`GIT_CONFIG_VALUE_${i}`]])
    expect(pairs).toContainEqual(['http.http://127.0.0.1:9/.extraHeader', `Authorization: ${basicAuthorization('alice', 'simKEY')}`])
    expect(pairs).toContainEqual(['credential.helper', ''])
    expect(env.GIT_TERMINAL_PROMPT).toBe('0')
  })
})

describe('errors', () => {
  it('reads both error shapes of the API', () => {
    expect(parseErrorBody('{"error":"No such algorithm"}')).toEqual({ message: 'No such algorithm' })
    expect(parseErrorBody('{"error":{"code":1002,"message":"taken"}}')).toEqual({ code: 1002, message: 'taken' })
    expect(parseErrorBody('<html>Bad gateway</html>')).toEqual({ message: '<html>Bad gateway</html>' })
  })

  it('reads Retry-After as seconds or a date', () => {
    expect(parseRetryAfter('2')).toBe(2000)
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000)
    expect(parseRetryAfter('soon')).toBeUndefined()
  })

  it('classifies git failures', () => {
    expect(new GitError('fetch', 'x', 'fatal: unable to access: The requested URL returned error: 503', 128).transient).toBe(true)
    expect(new GitError('fetch', 'x', 'fatal: The requested URL returned error: 403', 128).transient).toBe(false)
    expect(new GitError('push', 'x', ' ! [rejected]        abc -> master (fetch first)', 1).rejectedAsStale).toBe(true)
  })
})

describe('mapWithConcurrency', () => {
  it('keeps order and the limit', async () => {
    let running = 0
    let peak = 0
    const result = await mapWithConcurrency([1, 2, 3, 4, 5], 2, async n => {
      peak = Math.max(peak, ++running)
      await new Promise(resolve => setTimeout(resolve, 5))
      running--
      return n * 2
    })
    expect(result).toEqual([2, 4, 6, 8, 10])
    expect(peak).toBe(2)
  })
})

describe('EarlyAnswers', () => {
  it('asks once, hands the early answer to whoever takes it, and asks again once forgotten', async () => {
    const answers = new EarlyAnswers<number>()
    let asked = 0
    const question = async (): Promise<number> => ++asked
    answers.ask('a', question)
    answers.ask('a', question)
    expect(await answers.take('a', question)).toBe(1)
    expect(await answers.take('a', question)).toBe(1)
    answers.forget('a')
    expect(await answers.take('a', question)).toBe(2)
    expect(await answers.take('b', question)).toBe(3)
  })

  it('keeps a failure until the answer is taken, and never lets it go unhandled', async () => {
    const answers = new EarlyAnswers<number>()
    answers.ask('a', () => Promise.reject(new Error('no answer')))
    await new Promise(resolve => setTimeout(resolve, 10))
    await expect(answers.take('a', async () => 1)).rejects.toThrow('no answer')
  })
})
