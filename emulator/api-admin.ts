// Admin routes: users, organizations, memberships and organization types.
// Only admin keys reach them (standard keys get 403); the one exception is the
// list of an owner's algorithms, which the spec opens to standard keys too.
import { parseOrgCreate, parseUserCreate } from './account-requests.js'
import type { ApiDeps } from './api.js'
import { authenticateApi, requireAccess, requireAdminKey } from './auth.js'
import { ErrorCode, apiError, notAuthenticated } from './errors.js'
import { readJsonRequest } from './http-util.js'
import { paginate, parsePageRequest } from './paging.js'
import type { ApiCall, ApiReply, Router } from './router.js'
import type { ApiKeyRecord, MemberRole, OrgRecord, UserRecord } from './state.js'
import { algorithmView } from './views.js'

type AdminDeps = Pick<ApiDeps, 'state' | 'baseUrl' | 'variants'>

export function registerAdminRoutes(router: Router, deps: AdminDeps): void {
  const routes = new AdminRoutes(deps)
  const admin = (handler: (call: ApiCall, key: ApiKeyRecord) => Promise<ApiReply> | ApiReply) => (call: ApiCall) =>
    handler(call, requireAdminKey(routes.caller(call)))
  router
    .add(
      'GET',
      '/v1/users',
      admin(call => routes.listUsers(call))
    )
    .add(
      'POST',
      '/v1/users',
      admin(call => routes.createUser(call))
    )
    .add(
      'GET',
      '/v1/users/:username',
      admin(call => routes.getUser(call))
    )
    .add('GET', '/v1/users/:username/algorithms', call => routes.listAlgorithms(call))
    .add(
      'GET',
      '/v1/organizations',
      admin(call => routes.listOrgs(call))
    )
    .add(
      'POST',
      '/v1/organizations',
      admin((call, key) => routes.createOrg(call, key))
    )
    .add(
      'GET',
      '/v1/organizations/:org',
      admin(call => routes.getOrg(call))
    )
    .add(
      'GET',
      '/v1/organizations/:org/members',
      admin(call => routes.listMembers(call))
    )
    .add(
      'PUT',
      '/v1/organizations/:org/members/:username',
      admin(call => routes.addMember(call))
    )
    .add('GET', '/v1/organization/types', call => routes.listOrgTypes(call))
  // Checked before the key, so any caller learns the route is not emulated (not that its key is wrong).
  for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH']) router.add(method, '/v1/admin/*', () => routes.notEmulated())
}

class AdminRoutes {
  constructor(private readonly deps: AdminDeps) {}

  caller(call: ApiCall): ApiKeyRecord | undefined {
    return authenticateApi(this.deps.state, call.req.headers.authorization)
  }

  listUsers(call: ApiCall): ApiReply {
    const users = [...this.deps.state.users.values()].sort((a, b) => b.seq - a.seq)
    return this.page(
      call,
      users,
      user => user.seq,
      user => this.userView(user)
    )
  }

  async createUser(call: ApiCall): Promise<ApiReply> {
    const request = parseUserCreate(await readJsonRequest(call.req, call.exchange, 'User', true))
    const { state } = this.deps
    if (state.accountExists(request.username)) {
      throw apiError(409, ErrorCode.usernameTaken, `The username '${request.username}' has been taken`)
    }
    if (state.userWithEmail(request.email)) {
      throw apiError(409, ErrorCode.emailTaken, `The email address '${request.email}' has been taken`)
    }
    return { status: 200, body: this.userView(state.addUser(request)) }
  }

  getUser(call: ApiCall): ApiReply {
    const user = this.deps.state.users.get(call.params.username)
    if (!user) throw apiError(this.missingStatus, ErrorCode.userNotFound, `No such user: ${call.params.username}`)
    return { status: 200, body: this.userView(user) }
  }

  /**
   * Users and organizations alike; a standard key needs read access to the owner, an admin key sees all.
   * The spec's answer is a bare array of `{id, algoname, username}`; the `paged` variant pages whole algorithms.
   */
  listAlgorithms(call: ApiCall): ApiReply {
    const key = this.caller(call)
    if (!key) throw notAuthenticated()
    const owner = call.params.username
    if (!this.deps.state.accountExists(owner)) {
      throw apiError(this.missingStatus, ErrorCode.userNotFound, `No such user or organization: ${owner}`)
    }
    if (!key.admin) requireAccess(this.deps.state, key, owner, false)
    const listed = this.deps.state.algorithmsOf(owner)
    if (this.deps.variants.ownerAlgorithmList !== 'paged') {
      return { status: 200, body: listed.map(({ algo }) => ({ id: algo.id, algoname: algo.name, username: owner })) }
    }
    const base = this.deps.baseUrl()
    return this.page(
      call,
      listed,
      entry => entry.seq,
      ({ algo }) => ({ ...algorithmView(algo, base), algoname: algo.name, username: owner })
    )
  }

  listOrgs(call: ApiCall): ApiReply {
    const orgs = [...this.deps.state.orgs.values()].sort((a, b) => b.seq - a.seq)
    return this.page(
      call,
      orgs,
      org => org.seq,
      org => this.orgView(org)
    )
  }

  /** The calling admin becomes the new organization's owner, as the spec says of every caller. */
  async createOrg(call: ApiCall, key: ApiKeyRecord): Promise<ApiReply> {
    const request = parseOrgCreate(await readJsonRequest(call.req, call.exchange, 'Organization', true))
    const { state } = this.deps
    if (state.accountExists(request.org_name)) {
      throw apiError(409, ErrorCode.organizationExists, `The name '${request.org_name}' has been taken`)
    }
    if (!state.findOrgType(request.type_id)) {
      throw apiError(400, ErrorCode.organizationTypeNotFound, `No such organization type: ${request.type_id}`)
    }
    const creator: [string, MemberRole][] = state.users.has(key.owner) ? [[key.owner, 'owner']] : []
    return { status: 200, body: this.orgView(state.addOrg(request, creator)) }
  }

  getOrg(call: ApiCall): ApiReply {
    return { status: 200, body: this.orgView(this.findOrg(call.params.org)) }
  }

  listMembers(call: ApiCall): ApiReply {
    const members = [...this.findOrg(call.params.org).members]
    // Members have no creation number; their position (newest has the highest) is the cursor.
    const numbered = members.map(([username, role], index) => ({ username, role, seq: index + 1 })).reverse()
    return this.page(
      call,
      numbered,
      member => member.seq,
      member => this.memberView(member.username, member.role)
    )
  }

  /** 201 when the user was added (as a plain member), 200 when already a member. */
  addMember(call: ApiCall): ApiReply {
    const org = this.findOrg(call.params.org)
    const { username } = call.params
    if (!this.deps.state.users.has(username)) throw apiError(404, ErrorCode.userNotFound, `No such user: ${username}`)
    const existing = org.members.get(username)
    if (existing) return { status: 200, body: this.memberView(username, existing) }
    org.members.set(username, 'member')
    return { status: 201, body: this.memberView(username, 'member') }
  }

  /** The spec names no security for this list: any valid key may read it. */
  listOrgTypes(call: ApiCall): ApiReply {
    if (!this.caller(call)) throw notAuthenticated()
    return { status: 200, body: this.deps.state.orgTypes.map(type => ({ ...type })) }
  }

  notEmulated(): ApiReply {
    throw apiError(404, ErrorCode.invalidRequest, 'No such route: this admin endpoint is not emulated')
  }

  /** What a missing user or organization answers (see ClusterVariants.missingAccountStatus). */
  private get missingStatus(): number {
    return this.deps.variants.missingAccountStatus ?? 404
  }

  private page<T, R>(call: ApiCall, items: T[], seqOf: (item: T) => number, render: (item: T) => R): ApiReply {
    const query = call.exchange.url.searchParams
    const requestUrl = new URL(call.exchange.url.pathname + call.exchange.url.search, this.deps.baseUrl())
    return { status: 200, body: paginate(items, seqOf, parsePageRequest(query), requestUrl, render) }
  }

  private findOrg(name: string): OrgRecord {
    const org = this.deps.state.orgs.get(name)
    if (!org) throw apiError(this.missingStatus, ErrorCode.organizationNotFound, `No such organization: ${name}`)
    return org
  }

  private userView(user: UserRecord) {
    const { seq: _seq, ...fields } = user
    return { ...fields, resource_type: 'user', self_link: `${this.deps.baseUrl()}/v1/users/${user.username}` }
  }

  private orgView(org: OrgRecord) {
    const { seq: _seq, members: _members, ...fields } = org
    return { ...fields, resource_type: 'organization', self_link: `${this.deps.baseUrl()}/v1/organizations/${org.org_name}` }
  }

  private memberView(username: string, role: MemberRole) {
    return {
      username,
      role,
      user_link: `${this.deps.baseUrl()}/v1/users/${username}`,
      // The spec's name for it (PagedResultList's discriminator mapping).
      resource_type: 'organizationMember'
    }
  }
}
