import type { AdminApi } from '../cluster/admin-api.js'
import type { ClusterAccount, PromotionConfig } from '../core/config.js'
import type { Logger } from '../util/log.js'
import { copyAccounts, sameUser } from './copy.js'
import type { OrganizationOutcome } from './report.js'
import { adminApi } from './run.js'
import { readSourceAccounts } from './selection.js'
import { describeOrganization } from './summary-text.js'

/** What `create-owner` did for one destination. */
export interface OwnerCreation {
  readonly destination: string
  readonly owner: string
  readonly outcome: 'existed' | 'created' | 'would-create'
}

/**
 * `create-owner`: before any algorithm is promoted, creates each destination's
 * missing owner organization as a copy of the source owner organization (label,
 * contact, email, URL, type by name). Its members are the source's members who
 * exist at the destination, plus the owner of the destination key, which must
 * be a member to create algorithms there. A failure stops the run before any
 * algorithm is written.
 */
export async function createMissingOwners(
  config: PromotionConfig,
  deps: { readonly logger: Logger; readonly redact: (text: string) => string }
): Promise<OwnerCreation[]> {
  if (!config.createOwner || !config.sourceAdmin) return []
  const source = adminApi(config.sourceAdmin, config, deps)
  const creations: OwnerCreation[] = []
  for (const destination of config.destinations) {
    if (!destination.adminKey) continue
    const dest = adminApi({ cluster: destination.cluster, adminKey: destination.adminKey }, config, deps)
    creations.push(await createOwner(config, source, dest, destination, deps.logger))
  }
  return creations
}

async function createOwner(
  config: PromotionConfig,
  source: AdminApi,
  dest: AdminApi,
  destination: ClusterAccount,
  logger: Logger
): Promise<OwnerCreation> {
  const owner = destination.algoOwner
  const label = destination.cluster.label
  if ((await dest.getOrganization(owner)) || (await dest.getUser(owner))) return { destination: label, owner, outcome: 'existed' }
  const sourceOwner = config.source.algoOwner
  const { organizations } = await readSourceAccounts(source, { kind: 'names', names: [sourceOwner] })
  const original = organizations[0]
  if (!original) {
    throw new Error(
      `create-owner: '${owner}' does not exist on ${label}, and the source owner '${sourceOwner}' on ${source.cluster} is a user, not an organization; create users with mode: accounts first.`
    )
  }
  const members = [...original.members]
  if (!members.some(member => member.username === destination.keyOwner)) members.push({ username: destination.keyOwner, role: 'member' })
  const present = await samePeopleAtDestination(
    source,
    dest,
    members.map(member => member.username)
  )
  const copy = { ...original, org: { ...original.org, org_name: owner }, members: members.filter(member => present.has(member.username)) }
  const report = await copyAccounts({ users: [], organizations: [copy] }, dest, source.cluster, {
    dryRun: config.dryRun,
    logger,
    usersAtDestination: [...present]
  })
  const outcome = report.organizations[0]
  logger.info(`create-owner on ${label}: ${describeOrganization(outcome)}`)
  const failure = failureOf(outcome, destination)
  if (failure) throw new Error(`create-owner: ${failure}`)
  return { destination: label, owner, outcome: outcome.status === 'would-create' ? 'would-create' : 'created' }
}

/**
 * Members who exist at the destination as the same person (see sameUser). The key owner has no source
 * account to compare with: it exists at the destination by definition of its key.
 */
async function samePeopleAtDestination(source: AdminApi, dest: AdminApi, usernames: readonly string[]): Promise<Set<string>> {
  const present = new Set<string>()
  for (const username of usernames) {
    const [atSource, atDestination] = await Promise.all([source.getUser(username), dest.getUser(username)])
    if (atDestination && (!atSource || sameUser(atSource, atDestination))) present.add(username)
  }
  return present
}

function failureOf(outcome: OrganizationOutcome, destination: ClusterAccount): string | undefined {
  if (outcome.error) return outcome.error
  const keyOwner = outcome.members.find(member => member.username === destination.keyOwner)
  if (!keyOwner && outcome.status !== 'would-create') {
    return `'${outcome.name}' was created on ${destination.cluster.label}, but the key owner '${destination.keyOwner}' (${destination.inputName('api-key-owner')}) does not exist there, so the key cannot create algorithms in it: create that user (mode: accounts), then run again.`
  }
  return keyOwner?.error
}
