// Fault injection for reliability tests. Every rule is bounded (`times`) and
// applied in the order added, so a test knows exactly which requests fail.
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http'
import { setTimeout as delay } from 'node:timers/promises'
import { ErrorCode } from './errors.js'
import { type Exchange, send, sendJson } from './http-util.js'
import type { FaultController, FaultRule } from './types.js'

interface ActiveRule {
  rule: FaultRule
  remaining: number
}

interface PendingInjection {
  owner: string
  name: string
  files: Record<string, string>
  remaining: number
}

export class FaultInjector implements FaultController {
  private rules: ActiveRule[] = []
  private injections: PendingInjection[] = []

  add(rule: FaultRule): void {
    this.rules.push({ rule, remaining: rule.times ?? 1 })
  }

  injectCommitAfterFetch(owner: string, name: string, files: Record<string, string>, opts?: { times?: number }): void {
    this.injections.push({ owner, name, files, remaining: opts?.times ?? 1 })
  }

  clear(): void {
    this.rules = []
    this.injections = []
  }

  /** Consumes one use of the first rule matching the request, if any. */
  take(method: string, pathname: string): FaultRule | undefined {
    const active = this.rules.find(candidate => matches(candidate.rule, method, pathname))
    if (!active) return undefined
    active.remaining -= 1
    if (active.remaining <= 0) this.rules = this.rules.filter(candidate => candidate !== active)
    return active.rule
  }

  /** Consumes one pending post-fetch commit for the repository, if any. */
  takeInjection(owner: string, name: string): Record<string, string> | undefined {
    const pending = this.injections.find(i => i.owner === owner && i.name === name)
    if (!pending) return undefined
    pending.remaining -= 1
    if (pending.remaining <= 0) this.injections = this.injections.filter(i => i !== pending)
    return pending.files
  }

  hasInjection(owner: string, name: string): boolean {
    return this.injections.some(i => i.owner === owner && i.name === name)
  }
}

function matches(rule: FaultRule, method: string, pathname: string): boolean {
  if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) return false
  return typeof rule.path === 'string' ? pathname.startsWith(rule.path) : rule.path.test(pathname)
}

/**
 * Applies a fault. Returns true when the fault answered (or dropped) the
 * request; false when it only added latency and normal handling continues.
 */
export async function applyFault(rule: FaultRule, req: IncomingMessage, res: ServerResponse, exchange: Exchange): Promise<boolean> {
  if (rule.latencyMs) await delay(rule.latencyMs)
  if (rule.drop) {
    req.socket.destroy()
    return true
  }
  if (rule.status === undefined && rule.retryAfter === undefined) return false
  req.resume() // discard the unread request body so the connection stays usable
  sendFaultResponse(res, exchange, rule)
  return true
}

function sendFaultResponse(res: ServerResponse, exchange: Exchange, rule: FaultRule): void {
  // A Retry-After without a status means "service unavailable, come back later".
  const status = rule.status ?? 503
  const headers: OutgoingHttpHeaders = rule.retryAfter === undefined ? {} : { 'Retry-After': rule.retryAfter }
  if (typeof rule.body === 'string') {
    send(res, exchange, status, rule.body, { 'Content-Type': 'text/plain; charset=utf-8', ...headers })
    return
  }
  const body = rule.body ?? { error: { code: defaultCode(status), message: `Injected fault: HTTP ${status}` } }
  sendJson(res, exchange, status, body, headers)
}

function defaultCode(status: number): number {
  return status >= 500 ? ErrorCode.internal : ErrorCode.invalidRequest
}
