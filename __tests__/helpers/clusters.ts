/**
 * Two emulated clusters ("dev" and "prod") with accounts and keys, and the
 * action inputs that connect them. Every end-to-end test starts its own pair.
 */
import { fileURLToPath } from 'node:url'
import { type ContractCheck, startCluster, specContractCheck, type ClusterVariants, type EmulatedCluster } from '../../emulator/index.js'

/** Loaded once per test worker: every answer of the pair is checked against the official spec when it is there. */
let contractCheck: Promise<ContractCheck | undefined> | undefined
function sharedContractCheck(): Promise<ContractCheck | undefined> {
  contractCheck ??= specContractCheck(fileURLToPath(new URL('../..', import.meta.url)))
  return contractCheck
}

/** Fails the test that made a cluster answer (or be asked) what the spec does not allow, naming each operation. */
function assertContract(clusters: EmulatedCluster[]): void {
  const violations = clusters.flatMap(cluster => cluster.contractViolations.map(text => `${cluster.name}: ${text}`))
  if (violations.length) throw new Error(`The emulator and the official spec disagree:\n${[...new Set(violations)].join('\n')}`)
}

export interface ClusterPair {
  readonly dev: EmulatedCluster
  readonly prod: EmulatedCluster
  readonly devKey: string
  readonly prodKey: string
  /** Action inputs promoting `algorithms` from dev (owner `data_science`) to prod (owner `ml_prod`). */
  inputs(overrides?: Record<string, string | boolean | number>): Record<string, string>
  /** Creates an algorithm on dev with these files; publishes it when `publish` is given. Returns the commit. */
  seed(
    name: string,
    files: Record<string, string | Buffer>,
    options?: { publish?: 'major' | 'minor' | 'revision'; settings?: Record<string, unknown> }
  ): Promise<string>
  stop(): Promise<void>
}

export const SOURCE_OWNER = 'data_science'
export const DEST_OWNER = 'ml_prod'

export interface PairOptions {
  readonly buildDelayMs?: number
  /** Keys to use instead of random ones (canaries with '/' and '+'). */
  readonly devKey?: string
  readonly prodKey?: string
  /** Both clusters' git servers allow partial clone (default: they ignore filters, see emulator/README.md). */
  readonly partialClone?: boolean
  /** Round-trip time both clusters add to every request. */
  readonly latencyMs?: number
  /** Loopback addresses to listen on (default 127.0.0.1), e.g. to send one cluster through a proxy and not the other. */
  readonly devHost?: string
  readonly prodHost?: string
  /** Serve both clusters over HTTPS with this certificate (PEM). */
  readonly tls?: { cert: string; key: string }
  /** Where both clusters answer otherwise than the spec (see emulator/README.md). */
  readonly variants?: ClusterVariants
  /** false: do not check the pair's exchanges against the official spec (default: checked when the spec is there). */
  readonly contract?: false
}

export async function startClusterPair(options: PairOptions = {}): Promise<ClusterPair> {
  const serverKind = {
    partialClone: options.partialClone ?? false,
    latencyMs: options.latencyMs ?? 0,
    tls: options.tls,
    variants: options.variants,
    contract: options.contract === false ? undefined : await sharedContractCheck()
  }
  const buildDelayMs = options.buildDelayMs ?? 50
  const dev = await startCluster({ name: 'dev', buildDelayMs, host: options.devHost, ...serverKind })
  const prod = await startCluster({ name: 'prod', buildDelayMs, host: options.prodHost, ...serverKind })
  dev.addUser('alice')
  dev.addOrg(SOURCE_OWNER, ['alice'])
  const devKey = dev.addKey('alice', { key: options.devKey })
  prod.addUser('deployer')
  prod.addOrg(DEST_OWNER, ['deployer'])
  const prodKey = prod.addKey('deployer', { key: options.prodKey })
  return {
    dev,
    prod,
    devKey,
    prodKey,
    inputs: (overrides = {}) => {
      const base: Record<string, string | boolean | number> = {
        'source-api-url': dev.url,
        'source-git-url': dev.url,
        'source-api-key': devKey,
        'source-api-key-owner': 'alice',
        'source-algo-owner': SOURCE_OWNER,
        'dest-api-url': prod.url,
        'dest-git-url': prod.url,
        'dest-api-key': prodKey,
        'dest-api-key-owner': 'deployer',
        'dest-algo-owner': DEST_OWNER,
        'retry-delay': '0.05',
        ...overrides
      }
      return Object.fromEntries(Object.entries(base).map(([name, value]) => [name, String(value)]))
    },
    async seed(name, files, seedOptions = {}) {
      dev.createAlgorithm(SOURCE_OWNER, name, { details: { label: name }, settings: seedOptions.settings ?? {} })
      const commit = await dev.commit(SOURCE_OWNER, name, files, { message: `Add ${name}` })
      if (seedOptions.publish) {
        await dev.waitForBuild(SOURCE_OWNER, name, commit)
        await dev.publish(SOURCE_OWNER, name, seedOptions.publish)
      }
      return commit
    },
    stop: async () => {
      await Promise.all([dev.stop(), prod.stop()])
      assertContract([dev, prod])
    }
  }
}
