/**
 * ClusterHttp and AlgorithmiaApi against a scripted local HTTP server: the
 * per-request timeout (not reachable end to end until it is an input),
 * Retry-After, which requests are retried, scrubbing of echoed keys, and a
 * create whose answer was lost.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { AlgorithmiaApi } from '../../src/cluster/api.js'
import { ClusterApiError, ClusterUnreachableError } from '../../src/cluster/errors.js'
import { ClusterHttp } from '../../src/cluster/http.js'
import { silentLogger, type Logger } from '../../src/util/log.js'
import type { RetryPolicy } from '../../src/util/retry.js'
import { SecretRegistry } from '../../src/util/secrets.js'

type Handler = (req: IncomingMessage, res: ServerResponse, body: string, index: number) => unknown

interface Scripted {
  readonly url: string
  readonly hits: Array<{ method: string; path: string; at: number }>
}

let server: Server | undefined

async function serve(handler: Handler): Promise<Scripted> {
  const hits: Scripted['hits'] = []
  server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', chunk => chunks.push(chunk))
    req.on('end', () => {
      hits.push({ method: req.method ?? '', path: req.url ?? '', at: Date.now() })
      void handler(req, res, Buffer.concat(chunks).toString('utf8'), hits.length - 1)
    })
  })
  await new Promise<void>(resolve => server!.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits }
}

afterEach(async () => {
  server?.closeAllConnections()
  await new Promise(resolve => server?.close(resolve) ?? resolve(undefined))
  server = undefined
})

const KEY = 'simCANARY/unit+k='
const POLICY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 400, maxTotalDelayMs: 5000, attemptTimeoutMs: 30_000 }

function client(url: string, options: { retry?: Partial<RetryPolicy>; requestTimeoutMs?: number; logger?: Logger } = {}): ClusterHttp {
  const secrets = new SecretRegistry()
  secrets.registerKey('alice', KEY)
  return new ClusterHttp({
    cluster: 'unit.example.com',
    apiUrl: url,
    apiKey: KEY,
    retry: { ...POLICY, ...options.retry, ...(options.requestTimeoutMs ? { attemptTimeoutMs: options.requestTimeoutMs } : {}) },
    logger: options.logger ?? silentLogger,
    redact: text => secrets.redact(text)
  })
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers })
  res.end(JSON.stringify(body))
}

describe('per-request timeout', () => {
  it('abandons a request that takes too long, and the retry succeeds', async () => {
    const cluster = await serve((_req, res, _body, index) => {
      if (index === 0) setTimeout(() => json(res, 200, { late: true }), 500)
      else json(res, 200, { name: 'hello' })
    })
    const started = Date.now()
    const answer = await client(cluster.url, { requestTimeoutMs: 100 }).request<{ name: string }>({
      method: 'GET',
      path: '/algorithms/a/hello'
    })
    expect(answer).toEqual({ name: 'hello' })
    expect(cluster.hits).toHaveLength(2)
    expect(Date.now() - started).toBeLessThan(450)
  })

  it('gives up after max attempts, each timed out, with a message that says so', async () => {
    const cluster = await serve((_req, res) => void setTimeout(() => json(res, 200, {}), 1000))
    const error = await client(cluster.url, { requestTimeoutMs: 80 })
      .request({ method: 'GET', path: '/algorithms/a/hello' })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ClusterUnreachableError)
    expect((error as Error).message).toBe('unit.example.com: GET /algorithms/a/hello got no answer (timed out after 0.08 s)')
    expect(cluster.hits).toHaveLength(3)
  })

  it("takes the retry policy's attempt timeout when none is given", async () => {
    const cluster = await serve((_req, res) => void setTimeout(() => json(res, 200, {}), 1000))
    const error = await client(cluster.url, { retry: { maxAttempts: 1, attemptTimeoutMs: 120 } })
      .request({ method: 'GET', path: '/x' })
      .catch((e: unknown) => e)
    expect((error as Error).message).toMatch(/timed out after 0\.12 s/)
  })

  it('also covers an answer that stalls half-way through its body', async () => {
    const cluster = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '100' })
      res.write('{"name":')
    })
    const error = await client(cluster.url, { requestTimeoutMs: 100, retry: { maxAttempts: 2 } })
      .request({ method: 'GET', path: '/x' })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ClusterUnreachableError)
    expect((error as Error).message).toMatch(/the answer was cut off: timed out after 0\.1 s/)
    expect(cluster.hits).toHaveLength(2)
  })
})

describe('retry notices', () => {
  it('name the cluster once, not once from the error and again in front of it', async () => {
    const cluster = await serve((_req, res, _body, index) =>
      index === 0 ? json(res, 503, { error: { code: 5001, message: 'maintenance' } }) : json(res, 200, {})
    )
    const notices: string[] = []
    await client(cluster.url, { logger: { ...silentLogger, info: message => void notices.push(message) } }).request({
      method: 'GET',
      path: '/x'
    })
    expect(notices).toHaveLength(1)
    expect(notices[0]).toMatch(/^unit\.example\.com: GET \/x /)
    expect(notices[0].split('unit.example.com').length - 1).toBe(1)
  })
})

describe('Retry-After', () => {
  it('waits as long as a 429 says (seconds)', async () => {
    const cluster = await serve((_req, res, _body, index) =>
      index === 0 ? json(res, 429, { error: { code: 429, message: 'slow down' } }, { 'Retry-After': '0.3' }) : json(res, 200, {})
    )
    const retries: number[] = []
    const logger: Logger = { ...silentLogger, info: message => void retries.push(Number(/retrying in ([\d.]+) s/.exec(message)?.[1])) }
    await client(cluster.url, { logger }).request({ method: 'GET', path: '/x' })
    expect(cluster.hits[1].at - cluster.hits[0].at).toBeGreaterThanOrEqual(290)
    expect(retries).toEqual([0.3])
  })

  it('waits until an HTTP date, and applies to a 503 too', async () => {
    let retryAt = 0
    const cluster = await serve((_req, res, _body, index) => {
      if (index > 0) return json(res, 200, {})
      retryAt = Math.ceil((Date.now() + 300) / 1000) * 1000
      json(res, 503, { error: { code: 5001, message: 'maintenance' } }, { 'Retry-After': new Date(retryAt).toUTCString() })
    })
    await client(cluster.url, { retry: { maxDelayMs: 3000 } }).request({ method: 'GET', path: '/x' })
    expect(cluster.hits[1].at).toBeGreaterThanOrEqual(retryAt - 20)
  })

  it('never waits longer than the bound for one wait', async () => {
    const cluster = await serve((_req, res, _body, index) =>
      index === 0 ? json(res, 429, {}, { 'Retry-After': '3600' }) : json(res, 200, {})
    )
    const started = Date.now()
    await client(cluster.url, { retry: { maxDelayMs: 150 } }).request({ method: 'GET', path: '/x' })
    expect(Date.now() - started).toBeLessThan(1000)
    expect(cluster.hits[1].at - cluster.hits[0].at).toBeGreaterThanOrEqual(140)
  })

  it('gives up rather than exceed the bound for all waits together', async () => {
    const cluster = await serve((_req, res) => json(res, 429, {}, { 'Retry-After': '0.2' }))
    const error = await client(cluster.url, { retry: { maxAttempts: 10, maxTotalDelayMs: 500 } })
      .request({ method: 'GET', path: '/x' })
      .catch((e: unknown) => e)
    expect((error as ClusterApiError).status).toBe(429)
    expect(cluster.hits).toHaveLength(3)
  })
})

describe('what is retried', () => {
  const statusOnce = (status: number) =>
    serve((_req, res, _body, index) =>
      index === 0 ? json(res, status, { error: { code: 5001, message: `status ${status}` } }) : json(res, 200, { ok: true })
    )

  it.each([500, 502, 503, 504, 408])('retries a read answered %i', async status => {
    const cluster = await statusOnce(status)
    await expect(client(cluster.url).request({ method: 'GET', path: '/x' })).resolves.toEqual({ ok: true })
    expect(cluster.hits).toHaveLength(2)
  })

  it.each([400, 401, 403, 404, 501])('does not retry a read answered %i', async status => {
    const cluster = await statusOnce(status)
    await expect(client(cluster.url).request({ method: 'GET', path: '/x' })).rejects.toMatchObject({ status })
    expect(cluster.hits).toHaveLength(1)
  })

  it('does not retry a non-idempotent POST (its caller checks the state first)', async () => {
    const cluster = await statusOnce(503)
    await expect(client(cluster.url).request({ method: 'POST', path: '/x', body: {} })).rejects.toMatchObject({ status: 503 })
    expect(cluster.hits).toHaveLength(1)
  })

  it('retries a POST marked idempotent, and says which attempt it is on', async () => {
    const cluster = await statusOnce(503)
    const attempts: number[] = []
    await client(cluster.url).request({ method: 'POST', path: '/x', body: {}, idempotent: true, onAttempt: n => attempts.push(n) })
    expect(attempts).toEqual([1, 2])
  })

  it('retries a reset connection', async () => {
    const cluster = await serve((req, res, _body, index) => (index === 0 ? req.socket.destroy() : json(res, 200, { ok: true })))
    await expect(client(cluster.url).request({ method: 'GET', path: '/x' })).resolves.toEqual({ ok: true })
  })
})

describe('keys in what a cluster says', () => {
  it('scrubs a key echoed in a JSON error message', async () => {
    const basic = Buffer.from(`alice:${KEY}`).toString('base64')
    const cluster = await serve((_req, res) =>
      json(res, 400, {
        error: { code: 2015, message: `bad header Authorization: Simple ${KEY} / Basic ${basic} / ${encodeURIComponent(KEY)}` }
      })
    )
    const error = (await client(cluster.url)
      .request({ method: 'GET', path: '/x' })
      .catch((e: unknown) => e)) as ClusterApiError
    expect(error.message).toBe('unit.example.com: GET /x answered 400 (code 2015): bad header Authorization: Simple *** / Basic *** / ***')
  })

  it('scrubs before cutting an HTML page to an excerpt, so no fragment of a key survives', async () => {
    for (let offset = 190; offset <= 200; offset++) {
      const page = `${'x'.repeat(offset)}${KEY} trailing text`
      const cluster = await serve((_req, res) => {
        res.writeHead(502, { 'Content-Type': 'text/html' })
        res.end(page)
      })
      const error = (await client(cluster.url, { retry: { maxAttempts: 1 } })
        .request({ method: 'GET', path: '/x' })
        .catch((e: unknown) => e)) as Error
      expect(error.message).not.toMatch(/simCAN|CANARY/)
      server?.closeAllConnections()
      await new Promise(resolve => server!.close(resolve))
      server = undefined
    }
  })

  it('scrubs a key echoed in a 200 answer that is not JSON', async () => {
    const cluster = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' })
      res.end(`you sent ${KEY}`)
    })
    const error = (await client(cluster.url)
      .request({ method: 'GET', path: '/x' })
      .catch((e: unknown) => e)) as Error
    expect(error.message).toBe('unit.example.com: GET /x answered 200: the answer is not JSON: you sent ***')
  })

  it('logs each request at debug level without the key', async () => {
    const cluster = await serve((_req, res) => json(res, 200, {}))
    const debug: string[] = []
    await client(cluster.url, { logger: { ...silentLogger, debug: message => void debug.push(message) } }).request({
      method: 'GET',
      path: '/algorithms/a/b'
    })
    expect(debug).toHaveLength(1)
    expect(debug[0]).toMatch(/^unit\.example\.com: GET \/algorithms\/a\/b: 200 after \d+ ms$/)
  })
})

describe('ensureAlgorithm: a create whose answer was lost', () => {
  const body = { name: 'hello', details: { label: 'hello' }, settings: {} }

  /** A cluster that creates on POST (then loses the answer `lose` times) and answers GET with what exists. */
  async function cluster(options: { lose: number; existsBefore?: boolean; visible?: boolean }): Promise<Scripted> {
    let exists = options.existsBefore ?? false
    let lost = 0
    return serve((req, res) => {
      if (req.method === 'GET')
        return exists && options.visible !== false ? json(res, 200, body) : json(res, 404, { error: 'No such algorithm' })
      if (exists) return json(res, 400, { error: { code: 1002, message: 'Algorithm name already taken' } })
      exists = true
      if (lost++ < options.lose) return req.socket.destroy()
      json(res, 201, body)
    })
  }

  const api = (url: string): AlgorithmiaApi => new AlgorithmiaApi('unit.example.com', client(url))

  it('counts "name taken" on the retry as this run having created it', async () => {
    const server = await cluster({ lose: 1 })
    await expect(api(server.url).ensureAlgorithm('team', body)).resolves.toMatchObject({ created: true })
    expect(server.hits.map(hit => hit.method)).toEqual(['POST', 'POST', 'GET'])
  })

  it('counts "name taken" on the first attempt as already there', async () => {
    const server = await cluster({ lose: 0, existsBefore: true })
    await expect(api(server.url).ensureAlgorithm('team', body)).resolves.toMatchObject({ created: false })
  })

  it('does not accept "name taken" when the algorithm cannot be confirmed', async () => {
    const server = await cluster({ lose: 0, existsBefore: true, visible: false })
    await expect(api(server.url).ensureAlgorithm('team', body)).rejects.toMatchObject({ code: 1002 })
  })
})
