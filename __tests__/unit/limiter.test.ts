import { describe, expect, it } from 'vitest'
import { Limiter } from '../../src/util/concurrency.js'

const tick = () => new Promise(resolve => setTimeout(resolve, 5))

describe('Limiter', () => {
  it('runs at most its limit at once, the rest in the order they asked', async () => {
    const limiter = new Limiter(2)
    let alive = 0
    let most = 0
    const started: number[] = []
    await Promise.all(
      Array.from({ length: 7 }, (_, index) =>
        limiter.run(async () => {
          started.push(index)
          most = Math.max(most, ++alive)
          await tick()
          alive--
        })
      )
    )
    expect(most).toBe(2)
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6])
  })

  it('gives the turn on when a task fails', async () => {
    const limiter = new Limiter(1)
    const failing = limiter.run(async () => {
      throw new Error('no')
    })
    const next = limiter.run(async () => 'ran')
    await expect(failing).rejects.toThrow('no')
    await expect(next).resolves.toBe('ran')
  })
})
