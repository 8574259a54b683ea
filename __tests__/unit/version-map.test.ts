import { mkdtemp, readFile, writeFile, readdir } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import type { PromotionResult } from '../../src/promotion/result.js'
import { mergeVersionMaps, readVersionMapFile, versionMapOf, writeVersionMapFile } from '../../src/report/version-map.js'

const result = (overrides: Partial<PromotionResult>): PromotionResult => ({
  algorithm: 'sentiment',
  destination: 'prod',
  status: 'updated',
  newCommit: true,
  sourceCommit: 'a'.repeat(40),
  sourceVersion: '1.2.0',
  destCommit: 'b'.repeat(40),
  destVersion: '0.3.0',
  ...overrides
})

describe('version map', () => {
  it('maps source versions to published destination versions, else to commits', () => {
    expect(
      versionMapOf([
        result({}),
        result({ algorithm: 'other', sourceVersion: '', destVersion: '' }),
        result({ algorithm: 'broken', status: 'failed' })
      ])
    ).toEqual({
      sentiment: { '1.2.0': '0.3.0' },
      other: { ['a'.repeat(40)]: 'b'.repeat(40) }
    })
  })

  it('keeps earlier entries and never downgrades one on an unchanged re-run', () => {
    const earlier = { sentiment: { '1.1.0': '0.2.0', '1.2.0': '0.3.0' } }
    expect(mergeVersionMaps(earlier, [result({ status: 'unchanged', destVersion: '' })])).toEqual(earlier)
    expect(mergeVersionMaps(earlier, [result({ sourceVersion: '1.3.0', destVersion: '0.4.0' })])).toEqual({
      sentiment: { '1.1.0': '0.2.0', '1.2.0': '0.3.0', '1.3.0': '0.4.0' }
    })
  })

  it('maps an unchanged destination to the version its head already carries, also over an entry that had only its commit', () => {
    const unchanged = result({ status: 'unchanged', destVersion: '', destHeadVersion: '0.3.0' })
    expect(versionMapOf([unchanged])).toEqual({ sentiment: { '1.2.0': '0.3.0' } })
    expect(mergeVersionMaps({ sentiment: { '1.2.0': 'b'.repeat(40) } }, [unchanged])).toEqual({ sentiment: { '1.2.0': '0.3.0' } })
    // An entry that already names a version is the user's record: an unchanged run leaves it.
    expect(mergeVersionMaps({ sentiment: { '1.2.0': '0.2.9' } }, [unchanged])).toEqual({ sentiment: { '1.2.0': '0.2.9' } })
  })

  it('names the version an unchanged head was published as in this run, over an entry that had only its commit', () => {
    const caughtUp = result({ status: 'unchanged', destVersion: '0.3.0' })
    expect(mergeVersionMaps({ sentiment: { '1.2.0': 'b'.repeat(40) } }, [caughtUp])).toEqual({ sentiment: { '1.2.0': '0.3.0' } })
  })

  it('writes atomically and reads back', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'map-'))
    const file = path.join(dir, 'versions.json')
    await writeVersionMapFile(file, { a: { '1.0.0': '0.1.0' } })
    expect(await readVersionMapFile(file, false)).toEqual({ a: { '1.0.0': '0.1.0' } })
    expect(await readdir(dir)).toEqual(['versions.json'])
  })

  it('treats a missing file as empty and refuses a corrupt one, leaving it untouched', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'map-'))
    expect(await readVersionMapFile(path.join(dir, 'none.json'), false)).toEqual({})
    const corrupt = path.join(dir, 'corrupt.json')
    await writeFile(corrupt, '{"a": ')
    await expect(readVersionMapFile(corrupt, false)).rejects.toThrow(/version-map-file.*is not valid JSON.*left untouched/)
    expect(await readFile(corrupt, 'utf8')).toBe('{"a": ')
    await writeFile(corrupt, '[1]')
    await expect(readVersionMapFile(corrupt, false)).rejects.toThrow(/is not a version map/)
  })

  it('refuses a file of the other shape, so a matrix job never mixes the two', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'map-'))
    const file = path.join(dir, 'map.json')
    await writeFile(file, JSON.stringify({ 'prod-us': { hello: { '1.0.0': '0.1.0' } } }))
    await expect(readVersionMapFile(file, false)).rejects.toThrow(/is not a version map of the shape \{"<algorithm>"/)
    expect(await readVersionMapFile(file, true)).toEqual({ 'prod-us': { hello: { '1.0.0': '0.1.0' } } })
    await writeFile(file, JSON.stringify({ hello: { '1.0.0': '0.1.0' } }))
    await expect(readVersionMapFile(file, true)).rejects.toThrow(/as the destinations input writes it/)
  })

  it('creates the folder of a new map file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'map-'))
    const file = path.join(dir, 'versions', 'prod.json')
    await writeVersionMapFile(file, { a: { '1.0.0': '0.1.0' } })
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ a: { '1.0.0': '0.1.0' } })
    expect(await readdir(path.dirname(file))).toEqual(['prod.json'])
  })
})
