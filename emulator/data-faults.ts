// Faults in the middle of a data transfer: a body cut or failed after some
// bytes, or sent slowly. Whole-request faults (503, latency, drop) are the
// general FaultInjector's; these act on the bytes of one upload or download.
import type { DataFaultController, DataFaultRule } from './types.js'

interface ActiveRule {
  rule: DataFaultRule
  remaining: number
}

export class DataFaultInjector implements DataFaultController {
  private rules: ActiveRule[] = []

  add(rule: DataFaultRule): void {
    this.rules.push({ rule, remaining: rule.times ?? 1 })
  }

  clear(): void {
    this.rules = []
  }

  /** Consumes one use of the first rule matching a file transfer, if any. */
  take(method: 'GET' | 'PUT', pathname: string): DataFaultRule | undefined {
    const active = this.rules.find(candidate => matches(candidate.rule, method, pathname))
    if (!active) return undefined
    active.remaining -= 1
    if (active.remaining <= 0) this.rules = this.rules.filter(candidate => candidate !== active)
    return active.rule
  }
}

function matches(rule: DataFaultRule, method: string, pathname: string): boolean {
  if (rule.method && rule.method.toUpperCase() !== method) return false
  return typeof rule.path === 'string' ? pathname.startsWith(rule.path) : rule.path.test(pathname)
}
