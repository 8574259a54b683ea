import { AlgorithmiaApi } from './api.js'
import { ClusterHttp } from './http.js'
import { RuntimeApi } from './runtime-api.js'
import type { ClusterAccount } from '../inputs/config.js'
import type { Logger } from '../util/log.js'
import type { RetryPolicy } from '../util/retry.js'

/** One cluster as a run sees it: the account to act as and an API client for it. */
export interface ClusterSession {
  readonly account: ClusterAccount
  readonly api: AlgorithmiaApi
  /** Environments, secret names and algorithm calls. */
  readonly runtime: RuntimeApi
}

export function openSession(account: ClusterAccount, retry: RetryPolicy, logger: Logger, redact: (text: string) => string): ClusterSession {
  const http = new ClusterHttp({
    cluster: account.cluster.label,
    apiUrl: account.cluster.apiUrl,
    apiKey: account.apiKey,
    retry,
    logger,
    redact
  })
  return { account, api: new AlgorithmiaApi(account.cluster.label, http), runtime: new RuntimeApi(account.cluster.label, http) }
}
