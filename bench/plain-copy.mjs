// The baseline for promoting a data collection: list the source collection,
// then per file download it to a temporary file and upload that file, with a
// fixed number of files in flight. Plain JavaScript, so it starts as fast as
// node does. Configuration comes from the environment (never the command line).
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'

const env = process.env
const concurrency = Number(env.COPY_CONCURRENCY ?? 4)
const source = { url: env.SOURCE_API_URL, key: env.SOURCE_API_KEY, owner: env.SOURCE_OWNER }
const dest = { url: env.DEST_API_URL, key: env.DEST_API_KEY, owner: env.DEST_OWNER }
const collection = env.COLLECTION

const headers = key => ({ Authorization: `Simple ${key}` })
const collectionUrl = side => `${side.url}/v1/connector/data/${side.owner}/${collection}`

async function listing() {
  const files = []
  let marker = ''
  do {
    const response = await fetch(`${collectionUrl(source)}?acl=true${marker ? `&marker=${encodeURIComponent(marker)}` : ''}`, {
      headers: headers(source.key)
    })
    if (!response.ok) throw new Error(`listing: ${response.status}`)
    const page = await response.json()
    files.push(...(page.files ?? []))
    marker = page.marker ?? ''
  } while (marker)
  return files
}

async function copy(file, dir) {
  const local = path.join(dir, encodeURIComponent(file.filename))
  const download = await fetch(`${collectionUrl(source)}/${encodeURIComponent(file.filename)}`, { headers: headers(source.key) })
  if (!download.ok) throw new Error(`download ${file.filename}: ${download.status}`)
  await pipeline(Readable.fromWeb(download.body), createWriteStream(local))
  const size = (await stat(local)).size
  const upload = await fetch(`${collectionUrl(dest)}/${encodeURIComponent(file.filename)}`, {
    method: 'PUT',
    headers: { ...headers(dest.key), 'Content-Length': String(size) },
    body: createReadStream(local),
    duplex: 'half'
  })
  if (!upload.ok) throw new Error(`upload ${file.filename}: ${upload.status}`)
  await upload.arrayBuffer()
  await rm(local)
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'plain-copy-'))
try {
  const create = await fetch(`${dest.url}/v1/connector/data/${dest.owner}`, {
    method: 'POST',
    headers: { ...headers(dest.key), 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: collection })
  })
  if (!create.ok) throw new Error(`create: ${create.status}`)
  const files = await listing()
  let next = 0
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < files.length) await copy(files[next++], dir)
    })
  )
} finally {
  await rm(dir, { recursive: true, force: true })
}
