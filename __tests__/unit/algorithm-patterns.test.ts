import { describe, expect, it } from 'vitest'
import { expandSelection, isWellFormedPattern, matches, needsListing, sampleNames } from '../../src/selection/algorithm-patterns.js'

const OWNED = ['sentiment_en', 'sentiment_fr', 'summarize', 'Sentiment_legacy', 'translate']

describe('algorithm patterns', () => {
  it('matches * and ? case-sensitively, and plain names exactly', () => {
    expect(matches('sentiment_*', 'sentiment_en')).toBe(true)
    expect(matches('sentiment_*', 'Sentiment_legacy')).toBe(false)
    expect(matches('s?mmarize', 'summarize')).toBe(true)
    expect(matches('*', 'anything')).toBe(true)
    expect(matches('summarize', 'summarize_v2')).toBe(false)
  })

  it('accepts only name characters and wildcards in a pattern', () => {
    expect(isWellFormedPattern('sentiment_*')).toBe(true)
    expect(isWellFormedPattern('sent.*')).toBe(false)
    expect(isWellFormedPattern('sentiment')).toBe(false)
  })

  it('needs the owner list only when a pattern is given', () => {
    expect(needsListing({ include: ['a', 'b'], exclude: ['b'] })).toBe(false)
    expect(needsListing({ include: ['a'], exclude: ['x*'] })).toBe(true)
  })

  it('expands in the order given, each name once, minus the exclusions', () => {
    const expansion = expandSelection({ include: ['translate', 'sentiment_*', '*'], exclude: ['*legacy', 'summarize'] }, OWNED)
    expect(expansion).toEqual({ names: ['translate', 'sentiment_en', 'sentiment_fr'], unmatched: [] })
  })

  it('reports a pattern or an exclusion that matches nothing', () => {
    const expansion = expandSelection({ include: ['vision_*', 'summarize'], exclude: ['nothing_*', 'absent'] }, OWNED)
    expect(expansion.unmatched).toEqual([
      { input: 'algorithms', pattern: 'vision_*' },
      { input: 'exclude-algorithms', pattern: 'nothing_*' },
      { input: 'exclude-algorithms', pattern: 'absent' }
    ])
  })

  it('keeps a plain name even when the list lacks it: the promotion reports it missing', () => {
    expect(expandSelection({ include: ['brand_new'], exclude: [] }, OWNED).names).toEqual(['brand_new'])
  })

  it('shows a few names sorted, and how many there are', () => {
    expect(sampleNames(OWNED, 3)).toBe('it has Sentiment_legacy, sentiment_en, sentiment_fr, … (5 in all)')
    expect(sampleNames([])).toBe('it has no algorithms')
  })
})
