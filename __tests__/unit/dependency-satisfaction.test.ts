// Whether a destination satisfies an algorithm reference: version forms
// against published versions, private versions and their callers, and
// references that still name the source owner.
import { describe, expect, it } from 'vitest'
import { type VersionForm, parseVersion } from '../../src/dependencies/references.js'
import { type DestinationAlgorithm, acceptsVersion, checkReference } from '../../src/dependencies/satisfaction.js'

const form = (text: string) => parseVersion(text) as VersionForm
const reference = (address: string) => {
  const [owner, name, version] = address.split('/')
  return { owner, name, version: form(version ?? '') }
}
const holding = (...versions: string[]): DestinationAlgorithm => ({
  exists: true,
  published: versions.map(v =>
    v.endsWith('p') ? { version: v.slice(0, -1), visibility: 'private' } : { version: v, visibility: 'public' }
  )
})
const SAME = { sourceOwner: 'alice', destinationOwner: 'alice' }

describe('acceptsVersion', () => {
  it('1.* takes 1.x.y, 1.2.* takes 1.2.y, a full version only itself, latest any', () => {
    expect(['0.9.9', '1.0.0', '1.2.3', '2.0.0'].filter(v => acceptsVersion(form('1.*'), v))).toEqual(['1.0.0', '1.2.3'])
    expect(['1.1.9', '1.2.0', '1.2.7', '1.3.0'].filter(v => acceptsVersion(form('1.2.*'), v))).toEqual(['1.2.0', '1.2.7'])
    expect(['1.2.2', '1.2.3', '1.2.4'].filter(v => acceptsVersion(form('1.2.3'), v))).toEqual(['1.2.3'])
    expect(acceptsVersion(form(''), '0.0.1')).toBe(true)
    expect(acceptsVersion(form('1.*'), 'not-a-version')).toBe(false)
  })
})

describe('checkReference', () => {
  it('is satisfied by a matching public version', () => {
    expect(checkReference(reference('alice/C/0.2.*'), holding('0.1.0', '0.2.3'), SAME)).toEqual({
      status: 'satisfied',
      namesSourceOwner: false
    })
    expect(checkReference(reference('bob/C/1.*'), holding('1.4.0'), SAME).status).toBe('satisfied')
    expect(checkReference(reference('bob/C'), holding('0.0.1'), SAME).status).toBe('satisfied')
  })

  it('says what the destination holds when the version is not published there', () => {
    expect(checkReference(reference('alice/C/0.2.0'), holding('0.3.0', '0.1.0'), SAME)).toEqual({
      status: 'unmet',
      reason: 'C 0.2.0 is not published at the destination; it holds 0.1.0, 0.3.0',
      namesSourceOwner: false
    })
    expect(checkReference(reference('alice/C/2.*'), holding(), SAME).reason).toBe(
      'C 2.* is not published at the destination; it holds no published version'
    )
    expect(checkReference(reference('alice/C'), holding('0.1.0p'), { ...SAME, destinationOwner: 'carol' }).reason).toBe(
      'C has no public version at the destination; it holds 0.1.0 (private)'
    )
  })

  it('is unmet when the algorithm is not at the destination', () => {
    const missing = { status: 'unmet', reason: 'alice/C does not exist at the destination', namesSourceOwner: false }
    expect(checkReference(reference('alice/C/0.2.0'), undefined, SAME)).toEqual(missing)
    expect(checkReference(reference('alice/C/0.2.0'), { exists: false, published: [] }, SAME)).toEqual(missing)
  })

  it('lets only the same owner call a private version; pins take public versions only', () => {
    const privateOnly = holding('0.2.0p')
    expect(checkReference(reference('alice/C/0.2.0'), privateOnly, SAME).status).toBe('satisfied')
    expect(checkReference(reference('bob/C/0.2.0'), privateOnly, SAME)).toEqual({
      status: 'unmet',
      reason: 'C 0.2.0 is published only as private (0.2.0 (private)), callable by bob alone',
      namesSourceOwner: false
    })
    expect(checkReference(reference('alice/C/0.2.*'), privateOnly, SAME).status).toBe('unmet')
  })

  it('takes latestPrivate and a hash as "needs the algorithm to exist", callable by its owner alone', () => {
    const hash = 'a'.repeat(40)
    expect(checkReference(reference('alice/C/latestPrivate'), holding(), SAME)).toEqual({
      status: 'satisfied',
      reason: "C latestPrivate names the owner's own builds: checked only that C exists",
      namesSourceOwner: false
    })
    expect(checkReference(reference(`alice/C/${hash}`), holding(), SAME).status).toBe('satisfied')
    expect(checkReference(reference(`bob/C/${hash}`), holding(), SAME)).toMatchObject({
      status: 'unmet',
      reason: `C ${hash} is callable by bob alone`
    })
  })

  it('marks a reference naming the source owner when the destination owner differs (without case)', () => {
    const other = { sourceOwner: 'alice', destinationOwner: 'prod_team' }
    expect(checkReference(reference('Alice/C/1.*'), holding('1.0.0'), other)).toEqual({ status: 'satisfied', namesSourceOwner: true })
    expect(checkReference(reference('bob/C/1.*'), holding('1.0.0'), other).namesSourceOwner).toBe(false)
    expect(checkReference(reference('alice/C/1.*'), holding('1.0.0'), { ...other, destinationOwner: 'ALICE' }).namesSourceOwner).toBe(false)
  })
})
