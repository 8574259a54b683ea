// Authentication (which key is calling) and authorization (may it act on an
// owner) for both the REST API and git. Keys never leave this module except
// as their owner's name.
import { notAuthenticated, notAuthorized } from './errors.js'
import type { ApiKeyRecord, ClusterState } from './state.js'

/**
 * The API accepts `Simple <key>`, `Bearer <key>` and the raw key (the Python
 * client sends no scheme). Any other scheme carries no API key.
 */
export function apiKeyFromHeader(header: string | undefined): string | undefined {
  const value = header?.trim()
  if (!value) return undefined
  const match = /^(\S+)\s+(\S+)$/.exec(value)
  if (!match) return value
  return /^(simple|bearer)$/i.test(match[1]) ? match[2] : undefined
}

export interface BasicCredentials {
  username: string
  password: string
}

/** Decodes HTTP Basic credentials exactly: passwords may contain '/', '+', '=' and ':'. */
export function basicCredentials(header: string | undefined): BasicCredentials | undefined {
  const match = /^Basic\s+(\S+)\s*$/i.exec(header ?? '')
  if (!match) return undefined
  const decoded = Buffer.from(match[1], 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon < 0) return undefined
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
}

export function authenticateApi(state: ClusterState, header: string | undefined): ApiKeyRecord | undefined {
  const key = apiKeyFromHeader(header)
  return key === undefined ? undefined : state.findKey(key)
}

/** Git: the username must be the key's owner and the password a standard (non-admin) key. */
export function authenticateGit(state: ClusterState, header: string | undefined): ApiKeyRecord | undefined {
  const credentials = basicCredentials(header)
  if (!credentials) return undefined
  const key = state.findKey(credentials.password)
  if (!key || key.admin || key.owner !== credentials.username) return undefined
  return key
}

/** Standard endpoints: a standard key is required; admin keys reach only admin endpoints. */
export function requireStandardKey(key: ApiKeyRecord | undefined): ApiKeyRecord {
  if (!key) throw notAuthenticated()
  if (key.admin) throw notAuthorized()
  return key
}

export function requireAdminKey(key: ApiKeyRecord | undefined): ApiKeyRecord {
  if (!key) throw notAuthenticated()
  if (!key.admin) throw notAuthorized()
  return key
}

/** The key's owner must be `owner` or a member of it; writes also need algorithm management. */
export function requireAccess(state: ClusterState, key: ApiKeyRecord, owner: string, write: boolean): void {
  if (!state.canActFor(key.owner, owner)) throw notAuthorized()
  if (write && !key.algoManagement) throw notAuthorized()
}
