/**
 * Real network parts for the end-to-end tests: a forward proxy (tinyproxy,
 * from the system's packages) on loopback with its own log, and a throwaway
 * certificate authority made with openssl.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import os from 'node:os'
import path from 'node:path'

export const HAS_TINYPROXY = spawnSync('tinyproxy', ['-v']).status === 0
export const HAS_OPENSSL = spawnSync('openssl', ['version']).status === 0

export interface ForwardProxy {
  readonly url: string
  /** The request lines tinyproxy logged, e.g. `GET http://127.0.0.2:4321/v1/algorithms/... HTTP/1.1`. */
  requests(): Promise<string[]>
  stop(): Promise<void>
}

export async function startTinyproxy(): Promise<ForwardProxy> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tinyproxy-'))
  const log = path.join(dir, 'tinyproxy.log')
  const port = await freePort()
  const config = [
    `Port ${port}`,
    'Listen 127.0.0.1',
    'Timeout 60',
    `LogFile "${log}"`,
    // Connect level logs each request line (method and URL, no headers), nothing more.
    'LogLevel Connect',
    'MaxClients 100',
    'Allow 127.0.0.1',
    'DisableViaHeader Yes'
  ]
  const configFile = path.join(dir, 'tinyproxy.conf')
  await writeFile(configFile, `${config.join('\n')}\n`)
  const child = spawn('tinyproxy', ['-d', '-c', configFile], { stdio: 'ignore' })
  await waitForPort(port, child)
  return {
    url: `http://127.0.0.1:${port}`,
    async requests() {
      const text = await readFile(log, 'utf8').catch(() => '')
      return [...text.matchAll(/Request \(file descriptor \d+\): (.+)$/gm)].map(match => match[1])
    },
    async stop() {
      child.kill('SIGTERM')
      await rm(dir, { recursive: true, force: true })
    }
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

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  const { connect } = await import('node:net')
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) throw new Error(`tinyproxy exited with ${child.exitCode}`)
    const open = await new Promise<boolean>(resolve => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy()
        resolve(true)
      })
      socket.on('error', () => resolve(false))
    })
    if (open) return
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  throw new Error(`tinyproxy did not listen on port ${port}`)
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
