/**
 * The run's dependency graph as a Mermaid flowchart, which GitHub draws in job
 * summaries and pull-request comments: one node per algorithm, an edge per
 * call labelled with its version form, solid when the destination satisfies
 * it and dashed (and red) when it does not.
 */

export interface GraphNode {
  /** What edges name it by (`owner/name`). */
  readonly id: string
  /** What the diagram shows; the id without one. */
  readonly label?: string
}

export interface GraphEdge {
  readonly from: string
  readonly to: string
  /** The version form as written: `1.*`, `0.2.0`, `latest`. */
  readonly version: string
  readonly status: 'satisfied' | 'unmet'
  /** Shown after an unmet edge's label, shortened. */
  readonly reason?: string
}

const MAX_REASON = 80

/** A fenced `mermaid` block; algorithms an edge names but `nodes` lacks get a node of their own. */
export function mermaidGraph(nodes: readonly (GraphNode | string)[], edges: readonly GraphEdge[]): string {
  const ids = new Map<string, string>()
  const lines = ['```mermaid', 'flowchart LR']
  const node = (id: string, label = id): string => {
    const existing = ids.get(id)
    if (existing !== undefined) return existing
    const safe = `n${ids.size}`
    ids.set(id, safe)
    lines.push(`  ${safe}["${escapeLabel(label)}"]`)
    return safe
  }
  for (const each of nodes) {
    if (typeof each === 'string') node(each)
    else node(each.id, each.label)
  }
  const unmet: number[] = []
  edges.forEach((edge, index) => {
    const [from, to] = [node(edge.from), node(edge.to)]
    if (edge.status === 'unmet') unmet.push(index)
    lines.push(`  ${from} ${edge.status === 'unmet' ? '-.->' : '-->'}|"${escapeLabel(edgeLabel(edge))}"| ${to}`)
  })
  if (unmet.length > 0) lines.push(`  linkStyle ${unmet.join(',')} stroke:#d1242f,color:#d1242f`)
  lines.push('```')
  return lines.join('\n')
}

function edgeLabel(edge: GraphEdge): string {
  if (edge.status === 'satisfied') return edge.version
  if (edge.reason === undefined) return `${edge.version} unmet`
  const reason = edge.reason.length > MAX_REASON ? `${edge.reason.slice(0, MAX_REASON - 1)}…` : edge.reason
  return `${edge.version} unmet: ${reason}`
}

/**
 * Text safe inside a quoted Mermaid label: entity codes for what Mermaid or the Markdown around it would
 * read (`#` first, since it starts an entity), and no line breaks.
 */
export function escapeLabel(text: string): string {
  return text
    .replace(/#/g, '#35;')
    .replace(/"/g, '#quot;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;')
    .replace(/&/g, '#amp;')
    .replace(/\|/g, '#124;')
    .replace(/`/g, '#96;')
    .replace(/[\r\n]+/g, ' ')
}
