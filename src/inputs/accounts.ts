import { keyProblems } from './api-key.js'
import type { ClusterAccount, ClusterAddress } from '../core/config.js'
import { type InputContext, quoteUnlessSecretLike } from './reader.js'
import { OWNER_MAX_LENGTH, OWNER_PATTERN, describeOwnerRule } from '../core/rules.js'
import { isPlainObject } from '../util/json.js'

/** Where one account's fields come from: top-level inputs (`dest-cluster`) or a `destinations` entry. */
interface AccountFields {
  readonly role: 'source' | 'destination'
  /** `source`, `dest` or `destinations[i]`: how messages point at the account. */
  readonly prefix: string
  readonly inputName: (field: string) => string
  readonly read: (field: string) => string
}

/** A host name with at least one dot (or localhost), optionally a port: a key pasted here does not pass. */
const CLUSTER_DOMAIN = /^(localhost|[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)+)(:\d+)?$/
const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/

const DEST_INPUTS = ['dest-cluster', 'dest-api-url', 'dest-git-url', 'dest-api-key', 'dest-api-key-owner', 'dest-algo-owner']
export const DESTINATION_FIELDS = [
  'name',
  'cluster',
  'api-url',
  'git-url',
  'api-key',
  'api-key-env',
  'api-key-owner',
  'algo-owner',
  'admin-api-key-env'
]

/** The source account, from the `source-*` inputs. */
export function sourceAccount(inputs: InputContext): ClusterAccount {
  return topLevelAccount(inputs, 'source')
}

/** `dest-*` inputs for one destination, or `destinations` (a JSON array) for several, narrowed by `destination-filter`. */
export function destinationAccounts(inputs: InputContext): ClusterAccount[] {
  const list = inputs.read('destinations')
  const filter = inputs.list('destination-filter')
  if (!list) {
    if (filter.length > 0) inputs.problem('destination-filter', 'only applies to the destinations input; remove it or list destinations')
    return [topLevelAccount(inputs, 'dest')]
  }
  const combined = DEST_INPUTS.filter(name => inputs.given(name))
  if (combined.length > 0) {
    inputs.problem(
      'destinations',
      `cannot be combined with ${combined.join(', ')}: describe every destination in destinations, or use the dest-* inputs for a single one`
    )
  }
  const accounts = destinationEntries(inputs, list)
  const labels = accounts.map(account => account.cluster.label)
  labels.forEach((label, index) => {
    if (labels.indexOf(label) !== index)
      inputs.problem(`destinations[${index}].name`, `'${label}' names two destinations: give each a distinct "name"`)
  })
  for (const name of filter.filter(name => !labels.includes(name))) {
    inputs.problem('destination-filter', `${quoteUnlessSecretLike(name)} is not a destination: use one of ${labels.join(', ')}`)
  }
  return filter.length > 0 ? accounts.filter(account => filter.includes(account.cluster.label)) : accounts
}

/** On one cluster, the same owner would mean promoting each algorithm onto itself. */
export function refuseSameAlgorithmTwice(inputs: InputContext, source: ClusterAccount, destinations: readonly ClusterAccount[]): void {
  for (const destination of destinations) {
    const sameApi = normalizeUrl(destination.cluster.apiUrl) === normalizeUrl(source.cluster.apiUrl)
    const sameGit = normalizeUrl(destination.cluster.gitUrl) === normalizeUrl(source.cluster.gitUrl)
    if ((sameApi || sameGit) && destination.algoOwner === source.algoOwner && destination.algoOwner) {
      inputs.problem(
        destination.inputName('algo-owner'),
        `is '${destination.algoOwner}' on the same cluster as the source (${source.cluster.label}), so each algorithm would be promoted onto itself: on one cluster, use a different destination owner`
      )
    }
  }
}

/** The cluster of the `source-*` or `dest-*` inputs alone, for runs that need no standard key (`mode: accounts`). */
export function topLevelCluster(inputs: InputContext, prefix: 'source' | 'dest'): ClusterAddress {
  return clusterAddress(inputs, {
    role: prefix === 'source' ? 'source' : 'destination',
    prefix,
    inputName: field => `${prefix}-${field}`,
    read: field => inputs.read(`${prefix}-${field}`)
  })
}

function topLevelAccount(inputs: InputContext, prefix: 'source' | 'dest'): ClusterAccount {
  // Top-level keys come straight from inputs; only `destinations` entries name environment variables.
  const read = (field: string): string => (field.endsWith('api-key-env') ? '' : inputs.read(`${prefix}-${field}`))
  return accountFrom(inputs, {
    role: prefix === 'source' ? 'source' : 'destination',
    prefix,
    inputName: field => `${prefix}-${field}`,
    read
  })
}

function destinationEntries(inputs: InputContext, list: string): ClusterAccount[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(list)
  } catch {
    // JSON.parse's message quotes the text, which may hold a key: say only where to look.
    inputs.problem(
      'destinations',
      'is not valid JSON: give an array such as [{"name": "prod", "cluster": "prod.algo.example.com", "api-key-env": "PROD_KEY", "api-key-owner": "deployer", "algo-owner": "team"}]'
    )
    return []
  }
  if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every(isPlainObject)) {
    inputs.problem('destinations', 'must be a non-empty JSON array of objects, one per destination cluster')
    return []
  }
  return parsed.map((entry, index) => {
    const prefix = `destinations[${index}]`
    for (const key of Object.keys(entry)) {
      if (!DESTINATION_FIELDS.includes(key)) inputs.problem(prefix, `has an unknown field '${key}': use ${DESTINATION_FIELDS.join(', ')}`)
    }
    const read = (field: string): string => (typeof entry[field] === 'string' ? entry[field].trim() : '')
    return accountFrom(inputs, { role: 'destination', prefix, inputName: field => `${prefix}.${field}`, read }, read('name'))
  })
}

/** Reads one cluster account from top-level inputs or from an entry of `destinations`. */
function accountFrom(inputs: InputContext, fields: AccountFields, label?: string): ClusterAccount {
  const { role, inputName } = fields
  const cluster = clusterAddress(inputs, fields, label)
  const apiKey = accountKey(inputs, fields)
  const keyOwner = owner(
    inputs,
    inputName('api-key-owner'),
    fields.read('api-key-owner'),
    `the user or organization that owns the ${role} API key`
  )
  const algoOwner = owner(
    inputs,
    inputName('algo-owner'),
    fields.read('algo-owner'),
    `the user or organization that owns the ${role} algorithms`
  )
  const adminKey = destinationAdminKey(inputs, fields)
  return { cluster, apiKey, keyOwner, algoOwner, inputName, ...(adminKey ? { adminKey } : {}) }
}

/** `dest-admin-api-key`, or a `destinations` entry's `admin-api-key-env`: only used to create a missing owner. */
function destinationAdminKey(inputs: InputContext, { role, prefix, inputName, read }: AccountFields): string | undefined {
  if (role !== 'destination') return undefined
  const variable = read('admin-api-key-env')
  const key = prefix === 'dest' ? inputs.read('dest-admin-api-key') : variable ? (inputs.env[variable] ?? '').trim() : ''
  if (variable && !key) {
    inputs.problem(
      inputName('admin-api-key-env'),
      `names the environment variable ${variable}, which is empty: set it in the step's env from a secret`
    )
  }
  if (/\s/.test(key))
    inputs.problem(
      prefix === 'dest' ? 'dest-admin-api-key' : inputName('admin-api-key-env'),
      'contains white space; copy the key again without spaces or line breaks'
    )
  return key || undefined
}

function accountKey(inputs: InputContext, { role, prefix, inputName, read }: AccountFields): string {
  const name = inputName('api-key')
  const fromEnvironment = read('api-key-env')
  const apiKey = fromEnvironment ? (inputs.env[fromEnvironment] ?? '').trim() : read('api-key')
  if (!apiKey) {
    const hint = fromEnvironment
      ? `the environment variable ${fromEnvironment} named by ${inputName('api-key-env')} is empty: set it in the step's env from a secret`
      : `pass the ${role} cluster's standard API key from a secret, e.g. \${{ secrets.${prefix.replace(/\W.*/, '').toUpperCase()}_ALGORITHMIA_API_KEY }}`
    inputs.problem(name, `is required: ${hint}`)
  }
  if (/\s/.test(apiKey)) inputs.problem(name, 'contains white space; copy the key again without spaces or line breaks')
  if (apiKey) for (const problem of keyProblems(apiKey)) inputs.problem(name, problem)
  return apiKey
}

function owner(inputs: InputContext, name: string, value: string, meaning: string): string {
  if (!value) inputs.problem(name, `is required: give ${meaning}`)
  else if (!OWNER_PATTERN.test(value) || value.length > OWNER_MAX_LENGTH) {
    inputs.problem(name, `${quoteUnlessSecretLike(value)} is not a valid user or organization name: use ${describeOwnerRule()}`)
  }
  return value
}

function clusterAddress(inputs: InputContext, { role, inputName, read }: AccountFields, label?: string): ClusterAddress {
  const domain = read('cluster')
  const apiOverride = baseUrl(inputs, inputName('api-url'), read('api-url'))
  const gitOverride = baseUrl(inputs, inputName('git-url'), read('git-url'))
  if (domain && !CLUSTER_DOMAIN.test(domain)) {
    inputs.problem(
      inputName('cluster'),
      `${quoteUnlessSecretLike(domain)} is not a cluster domain: give the host name only, such as 'dev.algo.example.com' (no https://, no path), or set ${inputName('api-url')} and ${inputName('git-url')}`
    )
  }
  const overrideRefused = (read('api-url') && !apiOverride) || (read('git-url') && !gitOverride)
  if (!domain && !(apiOverride && gitOverride) && !overrideRefused) {
    inputs.problem(
      inputName('cluster'),
      `is required: give the ${role} cluster's domain, such as 'algo.example.com', or both ${inputName('api-url')} and ${inputName('git-url')}`
    )
  }
  const apiUrl = apiOverride ?? `https://api.${domain}`
  const gitUrl = gitOverride ?? `https://git.${domain}`
  return { label: label || domain || hostOf(apiUrl), apiUrl, gitUrl }
}

function baseUrl(inputs: InputContext, name: string, value: string): string | undefined {
  if (!value) return undefined
  let parsed: URL
  try {
    parsed = new URL(value)
  } catch {
    // Not echoed: an unparsable URL is often one with a raw key in it.
    inputs.problem(name, `is not a URL: give an http(s) URL such as 'https://api.algo.example.com'`)
    return undefined
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    inputs.problem(name, `uses '${parsed.protocol}': give an http:// or https:// URL`)
  } else if (parsed.protocol === 'http:' && !LOOPBACK_HOST.test(parsed.hostname)) {
    // Keys travel in request headers: over plain http anyone on the path reads them.
    inputs.problem(
      name,
      `uses plain http to ${parsed.host}, which would send the API key unencrypted: use https:// (plain http is accepted only for localhost)`
    )
  } else if (parsed.username || parsed.password) {
    // The URL itself is not echoed: it holds a credential.
    inputs.problem(name, 'contains a user name or password: remove them from the URL and pass the key in the api-key input')
  } else if (parsed.search || parsed.hash) {
    inputs.problem(name, 'has a query or fragment: give the base URL only')
  }
  return value.replace(/\/+$/, '')
}

function hostOf(url: string): string {
  try {
    return new URL(url).host
  } catch {
    return url
  }
}

function normalizeUrl(url: string): string {
  try {
    const parsed = new URL(url)
    return `${parsed.protocol}//${parsed.host.toLowerCase()}${parsed.pathname.replace(/\/+$/, '')}`
  } catch {
    return url
  }
}
