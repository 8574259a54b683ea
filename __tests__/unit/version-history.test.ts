import { describe, expect, it } from 'vitest'
import { PromotionError } from '../../src/promotion/failure.js'
import { defaultReleaseNotes, readPromotionMarker, type CommitMessageFacts } from '../../src/promotion/commit-message.js'
import { publishDetails } from '../../src/promotion/version-details.js'
import {
  planVersionReplay,
  requireMatched,
  sourceBump,
  type DestinationPublishedVersion,
  type SourcePublishedVersion
} from '../../src/promotion/version-history.js'

const commit = (n: number) => `${n}`.padStart(2, '0').repeat(20)

/** The history, listed newest first as the API does; 1.0.0 is private. */
const SOURCE: SourcePublishedVersion[] = ['0.1.0', '0.1.1', '0.2.0', '1.0.0', '1.0.1', '1.1.0']
  .map((version, index) => ({
    version,
    commit: commit(index + 1),
    visibility: version === '1.0.0' ? ('private' as const) : ('public' as const)
  }))
  .reverse()

const FACTS: CommitMessageFacts = {
  algorithm: 'hello',
  sourceCluster: 'dev.algo.example.com',
  sourceOwner: 'team',
  sourceCommit: commit(1),
  sourceVersion: '0.1.0',
  destCluster: 'prod.algo.example.com',
  destOwner: 'team'
}

/** A destination version an earlier run promoted from `source`, with the notes it writes. */
function promoted(version: string, source: SourcePublishedVersion, sourceNotes?: string): DestinationPublishedVersion {
  const header = defaultReleaseNotes({ ...FACTS, sourceVersion: source.version, sourceCommit: source.commit })
  const details = publishDetails(header, { version_info: { git_hash: source.commit, release_notes: sourceNotes } }, undefined)
  return { version, commit: commit(50 + Number(version.replaceAll('.', ''))), releaseNotes: details.releaseNotes }
}

const sourceAt = (version: string) => SOURCE.find(entry => entry.version === version)!
const numbers = (plan: ReturnType<typeof planVersionReplay>) => plan.replay.map(step => `${step.sourceVersion}→${step.destinationVersion}`)

describe('sourceBump', () => {
  it.each([
    [undefined, '0.1.0', 'minor'],
    [undefined, '1.0.0', 'major'],
    [undefined, '0.0.1', 'revision'],
    ['0.1.0', '0.1.1', 'revision'],
    ['0.1.1', '0.2.0', 'minor'],
    ['0.2.0', '1.0.0', 'major'],
    ['0.1.0', '0.3.0', 'minor'],
    ['0.3.4', '2.0.0', 'major'],
    ['1.0.0', '1.0.5', 'revision']
  ])('from %s to %s is %s', (previous, version, bump) => {
    expect(sourceBump(previous, version)).toBe(bump)
  })
})

describe('planVersionReplay', () => {
  it('reproduces every number of the six-version history in an empty destination, oldest first, with the bumps that made them', () => {
    const plan = planVersionReplay(SOURCE, { kind: 'all' }, [])
    expect(plan.present).toEqual([])
    expect(plan.replay).toEqual([
      { sourceVersion: '0.1.0', sourceCommit: commit(1), visibility: 'public', bump: 'minor', destinationVersion: '0.1.0', matched: true },
      {
        sourceVersion: '0.1.1',
        sourceCommit: commit(2),
        visibility: 'public',
        bump: 'revision',
        destinationVersion: '0.1.1',
        destinationBefore: '0.1.0',
        matched: true
      },
      {
        sourceVersion: '0.2.0',
        sourceCommit: commit(3),
        visibility: 'public',
        bump: 'minor',
        destinationVersion: '0.2.0',
        destinationBefore: '0.1.1',
        matched: true
      },
      {
        sourceVersion: '1.0.0',
        sourceCommit: commit(4),
        visibility: 'private',
        bump: 'major',
        destinationVersion: '1.0.0',
        destinationBefore: '0.2.0',
        matched: true
      },
      {
        sourceVersion: '1.0.1',
        sourceCommit: commit(5),
        visibility: 'public',
        bump: 'revision',
        destinationVersion: '1.0.1',
        destinationBefore: '1.0.0',
        matched: true
      },
      {
        sourceVersion: '1.1.0',
        sourceCommit: commit(6),
        visibility: 'public',
        bump: 'minor',
        destinationVersion: '1.1.0',
        destinationBefore: '1.0.1',
        matched: true
      }
    ])
  })

  it('replays only the versions a range selects, and still reproduces their numbers in an empty destination', () => {
    expect(numbers(planVersionReplay(SOURCE, { kind: 'range', range: '>=1.0.0' }, []))).toEqual([
      '1.0.0→1.0.0',
      '1.0.1→1.0.1',
      '1.1.0→1.1.0'
    ])
    expect(numbers(planVersionReplay(SOURCE, { kind: 'range', range: '0.x' }, []))).toEqual(['0.1.0→0.1.0', '0.1.1→0.1.1', '0.2.0→0.2.0'])
  })

  it('skips what an earlier run published (its notes name the source version), and resumes after it', () => {
    const destination = [
      promoted('0.1.1', sourceAt('0.1.1'), 'Fixes'),
      promoted('0.1.0', sourceAt('0.1.0')),
      promoted('0.2.0', sourceAt('0.2.0'))
    ]
    const plan = planVersionReplay(SOURCE, { kind: 'all' }, destination)
    expect(plan.present.map(entry => `${entry.sourceVersion}=${entry.destinationVersion}`)).toEqual([
      '0.1.0=0.1.0',
      '0.1.1=0.1.1',
      '0.2.0=0.2.0'
    ])
    expect(plan.present[0].destinationCommit).toBe(destination[1].commit)
    expect(numbers(plan)).toEqual(['1.0.0→1.0.0', '1.0.1→1.0.1', '1.1.0→1.1.0'])
  })

  it('has nothing to replay once every version is present', () => {
    const destination = SOURCE.map(entry => promoted(entry.version, entry))
    expect(planVersionReplay(SOURCE, { kind: 'all' }, destination).replay).toEqual([])
  })

  it('maps the rest with the source bumps where the destination holds 0.1.0 (promoted from the source) and 0.3.0 (not)', () => {
    const destination = [promoted('0.1.0', sourceAt('0.1.0')), { version: '0.3.0', commit: commit(90), releaseNotes: 'Hand-made' }]
    const plan = planVersionReplay(SOURCE, { kind: 'all' }, destination)
    expect(plan.present.map(entry => entry.sourceVersion)).toEqual(['0.1.0'])
    expect(plan.replay.map(step => [step.sourceVersion, step.bump, step.destinationVersion, step.matched])).toEqual([
      ['0.1.1', 'revision', '0.3.1', false],
      ['0.2.0', 'minor', '0.4.0', false],
      ['1.0.0', 'major', '1.0.0', true],
      ['1.0.1', 'revision', '1.0.1', true],
      ['1.1.0', 'minor', '1.1.0', true]
    ])
  })

  it('does not count a destination version with the same number but no marker as present', () => {
    const destination = [
      { version: '0.1.0', commit: commit(1), releaseNotes: 'Made here' },
      { version: '0.3.0', commit: commit(90) }
    ]
    const plan = planVersionReplay(SOURCE, { kind: 'all' }, destination)
    expect(plan.present).toEqual([])
    expect(numbers(plan)).toEqual(['0.1.0→0.4.0', '0.1.1→0.4.1', '0.2.0→0.5.0', '1.0.0→1.0.0', '1.0.1→1.0.1', '1.1.0→1.1.0'])
  })

  it('does not count a marker that names the same version at another commit', () => {
    const destination = [promoted('0.1.0', { ...sourceAt('0.1.0'), commit: commit(77) })]
    expect(planVersionReplay(SOURCE, { kind: 'range', range: '0.1.0' }, destination).replay).toMatchObject([
      { sourceVersion: '0.1.0', destinationVersion: '0.2.0', matched: false }
    ])
  })
})

describe('requireMatched (version-type: match)', () => {
  it('refuses a step that does not reproduce the source number, with the error a single promotion gives', () => {
    const destination = [{ version: '0.3.0', commit: commit(90) }]
    const [first] = planVersionReplay(SOURCE, { kind: 'all' }, destination).replay
    expect(() => requireMatched(first, 'prod.algo.example.com')).toThrow(PromotionError)
    expect(() => requireMatched(first, 'prod.algo.example.com')).toThrow(
      "no single publish on prod.algo.example.com reaches the source's version 0.1.0 from its latest version 0.3.0: major → 1.0.0, minor → 0.4.0, revision → 0.3.1"
    )
  })

  it('lets a matched step through', () => {
    const [first] = planVersionReplay(SOURCE, { kind: 'all' }, []).replay
    expect(() => requireMatched(first, 'prod.algo.example.com')).not.toThrow()
  })
})

describe('the release-notes marker', () => {
  it.each([
    ['a published version', FACTS],
    ['a bare commit', { ...FACTS, sourceVersion: '' }],
    ['an API-URL label', { ...FACTS, sourceCluster: '127.0.0.1:8081', sourceOwner: 'data_science', algorithm: 'Hello_2' }]
  ])('reads back what defaultReleaseNotes writes for %s', (_, facts) => {
    const { destCluster: _dest, destOwner: _owner, ...named } = facts
    expect(readPromotionMarker(defaultReleaseNotes(facts))).toEqual(named)
  })

  it('reads the first line only: quoted source notes may carry the marker of an earlier hop', () => {
    const earlierHop = defaultReleaseNotes({
      ...FACTS,
      sourceCluster: 'lab.algo.example.com',
      sourceVersion: '3.0.0',
      sourceCommit: commit(9)
    })
    const notes = publishDetails(
      defaultReleaseNotes(FACTS),
      { version_info: { git_hash: commit(1), release_notes: earlierHop } },
      undefined
    ).releaseNotes
    expect(readPromotionMarker(notes)).toMatchObject({ sourceCluster: 'dev.algo.example.com', sourceVersion: '0.1.0' })
    expect(readPromotionMarker(`Release notes by hand\n${defaultReleaseNotes(FACTS)}`)).toBeUndefined()
  })

  it.each([undefined, '', 'A few bug fixes.', 'Promoted from dev team/hello version 1.0 (commit abc).'])('finds no marker in %j', notes => {
    expect(readPromotionMarker(notes)).toBeUndefined()
  })
})
