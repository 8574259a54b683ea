// In-memory records of one cluster: accounts, keys, algorithms and their builds
// and releases. Pure data plus lookups; HTTP, git and timing live elsewhere.
import { randomBytes, randomUUID } from 'node:crypto'
import type { AlgorithmDetails, AlgorithmSettings, BuildStatus } from './types.js'

export const ACCOUNT_NAME_PATTERN = /^[a-zA-Z][a-zA-Z0-9_]*$/
export const ACCOUNT_NAME_MAX = 30
export const ALGORITHM_NAME_PATTERN = /^[a-zA-Z][a-zA-Z0-9_]*$/

export interface ApiKeyRecord {
  key: string
  owner: string
  algoManagement: boolean
  admin: boolean
}

export interface UserRecord {
  id: string
  /** Cluster-wide increasing number; the paging cursor. */
  seq: number
  username: string
  email: string
  fullname?: string
  company_name?: string
  company_role?: string
}

/** What a member may do in an organization; the member PUT always grants 'member'. */
export type MemberRole = 'owner' | 'member'

export interface OrgRecord {
  id: string
  seq: number
  org_name: string
  org_label: string
  org_contact_name: string
  org_email: string
  org_url?: string
  type_id: string
  /** Username to role. */
  members: Map<string, MemberRole>
}

export interface OrgTypeRecord {
  id: string
  name: string
}

/** Organization types every cluster starts with; each cluster gives them its own ids. */
export const DEFAULT_ORG_TYPES = ['basic', 'enterprise']

export interface BuildRecord {
  id: string
  /** Cluster-wide increasing number; the paging cursor. */
  seq: number
  commitSha: string
  status: BuildStatus
  startedAt: Date
  finishedAt?: Date
  logs?: string
}

export interface ReleaseRecord {
  semanticVersion: string
  buildId: string
  gitHash: string
  releaseNotes?: string
  sampleInput?: unknown
  sampleOutput?: unknown
  insightsEnabled?: boolean
  /** Snapshot at publish time: a published version keeps its metadata. */
  details: AlgorithmDetails
  settings: AlgorithmSettings
  publishedAt: Date
}

export interface AlgorithmRecord {
  id: string
  owner: string
  name: string
  details: AlgorithmDetails
  settings: AlgorithmSettings
  sampleInput?: unknown
  /** Oldest first. */
  builds: BuildRecord[]
  /** Oldest first. */
  releases: ReleaseRecord[]
}

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/** A standard-looking key: "sim" + 28 random base62 characters. */
export function generateKey(): string {
  const bytes = randomBytes(28)
  let suffix = ''
  for (const byte of bytes) suffix += KEY_ALPHABET[byte % KEY_ALPHABET.length]
  return 'sim' + suffix
}

/** Returns a reason when `name` is not a valid user or organization name. */
export function accountNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || !ACCOUNT_NAME_PATTERN.test(name)) {
    return `Invalid name ${JSON.stringify(name)}: use letters, digits and underscore, starting with a letter`
  }
  if (name.length > ACCOUNT_NAME_MAX) return `Invalid name '${name}': at most ${ACCOUNT_NAME_MAX} characters`
  return undefined
}

function algorithmKey(owner: string, name: string): string {
  return `${owner}/${name}`
}

export class ClusterState {
  readonly users = new Map<string, UserRecord>()
  readonly orgs = new Map<string, OrgRecord>()
  readonly keys = new Map<string, ApiKeyRecord>()
  readonly orgTypes: OrgTypeRecord[] = DEFAULT_ORG_TYPES.map(name => ({ id: randomUUID(), name }))
  private readonly algorithms = new Map<string, AlgorithmRecord>()
  /** When each algorithm was added, for paging an owner's list. */
  private readonly algorithmSeq = new Map<string, number>()
  private seq = 0

  nextSeq(): number {
    this.seq += 1
    return this.seq
  }

  /** Users and organizations share one namespace. */
  accountExists(name: string): boolean {
    return this.users.has(name) || this.orgs.has(name)
  }

  addUser(fields: Omit<UserRecord, 'id' | 'seq'>): UserRecord {
    const record: UserRecord = { id: randomUUID(), seq: this.nextSeq(), ...fields }
    this.users.set(record.username, record)
    return record
  }

  /** Emails are unique across users, compared without case. */
  userWithEmail(email: string): UserRecord | undefined {
    const wanted = email.toLowerCase()
    for (const user of this.users.values()) if (user.email.toLowerCase() === wanted) return user
    return undefined
  }

  addOrg(fields: Omit<OrgRecord, 'id' | 'seq' | 'members'>, members: Iterable<[string, MemberRole]> = []): OrgRecord {
    const record: OrgRecord = { id: randomUUID(), seq: this.nextSeq(), ...fields, members: new Map(members) }
    this.orgs.set(record.org_name, record)
    return record
  }

  findOrgType(id: string): OrgTypeRecord | undefined {
    return this.orgTypes.find(type => type.id === id)
  }

  addKey(record: ApiKeyRecord): void {
    this.keys.set(record.key, record)
  }

  findKey(key: string): ApiKeyRecord | undefined {
    return this.keys.get(key)
  }

  /** True when `principal` is `owner` or a member of the organization `owner`. */
  canActFor(principal: string, owner: string): boolean {
    if (principal === owner) return true
    return this.orgs.get(owner)?.members.has(principal) ?? false
  }

  findAlgorithm(owner: string, name: string): AlgorithmRecord | undefined {
    return this.algorithms.get(algorithmKey(owner, name))
  }

  findAlgorithmById(id: string): AlgorithmRecord | undefined {
    for (const algo of this.algorithms.values()) if (algo.id === id) return algo
    return undefined
  }

  addAlgorithm(record: AlgorithmRecord): void {
    const key = algorithmKey(record.owner, record.name)
    this.algorithms.set(key, record)
    this.algorithmSeq.set(key, this.nextSeq())
  }

  removeAlgorithm(owner: string, name: string): void {
    this.algorithms.delete(algorithmKey(owner, name))
    this.algorithmSeq.delete(algorithmKey(owner, name))
  }

  /** The owner's algorithms with their paging cursor, newest first. */
  algorithmsOf(owner: string): { algo: AlgorithmRecord; seq: number }[] {
    const found: { algo: AlgorithmRecord; seq: number }[] = []
    for (const [key, algo] of this.algorithms) {
      if (algo.owner === owner) found.push({ algo, seq: this.algorithmSeq.get(key) ?? 0 })
    }
    return found.sort((a, b) => b.seq - a.seq)
  }
}
