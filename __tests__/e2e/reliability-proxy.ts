/**
 * A forwarding HTTP proxy for the reliability tests that can lose answers:
 * the request reaches the emulated cluster and is fully handled (the algorithm
 * is created, the version published, the push applied), then the answer is
 * dropped or replaced with a 502 on its way back. The emulator's own faults act
 * before handling, so they cannot simulate "it happened, but we never heard".
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface LostAnswerRule {
  readonly method: string
  readonly path: RegExp
  /** How many matching answers to lose; default 1. */
  readonly times?: number
  /** 'drop': close the connection without an answer; a number: answer with that status instead. */
  readonly loseAs: 'drop' | number
}

export interface LossyProxy {
  readonly url: string
  lose(rule: LostAnswerRule): void
  /** Another run's identical request reaches the cluster just before the matching one (once). */
  forestall(rule: { readonly method: string; readonly path: RegExp }): void
  /** `METHOD path -> upstream status` of every answer that was lost. */
  readonly lost: string[]
  stop(): Promise<void>
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'proxy-connection',
  'te',
  'trailer',
  'host',
  'content-length'
])

export async function startLossyProxy(upstream: string): Promise<LossyProxy> {
  const target = new URL(upstream)
  const rules: Array<{ rule: LostAnswerRule; remaining: number }> = []
  const forestalled: Array<{ method: string; path: RegExp; done?: boolean }> = []
  const lost: string[] = []

  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readAll(req)
      const path = new URL(req.url ?? '/', 'http://proxy').pathname
      const other = forestalled.find(rule => !rule.done && rule.method === req.method && rule.path.test(path))
      if (other) {
        other.done = true
        await forward(target, req, body)
      }
      const answer = await forward(target, req, body)
      const active = rules.find(({ rule, remaining }) => remaining > 0 && rule.method === req.method && rule.path.test(path))
      if (active) {
        active.remaining -= 1
        lost.push(`${req.method} ${path} -> ${answer.status}`)
        if (active.rule.loseAs === 'drop') {
          req.socket.destroy()
          return
        }
        res.writeHead(active.rule.loseAs, { 'Content-Type': 'text/html' })
        res.end('<html><body>502 Bad Gateway (the upstream answer was lost)</body></html>')
        return
      }
      res.writeHead(answer.status, copyHeaders(answer.headers, answer.body.length))
      res.end(answer.body)
    })().catch(() => req.socket.destroy())
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    lose: rule => rules.push({ rule, remaining: rule.times ?? 1 }),
    forestall: rule => forestalled.push({ ...rule }),
    lost,
    stop: () =>
      new Promise(resolve => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
  }
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    stream.on('data', (chunk: Buffer) => chunks.push(chunk))
    stream.on('end', () => resolve(Buffer.concat(chunks)))
    stream.on('error', reject)
  })
}

function forward(target: URL, req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | string[]> = {}
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value
    headers['content-length'] = String(body.length)
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
      async response => {
        try {
          resolve({ status: response.statusCode ?? 502, headers: response.headers, body: await readAll(response) })
        } catch (error) {
          reject(error)
        }
      }
    )
    upstream.on('error', reject)
    upstream.end(body)
  })
}

function copyHeaders(headers: IncomingHttpHeaders, length: number): Record<string, string | string[]> {
  const copy: Record<string, string | string[]> = {}
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) copy[name] = value
  copy['content-length'] = String(length)
  return copy
}
