import type {
  ClusterAccount,
  ClusterAddress,
  GitHubRecordsConfig,
  PromotionConfig,
  RunMode,
  SettingsOverride,
  SourceVersion,
  VersionType
} from './config.js'
import { InputError, type InputProblem } from './input-error.js'
import {
  ALGORITHM_PATTERN,
  COMMIT_PATTERN,
  DETAIL_KEYS,
  OWNER_MAX_LENGTH,
  OWNER_PATTERN,
  SEMVER_PATTERN,
  SETTING_VALUES,
  VERSION_TYPES,
  describeOwnerRule
} from './rules.js'
import { DEFAULT_ATTEMPT_TIMEOUT_MS, DEFAULT_RETRY_POLICY } from '../util/retry.js'

/** Returns an input's value, trimmed, or '' when it was not given. */
export type InputReader = (name: string) => string

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
const DESTINATION_FIELDS = ['name', 'cluster', 'api-url', 'git-url', 'api-key', 'api-key-env', 'api-key-owner', 'algo-owner']

const COMMIT_MESSAGE_PLACEHOLDERS = [
  'algorithm',
  'source-cluster',
  'source-owner',
  'source-version',
  'source-commit',
  'dest-cluster',
  'dest-owner'
]

/**
 * Turns raw inputs into a typed configuration, or throws one InputError that
 * lists every problem. Reads the inputs (and the environment variables that
 * `destinations` entries name) and never touches the network.
 */
export function parseConfig(read: InputReader): PromotionConfig {
  const problems: InputProblem[] = []
  const parser = new InputParser(read, problems)
  const config = parser.parse()
  if (problems.length > 0) throw new InputError(problems)
  return config
}

class InputParser {
  constructor(
    private readonly read: InputReader,
    private readonly problems: InputProblem[]
  ) {}

  parse(): PromotionConfig {
    const source = this.account('source')
    const destinations = this.destinations()
    const mode = this.mode()
    const config: PromotionConfig = {
      source,
      sourceVersion: this.sourceVersion(),
      destinations,
      reportPerDestination: Boolean(this.read('destinations')),
      algorithms: this.algorithms(),
      settingsOverride: this.settingsOverride(),
      publish: this.boolean('publish', false),
      versionType: this.versionType(),
      releaseNotes: this.optional('release-notes'),
      buildTimeoutMs: this.positiveNumber('build-timeout', 600) * 1000,
      versionMapFile: this.optional('version-map-file'),
      dryRun: this.boolean('dry-run', false) || mode === 'plan',
      mode,
      commitMessage: this.commitMessage(),
      concurrency: Math.floor(this.positiveNumber('concurrency', 4)),
      github: this.githubRecords(),
      retry: {
        ...DEFAULT_RETRY_POLICY,
        maxAttempts: Math.floor(this.positiveNumber('max-attempts', DEFAULT_RETRY_POLICY.maxAttempts)),
        baseDelayMs: this.positiveNumber('retry-delay', DEFAULT_RETRY_POLICY.baseDelayMs / 1000) * 1000,
        attemptTimeoutMs: this.positiveNumber('request-timeout', DEFAULT_ATTEMPT_TIMEOUT_MS / 1000) * 1000
      }
    }
    this.refuseSameAlgorithmTwice(config)
    return config
  }

  private problem(input: string, message: string): void {
    this.problems.push({ input, message })
  }

  private optional(name: string): string | undefined {
    return this.read(name) || undefined
  }

  private required(name: string, hint: string): string {
    const value = this.read(name)
    if (!value) this.problem(name, `is required: ${hint}`)
    return value
  }

  private account(prefix: 'source' | 'dest'): ClusterAccount {
    // Top-level keys come straight from inputs; only `destinations` entries name environment variables.
    const read = (field: string): string => (field === 'api-key-env' ? '' : this.read(`${prefix}-${field}`))
    return this.accountFrom({
      role: prefix === 'source' ? 'source' : 'destination',
      prefix,
      inputName: field => `${prefix}-${field}`,
      read
    })
  }

  /** Reads one cluster account from top-level inputs or from an entry of `destinations`. */
  private accountFrom(fields: AccountFields, label?: string): ClusterAccount {
    const { role, inputName } = fields
    const cluster = this.clusterAddress(fields, label)
    const apiKey = this.apiKey(fields)
    const keyOwner = this.owner(
      inputName('api-key-owner'),
      fields.read('api-key-owner'),
      `the user or organization that owns the ${role} API key`
    )
    const algoOwner = this.owner(
      inputName('algo-owner'),
      fields.read('algo-owner'),
      `the user or organization that owns the ${role} algorithms`
    )
    return { cluster, apiKey, keyOwner, algoOwner, inputName }
  }

  private apiKey({ role, prefix, inputName, read }: AccountFields): string {
    const name = inputName('api-key')
    const fromEnvironment = read('api-key-env')
    const apiKey = fromEnvironment ? (process.env[fromEnvironment] ?? '').trim() : read('api-key')
    if (!apiKey) {
      const hint = fromEnvironment
        ? `the environment variable ${fromEnvironment} named by ${inputName('api-key-env')} is empty: set it in the step's env from a secret`
        : `pass the ${role} cluster's standard API key from a secret, e.g. \${{ secrets.${prefix.replace(/\W.*/, '').toUpperCase()}_ALGORITHMIA_API_KEY }}`
      this.problem(name, `is required: ${hint}`)
    }
    if (/\s/.test(apiKey)) this.problem(name, 'contains white space; copy the key again without spaces or line breaks')
    return apiKey
  }

  private owner(name: string, value: string, meaning: string): string {
    if (!value) this.problem(name, `is required: give ${meaning}`)
    else if (!OWNER_PATTERN.test(value) || value.length > OWNER_MAX_LENGTH) {
      this.problem(name, `${quoteUnlessSecretLike(value)} is not a valid user or organization name: use ${describeOwnerRule()}`)
    }
    return value
  }

  private clusterAddress({ role, inputName, read }: AccountFields, label?: string): ClusterAddress {
    const domain = read('cluster')
    const apiOverride = this.url(inputName('api-url'), read('api-url'))
    const gitOverride = this.url(inputName('git-url'), read('git-url'))
    if (domain && !CLUSTER_DOMAIN.test(domain)) {
      this.problem(
        inputName('cluster'),
        `${quoteUnlessSecretLike(domain)} is not a cluster domain: give the host name only, such as 'dev.algo.example.com' (no https://, no path), or set ${inputName('api-url')} and ${inputName('git-url')}`
      )
    }
    const overrideRefused = (read('api-url') && !apiOverride) || (read('git-url') && !gitOverride)
    if (!domain && !(apiOverride && gitOverride) && !overrideRefused) {
      this.problem(
        inputName('cluster'),
        `is required: give the ${role} cluster's domain, such as 'algo.example.com', or both ${inputName('api-url')} and ${inputName('git-url')}`
      )
    }
    const apiUrl = apiOverride ?? `https://api.${domain}`
    const gitUrl = gitOverride ?? `https://git.${domain}`
    return { label: label || domain || hostOf(apiUrl), apiUrl, gitUrl }
  }

  private url(name: string, value: string): string | undefined {
    if (!value) return undefined
    let parsed: URL
    try {
      parsed = new URL(value)
    } catch {
      // Not echoed: an unparsable URL is often one with a raw key in it.
      this.problem(name, `is not a URL: give an http(s) URL such as 'https://api.algo.example.com'`)
      return undefined
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
      this.problem(name, `uses '${parsed.protocol}': give an http:// or https:// URL`)
    } else if (parsed.protocol === 'http:' && !LOOPBACK_HOST.test(parsed.hostname)) {
      // Keys travel in request headers: over plain http anyone on the path reads them.
      this.problem(
        name,
        `uses plain http to ${parsed.host}, which would send the API key unencrypted: use https:// (plain http is accepted only for localhost)`
      )
    } else if (parsed.username || parsed.password) {
      // The URL itself is not echoed: it holds a credential.
      this.problem(name, 'contains a user name or password: remove them from the URL and pass the key in the api-key input')
    } else if (parsed.search || parsed.hash) {
      this.problem(name, 'has a query or fragment: give the base URL only')
    }
    return value.replace(/\/+$/, '')
  }

  /** `dest-*` inputs for one destination, or `destinations` (a JSON array) for several. */
  private destinations(): ClusterAccount[] {
    const list = this.read('destinations')
    const filter = this.nameList('destination-filter')
    if (!list) {
      if (filter.length > 0) this.problem('destination-filter', 'only applies to the destinations input; remove it or list destinations')
      return [this.account('dest')]
    }
    if (DEST_INPUTS.some(name => this.read(name))) {
      this.problem(
        'destinations',
        `cannot be combined with ${DEST_INPUTS.filter(name => this.read(name)).join(', ')}: describe every destination in destinations, or use the dest-* inputs for a single one`
      )
    }
    const accounts = this.destinationEntries(list)
    const labels = accounts.map(account => account.cluster.label)
    labels.forEach((label, index) => {
      if (labels.indexOf(label) !== index)
        this.problem(`destinations[${index}].name`, `'${label}' names two destinations: give each a distinct "name"`)
    })
    for (const name of filter.filter(name => !labels.includes(name))) {
      this.problem('destination-filter', `${quoteUnlessSecretLike(name)} is not a destination: use one of ${labels.join(', ')}`)
    }
    return filter.length > 0 ? accounts.filter(account => filter.includes(account.cluster.label)) : accounts
  }

  private destinationEntries(list: string): ClusterAccount[] {
    let parsed: unknown
    try {
      parsed = JSON.parse(list)
    } catch {
      // JSON.parse's message quotes the text, which may hold a key: say only where to look.
      this.problem(
        'destinations',
        'is not valid JSON: give an array such as [{"name": "prod", "cluster": "prod.algo.example.com", "api-key-env": "PROD_KEY", "api-key-owner": "deployer", "algo-owner": "team"}]'
      )
      return []
    }
    if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every(isPlainObject)) {
      this.problem('destinations', 'must be a non-empty JSON array of objects, one per destination cluster')
      return []
    }
    return parsed.map((entry, index) => {
      const prefix = `destinations[${index}]`
      for (const key of Object.keys(entry)) {
        if (!DESTINATION_FIELDS.includes(key)) this.problem(prefix, `has an unknown field '${key}': use ${DESTINATION_FIELDS.join(', ')}`)
      }
      const read = (field: string): string => (typeof entry[field] === 'string' ? (entry[field] as string).trim() : '')
      return this.accountFrom({ role: 'destination', prefix, inputName: field => `${prefix}.${field}`, read }, read('name'))
    })
  }

  private nameList(name: string): string[] {
    return this.read(name)
      .split(/[\n,]/)
      .map(item => item.trim())
      .filter(Boolean)
  }

  private sourceVersion(): SourceVersion {
    const value = this.read('source-version')
    if (!value || value === 'latest') return { kind: 'latest' }
    if (SEMVER_PATTERN.test(value)) return { kind: 'semver', version: value }
    if (COMMIT_PATTERN.test(value.toLowerCase())) return { kind: 'commit', sha: value.toLowerCase() }
    this.problem(
      'source-version',
      `${quoteUnlessSecretLike(value)} is neither a published version such as '1.2.0' nor a commit hash; leave it empty for the latest commit`
    )
    return { kind: 'latest' }
  }

  private algorithms(): string[] {
    const raw = this.required('algorithms', "name one or more algorithms, one per line or separated by commas, e.g. 'sentiment, summarize'")
    const names = raw
      .split(/[\n,]/)
      .map(name => name.trim())
      .filter(name => name.length > 0)
    if (raw && names.length === 0) this.problem('algorithms', "lists no algorithm names: name one or more, e.g. 'sentiment, summarize'")
    const seen = new Set<string>()
    for (const name of names) {
      if (!ALGORITHM_PATTERN.test(name)) {
        this.problem(
          'algorithms',
          `${quoteUnlessSecretLike(name)} is not a valid algorithm name: use a letter followed by letters, digits or underscores (the name in the algorithm's URL, not its display name)`
        )
      } else if (seen.has(name)) {
        this.problem('algorithms', `${quoteUnlessSecretLike(name)} is listed twice: list each algorithm once`)
      }
      seen.add(name)
    }
    return names
  }

  private settingsOverride(): SettingsOverride {
    const empty: SettingsOverride = { settings: {}, details: {} }
    const raw = this.read('settings')
    if (!raw) return empty
    let parsed: unknown
    try {
      parsed = JSON.parse(raw)
    } catch (error) {
      this.problem(
        'settings',
        `is not valid JSON (${(error as Error).message}): give an object such as '{"license": "mit", "environment": "gpu"}'`
      )
      return empty
    }
    if (!isPlainObject(parsed)) {
      this.problem('settings', 'must be a JSON object such as \'{"license": "mit"}\'')
      return empty
    }
    const { details, ...settings } = parsed
    this.checkSettings(settings)
    return { settings, details: this.checkDetails(details) }
  }

  private checkSettings(settings: Record<string, unknown>): void {
    for (const [key, value] of Object.entries(settings)) {
      if (!(key in SETTING_VALUES)) {
        this.problem(
          'settings',
          `has an unknown setting '${key}': use ${Object.keys(SETTING_VALUES).join(', ')}, or 'details' for label, summary and tagline`
        )
        continue
      }
      const allowed = SETTING_VALUES[key]
      if (allowed && !allowed.includes(value as string | boolean)) {
        this.problem(
          'settings',
          `'${key}' cannot be ${JSON.stringify(value)}: use one of ${allowed.map(v => JSON.stringify(v)).join(', ')}`
        )
      }
    }
  }

  private checkDetails(details: unknown): Record<string, unknown> {
    if (details === undefined) return {}
    if (!isPlainObject(details)) {
      this.problem('settings', '\'details\' must be an object such as {"label": "My algorithm"}')
      return {}
    }
    for (const key of Object.keys(details)) {
      if (!(DETAIL_KEYS as readonly string[]).includes(key))
        this.problem('settings', `has an unknown detail '${key}': use ${DETAIL_KEYS.join(', ')}`)
    }
    return details
  }

  private boolean(name: string, fallback: boolean): boolean {
    const value = this.read(name)
    if (!value) return fallback
    if (/^(true|yes|on)$/i.test(value)) return true
    if (/^(false|no|off)$/i.test(value)) return false
    this.problem(name, `${quoteUnlessSecretLike(value)} is not a boolean: use 'true' or 'false'`)
    return fallback
  }

  private positiveNumber(name: string, fallback: number): number {
    const value = this.read(name)
    if (!value) return fallback
    const parsed = Number(value)
    if (!Number.isFinite(parsed) || parsed <= 0) {
      this.problem(name, `${quoteUnlessSecretLike(value)} is not a positive number: use, for example, '${fallback}'`)
      return fallback
    }
    return parsed
  }

  private githubRecords(): GitHubRecordsConfig | undefined {
    const token = this.read('github-token')
    const environment = this.optional('environment')
    if (!token) {
      if (environment)
        this.problem(
          'environment',
          'only applies with github-token: pass github-token: ${{ github.token }} to record deployments, or remove environment'
        )
      return undefined
    }
    return { token, environment }
  }

  private mode(): RunMode {
    const value = this.read('mode') || 'promote'
    if (value === 'promote' || value === 'plan') return value
    this.problem(
      'mode',
      `${quoteUnlessSecretLike(value)} is not a mode: use 'promote', or 'plan' to only list what needs promoting (the 'matrix' output)`
    )
    return 'promote'
  }

  private versionType(): VersionType {
    const value = this.read('version-type') || 'minor'
    if ((VERSION_TYPES as readonly string[]).includes(value)) return value as VersionType
    this.problem('version-type', `${quoteUnlessSecretLike(value)} is not a version type: use ${VERSION_TYPES.join(', ')}`)
    return 'minor'
  }

  private commitMessage(): string | undefined {
    const template = this.optional('commit-message')
    if (!template) return undefined
    for (const [, placeholder] of template.matchAll(/\{([^{}]*)\}/g)) {
      if (!COMMIT_MESSAGE_PLACEHOLDERS.includes(placeholder)) {
        this.problem(
          'commit-message',
          `has an unknown placeholder {${placeholder}}: use ${COMMIT_MESSAGE_PLACEHOLDERS.map(p => `{${p}}`).join(', ')}`
        )
      }
    }
    return template
  }

  /** The seed explains it: on one cluster, the same owner would mean promoting an algorithm onto itself. */
  private refuseSameAlgorithmTwice(config: PromotionConfig): void {
    for (const destination of config.destinations) {
      const sameApi = normalizeUrl(destination.cluster.apiUrl) === normalizeUrl(config.source.cluster.apiUrl)
      const sameGit = normalizeUrl(destination.cluster.gitUrl) === normalizeUrl(config.source.cluster.gitUrl)
      if ((sameApi || sameGit) && destination.algoOwner === config.source.algoOwner && destination.algoOwner) {
        this.problem(
          destination.inputName('algo-owner'),
          `is '${destination.algoOwner}' on the same cluster as the source (${config.source.cluster.label}), so each algorithm would be promoted onto itself: on one cluster, use a different destination owner`
        )
      }
    }
  }
}

/**
 * Quotes a bad value so the user sees what was wrong, unless it could be a key
 * pasted into the wrong input (long, or with the characters keys carry).
 */
function quoteUnlessSecretLike(value: string): string {
  const looksLikeKey = value.length > 24 || /^sim\w{8,}/.test(value) || !/^[\w .:/-]*$/.test(value)
  return looksLikeKey ? 'the value given' : `'${value}'`
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
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
