import { ClusterApiError, isNotFound } from './errors.js'
import type { ClusterHttp } from './http.js'
import { readAccount, readOrganizationType } from './answers.js'
import { allPagesOrList } from './paging.js'

/** A user as the admin API returns it; only the fields a migration copies. */
export interface ClusterUser {
  readonly username: string
  readonly email?: string
  readonly fullname?: string
  readonly company_name?: string
  readonly company_role?: string
}

export interface ClusterOrganization {
  readonly org_name: string
  readonly org_label?: string
  readonly org_contact_name?: string
  readonly org_email?: string
  readonly org_url?: string
  readonly type_id?: string
}

export interface OrganizationMember {
  readonly username: string
  readonly role?: string
}

export interface OrganizationType {
  readonly id: string
  readonly name: string
}

export const USERNAME_TAKEN = 3003
export const EMAIL_TAKEN = 3004
export const ORGANIZATION_EXISTS = 3101

/**
 * The admin part of the management API (users, organizations, memberships),
 * reached with an admin key. It never touches algorithms: admin keys cannot.
 */
export class AdminApi {
  constructor(
    readonly cluster: string,
    private readonly http: ClusterHttp
  ) {}

  listUsers(): Promise<ClusterUser[]> {
    return allPagesOrList(this.http, this.cluster, '/users', readAccount<ClusterUser>('username'))
  }

  listOrganizations(): Promise<ClusterOrganization[]> {
    return allPagesOrList(this.http, this.cluster, '/organizations', readAccount<ClusterOrganization>('org_name'))
  }

  getUser(username: string): Promise<ClusterUser | undefined> {
    return this.getOrUndefined<ClusterUser>(`/users/${encodeURIComponent(username)}`)
  }

  getOrganization(name: string): Promise<ClusterOrganization | undefined> {
    return this.getOrUndefined<ClusterOrganization>(`/organizations/${encodeURIComponent(name)}`)
  }

  listMembers(org: string): Promise<OrganizationMember[]> {
    return allPagesOrList(
      this.http,
      this.cluster,
      `/organizations/${encodeURIComponent(org)}/members`,
      readAccount<OrganizationMember>('username')
    )
  }

  async listOrganizationTypes(): Promise<OrganizationType[]> {
    return allPagesOrList(this.http, this.cluster, '/organization/types', readOrganizationType)
  }

  /** Not retried blindly: a lost answer is settled by reading the user back (see `createOnce`). */
  createUser(user: ClusterUser): Promise<'created' | 'existed'> {
    return this.createOnce(USERNAME_TAKEN, '/users', user, () => this.getUser(user.username))
  }

  createOrganization(org: ClusterOrganization & { readonly type_id: string }): Promise<'created' | 'existed'> {
    return this.createOnce(ORGANIZATION_EXISTS, '/organizations', org, () => this.getOrganization(org.org_name))
  }

  /** 201 added, 200 already a member: both end with the user in the organization. */
  async addMember(org: string, username: string): Promise<void> {
    await this.http.request({
      method: 'PUT',
      path: `/organizations/${encodeURIComponent(org)}/members/${encodeURIComponent(username)}`
    })
  }

  /**
   * Creates an account. "Taken" is also what a retried create answers when the
   * first answer was lost; only on a retry does it count as this run's own
   * creation, and then only once the account reads back.
   */
  private async createOnce(
    takenCode: number,
    path: string,
    body: object,
    readBack: () => Promise<object | undefined>
  ): Promise<'created' | 'existed'> {
    let attempts = 0
    try {
      await this.http.request({ method: 'POST', path, body, idempotent: true, onAttempt: attempt => (attempts = attempt) })
      return 'created'
    } catch (error) {
      const taken = error instanceof ClusterApiError && error.code === takenCode
      if (taken && attempts > 1 && (await readBack())) return 'created'
      throw error
    }
  }

  /** A missing user or organization: the spec lists only 409 for it, and servers may answer 404. */
  private async getOrUndefined<T>(path: string): Promise<T | undefined> {
    try {
      return await this.http.request<T>({ method: 'GET', path })
    } catch (error) {
      if (isNotFound(error) || (error instanceof ClusterApiError && error.status === 409)) return undefined
      throw error
    }
  }
}
