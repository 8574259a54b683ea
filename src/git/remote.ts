import type { ClusterAccount } from '../core/config.js'
import type { GitCredential } from './git-auth.js'

/** An algorithm's repository on a cluster: where it is, how to authenticate, how to name it in messages. */
export interface RemoteRepository {
  readonly url: string
  readonly credential: GitCredential
  /** `<cluster> <owner>/<name>`: safe to print. */
  readonly label: string
}

export function algorithmRepository(account: ClusterAccount, owner: string, name: string): RemoteRepository {
  const base = account.cluster.gitUrl.replace(/\/+$/, '')
  return {
    url: `${base}/git/${encodeURIComponent(owner)}/${encodeURIComponent(name)}.git`,
    credential: { gitUrl: base, username: account.keyOwner, apiKey: account.apiKey },
    label: `${account.cluster.label} ${owner}/${name}`
  }
}
