import { lenientDestinationEntries } from './destination-entries.js'
import type { Environment, InputReader } from './reader.js'

/** The inputs whose values are credentials: never echoed, never flags, masked before anything else runs. */
export const SECRET_INPUTS = ['source-api-key', 'dest-api-key', 'source-admin-api-key', 'dest-admin-api-key', 'github-token'] as const

/** A credential found in the inputs, with the account that owns it when it is an API key (for its derived forms). */
export interface InputSecret {
  readonly value: string
  readonly owner?: string
}

/**
 * Every credential the inputs hold or point at, read leniently so it can run
 * before validation: keys, the GitHub token, and the keys of `destinations`
 * entries (inline, or in the environment variables they name).
 */
export function secretsInInputs(read: InputReader, env: Environment): InputSecret[] {
  const secrets: InputSecret[] = []
  for (const prefix of ['source', 'dest']) {
    const key = read(`${prefix}-api-key`)
    if (key) secrets.push({ value: key, owner: read(`${prefix}-api-key-owner`) })
  }
  // Admin keys never reach git, but their derived forms are masked all the same.
  for (const input of ['source-admin-api-key', 'dest-admin-api-key']) {
    const key = read(input)
    if (key) secrets.push({ value: key, owner: '' })
  }
  const token = read('github-token')
  if (token) secrets.push({ value: token })
  for (const entry of lenientDestinationEntries(read('destinations'))) {
    const inline = typeof entry['api-key'] === 'string' ? entry['api-key'] : undefined
    const variable = typeof entry['api-key-env'] === 'string' ? env[entry['api-key-env']] : undefined
    const key = (inline ?? variable)?.trim()
    if (key) secrets.push({ value: key, owner: String(entry['api-key-owner'] ?? '') })
    const adminVariable = typeof entry['admin-api-key-env'] === 'string' ? env[entry['admin-api-key-env']] : undefined
    if (adminVariable?.trim()) secrets.push({ value: adminVariable.trim(), owner: '' })
  }
  return secrets
}
