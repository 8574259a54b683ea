/**
 * The order a run promotes algorithms that call each other in: every
 * dependency in an earlier wave than each of its callers, algorithms that do
 * not depend on each other side by side in one wave. Algorithms that call each
 * other round in a cycle have no such order: they share one wave, after their
 * own dependencies, and are reported.
 */

export interface CallEdge {
  /** The caller. */
  readonly from: string
  /** The algorithm it calls. */
  readonly to: string
}

export interface Waves {
  readonly waves: string[][]
  /** Strongly connected groups of more than one algorithm, and algorithms that call themselves. */
  readonly cycles: string[][]
}

/** Waves in order of the nodes given; edges to algorithms outside `nodes` are not the run's to order. */
export function orderInWaves(nodes: readonly string[], edges: readonly CallEdge[]): Waves {
  const known = new Set(nodes)
  const callees = new Map<string, string[]>(nodes.map(node => [node, []]))
  for (const { from, to } of edges) if (known.has(from) && known.has(to)) callees.get(from)?.push(to)
  const components = stronglyConnected(nodes, callees)
  const componentOf = new Map<string, number>()
  components.forEach((members, index) => members.forEach(member => componentOf.set(member, index)))
  // Tarjan's algorithm closes a component only after every component it reaches: callees come first.
  const waveOf: number[] = []
  components.forEach((members, index) => {
    const dependencies = members.flatMap(member => callees.get(member) ?? []).map(callee => componentOf.get(callee) ?? index)
    waveOf[index] = Math.max(0, ...dependencies.filter(other => other !== index).map(other => waveOf[other] + 1))
  })
  const waves: string[][] = []
  for (const node of nodes) (waves[waveOf[componentOf.get(node) ?? 0]] ??= []).push(node)
  const cycles = components
    .filter(members => members.length > 1 || (callees.get(members[0]) ?? []).includes(members[0]))
    .map(members => nodes.filter(node => members.includes(node)))
  return { waves: waves.filter(wave => wave !== undefined), cycles: sortByFirstMember(cycles, nodes) }
}

function sortByFirstMember(groups: string[][], nodes: readonly string[]): string[][] {
  return groups.sort((a, b) => nodes.indexOf(a[0]) - nodes.indexOf(b[0]))
}

/** Tarjan's strongly connected components, each closed after all the components it reaches. */
function stronglyConnected(nodes: readonly string[], callees: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const components: string[][] = []
  const visit = (node: string): void => {
    index.set(node, index.size)
    low.set(node, index.get(node) as number)
    stack.push(node)
    onStack.add(node)
    for (const callee of callees.get(node) ?? []) {
      if (!index.has(callee)) visit(callee)
      if (onStack.has(callee)) low.set(node, Math.min(low.get(node) as number, low.get(callee) as number))
    }
    if (low.get(node) !== index.get(node)) return
    const members: string[] = []
    let member: string
    do {
      member = stack.pop() as string
      onStack.delete(member)
      members.push(member)
    } while (member !== node)
    components.push(members)
  }
  for (const node of nodes) if (!index.has(node)) visit(node)
  return components
}

/** A call found in an algorithm's code: the algorithm it names and the version form as written (`1.*`). */
export interface Call {
  readonly to: string
  readonly version: string
}

export interface Reached {
  readonly algorithm: string
  /** Why the run took it: undefined for a starting algorithm, else `called by A as B 1.*` (the first call found). */
  readonly reason: string | undefined
}

/**
 * Every algorithm reachable from `start` through the calls `callsOf` finds, in the order found (breadth
 * first, so each reason names the shortest chain). `callsOf` is asked once per algorithm, a level at a time.
 */
export async function closure(
  start: Iterable<string>,
  callsOf: (algorithm: string) => Iterable<Call> | Promise<Iterable<Call>>
): Promise<Reached[]> {
  const reached = new Map<string, string | undefined>()
  for (const algorithm of start) reached.set(algorithm, undefined)
  let level = [...reached.keys()]
  while (level.length > 0) {
    const calls = await Promise.all(level.map(async caller => ({ caller, calls: [...(await callsOf(caller))] })))
    level = []
    for (const { caller, calls: found } of calls) {
      for (const call of found) {
        if (reached.has(call.to)) continue
        reached.set(call.to, `called by ${caller} as ${call.to} ${call.version}`)
        level.push(call.to)
      }
    }
  }
  return [...reached].map(([algorithm, reason]) => ({ algorithm, reason }))
}
