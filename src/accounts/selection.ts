import type { AccountSelection } from '../core/config.js'
import type { AdminApi, ClusterOrganization, ClusterUser, OrganizationMember } from '../cluster/admin-api.js'

export interface SourceOrganization {
  readonly org: ClusterOrganization
  readonly typeName: string
  readonly members: readonly OrganizationMember[]
}

/** Everything a migration copies from the source: users, and organizations with their members. */
export interface SourceAccounts {
  readonly users: readonly ClusterUser[]
  readonly organizations: readonly SourceOrganization[]
}

/**
 * Reads the selected accounts from the source. An organization brings its
 * members along, since they are what make it usable at the destination. A
 * name that is neither a user nor an organization is an error before any write.
 */
export async function readSourceAccounts(source: AdminApi, selection: AccountSelection): Promise<SourceAccounts> {
  const { users, orgs } = await selectedAccounts(source, selection)
  const types = orgs.length > 0 ? await source.listOrganizationTypes() : []
  const organizations: SourceOrganization[] = []
  for (const org of orgs) {
    const typeName = types.find(type => type.id === org.type_id)?.name ?? ''
    const members = await source.listMembers(org.org_name)
    organizations.push({ org, typeName, members: members.sort(byName(member => member.username)) })
  }
  const usernames = new Set(users.map(user => user.username))
  for (const member of organizations.flatMap(entry => entry.members)) {
    if (usernames.has(member.username)) continue
    const user = await source.getUser(member.username)
    if (user) users.push(user)
    usernames.add(member.username)
  }
  return { users: users.sort(byName(user => user.username)), organizations }
}

async function selectedAccounts(
  source: AdminApi,
  selection: AccountSelection
): Promise<{ users: ClusterUser[]; orgs: ClusterOrganization[] }> {
  if (selection.kind === 'all') {
    const [users, orgs] = await Promise.all([source.listUsers(), source.listOrganizations()])
    return { users, orgs: orgs.sort(byName(org => org.org_name)) }
  }
  const users: ClusterUser[] = []
  const orgs: ClusterOrganization[] = []
  const unknown: string[] = []
  for (const name of selection.names) {
    const org = await source.getOrganization(name)
    if (org) {
      orgs.push(org)
      continue
    }
    const user = await source.getUser(name)
    if (user) users.push(user)
    else unknown.push(name)
  }
  if (unknown.length > 0) {
    throw new Error(
      `${source.cluster}: ${unknown.map(name => `'${name}'`).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} neither a user nor an organization there. Check the names in 'accounts' (they are case-sensitive), or use '*' for every account; nothing was changed.`
    )
  }
  return { users, orgs }
}

function byName<T>(name: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => name(a).localeCompare(name(b))
}
