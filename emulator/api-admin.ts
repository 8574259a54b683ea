// Admin-only routes: users and organizations. Only admin keys reach them;
// standard keys get 403.
import type { ApiDeps } from './api.js'
import { authenticateApi, requireAdminKey } from './auth.js'
import { ErrorCode, apiError, invalidRequest, validationError } from './errors.js'
import { readJson } from './http-util.js'
import type { ApiCall, ApiReply, Router } from './router.js'
import { type OrgRecord, type UserRecord, accountNameProblem } from './state.js'

type AdminDeps = Pick<ApiDeps, 'state' | 'baseUrl'>

export function registerAdminRoutes(router: Router, deps: AdminDeps): void {
  const admin = (handler: (call: ApiCall) => Promise<ApiReply> | ApiReply) => (call: ApiCall) => {
    requireAdminKey(authenticateApi(deps.state, call.req.headers.authorization))
    return handler(call)
  }
  const routes = new AdminRoutes(deps)
  router
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
    .add(
      'POST',
      '/v1/organizations',
      admin(call => routes.createOrg(call))
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
  for (const method of ['GET', 'POST', 'PUT', 'DELETE']) {
    router.add(
      method,
      '/v1/admin/*',
      admin(() => routes.notEmulated())
    )
  }
}

function stringField(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') throw validationError(`'${field}' must be a string`)
  return value
}

function bodyObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidRequest('Request body must be a JSON object')
  }
  return body as Record<string, unknown>
}

class AdminRoutes {
  constructor(private readonly deps: AdminDeps) {}

  async createUser(call: ApiCall): Promise<ApiReply> {
    const body = bodyObject(await readJson(call.req, call.exchange))
    const username = this.claimName(body.username)
    const user = this.deps.state.addUser({
      username,
      email: stringField(body, 'email'),
      fullname: stringField(body, 'fullname'),
      company_name: stringField(body, 'company_name'),
      company_role: stringField(body, 'company_role')
    })
    return { status: 200, body: this.userView(user) }
  }

  getUser(call: ApiCall): ApiReply {
    const user = this.deps.state.users.get(call.params.username)
    if (!user) throw invalidRequest(`No such user: ${call.params.username}`, 404)
    return { status: 200, body: this.userView(user) }
  }

  async createOrg(call: ApiCall): Promise<ApiReply> {
    const body = bodyObject(await readJson(call.req, call.exchange))
    const orgName = this.claimName(body.org_name ?? body.name)
    const org = this.deps.state.addOrg({
      org_name: orgName,
      org_label: stringField(body, 'org_label'),
      org_contact_name: stringField(body, 'org_contact_name'),
      org_email: stringField(body, 'org_email'),
      org_url: stringField(body, 'org_url')
    })
    return { status: 200, body: this.orgView(org) }
  }

  getOrg(call: ApiCall): ApiReply {
    return { status: 200, body: this.orgView(this.findOrg(call.params.org)) }
  }

  listMembers(call: ApiCall): ApiReply {
    const org = this.findOrg(call.params.org)
    const results = [...org.members].map(username => this.memberView(username))
    return { status: 200, body: { marker: null, next_link: null, results } }
  }

  /** 201 when the user was added, 200 when already a member. */
  addMember(call: ApiCall): ApiReply {
    const org = this.findOrg(call.params.org)
    const { username } = call.params
    if (!this.deps.state.users.has(username)) throw invalidRequest(`No such user: ${username}`, 404)
    const added = !org.members.has(username)
    org.members.add(username)
    return { status: added ? 201 : 200, body: this.memberView(username) }
  }

  notEmulated(): ApiReply {
    throw invalidRequest('This admin endpoint is not emulated', 404)
  }

  /** Validates a new user or organization name; both share one namespace. */
  private claimName(name: unknown): string {
    const problem = accountNameProblem(name)
    if (problem) throw validationError(problem)
    const taken = name as string
    if (this.deps.state.accountExists(taken)) {
      throw apiError(409, ErrorCode.invalidRequest, `The name '${taken}' is already taken`)
    }
    return taken
  }

  private findOrg(name: string): OrgRecord {
    const org = this.deps.state.orgs.get(name)
    if (!org) throw invalidRequest(`No such organization: ${name}`, 404)
    return org
  }

  private userView(user: UserRecord) {
    return { ...user, resource_type: 'user', self_link: `${this.deps.baseUrl()}/v1/users/${user.username}` }
  }

  private orgView(org: OrgRecord) {
    const { members: _members, ...fields } = org
    return { ...fields, resource_type: 'organization', self_link: `${this.deps.baseUrl()}/v1/organizations/${org.org_name}` }
  }

  private memberView(username: string) {
    return {
      username,
      role: 'member',
      user_link: `${this.deps.baseUrl()}/v1/users/${username}`,
      resource_type: 'organization_member'
    }
  }
}
