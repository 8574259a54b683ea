/**
 * Data collections against a hostile or unlucky source, through the bundled
 * action: a file that serves more bytes than its listing shows (smuggling a
 * request onto the destination's connection), listings that never end or go
 * round again, and a publish that must not happen when the data failed.
 * A proxy in front of the emulated source plays the source.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { runAction, type ActionRun } from '../../scripts/lib/run-action.js'
import type { CollectionResult } from '../../src/data/result.js'
import type { PublicResult } from '../../src/report/public-result.js'
import { DEST_OWNER, SOURCE_OWNER, startClusterPair, type ClusterPair } from '../helpers/clusters.js'
import { editJson, startHostileProxy, type HostileProxy } from './hostile-proxy.js'

const CODE = { 'src/model.py': 'def apply(input):\n    return input\n' }
const LISTING = new RegExp(`^/v1/connector/data/${SOURCE_OWNER}/models$`)

describe('hardening: data collections', () => {
  let pair: ClusterPair
  let proxy: HostileProxy
  const runRoots: string[] = []

  beforeEach(async () => {
    pair = await startClusterPair({ buildDelayMs: 30 })
    proxy = await startHostileProxy(pair.dev.url)
    pair.dev.data.createCollection(SOURCE_OWNER, 'models', ['user://*'])
    await pair.seed('model', CODE)
  })
  afterEach(async () => {
    await proxy.stop()
    await pair.stop()
    await Promise.all(runRoots.splice(0).map(dir => rm(dir, { recursive: true, force: true })))
  })

  async function promote(overrides: Record<string, string> = {}): Promise<ActionRun> {
    const inputs = pair.inputs({ algorithms: 'model', collections: 'models', 'source-api-url': proxy.url, ...overrides })
    const run = await runAction(inputs)
    runRoots.push(path.dirname(run.runnerTemp))
    return run
  }

  const collectionsOf = (run: ActionRun): CollectionResult[] => JSON.parse(run.outputs.collections ?? '[]') as CollectionResult[]
  const prodFiles = (collection: string): string[] =>
    (pair.prod.data.listFiles(DEST_OWNER, collection) ?? []).map(file => file.filename).sort()

  it('a source file longer than its listing says is never sent past the declared length: no request is smuggled, the good copy stays', async () => {
    pair.prod.data.createCollection(DEST_OWNER, 'important')
    await pair.prod.data.putFile(DEST_OWNER, 'important', 'keep.bin', 'keep me')
    pair.prod.data.createCollection(DEST_OWNER, 'models', ['user://*'])
    await pair.prod.data.putFile(DEST_OWNER, 'models', 'a.bin', 'old')
    // The bytes past the listed 3 are the start of a request; a following request on the same connection would complete it.
    const smuggled = `new\r\nDELETE /v1/connector/data/${DEST_OWNER}/important/keep.bin HTTP/1.1\r\nX-Ignore: `
    await pair.dev.data.putFile(SOURCE_OWNER, 'models', 'a.bin', smuggled)
    proxy.add({
      kind: 'rewrite',
      method: 'GET',
      path: LISTING,
      transform: editJson(body => {
        for (const file of body.files as Array<{ filename: string; size: number }>) if (file.filename === 'a.bin') file.size = 3
      })
    })

    const run = await promote({ 'max-attempts': '1' })

    expect(prodFiles('important')).toEqual(['keep.bin'])
    expect(pair.prod.requests.filter(r => r.method === 'DELETE')).toEqual([])
    expect((await pair.prod.data.readFile(DEST_OWNER, 'models', 'a.bin')).toString()).toBe('old')
    const [result] = collectionsOf(run)
    expect(result.status).toBe('failed')
    expect(result.failed).toEqual([{ file: 'a.bin', reason: expect.stringMatching(/more than the 3 bytes its listing shows/) }])
    expect(run.exitCode).toBe(1)
  })

  it('a source file shorter than its listing says fails that file without writing it at the destination', async () => {
    pair.prod.data.createCollection(DEST_OWNER, 'models', ['user://*'])
    await pair.prod.data.putFile(DEST_OWNER, 'models', 'a.bin', 'old copy')
    await pair.dev.data.putFile(SOURCE_OWNER, 'models', 'a.bin', 'new')
    proxy.add({
      kind: 'rewrite',
      method: 'GET',
      path: LISTING,
      transform: editJson(body => void ((body.files as Array<{ size: number }>)[0].size = 8))
    })

    const run = await promote({ 'max-attempts': '1', 'request-timeout': '5' })

    expect((await pair.prod.data.readFile(DEST_OWNER, 'models', 'a.bin')).toString()).toBe('old copy')
    expect(collectionsOf(run)[0].failed).toEqual([
      { file: 'a.bin', reason: expect.stringMatching(/3 bytes arrived where the source's listing shows 8/) }
    ])
  })

  it('a listing whose marker comes back fails that collection, copies nothing twice, and prunes nothing', async () => {
    await pair.dev.data.putFile(SOURCE_OWNER, 'models', 'a.bin', 'aaa')
    pair.prod.data.createCollection(DEST_OWNER, 'models', ['user://*'])
    await pair.prod.data.putFile(DEST_OWNER, 'models', 'only-here.bin', 'live')
    // The emulator's own marker for the page after a.bin (so it answers), sent back on every page.
    const marker = Buffer.from('a.bin').toString('base64url')
    proxy.add({ kind: 'rewrite', method: 'GET', path: LISTING, transform: editJson(body => void (body.marker = marker)) })

    const run = await promote({ 'collections-prune': 'true' })

    const [result] = collectionsOf(run)
    expect(result).toMatchObject({ status: 'failed', copied: 0, pruned: 0 })
    expect(result.error).toMatch(/data:\/\/data_science\/models cannot be trusted to be whole/)
    expect(prodFiles('models')).toEqual(['only-here.bin'])
    expect(proxy.seen.filter(r => LISTING.test(r.path)).length).toBeLessThanOrEqual(2)
    expect(run.exitCode).toBe(1)
  })

  it('does not publish a target whose data failed, and says why', async () => {
    await pair.dev.data.putFile(SOURCE_OWNER, 'models', 'a.bin', 'aaa')
    pair.prod.data.faults.add({ method: 'PUT', path: /a\.bin$/, cutAfterBytes: 1, times: 10 })

    const run = await promote({ publish: 'true', 'max-attempts': '1' })

    expect(run.exitCode).toBe(1)
    const [result] = JSON.parse(run.outputs.results) as PublicResult[]
    expect(result).toMatchObject({ status: 'failed', destVersion: '' })
    expect(result.error).toMatch(/not published.*data:\/\/ml_prod\/models/)
    expect(pair.prod.requests.filter(r => r.method === 'POST' && r.path.endsWith('/versions'))).toEqual([])
  })

  describe('with the destination behind a proxy too', () => {
    let prodProxy: HostileProxy
    const PROD_LISTING = new RegExp(`^/v1/connector/data/${DEST_OWNER}/models$`)
    beforeEach(async () => {
      prodProxy = await startHostileProxy(pair.prod.url)
    })
    afterEach(() => prodProxy.stop())

    it('a file written again at the destination after it was verified is left out of the record, so the next run copies it again', async () => {
      await pair.dev.data.putFile(SOURCE_OWNER, 'models', 'a.bin', 'v1')
      await pair.dev.data.putFile(SOURCE_OWNER, 'models', 'b.bin', 'bb')
      // The listing right after the uploads (the second) shows what this run wrote; the third shows a later writer's a.bin.
      let listings = 0
      prodProxy.add({
        kind: 'rewrite',
        method: 'GET',
        path: PROD_LISTING,
        transform: answer => {
          listings += 1
          if (listings !== 2) return answer
          return editJson(body => {
            for (const file of body.files as Array<{ filename: string; last_modified: string }>)
              if (file.filename === 'a.bin') file.last_modified = '2001-01-01T00:00:00.000Z'
          })(answer)
        }
      })

      const run = await promote({ 'dest-api-url': prodProxy.url })

      expect(run.exitCode, run.stdout).toBe(0)
      expect(run.stdout).toMatch(/::warning::.*a\.bin: written again at the destination after this run copied it/)
      const record = JSON.parse((await pair.prod.data.readFile(DEST_OWNER, 'models', '.algorithmia-promote.json')).toString()) as {
        files: Record<string, unknown>
      }
      expect(Object.keys(record.files)).toEqual(['b.bin'])
      const again = await promote()
      expect(collectionsOf(again)[0].copiedFiles).toEqual([{ file: 'a.bin', bytes: 2, reason: 'not recorded' }])
    })

    it('a record far larger than its source could explain is not read', async () => {
      await pair.dev.data.putFile(SOURCE_OWNER, 'models', 'a.bin', 'aaa')
      pair.prod.data.createCollection(DEST_OWNER, 'models', ['user://*'])
      await pair.prod.data.putFile(DEST_OWNER, 'models', '.algorithmia-promote.json', Buffer.alloc(200 * 1024, 32))

      const run = await promote({ 'dest-api-url': prodProxy.url })

      expect(run.exitCode, run.stdout).toBe(0)
      expect(run.stdout).toMatch(/::warning::.*\.algorithmia-promote\.json is larger than a record of 1 files can be/)
      expect(prodProxy.seen.filter(r => r.method === 'GET' && r.path.endsWith('.algorithmia-promote.json'))).toEqual([])
      expect(collectionsOf(run)[0]).toMatchObject({ status: 'updated', copied: 1 })
    })
  })

  it('a file named __proto__ is recorded like any other, so a re-run copies nothing', async () => {
    await pair.dev.data.putFile(SOURCE_OWNER, 'models', '__proto__', 'odd name')
    expect((await promote()).exitCode).toBe(0)
    const again = await promote()
    expect(collectionsOf(again)[0]).toMatchObject({ status: 'unchanged', copied: 0, skipped: 1 })
  })

  it('names that collapse in a URL are refused one by one, and nothing is sent for them', async () => {
    await pair.dev.data.putFile(SOURCE_OWNER, 'models', 'good.bin', 'good')
    proxy.add({
      kind: 'rewrite',
      method: 'GET',
      path: LISTING,
      transform: editJson(body => {
        const files = body.files as Array<Record<string, unknown>>
        files.push({ ...files[0], filename: '..' }, { ...files[0], filename: '.' })
      })
    })

    const run = await promote()

    const [result] = collectionsOf(run)
    expect(result.failed.map(failure => failure.file).sort()).toEqual(['.', '..'])
    expect(result.failed[0].reason).toMatch(/would address a folder, the collection or its owner/)
    expect(prodFiles('models')).toEqual(['.algorithmia-promote.json', 'good.bin'])
    expect(
      pair.prod.requests.filter(r => r.method === 'PUT' && !/\/models\/(good\.bin|\.algorithmia-promote\.json)$/.test(r.path))
    ).toEqual([])
  })

  for (const [shape, edit] of [
    ['files is an object', (body: Record<string, unknown>) => void (body.files = {})],
    ['an entry is null', (body: Record<string, unknown>) => void (body.files = [null])],
    ['files is text', (body: Record<string, unknown>) => void (body.files = 'abc')],
    ['a size is text', (body: Record<string, unknown>) => void ((body.files as Array<Record<string, unknown>>)[0].size = '3')]
  ] as const) {
    it(`a listing where ${shape} fails that collection with a message naming the field`, async () => {
      await pair.dev.data.putFile(SOURCE_OWNER, 'models', 'a.bin', 'aaa')
      proxy.add({ kind: 'rewrite', method: 'GET', path: LISTING, transform: editJson(edit) })

      const run = await promote()

      const [result] = collectionsOf(run)
      expect(result).toMatchObject({ status: 'failed', copied: 0 })
      expect(result.error).toMatch(/answered with an unexpected shape: (files|files\[0\](\.size)?) is /)
      expect(prodFiles('models')).toEqual([])
    })
  }
})
