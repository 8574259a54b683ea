import { topLevelCluster } from './accounts.js'
import type { AccountSelection, AccountsConfig, AdminAccess, ClusterAccount } from '../core/config.js'
import { type InputContext, quoteUnlessSecretLike } from './reader.js'
import { OWNER_MAX_LENGTH, OWNER_PATTERN, describeOwnerRule } from '../core/rules.js'
import { retryPolicy } from './run-options.js'

export type AdminKeyInput = 'source-admin-api-key' | 'dest-admin-api-key'

function adminKey(inputs: InputContext, input: AdminKeyInput, why: string): string {
  const key = inputs.read(input)
  if (!key) {
    const secret = input === 'source-admin-api-key' ? 'SOURCE' : 'DEST'
    inputs.problem(
      input,
      `is required ${why}: pass an admin API key of that cluster from a secret, e.g. \${{ secrets.${secret}_ALGORITHMIA_ADMIN_KEY }}`
    )
  }
  if (/\s/.test(key)) inputs.problem(input, 'contains white space; copy the key again without spaces or line breaks')
  return key
}

/** `mode: accounts`: two clusters reached with admin keys, and the accounts to copy. */
export function accountsConfig(inputs: InputContext): AccountsConfig {
  if (inputs.given('destinations')) {
    inputs.problem(
      'destinations',
      'does not apply to mode: accounts, which copies to one cluster: use dest-cluster (or dest-api-url) and dest-admin-api-key, and one step per destination'
    )
  }
  const why = 'for mode: accounts'
  const source: AdminAccess = { cluster: topLevelCluster(inputs, 'source'), adminKey: adminKey(inputs, 'source-admin-api-key', why) }
  const destination: AdminAccess = { cluster: topLevelCluster(inputs, 'dest'), adminKey: adminKey(inputs, 'dest-admin-api-key', why) }
  if (source.cluster.apiUrl === destination.cluster.apiUrl) {
    inputs.problem('dest-cluster', `is the source cluster (${source.cluster.label}): accounts are copied between two clusters`)
  }
  return {
    mode: 'accounts',
    source,
    destination,
    accounts: accountSelection(inputs),
    dryRun: inputs.boolean('dry-run'),
    retry: retryPolicy(inputs)
  }
}

/** `accounts`: user and organization names, or `*` for all of them. */
function accountSelection(inputs: InputContext): AccountSelection {
  inputs.required('accounts', "name the users and organizations to copy, separated by commas, or '*' for every account of the source")
  const names = inputs.list('accounts')
  if (names.includes('*')) {
    if (names.length > 1) inputs.problem('accounts', "'*' already selects every account: give '*' alone, or names")
    return { kind: 'all' }
  }
  for (const name of names) {
    if (!OWNER_PATTERN.test(name) || name.length > OWNER_MAX_LENGTH) {
      inputs.problem(
        'accounts',
        `${quoteUnlessSecretLike(name)} is not a valid user or organization name: use ${describeOwnerRule()}, or '*'`
      )
    }
  }
  return { kind: 'names', names: [...new Set(names)] }
}

/**
 * `create-owner`: with it, a missing destination owner organization is
 * created from the source owner's, which takes admin keys on both sides.
 */
export function createOwnerOptions(
  inputs: InputContext,
  source: ClusterAccount,
  destinations: readonly ClusterAccount[]
): { createOwner: boolean; sourceAdmin?: AdminAccess } {
  const createOwner = inputs.boolean('create-owner')
  if (!createOwner) return { createOwner }
  const why = "with create-owner: true (the owner organization's label, contact, email and type are read from the source)"
  const sourceAdmin = { cluster: source.cluster, adminKey: adminKey(inputs, 'source-admin-api-key', why) }
  for (const destination of destinations.filter(account => !account.adminKey)) {
    const input = inputs.given('destinations') ? destination.inputName('admin-api-key-env') : 'dest-admin-api-key'
    inputs.problem(
      input,
      `is required with create-owner: true: give an admin key of ${destination.cluster.label}, where the owner would be created`
    )
  }
  return { createOwner, sourceAdmin }
}
