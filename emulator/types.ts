// Public types of the cluster emulator. The JSON shapes (Algorithm, Build,
// Version) mirror what the Algorithmia management API returns, so tests can
// compare in-process results with HTTP responses directly.
import type { Readable } from 'node:stream'
import type { ContractCheck } from './contract.js'
import type { HistoryVersion } from './history.js'

export type BuildStatus = 'in-progress' | 'succeeded' | 'failed'

export type VersionType = 'major' | 'minor' | 'revision'

export interface AlgorithmDetails {
  label: string
  summary?: string
  tagline?: string
  [field: string]: unknown
}

export interface AlgorithmSettings {
  language?: string
  environment?: string
  package_set?: string
  algorithm_environment?: string
  license?: string
  network_access?: string
  pipeline_enabled?: boolean
  source_visibility?: string
  algorithm_callability?: string
  [field: string]: unknown
}

export interface Build {
  build_id: string
  status: BuildStatus
  commit_sha: string
  started_at: string
  finished_at?: string
  resource_type: 'algorithm_build'
  version_info?: { semantic_version: string }
}

export interface Compilation {
  successful: boolean
  output: string
}

export interface AlgorithmVersionInfo {
  git_hash?: string
  semantic_version?: string
  release_notes?: string
  sample_input?: unknown
}

export interface Algorithm {
  id: string
  name: string
  details: AlgorithmDetails
  settings: AlgorithmSettings
  source: { scm: { id: 'internal'; provider: 'internal'; default: true; enabled: true } }
  self_link: string
  resource_type: 'algorithm'
  version_info?: AlgorithmVersionInfo
  build?: Build
  compilation?: Compilation
}

export interface Version {
  name: string
  version_info: {
    semantic_version?: string
    git_hash: string
    release_notes?: string
    sample_input?: unknown
    sample_output?: unknown
    insights_enabled?: boolean
  }
  details: AlgorithmDetails
  settings: AlgorithmSettings
  build: Build
  compilation: Compilation
  self_link: string
  resource_type: 'version'
}

/** A runtime of one cluster; `id` is local to the cluster, `environment_specification_id` is not. */
export interface Environment {
  id: string
  environment_specification_id: string
  display_name: string
  description: string
  created_at: string
  language: EnvironmentLanguage
  machine_type: string
}

export interface EnvironmentLanguage {
  name: string
  display_name: string
  configuration: string
}

export interface NewEnvironment {
  /** An environment language name such as python3. */
  language: string
  display_name: string
  /** Default: a new random one (a specification no other cluster has). */
  environment_specification_id?: string
  description?: string
  machine_type?: string
}

export interface EnvironmentControls {
  list(language?: string): Environment[]
  add(environment: NewEnvironment): Environment
  remove(id: string): void
}

/** A secret as the API lists it: never its value. */
export interface SecretResult {
  id: string
  short_name: string
  description: string
  owner_type: string
  owner_id: string
  default_secret_value_id: string
  provider_id: string
}

export interface NewSecret {
  short_name: string
  description?: string
  /** The environment variable the algorithm reads it from; default: short_name. */
  secret_key?: string
  value: string
}

export interface RequestRecord {
  method: string
  /** Pathname only; the query is in `query`. */
  path: string
  query: Record<string, string>
  /** HTTP status sent; 0 when the connection was dropped without a response. */
  status: number
  /** Name of the key's owner; never the key itself. */
  principal?: string
  kind: 'api' | 'git'
  gitService?: 'upload-pack' | 'receive-pack'
  /** Epoch milliseconds when the request arrived. */
  at: number
  bytesIn: number
  bytesOut: number
}

export interface FaultRule {
  method?: string
  /** A string matches as an exact prefix of the pathname. */
  path: RegExp | string
  /** How many matching requests the rule affects; default 1. */
  times?: number
  status?: number
  body?: unknown
  /** Retry-After header value: seconds or an HTTP date. */
  retryAfter?: string
  latencyMs?: number
  /** Destroy the socket without sending a response. */
  drop?: boolean
}

/** A fault inside one data file transfer (PUT upload or GET download of a file). */
export interface DataFaultRule {
  method?: 'GET' | 'PUT'
  /** A string matches as an exact prefix of the pathname. */
  path: RegExp | string
  /** How many matching transfers the rule affects; default 1. */
  times?: number
  /** Destroy the connection once this many body bytes were received (PUT) or sent (GET). */
  cutAfterBytes?: number
  /** PUT only: stop reading after this many bytes and answer `status` (default 500); nothing is stored. */
  failAfterBytes?: number
  status?: number
  /** Send (GET) or read (PUT) the body at about this rate: slow reads. */
  bytesPerSecond?: number
}

export interface DataFaultController {
  add(rule: DataFaultRule): void
  clear(): void
}

export interface DataFile {
  filename: string
  size: number
  last_modified: string
}

/** In-process access to the cluster's hosted data collections. */
export interface DataControls {
  /** Creates a collection; `read` defaults to the owner's algorithms (`["algo://.my/*"]`). */
  createCollection(owner: string, name: string, read?: string[]): void
  /** Writes a file as an upload would (a fresh last_modified); a stream is written without buffering. */
  putFile(owner: string, collection: string, filename: string, body: string | Buffer | Readable): Promise<DataFile>
  readFile(owner: string, collection: string, filename: string): Promise<Buffer>
  /** undefined when the collection does not exist. */
  listFiles(owner: string, collection: string): DataFile[] | undefined
  readAcl(owner: string, collection: string): string[] | undefined
  faults: DataFaultController
}

export interface FaultController {
  add(rule: FaultRule): void
  injectCommitAfterFetch(owner: string, name: string, files: Record<string, string>, opts?: { times?: number }): void
  clear(): void
}

export interface BuildControls {
  failWhen(pred: (files: string[]) => boolean): void
  failTreesContaining(path: string): void
  /** While on, new builds stay in-progress; turning it off lets held builds finish. */
  holdInProgress(on: boolean): void
  /** Removes every failure predicate. */
  clearFailures(): void
}

export interface ClusterOptions {
  name?: string
  port?: number
  /** How long a build stays in-progress; default 200 ms. */
  buildDelayMs?: number
  /** Data directory; default a fresh temp dir, removed on stop. A given root is kept. */
  root?: string
  /**
   * Repositories allow partial clone (`uploadpack.allowFilter`). Default false:
   * real clusters are not known to, and a server without it ignores `--filter`.
   */
  partialClone?: boolean
  /**
   * Round-trip time added to every request (API and git) and to every new
   * connection (its TCP handshake), as a remote cluster would cost. Default 0.
   */
  latencyMs?: number
  /**
   * Loopback address to listen on; default 127.0.0.1. Another one (127.0.0.2)
   * is still loopback but no "localhost", so proxy tests can route a cluster
   * through a proxy that NO_PROXY=localhost,127.0.0.1 would otherwise bypass.
   */
  host?: string
  /** Serve HTTPS with this certificate and key (PEM) instead of plain HTTP, as real clusters do. */
  tls?: { cert: string | Buffer; key: string | Buffer }
  /** Where a real cluster may answer otherwise than the spec: the spec's answer is the default of each. */
  variants?: ClusterVariants
  /**
   * Checks every API request and answer against the official spec (see
   * contract.ts); what does not conform is listed in `contractViolations`.
   */
  contract?: ContractCheck
}

/**
 * Behaviours the spec fixes but a real cluster may not follow. Each default is
 * the spec's; the other value is what some cluster or client is known to do.
 */
export interface ClusterVariants {
  /**
   * `GET /v1/users/{username}/algorithms`: `array` (default, the spec) answers a
   * bare array of `{id, algoname, username}`; `paged` answers `{marker, next_link,
   * results}` pages of whole algorithms (with `algoname` and `username`).
   */
  ownerAlgorithmList?: 'array' | 'paged'
  /**
   * An algorithm that raised: 200 (default: the spec and the vendor's own mock
   * server) or 400, each with `{error: {message, stacktrace}}`.
   */
  algorithmErrorStatus?: 200 | 400
  /** Every cluster gets the same environment specification ids (default: each its own). */
  sharedEnvironmentSpecifications?: boolean
  /** A missing user or organization: 404 (default) or 409, the only status the spec lists for it. */
  missingAccountStatus?: 404 | 409
}

/** The version details a publish request may carry besides the version type and notes. */
export interface PublishDetails {
  /** Text, as the spec has it (the console parses it as JSON when it can). */
  sample_input?: string
  insights_enabled?: boolean
  algorithm_callability?: 'public' | 'private'
}

export interface CreateAlgorithmBody {
  details?: object
  settings?: object
  version_info?: { sample_input?: string }
}

export interface CommitOptions {
  message?: string
  /** true (default): the tree becomes exactly `files`; false: merge into the current tree. */
  replace?: boolean
  deletes?: string[]
}

export interface LogEntry {
  sha: string
  parents: string[]
  message: string
}

export interface UserFields {
  /** Default `<name>@example.com`. */
  email?: string
  fullname?: string
  company_name?: string
  company_role?: string
}

export interface OrgFields {
  label?: string
  contact_name?: string
  email?: string
  url?: string
  /** Organization type by name; default the first (`basic`). */
  type?: string
  /** Members who hold the owner role; everyone else in `members` is a plain member. */
  owners?: string[]
}

/** An organization as an admin reads it, with its members' roles. */
export interface OrgSnapshot {
  org_name: string
  org_label: string
  org_contact_name: string
  org_email: string
  org_url?: string
  type_name: string
  members: Record<string, 'owner' | 'member'>
}

export interface EmulatedCluster {
  readonly name: string
  /** API base (clients append /v1) and git base (repos at url + "/git/<owner>/<name>.git"). */
  readonly url: string
  addUser(name: string, fields?: UserFields): void
  addOrg(name: string, members: string[], fields?: OrgFields): void
  /** Adds an organization type (ids differ per cluster) and returns its id. */
  addOrgType(name: string): string
  getUser(name: string): (Required<Pick<UserFields, 'email'>> & UserFields & { username: string }) | undefined
  getOrg(name: string): OrgSnapshot | undefined
  /** Registers a key for a user or organization; `key` picks its value (e.g. canaries with '/' and '+'). */
  addKey(owner: string, opts?: { algoManagement?: boolean; admin?: boolean; key?: string }): string
  /**
   * Same rules as the API create (throws ApiError likewise). Returns at once;
   * every repository operation, including git requests, waits for the template commit.
   */
  createAlgorithm(owner: string, name: string, body?: CreateAlgorithmBody): Algorithm
  /** Writes a commit on master with plumbing and builds it as a push would; returns its sha. */
  commit(owner: string, name: string, files: Record<string, string | Buffer>, opts?: CommitOptions): Promise<string>
  /** Resolves with the newest build of `commitSha` once finished, waiting for it to start if needed; rejects on stop. */
  waitForBuild(owner: string, name: string, commitSha: string): Promise<Build>
  /** Publishes like the API; throws ApiError (with `status` and `body`) when the API would refuse. */
  publish(owner: string, name: string, versionType?: VersionType, releaseNotes?: string, details?: PublishDetails): Promise<Version>
  /**
   * Commits, builds and publishes each version in order, one bump at a time, each tree on top of the previous
   * commit (as `commit` and `publish` would one by one); resolves with the published versions, oldest first.
   */
  publishHistory(owner: string, name: string, versions: readonly HistoryVersion[]): Promise<Version[]>
  /** Adds a secret to the algorithm, as an administrator would through the API. */
  addSecret(owner: string, name: string, secret: NewSecret): SecretResult
  /** The cluster's environments; each cluster starts with the same specifications under its own ids. */
  readonly environments: EnvironmentControls
  getAlgorithm(owner: string, name: string): Algorithm | undefined
  /** All versions (published and unpublished builds), newest first; `published` filters like the API. */
  listVersions(owner: string, name: string, opts?: { published?: boolean }): Version[]
  /** All builds, newest first. */
  listBuilds(owner: string, name: string): Build[]
  headCommit(owner: string, name: string): Promise<string | undefined>
  readTree(owner: string, name: string, rev?: string): Promise<Record<string, Buffer>>
  log(owner: string, name: string): Promise<LogEntry[]>
  repoPath(owner: string, name: string): string
  /** Every request, appended when its response completes (or its connection is dropped). */
  readonly requests: RequestRecord[]
  /** With the `contract` option: each exchange that did not conform to the spec, naming its operation. */
  readonly contractViolations: readonly string[]
  clearRequests(): void
  faults: FaultController
  builds: BuildControls
  /** Hosted data collections (`/v1/connector/data`, alias `/v1/data`). */
  data: DataControls
  stop(): Promise<void>
}
