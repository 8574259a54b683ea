import type { Algorithm, AlgorithmUpdate } from '../cluster/types.js'

/** Settings an update carries; anything else a cluster reports (read-only fields) is not sent back. */
export const UPDATABLE_SETTINGS = [
  'algorithm_callability',
  'source_visibility',
  'environment',
  'package_set',
  'algorithm_environment',
  'license',
  'network_access',
  'pipeline_enabled'
] as const

/** One field whose destination value differs from what the source (with the settings input) asks for. */
export interface MetadataChange {
  /** `details.<key>` or `settings.<key>`. */
  readonly field: string
  readonly from: unknown
  readonly to: unknown
}

/** The details and settings an existing destination should have, from the source and the override. */
export interface DesiredMetadata {
  readonly details: Record<string, unknown>
  readonly settings: Record<string, unknown>
}

/** Field by field, what differs; owner and name are not metadata and never appear. */
export function metadataChanges(destination: Algorithm, desired: DesiredMetadata): MetadataChange[] {
  const changes: MetadataChange[] = []
  for (const part of ['details', 'settings'] as const) {
    const current = destination[part] ?? {}
    for (const [key, value] of Object.entries(desired[part])) {
      if (!sameValue(current[key], value)) changes.push({ field: `${part}.${key}`, from: current[key], to: value })
    }
  }
  return changes
}

/**
 * The update to send: each part that changed is sent whole (a cluster that
 * replaces a part on PUT then keeps the fields that did not change), and a
 * part with no change is not sent at all.
 */
export function metadataUpdate(changes: readonly MetadataChange[], desired: DesiredMetadata, destination: Algorithm): AlgorithmUpdate {
  const touches = (part: string) => changes.some(change => change.field.startsWith(`${part}.`))
  return {
    ...(touches('details') ? { details: { ...destination.details, ...desired.details } } : {}),
    ...(touches('settings') ? { settings: { ...pick(destination.settings, UPDATABLE_SETTINGS), ...desired.settings } } : {})
  }
}

/** Values that open an algorithm wider than before: who may call it, read its source, or what its code may reach. */
const WIDER_ACCESS: Readonly<Record<string, unknown>> = {
  'settings.network_access': 'full',
  'settings.source_visibility': 'open',
  'settings.algorithm_callability': 'public'
}

/** A change that widens access, worth a warning of its own wherever changes are shown. */
export function widensAccess(change: MetadataChange): boolean {
  return change.field in WIDER_ACCESS && WIDER_ACCESS[change.field] === change.to && change.from !== change.to
}

export function describeChange(change: MetadataChange): string {
  const widening = widensAccess(change) ? ' (widens access)' : ''
  return `${change.field}: ${show(change.from)} → ${show(change.to)}${widening}`
}

function show(value: unknown): string {
  return value === undefined ? '(unset)' : JSON.stringify(value)
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

function pick(record: Record<string, unknown> | undefined, keys: readonly string[]): Record<string, unknown> {
  const picked: Record<string, unknown> = {}
  for (const key of keys) if (record?.[key] !== undefined) picked[key] = record[key]
  return picked
}
