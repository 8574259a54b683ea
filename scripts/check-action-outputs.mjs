// The CI job that runs the action itself (`uses: ./`): checks one run's outputs, given in the environment
// (RESULTS, CHANGED, VERSION_MAP) against the status it should have (EXPECTED: created or unchanged).
// Plain JavaScript, so that it runs with no install step.
const { EXPECTED, RESULTS, CHANGED, VERSION_MAP } = process.env
const results = JSON.parse(RESULTS || '[]')
const versionMap = JSON.parse(VERSION_MAP || '{}')
const problems = []
if (results.length !== 1) problems.push(`expected one result, got ${results.length}`)
for (const result of results) {
  if (result.status !== EXPECTED) problems.push(`${result.algorithm}: status ${result.status}, expected ${EXPECTED}`)
  if (!/^\d+\.\d+\.\d+$/.test(result.destVersion)) problems.push(`${result.algorithm}: no destination version (${result.destVersion})`)
  if (versionMap[result.algorithm]?.[result.sourceVersion] !== result.destVersion)
    problems.push(
      `${result.algorithm}: version-map ${JSON.stringify(versionMap)} does not map ${result.sourceVersion} to ${result.destVersion}`
    )
}
if (CHANGED !== String(EXPECTED === 'created')) problems.push(`changed is ${CHANGED}`)
if (problems.length > 0) {
  for (const problem of problems) console.log(`::error::${problem}`)
  process.exit(1)
}
console.log(`${EXPECTED}: ${results.map(result => `${result.algorithm} ${result.sourceVersion} → ${result.destVersion}`).join(', ')}`)
