import { createHash, randomBytes } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { EmulatedCluster } from '../../emulator/index.js'
import { api, seedUser, useFixture } from './helpers.js'

const fixture = useFixture()
const DATA = '/v1/connector/data'

async function setup(opts: { root?: string } = {}) {
  const cluster = await fixture.start(opts)
  const key = seedUser(cluster, 'alice')
  const bobKey = seedUser(cluster, 'bob')
  return { cluster, key, bobKey }
}

async function put(cluster: EmulatedCluster, path: string, key: string, body: Buffer | ReadableStream<Uint8Array>) {
  const init: RequestInit & { duplex?: 'half' } = { method: 'PUT', headers: { Authorization: `Simple ${key}` }, body }
  if (!Buffer.isBuffer(body)) init.duplex = 'half'
  const response = await fetch(`${cluster.url}${path}`, init)
  return { status: response.status, body: (await response.text()) || undefined }
}

async function download(cluster: EmulatedCluster, path: string, key: string) {
  const response = await fetch(`${cluster.url}${path}`, { headers: { Authorization: `Simple ${key}` } })
  return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) }
}

/** A body sent with chunked transfer encoding, in pieces of `size`. */
function chunked(bytes: Buffer, size: number): ReadableStream<Uint8Array> {
  let offset = 0
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close()
      controller.enqueue(bytes.subarray(offset, offset + size))
      offset += size
    }
  })
}

describe('hosted data collections', () => {
  it('creates a collection with its ACL under both path prefixes and lists it with ?acl=true', async () => {
    const { cluster, key } = await setup()
    const created = await api(cluster, `${DATA}/alice`, { method: 'POST', key, body: { name: 'models', acl: { read: ['user://*'] } } })
    expect(created).toMatchObject({ status: 200, body: { result: 'data://alice/models' } })
    const defaulted = await api(cluster, '/v1/data/alice', { method: 'POST', key, body: { name: 'vocab' } })
    expect(defaulted.status).toBe(200)
    expect(cluster.data.readAcl('alice', 'vocab')).toEqual(['algo://.my/*'])

    const listing = await api(cluster, '/v1/data/alice/models?acl=true', { key })
    expect(listing.status).toBe(200)
    expect(listing.headers.get('x-data-type')).toBe('directory')
    expect(listing.body).toEqual({ acl: { read: ['user://*'] } }) // files omitted while empty
    expect((await api(cluster, `${DATA}/alice/models`, { key })).body).toEqual({})

    const taken = await api(cluster, `${DATA}/alice`, { method: 'POST', key, body: { name: 'models' } })
    expect(taken.status).toBe(400)
    const badAcl = await api(cluster, `${DATA}/alice`, { method: 'POST', key, body: { name: 'x', acl: { read: ['everyone'] } } })
    expect(badAcl.status).toBe(400)
    const badName = await api(cluster, `${DATA}/alice`, { method: 'POST', key, body: { name: '1bad' } })
    expect(badName.status).toBe(400)
  })

  it('updates the ACL with PATCH', async () => {
    const { cluster, key } = await setup()
    cluster.data.createCollection('alice', 'models')
    const patched = await api(cluster, `${DATA}/alice/models`, { method: 'PATCH', key, body: { acl: { read: [] } } })
    expect(patched.status).toBe(200)
    expect(cluster.data.readAcl('alice', 'models')).toEqual([])
  })

  it('streams uploads (chunked included) to disk and downloads them byte-identical with X-Data-Type: file', async () => {
    const root = await fixture.tmp()
    const { cluster, key } = await setup({ root })
    cluster.data.createCollection('alice', 'models')
    const bytes = randomBytes(3 * 1024 * 1024 + 17)
    const uploaded = await put(cluster, `${DATA}/alice/models/weights.bin`, key, chunked(bytes, 100_000))
    expect(uploaded).toEqual({ status: 200, body: JSON.stringify({ result: 'data://alice/models/weights.bin' }) })
    expect((await put(cluster, '/v1/data/alice/models/a%20b.txt', key, Buffer.from('hello'))).status).toBe(200)

    const got = await download(cluster, `${DATA}/alice/models/weights.bin`, key)
    expect(got.status).toBe(200)
    expect(got.headers.get('x-data-type')).toBe('file')
    expect(got.headers.get('content-length')).toBe(String(bytes.length))
    expect(sha(got.bytes)).toBe(sha(bytes))

    // The bytes live in a file under the cluster's root, not in memory.
    const dir = join(root, 'data', 'alice', 'models')
    const stored = await Promise.all((await readdir(dir)).map(name => readFile(join(dir, name))))
    expect(stored.map(sha)).toContain(sha(bytes))

    const listing = await api(cluster, `${DATA}/alice/models`, { key })
    const files = (listing.body as { files: { filename: string; size: number; last_modified: string }[] }).files
    expect(files.map(f => [f.filename, f.size])).toEqual([
      ['a b.txt', 5],
      ['weights.bin', bytes.length]
    ])
    expect(Number.isNaN(Date.parse(files[0].last_modified))).toBe(false)
    const log = cluster.requests.find(r => r.method === 'PUT' && r.path.endsWith('weights.bin'))
    expect(log?.bytesIn).toBe(bytes.length)
  })

  it('pages listings at 1,000 files with a marker', async () => {
    const { cluster, key } = await setup()
    cluster.data.createCollection('alice', 'many')
    const names = Array.from({ length: 1001 }, (_, i) => `f${String(i).padStart(4, '0')}`)
    await Promise.all(names.map(name => cluster.data.putFile('alice', 'many', name, name)))
    const first = (await api(cluster, `${DATA}/alice/many`, { key })).body as { files: { filename: string }[]; marker?: string }
    expect(first.files).toHaveLength(1000)
    expect(first.marker).toBeTruthy()
    const second = (await api(cluster, `${DATA}/alice/many?marker=${encodeURIComponent(first.marker!)}`, { key })).body as {
      files: { filename: string }[]
      marker?: string
    }
    expect(second.files.map(f => f.filename)).toEqual(['f1000'])
    expect(second.marker).toBeUndefined()
    expect((await api(cluster, `${DATA}/alice/many?marker=%%%`, { key })).status).toBe(400)
  })

  it('answers HEAD with X-Error-Message on errors, deletes files, and needs force=true for a non-empty collection', async () => {
    const { cluster, key } = await setup()
    cluster.data.createCollection('alice', 'models')
    await cluster.data.putFile('alice', 'models', 'a.txt', 'aaa')
    const exists = await fetch(`${cluster.url}${DATA}/alice/models/a.txt`, { method: 'HEAD', headers: { Authorization: `Simple ${key}` } })
    expect(exists.status).toBe(200)
    expect(exists.headers.get('x-data-type')).toBe('file')
    const missing = await fetch(`${cluster.url}${DATA}/alice/models/nope.txt`, {
      method: 'HEAD',
      headers: { Authorization: `Simple ${key}` }
    })
    expect(missing.status).toBe(404)
    expect(missing.headers.get('x-error-message')).toMatch(/No such file/)

    const refused = await api(cluster, `${DATA}/alice/models`, { method: 'DELETE', key })
    expect(refused.status).toBe(400)
    expect(cluster.data.listFiles('alice', 'models')).toHaveLength(1)
    await cluster.data.putFile('alice', 'models', 'b.txt', 'bbb')
    expect(await api(cluster, `${DATA}/alice/models/b.txt`, { method: 'DELETE', key })).toMatchObject({
      status: 200,
      body: { result: { deleted: 1 } }
    })
    expect(await api(cluster, `${DATA}/alice/models?force=true`, { method: 'DELETE', key })).toMatchObject({
      status: 200,
      body: { result: { deleted: 1 } }
    })
    expect(cluster.data.listFiles('alice', 'models')).toBeUndefined()
  })

  it('creates sub-folders, lists them under folders, takes files in them, and deletes them recursively only with force', async () => {
    const { cluster, key, bobKey } = await setup()
    cluster.data.createCollection('alice', 'models', ['user://*'])
    expect((await put(cluster, `${DATA}/alice/models/v2/w.bin`, key, Buffer.from('w'))).status).toBe(404)
    expect(await api(cluster, `${DATA}/alice/models`, { method: 'POST', key, body: { name: 'v2' } })).toMatchObject({
      status: 200,
      body: { result: 'data://alice/models/v2' }
    })
    expect((await api(cluster, `${DATA}/alice/models/v2`, { method: 'POST', key, body: { name: 'deep' } })).status).toBe(200)
    expect((await api(cluster, `${DATA}/alice/models/v2`, { method: 'POST', key: bobKey, body: { name: 'x' } })).status).toBe(403)
    expect((await api(cluster, `${DATA}/alice/models`, { method: 'POST', key, body: { name: 'v2' } })).status).toBe(400)
    expect((await put(cluster, `${DATA}/alice/models/v2/w.bin`, key, Buffer.from('weights'))).status).toBe(200)
    await cluster.data.putFile('alice', 'models', 'top.txt', 't')
    const top = await api(cluster, `${DATA}/alice/models`, { key })
    expect(top.body).toEqual({ files: [expect.objectContaining({ filename: 'top.txt', size: 1 })], folders: [{ name: 'v2' }] })
    const v2 = await api(cluster, `${DATA}/alice/models/v2?acl=true`, { key })
    expect(v2.body).toEqual({
      files: [expect.objectContaining({ filename: 'w.bin', size: 7 })],
      folders: [{ name: 'deep' }],
      acl: { read: ['user://*'] }
    })
    expect((await download(cluster, `${DATA}/alice/models/v2/w.bin`, bobKey)).status).toBe(200)
    expect((await put(cluster, `${DATA}/alice/models/v2`, key, Buffer.from('x'))).status).toBe(400)
    expect((await api(cluster, `${DATA}/alice/models/v2`, { method: 'DELETE', key })).status).toBe(400)
    expect(await api(cluster, `${DATA}/alice/models/v2?force=true`, { method: 'DELETE', key })).toMatchObject({
      status: 200,
      body: { result: { deleted: 1 } }
    })
    expect((await api(cluster, `${DATA}/alice/models/v2`, { key })).status).toBe(404)
    expect(cluster.data.listFiles('alice', 'models')?.map(file => file.filename)).toEqual(['top.txt'])
  })

  it("reads and writes data://.my/… as the key owner's own collections", async () => {
    const { cluster, key, bobKey } = await setup()
    cluster.data.createCollection('alice', 'models')
    expect((await put(cluster, `${DATA}/.my/models/w.txt`, key, Buffer.from('mine'))).status).toBe(200)
    expect((await cluster.data.readFile('alice', 'models', 'w.txt')).toString()).toBe('mine')
    expect((await api(cluster, `${DATA}/.my/models`, { key })).body).toMatchObject({
      files: [expect.objectContaining({ filename: 'w.txt' })]
    })
    expect((await api(cluster, `${DATA}/.my/models`, { key: bobKey })).status).toBe(404)
  })

  it('checks ACLs: others read only public collections and never write', async () => {
    const { cluster, key, bobKey } = await setup()
    cluster.data.createCollection('alice', 'private', [])
    cluster.data.createCollection('alice', 'public', ['user://*'])
    cluster.data.createCollection('alice', 'algos')
    for (const c of ['private', 'public', 'algos']) await cluster.data.putFile('alice', c, 'x.txt', 'x')
    expect((await download(cluster, `${DATA}/alice/public/x.txt`, bobKey)).status).toBe(200)
    expect((await download(cluster, `${DATA}/alice/private/x.txt`, bobKey)).status).toBe(403)
    expect((await download(cluster, `${DATA}/alice/algos/x.txt`, bobKey)).status).toBe(403)
    expect((await api(cluster, `${DATA}/alice/private`, { key: bobKey })).status).toBe(403)
    expect((await put(cluster, `${DATA}/alice/public/y.txt`, bobKey, Buffer.from('y'))).status).toBe(403)
    expect((await api(cluster, `${DATA}/alice`, { method: 'POST', key: bobKey, body: { name: 'mine' } })).status).toBe(403)
    expect((await api(cluster, `${DATA}/alice/public/x.txt`, { method: 'DELETE', key: bobKey })).status).toBe(403)
    expect((await download(cluster, `${DATA}/alice/private/x.txt`, 'simNotAKey')).status).toBe(401)
    expect((await download(cluster, `${DATA}/alice/private/x.txt`, key)).status).toBe(200)
    expect((await put(cluster, `${DATA}/alice/public/sub/y.txt`, key, Buffer.from('y'))).status).toBe(404)
    expect((await put(cluster, `${DATA}/alice/nothere/y.txt`, key, Buffer.from('y'))).status).toBe(404)
  })
})

describe('hosted data faults', () => {
  it('an upload cut mid-stream stores nothing and leaves the previous bytes', async () => {
    const { cluster, key } = await setup()
    cluster.data.createCollection('alice', 'models')
    await cluster.data.putFile('alice', 'models', 'w.bin', 'old')
    cluster.data.faults.add({ method: 'PUT', path: `${DATA}/alice/models/w.bin`, cutAfterBytes: 100_000 })
    await expect(put(cluster, `${DATA}/alice/models/w.bin`, key, chunked(randomBytes(1_000_000), 50_000))).rejects.toThrow()
    expect((await cluster.data.readFile('alice', 'models', 'w.bin')).toString()).toBe('old')
    expect(cluster.data.listFiles('alice', 'models')?.map(f => f.size)).toEqual([3])
  })

  it('an upload failed part-way answers the status and stores nothing', async () => {
    const { cluster, key } = await setup()
    cluster.data.createCollection('alice', 'models')
    cluster.data.faults.add({ method: 'PUT', path: /w\.bin$/, failAfterBytes: 1000, status: 502 })
    const failed = await put(cluster, `${DATA}/alice/models/w.bin`, key, Buffer.alloc(500_000)).catch(() => ({ status: 0 }))
    expect([502, 0], JSON.stringify(failed)).toContain(failed.status) // the client may see the answer or the closed connection
    expect(cluster.data.listFiles('alice', 'models')).toEqual([])
    expect((await put(cluster, `${DATA}/alice/models/w.bin`, key, Buffer.alloc(10))).status).toBe(200)
  })

  it('a download cut mid-stream delivers fewer bytes than announced; 503s and slow reads apply to data paths', async () => {
    const { cluster, key } = await setup()
    cluster.data.createCollection('alice', 'models')
    await cluster.data.putFile('alice', 'models', 'w.bin', randomBytes(2_000_000))
    cluster.data.faults.add({ method: 'GET', path: `${DATA}/alice/models/w.bin`, cutAfterBytes: 300_000 })
    await expect(download(cluster, `${DATA}/alice/models/w.bin`, key)).rejects.toThrow()

    cluster.faults.add({ path: `${DATA}/alice/models`, status: 503 })
    expect((await download(cluster, `${DATA}/alice/models/w.bin`, key)).status).toBe(503)

    await cluster.data.putFile('alice', 'models', 's.bin', randomBytes(50_000))
    cluster.data.faults.add({ method: 'GET', path: /s\.bin$/, bytesPerSecond: 200_000 })
    const started = Date.now()
    const slow = await download(cluster, `${DATA}/alice/models/s.bin`, key)
    expect(slow.bytes.length).toBe(50_000)
    expect(Date.now() - started).toBeGreaterThanOrEqual(200)
  })
})

function sha(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex')
}
