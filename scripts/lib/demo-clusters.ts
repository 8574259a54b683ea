/**
 * The demo's two emulated clusters: "dev" with a published algorithm, "prod" with its owner, and the
 * action inputs that connect them. Used by `npm start` (scripts/demo.ts) and by the CI job that runs
 * the action itself with `uses: ./` (scripts/ci-clusters.ts).
 */
import { startCluster, type EmulatedCluster } from '../../emulator/index.js'

export const ALGORITHM = 'sentiment'

async function seedDev(dev: EmulatedCluster): Promise<string> {
  dev.addUser('alice')
  dev.addOrg('data_science', ['alice'])
  const key = dev.addKey('alice')
  dev.createAlgorithm('data_science', ALGORITHM, {
    details: { label: 'Sentiment', summary: 'Scores the sentiment of a sentence' },
    settings: {
      language: 'python3-1',
      environment: 'cpu',
      license: 'mit',
      network_access: 'isolated',
      source_visibility: 'closed',
      pipeline_enabled: true
    }
  })
  const commit = await dev.commit(
    'data_science',
    ALGORITHM,
    {
      '.gitignore': '__pycache__/\n',
      'algorithmia.conf': JSON.stringify({ username: 'data_science', algoname: ALGORITHM, language: 'python3-1' }, null, 2),
      'requirements.txt': 'algorithmia>=1.0.0\n',
      'src/__init__.py': '',
      [`src/${ALGORITHM}.py`]: 'def apply(text):\n    return {"score": 0.9 if "good" in text else -0.4}\n',
      'src/model/weights.json': JSON.stringify({ good: 0.9, bad: -0.4 })
    },
    { message: 'Sentiment model v1' }
  )
  await dev.waitForBuild('data_science', ALGORITHM, commit)
  await dev.publish('data_science', ALGORITHM, 'minor', 'First model')
  return key
}

function seedProd(prod: EmulatedCluster): string {
  prod.addUser('deployer')
  prod.addOrg('ml_prod', ['deployer'])
  return prod.addKey('deployer')
}

export interface DemoClusters {
  readonly dev: EmulatedCluster
  readonly prod: EmulatedCluster
  /** Action inputs promoting the algorithm from dev to prod with publish on (keys included). */
  readonly inputs: Record<string, string>
  stop(): Promise<void>
}

export async function startDemoClusters(): Promise<DemoClusters> {
  const dev = await startCluster({ name: 'dev', buildDelayMs: 300 })
  const prod = await startCluster({ name: 'prod', buildDelayMs: 300 })
  try {
    const devKey = await seedDev(dev)
    const prodKey = seedProd(prod)
    const inputs = {
      'source-api-url': dev.url,
      'source-git-url': dev.url,
      'source-api-key': devKey,
      'source-api-key-owner': 'alice',
      'source-algo-owner': 'data_science',
      'dest-api-url': prod.url,
      'dest-git-url': prod.url,
      'dest-api-key': prodKey,
      'dest-api-key-owner': 'deployer',
      'dest-algo-owner': 'ml_prod',
      algorithms: ALGORITHM,
      publish: 'true'
    }
    return { dev, prod, inputs, stop: () => Promise.all([dev.stop(), prod.stop()]).then(() => undefined) }
  } catch (error) {
    await Promise.all([dev.stop(), prod.stop()])
    throw error
  }
}
