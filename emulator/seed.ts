/**
 * A seed file for `npm run emulator -- --seed FILE`: the users, organizations, keys, algorithms and data
 * collections a cluster starts with, so that a person can try a promotion, a migration (`mode: accounts`,
 * admin keys) or a data copy by hand. JSON:
 *
 *   {
 *     "users": ["alice", { "name": "bob", "email": "bob@example.com" }],
 *     "organizations": [{ "name": "data_science", "members": ["alice"] }],
 *     "keys": [{ "owner": "alice" }, { "owner": "alice", "admin": true, "key": "fixedAdminKey123" }],
 *     "algorithms": [{ "owner": "data_science", "name": "hello", "files": { "src/hello.py": "..." }, "publish": "minor" }],
 *     "collections": [{ "owner": "data_science", "name": "models", "files": { "weights.json": "{}" } }]
 *   }
 */
import type { EmulatedCluster } from './index.js'

export interface SeedUser {
  readonly name: string
  readonly email?: string
  readonly fullname?: string
}

export interface Seed {
  readonly users?: ReadonlyArray<string | SeedUser>
  readonly organizations?: ReadonlyArray<{ readonly name: string; readonly members?: readonly string[] }>
  readonly keys?: ReadonlyArray<{ readonly owner: string; readonly admin?: boolean; readonly key?: string }>
  readonly algorithms?: ReadonlyArray<{
    readonly owner: string
    readonly name: string
    readonly files: Readonly<Record<string, string>>
    readonly publish?: 'major' | 'minor' | 'revision'
  }>
  readonly collections?: ReadonlyArray<{ readonly owner: string; readonly name: string; readonly files?: Readonly<Record<string, string>> }>
}

/** A key the seed made, for the emulator to print: `alice (admin): simA1b2…`. */
export interface SeededKey {
  readonly owner: string
  readonly admin: boolean
  readonly key: string
}

const SECTIONS = ['users', 'organizations', 'keys', 'algorithms', 'collections']

/** The seed file's JSON, checked enough to name what is wrong (`keys[1]: "owner" is missing`). */
export function parseSeed(text: string, file: string): Seed {
  let seed: unknown
  try {
    seed = JSON.parse(text)
  } catch (error) {
    throw new Error(`${file} is not JSON: ${(error as Error).message}`)
  }
  if (typeof seed !== 'object' || seed === null || Array.isArray(seed)) throw new Error(`${file} must hold a JSON object`)
  const unknown = Object.keys(seed).filter(key => !SECTIONS.includes(key))
  if (unknown.length > 0) throw new Error(`${file} has unknown sections ${unknown.join(', ')}: use ${SECTIONS.join(', ')}`)
  for (const section of SECTIONS) {
    const entries = (seed as Record<string, unknown>)[section]
    if (entries !== undefined && !Array.isArray(entries)) throw new Error(`${file}: "${section}" must be a list`)
  }
  requireField(seed as Seed, 'organizations', 'name', file)
  requireField(seed as Seed, 'keys', 'owner', file)
  requireField(seed as Seed, 'algorithms', 'owner', file)
  requireField(seed as Seed, 'algorithms', 'name', file)
  requireField(seed as Seed, 'algorithms', 'files', file)
  requireField(seed as Seed, 'collections', 'owner', file)
  requireField(seed as Seed, 'collections', 'name', file)
  return seed as Seed
}

function requireField(seed: Seed, section: keyof Seed, field: string, file: string): void {
  for (const [index, entry] of ((seed[section] ?? []) as unknown[]).entries()) {
    if (typeof entry !== 'object' || entry === null || !(field in entry)) {
      throw new Error(`${file}: ${section}[${index}]: "${field}" is missing`)
    }
  }
}

/** Applies a seed in dependency order: accounts, keys, algorithms (built, published if asked), collections. */
export async function applySeed(cluster: EmulatedCluster, seed: Seed): Promise<SeededKey[]> {
  for (const user of seed.users ?? []) {
    if (typeof user === 'string') cluster.addUser(user)
    else cluster.addUser(user.name, { ...(user.email ? { email: user.email } : {}), ...(user.fullname ? { fullname: user.fullname } : {}) })
  }
  for (const org of seed.organizations ?? []) cluster.addOrg(org.name, [...(org.members ?? [])])
  const keys = (seed.keys ?? []).map(({ owner, admin = false, key }) => ({ owner, admin, key: cluster.addKey(owner, { admin, key }) }))
  for (const algorithm of seed.algorithms ?? []) {
    cluster.createAlgorithm(algorithm.owner, algorithm.name)
    const commit = await cluster.commit(algorithm.owner, algorithm.name, { ...algorithm.files })
    if (!algorithm.publish) continue
    await cluster.waitForBuild(algorithm.owner, algorithm.name, commit)
    await cluster.publish(algorithm.owner, algorithm.name, algorithm.publish)
  }
  for (const collection of seed.collections ?? []) {
    cluster.data.createCollection(collection.owner, collection.name)
    for (const [file, body] of Object.entries(collection.files ?? {}))
      await cluster.data.putFile(collection.owner, collection.name, file, body)
  }
  return keys
}
