import tls from 'node:tls'
import { proxyFor } from './proxy.js'

/** OpenSSL's verification codes, and Node's for a certificate that names another host. */
const CERTIFICATE_CODE = /CERT|ISSUER|SIGNATURE|HOSTNAME_MISMATCH|INVALID_CA|PATH_LENGTH|INVALID_PURPOSE/

/** Codes that mean "signed by nobody we trust", which a CA file fixes (not an expired or misnamed certificate). */
const UNTRUSTED_CODE = /SELF_SIGNED|UNABLE_TO_GET_ISSUER|UNABLE_TO_VERIFY_LEAF|CERT_UNTRUSTED|INVALID_CA/

export function isCertificateFailure(code: string | undefined): boolean {
  return code !== undefined && CERTIFICATE_CODE.test(code)
}

/**
 * Names the refused certificate (whom it was issued to, by whom) and the fix.
 * The verifying connection is gone by the time the error arrives, so a
 * second, non-verifying handshake reads the certificate; it is skipped behind
 * a proxy, where the host may not be reachable directly.
 */
export async function describeCertificateFailure(error: Error, code: string, target: URL): Promise<string> {
  const port = Number(target.port || (target.protocol === 'https:' ? 443 : 80))
  const seen = proxyFor(target) ? undefined : await readCertificate(target.hostname, port)
  const reason = (error as { cause?: Error }).cause?.message ?? error.message.replace(/^.*reason: /, '')
  const which = seen ? `, a certificate issued to ${seen.subject} by ${seen.issuer}` : ''
  const fix = UNTRUSTED_CODE.test(code)
    ? privateAuthorityAdvice()
    : `The certificate itself is at fault (expired, or made for another host): renew it on the cluster. NODE_EXTRA_CA_CERTS only adds trusted authorities; it cannot fix this.`
  return `the TLS certificate of ${target.host} was refused (${code}: ${reason}${which}). ${fix}`
}

/** What to do about a certificate nobody trusted, for the API client and git alike (git is given the same CA file). */
export function privateAuthorityAdvice(): string {
  return `If the cluster uses a private certificate authority, set NODE_EXTRA_CA_CERTS to the CA certificate's PEM file in the step's environment: the API client and git both trust it then. If it is set already, the file it names holds no certificate that signed the cluster's: point it at the PEM file of the CA that issued it.`
}

interface SeenCertificate {
  readonly subject: string
  readonly issuer: string
}

function readCertificate(host: string, port: number): Promise<SeenCertificate | undefined> {
  return new Promise(resolve => {
    const servername = /^[\d.]+$|:/.test(host) ? undefined : host
    const socket = tls.connect({ host, port, servername, rejectUnauthorized: false, timeout: 3000 }, () => {
      const certificate = socket.getPeerCertificate()
      socket.destroy()
      resolve(
        certificate?.subject
          ? { subject: distinguishedName(certificate.subject), issuer: distinguishedName(certificate.issuer) }
          : undefined
      )
    })
    socket.on('error', () => resolve(undefined))
    socket.on('timeout', () => {
      socket.destroy()
      resolve(undefined)
    })
  })
}

function distinguishedName(name: tls.Certificate | undefined): string {
  if (!name) return 'an unknown issuer'
  const parts = (['CN', 'O', 'OU'] as const).map(field => (name[field] ? `${field}=${name[field]}` : '')).filter(Boolean)
  return parts.join(', ') || 'an unnamed party'
}
