// A minimal CGI bridge: runs a program with CGI environment variables, streams
// the request body to its stdin and its stdout (CGI headers, then body) back
// to the client, with backpressure in both directions.
import { spawn } from 'node:child_process'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Exchange } from './http-util.js'

export interface CgiProgram {
  command: string
  args: string[]
  env: Record<string, string>
  /** Sees each request body chunk (e.g. to classify the request). */
  onRequestChunk?: (chunk: Buffer) => void
  /**
   * Runs after the program exits, before the response ends: work done here is
   * visible to the client as soon as its request completes.
   */
  beforeEnd?: (result: CgiResult) => Promise<void>
}

export interface CgiResult {
  exitCode: number | null
  status: number
}

interface CgiHead {
  status: number
  headers: Array<[string, string]>
}

export function runCgi(req: IncomingMessage, res: ServerResponse, exchange: Exchange, program: CgiProgram): Promise<CgiResult> {
  return new Promise(resolve => {
    const child = spawn(program.command, program.args, { env: program.env, stdio: ['pipe', 'pipe', 'pipe'] })
    const stderr: Buffer[] = []
    let headBytes = Buffer.alloc(0) // stdout until the CGI header block is complete
    let head: CgiHead | undefined
    let settled = false

    req.on('data', (chunk: Buffer) => {
      exchange.bytesIn += chunk.length
      program.onRequestChunk?.(chunk)
    })
    req.pipe(child.stdin)
    child.stdin.on('error', () => undefined) // the program may exit without reading the body
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))

    const writeBody = (chunk: Buffer): void => {
      if (chunk.length === 0) return
      exchange.bytesOut += chunk.length
      if (!res.write(chunk)) {
        child.stdout.pause()
        res.once('drain', () => child.stdout.resume())
      }
    }

    child.stdout.on('data', (chunk: Buffer) => {
      if (head) return writeBody(chunk)
      headBytes = Buffer.concat([headBytes, chunk])
      const split = splitHead(headBytes)
      if (!split) return
      head = split.head
      res.statusCode = head.status
      for (const [name, value] of head.headers) appendHeader(res, name, value)
      writeBody(split.rest)
    })

    // The client went away mid-response: stop the program.
    res.on('close', () => {
      if (!res.writableFinished) child.kill()
    })

    const finish = async (exitCode: number | null): Promise<void> => {
      if (settled) return
      settled = true
      const result: CgiResult = { exitCode, status: head?.status ?? 502 }
      if (!head) {
        reportBrokenProgram(res, exchange, program, exitCode, Buffer.concat(stderr).toString('utf8'))
      } else {
        await runBeforeEnd(program, result)
        res.end()
      }
      resolve(result)
    }
    child.on('error', () => void finish(null))
    child.on('close', code => void finish(code))
  })
}

async function runBeforeEnd(program: CgiProgram, result: CgiResult): Promise<void> {
  try {
    await program.beforeEnd?.(result)
  } catch (error) {
    console.error('[emulator] after-request hook failed:', error instanceof Error ? error.message : error)
  }
}

function reportBrokenProgram(res: ServerResponse, exchange: Exchange, program: CgiProgram, exitCode: number | null, stderr: string): void {
  console.error(`[emulator] ${program.command} ${program.args.join(' ')} exited ${exitCode} without headers: ${stderr}`)
  if (res.headersSent || res.destroyed) return
  const body = 'Bad gateway: the git backend produced no response\n'
  exchange.bytesOut += Buffer.byteLength(body)
  res.writeHead(502, { 'Content-Type': 'text/plain' })
  res.end(body)
}

function appendHeader(res: ServerResponse, name: string, value: string): void {
  const existing = res.getHeader(name)
  if (existing === undefined) res.setHeader(name, value)
  else res.setHeader(name, [...(Array.isArray(existing) ? existing : [String(existing)]), value])
}

/** Splits CGI output at the blank line ending the header block. */
function splitHead(output: Buffer): { head: CgiHead; rest: Buffer } | undefined {
  const crlf = output.indexOf('\r\n\r\n')
  const lf = output.indexOf('\n\n')
  const candidates = [crlf >= 0 ? { at: crlf, length: 4 } : undefined, lf >= 0 ? { at: lf, length: 2 } : undefined]
  const end = candidates.filter(c => c !== undefined).sort((a, b) => a.at - b.at)[0]
  if (!end) return undefined
  const lines = output.subarray(0, end.at).toString('latin1').split(/\r?\n/)
  return { head: parseHeadLines(lines), rest: output.subarray(end.at + end.length) }
}

function parseHeadLines(lines: string[]): CgiHead {
  const head: CgiHead = { status: 200, headers: [] }
  for (const line of lines) {
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    const name = line.slice(0, colon).trim()
    const value = line.slice(colon + 1).trim()
    if (name.toLowerCase() === 'status') head.status = Number.parseInt(value, 10) || 500
    else head.headers.push([name, value])
  }
  return head
}
