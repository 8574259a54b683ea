import type { InputContext } from './reader.js'

/**
 * Refuses a runner environment that would switch certificate checks off:
 * `NODE_TLS_REJECT_UNAUTHORIZED=0` makes Node accept any certificate for every
 * HTTPS request, so cluster keys would go to whoever answers. Git's own
 * `GIT_SSL_NO_VERIFY` is never passed to git (see git-command.ts).
 */
export function refuseUnverifiedTls(inputs: InputContext): void {
  const value = inputs.env.NODE_TLS_REJECT_UNAUTHORIZED
  if (value === undefined || value.trim() !== '0') return
  inputs.problem(
    'NODE_TLS_REJECT_UNAUTHORIZED',
    `is '0' in the environment, which switches off certificate checks for every HTTPS request, and this run would send API keys over connections nobody verified. Unset it; for a cluster whose certificate comes from a private certificate authority, point NODE_EXTRA_CA_CERTS at that authority's certificate (PEM) instead.`
  )
}
