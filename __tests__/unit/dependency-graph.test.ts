// The run's dependency order (waves, cycles), the closure of what a run must
// take along, and the graph drawn as Mermaid for the job summary.
import { describe, expect, it } from 'vitest'
import { type Call, closure, orderInWaves } from '../../src/dependencies/graph.js'
import { escapeLabel, mermaidGraph } from '../../src/dependencies/mermaid.js'

const edges = (...pairs: string[]) => pairs.map(pair => ({ from: pair[0], to: pair[1] }))

describe('orderInWaves', () => {
  it('puts a dependency in an earlier wave than every caller, independent algorithms side by side', () => {
    // A calls B, B calls C; D calls C; E alone.
    expect(orderInWaves(['A', 'B', 'C', 'D', 'E'], edges('AB', 'BC', 'DC'))).toEqual({
      waves: [['C', 'E'], ['B', 'D'], ['A']],
      cycles: []
    })
  })

  it('places a caller after its deepest dependency, not only its direct one', () => {
    // A calls B and D; D calls C; C calls B: B first, then C, D, A.
    expect(orderInWaves(['A', 'B', 'C', 'D'], edges('AB', 'AD', 'DC', 'CB')).waves).toEqual([['B'], ['C'], ['D'], ['A']])
  })

  it('keeps a cycle together in one wave after its own dependencies, before its callers, and reports it', () => {
    // B ⇄ C, C calls D, A calls B; E calls itself.
    const order = orderInWaves(['A', 'B', 'C', 'D', 'E'], edges('AB', 'BC', 'CB', 'CD', 'EE'))
    expect(order.waves).toEqual([['D', 'E'], ['B', 'C'], ['A']])
    expect(order.cycles).toEqual([['B', 'C'], ['E']])
  })

  it('ignores calls to algorithms outside the run and keeps the given order inside a wave', () => {
    expect(orderInWaves(['Z', 'Y'], edges('ZX', 'YX'))).toEqual({ waves: [['Z', 'Y']], cycles: [] })
    expect(orderInWaves([], [])).toEqual({ waves: [], cycles: [] })
  })

  it('orders a long chain of 300 without trouble', () => {
    const nodes = Array.from({ length: 300 }, (_, i) => `n${i}`)
    const chain = nodes.slice(1).map((to, i) => ({ from: nodes[i], to }))
    const { waves } = orderInWaves(nodes, chain)
    expect(waves).toHaveLength(300)
    expect(waves[0]).toEqual(['n299'])
  })
})

describe('closure', () => {
  const calls: Record<string, Call[]> = {
    A: [{ to: 'B', version: '1.*' }],
    B: [
      { to: 'C', version: '0.2.0' },
      { to: 'A', version: 'latest' }
    ],
    C: [],
    D: [{ to: 'C', version: '0.1.*' }]
  }

  it('reaches every algorithm called, with the first call that brought it in, asking each algorithm once', async () => {
    const asked: string[] = []
    const reached = await closure(['A'], async algorithm => {
      asked.push(algorithm)
      return calls[algorithm] ?? []
    })
    expect(reached).toEqual([
      { algorithm: 'A', reason: undefined },
      { algorithm: 'B', reason: 'called by A as B 1.*' },
      { algorithm: 'C', reason: 'called by B as C 0.2.0' }
    ])
    expect(asked).toEqual(['A', 'B', 'C'])
  })

  it('names no reason for the starting algorithms, even when another one calls them', async () => {
    expect(await closure(['D', 'C'], algorithm => calls[algorithm] ?? [])).toEqual([
      { algorithm: 'D', reason: undefined },
      { algorithm: 'C', reason: undefined }
    ])
  })
})

describe('mermaidGraph', () => {
  it('draws one node per algorithm, satisfied edges solid, unmet ones dashed and marked', () => {
    const graph = mermaidGraph(
      ['alice/A', 'alice/B'],
      [
        { from: 'alice/A', to: 'alice/B', version: '1.*', status: 'satisfied' },
        { from: 'alice/B', to: 'alice/C', version: '0.2.0', status: 'unmet' }
      ]
    )
    expect(graph).toBe(
      [
        '```mermaid',
        'flowchart LR',
        '  n0["alice/A"]',
        '  n1["alice/B"]',
        '  n0 -->|"1.*"| n1',
        '  n2["alice/C"]',
        '  n1 -.->|"0.2.0 unmet"| n2',
        '  linkStyle 1 stroke:#d1242f,color:#d1242f',
        '```'
      ].join('\n')
    )
  })

  it('escapes labels and reasons, and shortens a long reason', () => {
    const reason = 'C 0.2.0 "and" <more> | #1 & `x` is not published at the destination; it holds 0.1.0, 0.3.0, 0.4.0'
    const graph = mermaidGraph(
      [{ id: 'o/A', label: 'o/A "v1" <b>' }],
      [{ from: 'o/A', to: 'o/C', version: '0.2.0', status: 'unmet', reason }]
    )
    expect(graph).toContain('n0["o/A #quot;v1#quot; #lt;b#gt;"]')
    const edge = graph.split('\n').find(line => line.includes('-.->')) as string
    expect(edge).toMatch(/^ {2}n0 -\.->\|"0\.2\.0 unmet: C 0\.2\.0 .* it holds 0…"\| n1$/)
    expect(edge).toContain('#quot;and#quot; #lt;more#gt; #124; #35;1 #amp; #96;x#96;')
    expect(edge.slice(edge.indexOf('|"') + 2, edge.lastIndexOf('"|'))).not.toMatch(/["<>|`\n]/)
  })

  it('escapes # before anything else, so entity codes it writes stay intact', () => {
    expect(escapeLabel('#quot; "\nx')).toBe('#35;quot; #quot; x')
  })

  it('draws a graph without edges, and no linkStyle when every edge is satisfied', () => {
    expect(mermaidGraph(['a/B'], [])).toBe('```mermaid\nflowchart LR\n  n0["a/B"]\n```')
  })
})
