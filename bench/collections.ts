/**
 * `npm run bench -- --collections [--rounds N]`: promoting hosted data.
 *
 * A source collection of 1,000 files and 500 MB goes to a fresh destination
 * owner with the action (a first promotion, one small algorithm included) and
 * with a plain per-file download-then-upload copy at the same concurrency,
 * each twice per round in mirrored order; then the action re-promotes with nothing
 * changed; then the action copies one 1 GiB file while its memory is sampled.
 */
import { randomBytes } from 'node:crypto'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import type { RequestRecord } from '../emulator/index.js'
import { runAction } from '../scripts/lib/run-action.js'
import { SOURCE_OWNER } from '../__tests__/helpers/clusters.js'
import { addDestinationOwner, type BenchContext } from './contenders.js'
import { Prng } from './fixtures.js'
import { median, runCommand, secondsSince, sleep } from './measure.js'

const FILES = 1000
const TOTAL_BYTES = 500 * 1000 * 1000
const HUGE_BYTES = 1024 * 1024 * 1024
const CONCURRENCY = 4
const BULK = 'bulk'
const HUGE = 'huge'
const READER = 'reader'
const PLAIN_COPY = fileURLToPath(new URL('./plain-copy.mjs', import.meta.url))

interface DataMeasurement {
  readonly seconds: number
  readonly bytesDownloaded: number
  readonly bytesUploaded: number
  readonly peakRssKb: number
}

export async function collectionsBench(ctx: BenchContext, rounds: number): Promise<boolean> {
  const { pair } = ctx
  let start = performance.now()
  await generateCollection(ctx, BULK, fileSizes(FILES, TOTAL_BYTES))
  await pair.seed(READER, { 'src/reader.py': `WEIGHTS = "data://${SOURCE_OWNER}/${BULK}/f0000.bin"\n` })
  log(`Generated data://${SOURCE_OWNER}/${BULK}: ${FILES} files, ${mb(TOTAL_BYTES)} MB in ${secondsSince(start).toFixed(1)} s`)

  const load = [os.loadavg()[0]]
  const samples = { plain: [] as DataMeasurement[], first: [] as DataMeasurement[], noop: [] as DataMeasurement[] }
  for (let round = 1; round <= rounds; round++) {
    log(`Round ${round} of ${rounds}`)
    // Each copy runs twice, mirrored (A B B A): a drift during the round, such as the disk
    // still writing back what the copies before wrote, weighs on both alike.
    const order: Array<'plain' | 'first'> = round % 2 ? ['plain', 'first', 'first', 'plain'] : ['first', 'plain', 'plain', 'first']
    let reRunOwner: string | undefined
    for (const [index, id] of order.entries()) {
      const owner = addDestinationOwner(ctx, `${id}_r${round}_${index + 1}`)
      record(id, id === 'plain' ? await plainCopy(ctx, BULK, owner) : await actionCopy(ctx, BULK, owner, 'created'))
      if (id === 'first' && !reRunOwner) reRunOwner = owner
      else await deleteCollection(ctx, owner, BULK)
    }
    record('noop', await actionCopy(ctx, BULK, reRunOwner!, 'unchanged'))
    await expectSameFiles(ctx, BULK, reRunOwner!)
    await deleteCollection(ctx, reRunOwner!, BULK)
  }
  await deleteCollection(ctx, SOURCE_OWNER, BULK, 'dev')

  start = performance.now()
  await generateCollection(ctx, HUGE, [HUGE_BYTES])
  log(`Generated data://${SOURCE_OWNER}/${HUGE}: one file of ${mb(HUGE_BYTES)} MB in ${secondsSince(start).toFixed(1)} s`)
  const hugeOwner = addDestinationOwner(ctx, 'huge_copy')
  const huge = await actionCopy(ctx, HUGE, hugeOwner, 'created')
  log(`  action, one 1 GiB file: ${huge.seconds.toFixed(2)} s, peak RSS ${mb(huge.peakRssKb * 1024)} MB`)
  await expectSameFiles(ctx, HUGE, hugeOwner)
  await deleteCollection(ctx, hugeOwner, HUGE)
  await deleteCollection(ctx, SOURCE_OWNER, HUGE, 'dev')

  load.push(os.loadavg()[0])
  const plain = median(samples.plain.map(m => m.seconds))
  const first = median(samples.first.map(m => m.seconds))
  const noop = median(samples.noop.map(m => m.seconds))
  console.log('')
  console.log(
    `Data collections — ${rounds} round(s) of ${samples.plain.length / rounds} copies each, ${FILES} files / ${mb(TOTAL_BYTES)} MB, concurrency ${CONCURRENCY} for both copies; ${os.cpus().length} cores, 1-minute load average ${load.map(value => value.toFixed(1)).join(' at the start, ')} at the end`
  )
  console.log('| contender | median s | × plain copy | downloaded | uploaded | peak RSS |')
  console.log('|---|---|---|---|---|---|')
  const row = (name: string, list: DataMeasurement[], ratio: boolean): void => {
    const s = median(list.map(m => m.seconds))
    const peak = Math.max(...list.map(m => m.peakRssKb))
    console.log(
      `| ${name} | ${s.toFixed(3)} | ${ratio ? (s / plain).toFixed(2) : ''} | ${mb(median(list.map(m => m.bytesDownloaded)))} MB | ${mb(median(list.map(m => m.bytesUploaded)))} MB | ${mb(peak * 1024)} MB |`
    )
  }
  row('plain copy: per file, download to disk then upload', samples.plain, true)
  row('action: first promotion (with one small algorithm)', samples.first, true)
  row('action: re-promote, nothing changed', samples.noop, false)
  row('action: one 1 GiB file', [huge], false)
  const targets: Array<[string, boolean]> = [
    [`first promotion ≤ 1.3× the plain copy (${(first / plain).toFixed(2)}×)`, first <= 1.3 * plain],
    [`unchanged re-run < 2 s (${noop.toFixed(2)} s)`, noop < 2],
    [`peak memory < 200 MB while copying a 1 GiB file (${mb(huge.peakRssKb * 1024)} MB)`, huge.peakRssKb * 1024 < 200 * 1000 * 1000]
  ]
  for (const [text, ok] of targets) console.log(`${ok ? 'PASS' : 'FAIL'}  ${text}`)
  return targets.every(([, ok]) => ok)

  function record(id: keyof typeof samples, measurement: DataMeasurement): void {
    samples[id].push(measurement)
    log(
      `  ${id.padEnd(6)} ${measurement.seconds.toFixed(2).padStart(7)} s  peak RSS ${mb(measurement.peakRssKb * 1024)} MB  load ${os.loadavg()[0].toFixed(1)}`
    )
  }
}

/** Sizes from 0.1× to 1.9× the mean, deterministic, summing to `total`. */
function fileSizes(count: number, total: number): number[] {
  const rng = new Prng(12)
  const weights = Array.from({ length: count }, () => 0.1 + (1.8 * rng.next()) / 2 ** 32)
  const sum = weights.reduce((a, b) => a + b, 0)
  const sizes = weights.map(w => Math.floor((w / sum) * total))
  sizes[0] += total - sizes.reduce((a, b) => a + b, 0)
  return sizes
}

async function generateCollection(ctx: BenchContext, collection: string, sizes: number[]): Promise<void> {
  ctx.pair.dev.data.createCollection(SOURCE_OWNER, collection, ['algo://.my/*'])
  for (let i = 0; i < sizes.length; i += 16) {
    await Promise.all(
      sizes
        .slice(i, i + 16)
        .map((size, k) =>
          ctx.pair.dev.data.putFile(SOURCE_OWNER, collection, `f${String(i + k).padStart(4, '0')}.bin`, Readable.from(randomChunks(size)))
        )
    )
  }
}

function* randomChunks(size: number): Generator<Buffer> {
  for (let left = size; left > 0; left -= 1 << 20) yield randomBytes(Math.min(left, 1 << 20))
}

async function plainCopy(ctx: BenchContext, collection: string, destOwner: string): Promise<DataMeasurement> {
  const env = {
    PATH: process.env.PATH,
    COPY_CONCURRENCY: String(CONCURRENCY),
    COLLECTION: collection,
    SOURCE_API_URL: ctx.pair.dev.url,
    SOURCE_API_KEY: ctx.pair.devKey,
    SOURCE_OWNER,
    DEST_API_URL: ctx.pair.prod.url,
    DEST_API_KEY: ctx.pair.prodKey,
    DEST_OWNER: destOwner
  }
  const measured = await measureData(ctx, path.basename(PLAIN_COPY), () => runCommand(process.execPath, [PLAIN_COPY], { env }))
  await expectSameFiles(ctx, collection, destOwner)
  return measured
}

async function actionCopy(
  ctx: BenchContext,
  collection: string,
  destOwner: string,
  expected: 'created' | 'unchanged'
): Promise<DataMeasurement> {
  const inputs = ctx.pair.inputs({ algorithms: READER, collections: collection, 'dest-algo-owner': destOwner, concurrency: CONCURRENCY })
  let outputs: Record<string, string> = {}
  const measured = await measureData(ctx, 'dist/index.js', async () => {
    const run = await runAction(inputs)
    if (run.exitCode !== 0) throw new Error(`action exited ${run.exitCode}:\n${run.stdout}`)
    outputs = run.outputs
    await import('node:fs/promises').then(fs => fs.rm(path.dirname(run.runnerTemp), { recursive: true, force: true }))
  })
  const [result] = JSON.parse(outputs.collections) as Array<{ status: string }>
  if (result?.status !== expected) throw new Error(`action: expected the collection ${expected}, got ${JSON.stringify(result)}`)
  return measured
}

async function measureData(ctx: BenchContext, marker: string, work: () => Promise<unknown>): Promise<DataMeasurement> {
  const { dev, prod } = ctx.pair
  dev.clearRequests()
  prod.clearRequests()
  const start = performance.now()
  const { memory } = await ctx.sampler.during(marker, work)
  const seconds = secondsSince(start)
  await sleep(50)
  const transfers = (requests: RequestRecord[], method: string) =>
    requests.filter(r => r.method === method && /^\/v1\/(connector\/)?data\/[^/]+\/[^/]+\/[^/]+$/.test(r.path))
  return {
    seconds,
    bytesDownloaded: transfers(dev.requests, 'GET').reduce((sum, r) => sum + r.bytesOut, 0),
    bytesUploaded: transfers(prod.requests, 'PUT').reduce((sum, r) => sum + r.bytesIn, 0),
    peakRssKb: memory.peakRssKb
  }
}

/** Names and sizes match; the end-to-end tests check bytes, the bench checks that nothing was skipped. */
async function expectSameFiles(ctx: BenchContext, collection: string, destOwner: string): Promise<void> {
  const shape = (files: Array<{ filename: string; size: number }> | undefined) =>
    JSON.stringify((files ?? []).filter(f => !f.filename.startsWith('.')).map(f => [f.filename, f.size]))
  const source = shape(ctx.pair.dev.data.listFiles(SOURCE_OWNER, collection))
  if (shape(ctx.pair.prod.data.listFiles(destOwner, collection)) !== source) {
    throw new Error(`data://${destOwner}/${collection} does not hold the source's files`)
  }
}

/** Frees the disk as the bench goes: a deleted collection's files are removed. */
async function deleteCollection(ctx: BenchContext, owner: string, collection: string, side: 'dev' | 'prod' = 'prod'): Promise<void> {
  const cluster = ctx.pair[side]
  const key = side === 'dev' ? ctx.pair.devKey : ctx.pair.prodKey
  const response = await fetch(`${cluster.url}/v1/connector/data/${owner}/${collection}?force=true`, {
    method: 'DELETE',
    headers: { Authorization: `Simple ${key}` }
  })
  if (!response.ok) throw new Error(`deleting data://${owner}/${collection}: ${response.status}`)
}

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(1)
}

function log(message: string): void {
  console.log(`[bench] ${message}`)
}
