import {
  type AdminApi,
  type ClusterOrganization,
  type ClusterUser,
  EMAIL_TAKEN,
  ORGANIZATION_EXISTS,
  type OrganizationType,
  USERNAME_TAKEN
} from '../cluster/admin-api.js'
import { ClusterApiError } from '../cluster/errors.js'
import type { Logger } from '../util/log.js'
import {
  type AccountDifference,
  type AccountsReport,
  type MemberOutcome,
  type OrganizationOutcome,
  type UserOutcome,
  countFailures
} from './report.js'
import type { SourceAccounts, SourceOrganization } from './selection.js'

const USER_FIELDS = ['email', 'fullname', 'company_name', 'company_role'] as const
const ORG_FIELDS = ['org_label', 'org_contact_name', 'org_email', 'org_url'] as const

export interface AccountCopyOptions {
  readonly dryRun: boolean
  readonly logger: Logger
  /** Users known to exist at the destination already, who may be added to organizations without being copied. */
  readonly usersAtDestination?: readonly string[]
}

/**
 * Creates at the destination the users and organizations it lacks, and adds
 * organization members. Accounts that exist are left exactly as they are, with
 * their differences reported; nothing is ever deleted or overwritten. Passwords
 * and keys are never read: new users sign in through the destination.
 */
export async function copyAccounts(
  source: SourceAccounts,
  destination: AdminApi,
  sourceLabel: string,
  options: AccountCopyOptions
): Promise<AccountsReport> {
  const copier = new AccountCopier(destination, options)
  const users: UserOutcome[] = []
  for (const user of source.users) users.push(await copier.user(user))
  const presentUsers = new Set([
    ...(options.usersAtDestination ?? []),
    ...users.filter(user => user.status !== 'failed').map(user => user.username)
  ])
  const organizations: OrganizationOutcome[] = []
  for (const org of source.organizations) organizations.push(await copier.organization(org, presentUsers))
  const createdUsers = users.filter(user => user.status === 'created' || user.status === 'would-create').map(user => user.username)
  const createdOrgs = organizations.filter(org => org.status === 'created' || org.status === 'would-create').map(org => org.name)
  return {
    source: sourceLabel,
    destination: destination.cluster,
    dryRun: options.dryRun,
    users,
    organizations,
    mustSignIn: createdUsers,
    keysToReissue: [...createdUsers, ...createdOrgs],
    failed: countFailures(users, organizations)
  }
}

class AccountCopier {
  private typesAtDestination?: Promise<OrganizationType[]>

  constructor(
    private readonly destination: AdminApi,
    private readonly options: AccountCopyOptions
  ) {}

  async user(user: ClusterUser): Promise<UserOutcome> {
    const { username } = user
    try {
      const existing = await this.destination.getUser(username)
      if (existing && !sameUser(user, existing))
        return { username, status: 'failed', differences: [], error: this.userConflict(user, existing) }
      if (existing) return { username, status: 'exists', differences: differences(user, existing, USER_FIELDS) }
      if (this.options.dryRun) return { username, status: 'would-create', differences: [] }
      await this.destination.createUser(pick(user, ['username', ...USER_FIELDS]) as ClusterUser)
      this.options.logger.info(`${this.destination.cluster}: created user ${username}`)
      return { username, status: 'created', differences: [] }
    } catch (error) {
      return { username, status: 'failed', differences: [], error: await this.userFailure(user, error) }
    }
  }

  async organization(source: SourceOrganization, presentUsers: Set<string>): Promise<OrganizationOutcome> {
    const { org, typeName } = source
    const name = org.org_name
    const base = { name, type: typeName, members: [], extraMembers: [] }
    let status: OrganizationOutcome['status']
    let found: AccountDifference[] = []
    try {
      const existing = await this.destination.getOrganization(name)
      if (existing && !sameOrganization(org, existing)) {
        return { ...base, status: 'failed', differences: differences(org, existing, ORG_FIELDS), error: this.organizationConflict(name) }
      }
      if (existing) {
        status = 'exists'
        found = differences(org, existing, ORG_FIELDS)
        const existingType = (await this.types()).find(type => type.id === existing.type_id)?.name ?? ''
        if (existingType !== typeName) found.push({ field: 'type', source: typeName, destination: existingType })
      } else {
        const typeId = await this.typeId(typeName)
        if (this.options.dryRun) status = 'would-create'
        else {
          await this.destination.createOrganization({ ...(pick(org, ['org_name', ...ORG_FIELDS]) as ClusterOrganization), type_id: typeId })
          this.options.logger.info(`${this.destination.cluster}: created organization ${name} (type ${typeName})`)
          status = 'created'
        }
      }
    } catch (error) {
      return { ...base, status: 'failed', differences: [], error: this.organizationFailure(name, error) }
    }
    const { members, extraMembers } = await this.members(source, status, presentUsers)
    return { ...base, status, differences: found, members, extraMembers }
  }

  private async members(
    source: SourceOrganization,
    status: OrganizationOutcome['status'],
    presentUsers: Set<string>
  ): Promise<{ members: MemberOutcome[]; extraMembers: string[] }> {
    const name = source.org.org_name
    const atDestination = status === 'would-create' ? [] : await this.destination.listMembers(name)
    const roles = new Map(atDestination.map(member => [member.username, member.role ?? 'member']))
    const members: MemberOutcome[] = []
    for (const member of source.members) {
      const sourceRole = member.role ?? 'member'
      const destinationRole = roles.get(member.username)
      if (destinationRole) {
        members.push({ username: member.username, sourceRole, destinationRole, status: 'already-member' })
      } else if (!presentUsers.has(member.username)) {
        const error = `not added: the user ${member.username} could not be created on ${this.destination.cluster} (see its error)`
        members.push({ username: member.username, sourceRole, destinationRole: '', status: 'failed', error })
      } else if (this.options.dryRun) {
        members.push({ username: member.username, sourceRole, destinationRole: '', status: 'would-add' })
      } else {
        members.push(await this.addMember(name, member.username, sourceRole))
      }
    }
    const sourceNames = new Set(source.members.map(member => member.username))
    return { members, extraMembers: atDestination.map(member => member.username).filter(username => !sourceNames.has(username)) }
  }

  /** The member PUT grants the plain member role; other roles are reported for an administrator to grant. */
  private async addMember(org: string, username: string, sourceRole: string): Promise<MemberOutcome> {
    try {
      await this.destination.addMember(org, username)
      this.options.logger.info(`${this.destination.cluster}: added ${username} to ${org}`)
      return { username, sourceRole, destinationRole: 'member', status: 'added' }
    } catch (error) {
      const message = `${this.destination.cluster}: adding ${username} to ${org} failed: ${(error as Error).message}`
      return { username, sourceRole, destinationRole: '', status: 'failed', error: message }
    }
  }

  private types(): Promise<OrganizationType[]> {
    this.typesAtDestination ??= this.destination.listOrganizationTypes()
    return this.typesAtDestination
  }

  /** Types have different ids on every cluster, so they are matched by name. */
  private async typeId(typeName: string): Promise<string> {
    const types = await this.types()
    const match = types.find(type => type.name === typeName)
    if (match) return match.id
    const known = types.map(type => `'${type.name}'`).join(', ') || 'none'
    throw new Error(
      `${this.destination.cluster} has no organization type named '${typeName}' (it has ${known}): an administrator creates it there (POST /v1/organization/types), then run again.`
    )
  }

  private async userFailure(user: ClusterUser, error: unknown): Promise<string> {
    const where = this.destination.cluster
    if (error instanceof ClusterApiError && error.code === USERNAME_TAKEN) {
      return `${where}: the username '${user.username}' is taken there by an organization or a deleted account (deleted names are never reused); create the user under another name by hand.`
    }
    if (error instanceof ClusterApiError && error.code === EMAIL_TAKEN) {
      const holder = await this.emailHolder(user.email ?? '')
      return `${where}: the email ${user.email} already belongs to ${holder ? `the user '${holder}'` : 'another account'} there, so '${user.username}' was not created; change one of the two emails, or merge the accounts by hand.`
    }
    return `${where}: creating the user '${user.username}' failed: ${(error as Error).message}`
  }

  private userConflict(user: ClusterUser, existing: ClusterUser): string {
    return `${this.destination.cluster}: a user '${user.username}' exists there with another email (${existing.email ?? 'none'}, not ${user.email ?? 'none'}), so it may be someone else's account: it was not taken for the source's user, and is added to no organization. Check who holds it; if it is the same person, make the emails agree, then run again.`
  }

  private organizationConflict(name: string): string {
    return `${this.destination.cluster}: an organization '${name}' exists there, but none of its email, URL or contact name matches the source's, so it may be another team's: no member was added to it. If it is the same organization, make one of those fields agree, then run again.`
  }

  private async emailHolder(email: string): Promise<string | undefined> {
    try {
      const users = await this.destination.listUsers()
      return users.find(user => user.email?.toLowerCase() === email.toLowerCase())?.username
    } catch {
      return undefined
    }
  }

  private organizationFailure(name: string, error: unknown): string {
    const where = this.destination.cluster
    if (error instanceof ClusterApiError && error.code === ORGANIZATION_EXISTS) {
      return `${where}: the name '${name}' is taken there by a user or a deleted account (deleted names are never reused), so the organization was not created.`
    }
    const message = (error as Error).message
    return message.startsWith(where) ? message : `${where}: creating the organization '${name}' failed: ${message}`
  }
}

/** The same person: usernames are not enough, since anyone may have registered the name at the destination. */
export function sameUser(source: ClusterUser, destination: ClusterUser): boolean {
  return sameText(source.email, destination.email)
}

/** The same organization: one of the fields that identify it agrees (its name alone may belong to another team). */
export function sameOrganization(source: ClusterOrganization, destination: ClusterOrganization): boolean {
  return IDENTIFYING_ORG_FIELDS.some(field => source[field] !== undefined && sameText(source[field], destination[field]))
}

const IDENTIFYING_ORG_FIELDS = ['org_email', 'org_url', 'org_contact_name'] as const

function sameText(a: string | undefined, b: string | undefined): boolean {
  return (a ?? '').trim().toLowerCase() === (b ?? '').trim().toLowerCase()
}

function differences<T extends object>(source: T, destination: T, fields: readonly (keyof T & string)[]): AccountDifference[] {
  const found: AccountDifference[] = []
  for (const field of fields) {
    const want = String(source[field] ?? '')
    const have = String(destination[field] ?? '')
    if (want !== have) found.push({ field, source: want, destination: have })
  }
  return found
}

function pick<T extends object>(value: T, fields: readonly string[]): Partial<T> {
  return Object.fromEntries(
    fields
      .filter(field => (value as Record<string, unknown>)[field] !== undefined)
      .map(field => [field, (value as Record<string, unknown>)[field]])
  ) as Partial<T>
}
