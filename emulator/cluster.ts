// Wires the emulator's parts into one running cluster and exposes the
// in-process handle tests use to seed and inspect it.
import { randomUUID } from 'node:crypto'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AlgorithmService } from './algorithms.js'
import { ApiHandler } from './api.js'
import { BuildRunner } from './builds.js'
import { DataApiHandler } from './data-api.js'
import { DataFaultInjector } from './data-faults.js'
import { DataHandle } from './data-handle.js'
import { DataStore } from './data-store.js'
import { EnvironmentCatalog } from './environments.js'
import { FaultInjector } from './faults.js'
import { GitRunner, isolatedGitEnv } from './git-exec.js'
import { GitHttpHandler } from './git-http.js'
import { type HistoryVersion, publishHistory } from './history.js'
import { RepoStore } from './repos.js'
import { SecretStore } from './secrets.js'
import { ClusterServer } from './server.js'
import { ClusterState, DEFAULT_ORG_TYPES, type MemberRole, accountNameProblem, generateKey } from './state.js'
import type {
  Algorithm,
  Build,
  ClusterOptions,
  CommitOptions,
  CreateAlgorithmBody,
  EmulatedCluster,
  LogEntry,
  NewSecret,
  OrgFields,
  OrgSnapshot,
  PublishDetails,
  RequestRecord,
  SecretResult,
  UserFields,
  Version,
  VersionType
} from './types.js'
import { REQUIRED_CREATE_SETTINGS } from './validation.js'
import { algorithmView, buildView, versionView } from './views.js'

const DEFAULT_BUILD_DELAY_MS = 200

interface Parts {
  name: string
  root: string
  ownsRoot: boolean
  state: ClusterState
  git: GitRunner
  repos: RepoStore
  builds: BuildRunner
  algorithms: AlgorithmService
  environments: EnvironmentCatalog
  secrets: SecretStore
  faults: FaultInjector
  gitHttp: GitHttpHandler
  server: ClusterServer
  data: DataHandle
}

export async function startCluster(opts: ClusterOptions = {}): Promise<EmulatedCluster> {
  const root = opts.root ?? (await mkdtemp(join(tmpdir(), 'algorithmia-emulator-')))
  const dirs = { repos: join(root, 'repos'), tmp: join(root, 'tmp'), home: join(root, 'home'), data: join(root, 'data') }
  await Promise.all(Object.values(dirs).map(dir => mkdir(dir, { recursive: true })))

  const state = new ClusterState()
  const gitRunner = new GitRunner(dirs.home)
  const repos = new RepoStore(dirs.repos, dirs.tmp, gitRunner, opts.partialClone ?? false)
  const builds = new BuildRunner(state, repos, opts.buildDelayMs ?? DEFAULT_BUILD_DELAY_MS)
  const variants = opts.variants ?? {}
  const environments = new EnvironmentCatalog({ sharedSpecifications: variants.sharedEnvironmentSpecifications })
  const secrets = new SecretStore()
  const algorithms = new AlgorithmService(state, repos, builds, id => environments.has(id))
  const faults = new FaultInjector()
  let baseUrl = ''
  const readTree = (owner: string, name: string, rev: string) => repos.readTree(owner, name, rev)
  const api = new ApiHandler({ state, algorithms, builds, environments, secrets, readTree, variants, baseUrl: () => baseUrl })
  const gitEnv = isolatedGitEnv(dirs.home)
  const gitHttp = new GitHttpHandler({ state, repos, builds, algorithms, faults, gitEnv })
  const dataStore = new DataStore(dirs.data)
  const dataFaults = new DataFaultInjector()
  const data = new DataApiHandler({ state, store: dataStore, faults: dataFaults })
  const server = new ClusterServer(
    { state, api, git: gitHttp, data, faults, latencyMs: opts.latencyMs ?? 0, contract: opts.contract },
    opts.tls
  )
  const host = opts.host ?? '127.0.0.1'
  const port = await server.listen(opts.port ?? 0, host)
  baseUrl = `${opts.tls ? 'https' : 'http'}://${host}:${port}`

  return new Cluster(baseUrl, {
    name: opts.name ?? 'cluster',
    root,
    ownsRoot: opts.root === undefined,
    state,
    git: gitRunner,
    repos,
    builds,
    algorithms,
    environments,
    secrets,
    faults,
    gitHttp,
    server,
    data: new DataHandle(state, dataStore, dataFaults)
  })
}

/**
 * Seeding convenience: the fields a create request must carry get defaults
 * (the API itself refuses a request without them).
 */
function withSeedDefaults(name: string, body: CreateAlgorithmBody): CreateAlgorithmBody & { name: string } {
  const defaults: Record<(typeof REQUIRED_CREATE_SETTINGS)[number], unknown> = {
    source_visibility: 'closed',
    license: 'apl',
    network_access: 'full',
    pipeline_enabled: true
  }
  return {
    ...body,
    name,
    details: { label: name, ...body.details },
    settings: { ...defaults, ...body.settings }
  }
}

class Cluster implements EmulatedCluster {
  readonly name: string
  private stopped?: Promise<void>

  constructor(
    readonly url: string,
    private readonly parts: Parts
  ) {
    this.name = parts.name
  }

  get requests(): RequestRecord[] {
    return this.parts.server.requests
  }

  get contractViolations(): readonly string[] {
    return this.parts.server.contractViolations
  }

  get faults(): FaultInjector {
    return this.parts.faults
  }

  get builds(): BuildRunner {
    return this.parts.builds
  }

  get data(): DataHandle {
    return this.parts.data
  }

  get environments(): EnvironmentCatalog {
    return this.parts.environments
  }

  addUser(name: string, fields: UserFields = {}): void {
    this.claimAccountName(name)
    const email = fields.email ?? `${name}@example.com`
    if (this.parts.state.userWithEmail(email)) throw new Error(`The email address '${email}' is already taken`)
    this.parts.state.addUser({ fullname: name, ...fields, username: name, email })
  }

  addOrg(name: string, members: string[], fields: OrgFields = {}): void {
    this.claimAccountName(name)
    const unknown = members.filter(member => !this.parts.state.users.has(member))
    if (unknown.length) throw new Error(`Cannot add unknown users to ${name}: ${unknown.join(', ')}`)
    const type = this.parts.state.orgTypes.find(candidate => candidate.name === (fields.type ?? DEFAULT_ORG_TYPES[0]))
    if (!type) throw new Error(`No organization type named ${fields.type}`)
    const owners = new Set(fields.owners ?? [])
    const roles = members.map((member): [string, MemberRole] => [member, owners.has(member) ? 'owner' : 'member'])
    this.parts.state.addOrg(
      {
        org_name: name,
        org_label: fields.label ?? name,
        org_contact_name: fields.contact_name ?? name,
        org_email: fields.email ?? `${name}@example.com`,
        org_url: fields.url,
        type_id: type.id
      },
      roles
    )
  }

  addOrgType(name: string): string {
    const existing = this.parts.state.orgTypes.find(type => type.name === name)
    if (existing) return existing.id
    const type = { id: randomUUID(), name }
    this.parts.state.orgTypes.push(type)
    return type.id
  }

  getUser(name: string): ReturnType<EmulatedCluster['getUser']> {
    const user = this.parts.state.users.get(name)
    if (!user) return undefined
    const { id: _id, seq: _seq, ...fields } = user
    return { ...fields }
  }

  getOrg(name: string): OrgSnapshot | undefined {
    const org = this.parts.state.orgs.get(name)
    if (!org) return undefined
    const { id: _id, seq: _seq, members, type_id, ...fields } = org
    const typeName = this.parts.state.findOrgType(type_id)?.name ?? type_id
    return { ...fields, type_name: typeName, members: Object.fromEntries(members) }
  }

  addKey(owner: string, opts: { algoManagement?: boolean; admin?: boolean; key?: string } = {}): string {
    if (!this.parts.state.accountExists(owner)) throw new Error(`No such user or organization: ${owner}`)
    const key = opts.key ?? generateKey()
    if (this.parts.state.findKey(key)) throw new Error('That key is already registered')
    this.parts.state.addKey({ key, owner, algoManagement: opts.algoManagement ?? true, admin: opts.admin ?? false })
    return key
  }

  createAlgorithm(owner: string, name: string, body: CreateAlgorithmBody = {}): Algorithm {
    const { algo, ready } = this.parts.algorithms.create(owner, withSeedDefaults(name, body))
    // Repository operations wait for creation; a failure surfaces there too.
    ready.catch((error: unknown) => console.error(`[emulator] creating ${owner}/${name} failed:`, error))
    return algorithmView(algo, this.url)
  }

  commit(owner: string, name: string, files: Record<string, string | Buffer>, opts?: CommitOptions): Promise<string> {
    return this.parts.algorithms.commit(owner, name, files, opts)
  }

  async waitForBuild(owner: string, name: string, commitSha: string): Promise<Build> {
    const build = await this.parts.builds.waitForCommit(owner, name, commitSha)
    return buildView(this.parts.algorithms.find(owner, name), build)
  }

  async publish(
    owner: string,
    name: string,
    versionType: VersionType = 'minor',
    releaseNotes?: string,
    details: PublishDetails = {}
  ): Promise<Version> {
    const algo = this.parts.algorithms.find(owner, name)
    const { sample_input, insights_enabled, algorithm_callability } = details
    const build = this.parts.algorithms.publish(algo, {
      versionType,
      releaseNotes,
      sampleInput: sample_input,
      insightsEnabled: insights_enabled,
      settings: algorithm_callability ? { algorithm_callability } : undefined
    })
    return versionView(algo, build, this.url)
  }

  publishHistory(owner: string, name: string, versions: readonly HistoryVersion[]): Promise<Version[]> {
    return publishHistory(this, owner, name, versions)
  }

  addSecret(owner: string, name: string, secret: NewSecret): SecretResult {
    return this.parts.secrets.add(this.parts.algorithms.find(owner, name), secret)
  }

  getAlgorithm(owner: string, name: string): Algorithm | undefined {
    const algo = this.parts.state.findAlgorithm(owner, name)
    return algo && algorithmView(algo, this.url)
  }

  listVersions(owner: string, name: string, opts: { published?: boolean } = {}): Version[] {
    const algo = this.parts.state.findAlgorithm(owner, name)
    if (!algo) return []
    return this.parts.algorithms.versions(algo, opts).map(build => versionView(algo, build, this.url))
  }

  listBuilds(owner: string, name: string): Build[] {
    const algo = this.parts.state.findAlgorithm(owner, name)
    if (!algo) return []
    return [...algo.builds].reverse().map(build => buildView(algo, build))
  }

  async headCommit(owner: string, name: string): Promise<string | undefined> {
    if (!this.parts.state.findAlgorithm(owner, name)) return undefined
    return this.parts.repos.head(owner, name)
  }

  readTree(owner: string, name: string, rev?: string): Promise<Record<string, Buffer>> {
    return this.parts.repos.readTree(owner, name, rev)
  }

  log(owner: string, name: string): Promise<LogEntry[]> {
    return this.parts.repos.log(owner, name)
  }

  repoPath(owner: string, name: string): string {
    return this.parts.repos.path(owner, name)
  }

  clearRequests(): void {
    this.parts.server.requests.length = 0
  }

  stop(): Promise<void> {
    this.stopped ??= this.shutdown()
    return this.stopped
  }

  /** Stops accepting work, lets running git processes finish, then removes a temp root. */
  private async shutdown(): Promise<void> {
    this.parts.builds.stop()
    await this.parts.server.close()
    await this.parts.gitHttp.idle()
    await this.parts.repos.drain()
    await this.parts.git.idle()
    if (this.parts.ownsRoot) await rm(this.parts.root, { recursive: true, force: true, maxRetries: 5 })
  }

  private claimAccountName(name: string): void {
    const problem = accountNameProblem(name)
    if (problem) throw new Error(problem)
    if (this.parts.state.accountExists(name)) throw new Error(`The name '${name}' is already taken`)
  }
}
