/**
 * A forwarding HTTP proxy for the hardening tests that plays a hostile or odd
 * cluster in front of a real emulated one: it redirects, rewrites answers,
 * sends answers that never end, or trickles them. Every request it sees is
 * recorded with whether it carried an Authorization header, and whether the
 * proxy answered it itself or forwarded it.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Answer {
  status: number
  headers: Record<string, string | string[]>
  body: Buffer
}

interface RuleBase {
  readonly method?: string
  readonly path: RegExp
  /** How many matching requests the rule handles; default: all. */
  readonly times?: number
}

export type HostileRule =
  /** Answers with a redirect to the same path on `to` (another origin). */
  | (RuleBase & { readonly kind: 'redirect'; readonly to: string; readonly status: number })
  /** Forwards, then replaces the answer with `transform(answer)`. */
  | (RuleBase & { readonly kind: 'rewrite'; readonly transform: (answer: Answer) => Answer })
  /** Answers 200 with a body that never ends, `bytesPerSecond` fast, each chunk `chunk`. */
  | (RuleBase & {
      readonly kind: 'endless'
      readonly contentType: string
      readonly prefix: string
      readonly chunk: string
      readonly bytesPerSecond: number
    })

export interface SeenRequest {
  readonly method: string
  readonly path: string
  readonly authorized: boolean
  /** Which rule answered it (its index), or -1 when it was forwarded untouched. */
  readonly rule: number
  readonly at: number
}

export interface HostileProxy {
  readonly url: string
  add(rule: HostileRule): void
  readonly seen: SeenRequest[]
  stop(): Promise<void>
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer', 'host'])

export async function startHostileProxy(upstream: string): Promise<HostileProxy> {
  const target = new URL(upstream)
  const rules: Array<{ rule: HostileRule; remaining: number }> = []
  const seen: SeenRequest[] = []
  const timers = new Set<NodeJS.Timeout>()

  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = new URL(req.url ?? '/', 'http://proxy').pathname
      const index = rules.findIndex(
        ({ rule, remaining }) => remaining > 0 && (!rule.method || rule.method === req.method) && rule.path.test(path)
      )
      const active = index >= 0 ? rules[index] : undefined
      if (active) active.remaining -= 1
      seen.push({ method: req.method ?? 'GET', path, authorized: req.headers.authorization !== undefined, rule: index, at: Date.now() })
      const body = await readAll(req)
      const rule = active?.rule
      if (rule?.kind === 'redirect') {
        res.writeHead(rule.status, { Location: `${rule.to.replace(/\/+$/, '')}${req.url ?? '/'}`, 'Content-Length': '0' })
        res.end()
        return
      }
      if (rule?.kind === 'endless') {
        res.writeHead(200, { 'Content-Type': rule.contentType })
        res.write(rule.prefix)
        const chunk = Buffer.from(rule.chunk)
        const perTick = Math.max(1, Math.round(rule.bytesPerSecond / 20 / chunk.length))
        const timer = setInterval(() => {
          for (let i = 0; i < perTick && !res.destroyed; i++) res.write(chunk)
        }, 50)
        timers.add(timer)
        res.on('close', () => {
          clearInterval(timer)
          timers.delete(timer)
        })
        return
      }
      let answer = await forward(target, req, body)
      if (rule?.kind === 'rewrite') answer = rule.transform(answer)
      res.writeHead(answer.status, { ...answer.headers, 'content-length': String(answer.body.length) })
      res.end(answer.body)
    })().catch(() => req.socket.destroy())
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    add: rule => rules.push({ rule, remaining: rule.times ?? Number.POSITIVE_INFINITY }),
    seen,
    stop: () =>
      new Promise(resolve => {
        for (const timer of timers) clearInterval(timer)
        server.close(() => resolve())
        server.closeAllConnections()
      })
  }
}

/** Rewrites a JSON answer with `edit` (which may change the parsed body in place or return a new one). */
export function editJson(edit: (body: Record<string, unknown>) => unknown): (answer: Answer) => Answer {
  return answer => {
    const parsed = JSON.parse(answer.body.toString('utf8')) as Record<string, unknown>
    const edited = edit(parsed) ?? parsed
    return { ...answer, body: Buffer.from(JSON.stringify(edited)) }
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

function forward(target: URL, req: IncomingMessage, body: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | string[]> = {}
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value
    headers['content-length'] = String(body.length)
    const upstream = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, response => {
      readAll(response)
        .then(answerBody => resolve({ status: response.statusCode ?? 502, headers: copyHeaders(response.headers), body: answerBody }))
        .catch(reject)
    })
    upstream.on('error', reject)
    upstream.end(body)
  })
}

function copyHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const copy: Record<string, string | string[]> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name) && name !== 'content-length') copy[name] = value
  }
  return copy
}
