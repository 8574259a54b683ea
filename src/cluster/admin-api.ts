import { ClusterAnswerError, ClusterApiError, isNotFound } from './errors.js'
import type { ClusterHttp } from './http.js'
import { type AnswerReader, readAccount, readOrganizationType } from './answers.js'
import { allPagesOrList, PAGE_SIZE, readAnswer, type PagedList } from './paging.js'
import { quoteRemoteValue } from '../util/remote-text.js'

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
    const readItem = readAccount<ClusterUser>('username')
    return this.list({ path: '/users', what: 'the users', readItem, keyOf: user => user.username, pageSize: PAGE_SIZE })
  }

  listOrganizations(): Promise<ClusterOrganization[]> {
    const readItem = readAccount<ClusterOrganization>('org_name')
    return this.list({ path: '/organizations', what: 'the organizations', readItem, keyOf: org => org.org_name, pageSize: PAGE_SIZE })
  }

  /** The user named `username`; an answer about another account is refused (see `getAccount`). */
  getUser(username: string): Promise<ClusterUser | undefined> {
    return this.getAccount(`/users/${encodeURIComponent(username)}`, readAccount<ClusterUser>('username'), 'username', username)
  }

  getOrganization(name: string): Promise<ClusterOrganization | undefined> {
    const path = `/organizations/${encodeURIComponent(name)}`
    return this.getAccount(path, readAccount<ClusterOrganization>('org_name'), 'org_name', name)
  }

  listMembers(org: string): Promise<OrganizationMember[]> {
    const path = `/organizations/${encodeURIComponent(org)}/members`
    const readItem = readAccount<OrganizationMember>('username')
    return this.list({ path, what: `the members of ${org}`, readItem, keyOf: member => member.username, pageSize: PAGE_SIZE })
  }

  async listOrganizationTypes(): Promise<OrganizationType[]> {
    return this.list({
      path: '/organization/types',
      what: 'the organization types',
      readItem: readOrganizationType,
      keyOf: type => type.id
    })
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

  private list<T>(list: PagedList<T>): Promise<T[]> {
    return allPagesOrList(this.http, this.cluster, list)
  }

  /**
   * One account by name, checked to be the account asked for: an answer about
   * another account (a cluster or proxy that answers for a different name)
   * would otherwise have members added to, or be taken for, the wrong account.
   * A missing one: the spec lists only 409 for it, and servers may answer 404.
   */
  private async getAccount<T extends object>(
    path: string,
    reader: AnswerReader<T>,
    field: keyof T & string,
    name: string
  ): Promise<T | undefined> {
    const request = { method: 'GET' as const, path }
    let answer: unknown
    try {
      answer = await this.http.request<unknown>(request)
    } catch (error) {
      if (isNotFound(error) || (error instanceof ClusterApiError && error.status === 409)) return undefined
      throw error
    }
    const account = readAnswer(this.cluster, request, reader, answer)
    // Compared without case: a cluster may spell a name as it was registered; another name is another account.
    if (String(account[field]).toLowerCase() !== name.toLowerCase()) {
      throw new ClusterAnswerError(
        this.cluster,
        'GET',
        path,
        `answered about ${quoteRemoteValue(account[field])} when asked for '${name}'; nothing was done with that account. Check the cluster's API (or a proxy in front of it).`
      )
    }
    return account
  }
}
