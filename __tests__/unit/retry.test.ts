import { describe, expect, it } from 'vitest'
import { backoffDelay, withRetry, type RetryPolicy } from '../../src/util/retry.js'

const policy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000, maxTotalDelayMs: 10_000, attemptTimeoutMs: 30_000 }

describe('withRetry', () => {
  it('retries what the advice allows, with growing delays', async () => {
    const waits: number[] = []
    let calls = 0
    const value = await withRetry(
      policy,
      { adviseOn: () => ({ retry: true }), sleep: async ms => void waits.push(ms), random: () => 1 },
      async () => {
        if (++calls < 3) throw new Error('transient')
        return 'done'
      }
    )
    expect(value).toBe('done')
    expect(waits).toEqual([100, 200])
  })

  it('stops after maxAttempts and rethrows the last error', async () => {
    let calls = 0
    await expect(
      withRetry(policy, { adviseOn: () => ({ retry: true }), sleep: async () => {} }, async () => {
        throw new Error(`failure ${++calls}`)
      })
    ).rejects.toThrow('failure 4')
  })

  it('does not retry what the advice refuses', async () => {
    let calls = 0
    await expect(
      withRetry(policy, { adviseOn: () => ({ retry: false }), sleep: async () => {} }, async () => {
        calls++
        throw new Error('permanent')
      })
    ).rejects.toThrow('permanent')
    expect(calls).toBe(1)
  })

  it('waits as a Retry-After says, within the bound', async () => {
    const waits: number[] = []
    let calls = 0
    await withRetry(policy, { adviseOn: () => ({ retry: true, afterMs: 5000 }), sleep: async ms => void waits.push(ms) }, async () => {
      if (++calls < 2) throw new Error('429')
    })
    expect(waits).toEqual([1000])
  })

  it('gives up when the total wait would exceed its bound', async () => {
    const tight = { ...policy, maxTotalDelayMs: 250 }
    let calls = 0
    await expect(
      withRetry(tight, { adviseOn: () => ({ retry: true }), sleep: async () => {}, random: () => 1 }, async () => {
        calls++
        throw new Error('x')
      })
    ).rejects.toThrow('x')
    expect(calls).toBe(2)
  })

  it('jitters between half and all of the exponential ceiling', () => {
    expect(backoffDelay(policy, 3, () => 0)).toBe(200)
    expect(backoffDelay(policy, 3, () => 1)).toBe(400)
    expect(backoffDelay(policy, 10, () => 1)).toBe(1000)
  })
})
