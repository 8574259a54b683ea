/** The pure parts of promoting a working algorithm: version details, version matching, metadata differences. */
import { describe, expect, it } from 'vitest'
import type { Algorithm, Version } from '../../src/cluster/types.js'
import { describeChange, metadataChanges, metadataUpdate } from '../../src/promotion/metadata-sync.js'
import { latestVersion, matchVersionType, publishDetails } from '../../src/promotion/version-details.js'

const COMMIT = 'a'.repeat(40)

function version(semver: string, extra: Partial<Version['version_info']> = {}, settings?: Record<string, unknown>): Version {
  return { version_info: { semantic_version: semver, git_hash: COMMIT, ...extra }, ...(settings ? { settings } : {}) }
}

describe('publishDetails', () => {
  const header = `Promoted from dev.example.com ds/hello version 1.2.0 (commit ${COMMIT}).`

  it("carries the source version's sample input, callability and insights, and quotes its notes", () => {
    const source = version(
      '1.2.0',
      { sample_input: 'Jane', insights_enabled: true, release_notes: 'Faster.\nFixes #4' },
      { algorithm_callability: 'private' }
    )
    expect(publishDetails(header, source, undefined)).toEqual({
      releaseNotes: `${header}\n\nSource release notes:\n> Faster.\n> Fixes #4`,
      sampleInput: 'Jane',
      insightsEnabled: true,
      callability: 'private'
    })
  })

  it('lets release-notes replace the notes only, and keeps the header alone without a source version', () => {
    expect(publishDetails(header, version('1.2.0', { sample_input: 'x' }), 'Mine')).toEqual({ releaseNotes: 'Mine', sampleInput: 'x' })
    expect(publishDetails(header, undefined, undefined)).toEqual({ releaseNotes: header })
  })
})

describe('matchVersionType', () => {
  it('finds the one bump that reaches the source version', () => {
    expect(matchVersionType('1.0.0', undefined, 'prod')).toBe('major')
    expect(matchVersionType('0.1.0', undefined, 'prod')).toBe('minor')
    expect(matchVersionType('0.0.1', undefined, 'prod')).toBe('revision')
    expect(matchVersionType('1.3.0', '1.2.4', 'prod')).toBe('minor')
    expect(matchVersionType('1.2.5', '1.2.4', 'prod')).toBe('revision')
    expect(matchVersionType('2.0.0', '1.2.4', 'prod')).toBe('major')
  })

  it('refuses an unreachable version with both versions and the choices', () => {
    expect(() => matchVersionType('1.4.0', '1.2.0', 'prod')).toThrow(
      "no single publish on prod reaches the source's version 1.4.0 from its latest version 1.2.0: major → 2.0.0, minor → 1.3.0, revision → 1.2.1"
    )
    expect(() => matchVersionType('1.2.0', '1.2.0', 'prod')).toThrow(/reaches the source's version 1.2.0/)
    expect(() => matchVersionType(undefined, '1.2.0', 'prod')).toThrow(/not a published version on the source/)
  })

  it('takes the highest published version as the latest, whatever the list order', () => {
    expect(latestVersion([version('0.9.0'), version('0.10.0'), version('0.2.0')])).toBe('0.10.0')
    expect(latestVersion([])).toBeUndefined()
  })
})

describe('metadata differences', () => {
  const destination: Algorithm = {
    name: 'hello',
    details: { label: 'Hello', summary: 'old' },
    settings: { license: 'apl', network_access: 'full', royalty_microcredits: 0 }
  }

  it('lists only the fields that differ, and sends each changed part whole', () => {
    const desired = { details: { label: 'Hello', summary: 'new' }, settings: { license: 'apl', network_access: 'full' } }
    const changes = metadataChanges(destination, desired)
    expect(changes).toEqual([{ field: 'details.summary', from: 'old', to: 'new' }])
    expect(changes.map(describeChange)).toEqual(['details.summary: "old" → "new"'])
    expect(metadataUpdate(changes, desired, destination)).toEqual({ details: { label: 'Hello', summary: 'new' } })
  })

  it('finds nothing to send when everything agrees', () => {
    expect(metadataChanges(destination, { details: { label: 'Hello' }, settings: { license: 'apl' } })).toEqual([])
  })

  it('keeps updatable destination settings and drops read-only ones when settings change', () => {
    const desired = { details: {}, settings: { license: 'mit' } }
    const changes = metadataChanges(destination, desired)
    expect(changes).toEqual([{ field: 'settings.license', from: 'apl', to: 'mit' }])
    expect(metadataUpdate(changes, desired, destination)).toEqual({ settings: { license: 'mit', network_access: 'full' } })
  })
})
