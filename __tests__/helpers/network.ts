/**
 * Real network parts for the end-to-end tests: a forward proxy on loopback
 * (the `proxy` package from npm, run inside the test process, so it needs no
 * system package and no root) that logs each request line it is sent, and a
 * throwaway certificate authority made with openssl.
 */
import { spawnSync } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer as createHttpServer } from 'node:http'
import { createServer, type Socket } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { createProxy } from 'proxy'

export const HAS_OPENSSL = spawnSync('openssl', ['version']).status === 0

export interface ForwardProxy {
  readonly url: string
  /** The request lines the proxy was sent, e.g. `GET http://127.0.0.2:4321/v1/algorithms/... HTTP/1.1`. */
  requests(): Promise<string[]>
  stop(): Promise<void>
}

/**
 * A forward proxy on 127.0.0.1 (plain requests in absolute form, and CONNECT tunnels). With `credentials`
 * (`user:password`) it answers 407 to requests without them in Proxy-Authorization.
 */
export async function startForwardProxy(options: { credentials?: string } = {}): Promise<ForwardProxy> {
  const logged: string[] = []
  const sockets = new Set<Socket>()
  const server = createProxy(createHttpServer())
  const { credentials } = options
  if (credentials) {
    const expected = `Basic ${Buffer.from(credentials).toString('base64')}`
    server.authenticate = request => request.headers['proxy-authorization'] === expected
  }
  // Listeners added before the proxy's own see every request line, as a proxy's access log would.
  server.prependListener('request', request => logged.push(`${request.method} ${request.url} HTTP/${request.httpVersion}`))
  server.prependListener('connect', request => logged.push(`CONNECT ${request.url} HTTP/${request.httpVersion}`))
  server.on('connection', socket => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const { port } = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}`,
    requests: async () => [...logged],
    stop: () =>
      new Promise<void>(resolve => {
        // Keep-alive connections and CONNECT tunnels would hold close() open.
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
  }
}

/** A port nobody listens on right now (for a proxy to take, or to be refused on). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

export interface CertificateAuthority {
  readonly dir: string
  /** The CA certificate (PEM file), for NODE_EXTRA_CA_CERTS. */
  readonly caFile: string
  /** A server certificate for 127.0.0.1 signed by the CA, and its key (PEM text). */
  readonly server: { cert: string; key: string }
  remove(): Promise<void>
}

/** A CA made for this test only, and a certificate it signed for the loopback address. */
export async function makeCertificateAuthority(): Promise<CertificateAuthority> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'throwaway-ca-'))
  const file = (name: string): string => path.join(dir, name)
  const openssl = (args: string[]): void => {
    const result = spawnSync('openssl', args, { encoding: 'utf8' })
    if (result.status !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr}`)
  }
  openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=Throwaway Test CA',
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem')
  ])
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', file('server.key'), '-out', file('server.csr')])
  await writeFile(file('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n')
  openssl([
    'x509',
    '-req',
    '-in',
    file('server.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    file('server.ext'),
    '-out',
    file('server.pem')
  ])
  return {
    dir,
    caFile: file('ca.pem'),
    server: { cert: await readFile(file('server.pem'), 'utf8'), key: await readFile(file('server.key'), 'utf8') },
    remove: () => rm(dir, { recursive: true, force: true })
  }
}
