/**
 * Import rules of src/ (see ARCHITECTURE.md), checked by `npm run lint`:
 * front ends above the engine, the engine above the stages, the stages above
 * the domain folders, and no way back up.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A circle of modules has no bottom: move what both sides need below them.',
      from: { path: '^src/' },
      to: { circular: true }
    },
    {
      name: 'stages-share-only-types',
      severity: 'error',
      comment:
        'A stage takes from an earlier stage only the type of what it added; shared rules live below the stages (src/promotion/).',
      from: { path: '^src/stages/([^/]+)\\.ts$' },
      to: { path: '^src/stages/', pathNot: '^src/stages/$1\\.ts$', dependencyTypesNot: ['type-only'] }
    },
    {
      name: 'domain-below-the-pipeline',
      severity: 'error',
      comment:
        'Domain folders know nothing of the pipeline, its stages or the front ends: they are what the stages call, and a test can use them alone.',
      from: { path: '^src/(accounts|cluster|core|data|dependencies|git|http|inputs|promotion|report|selection|util|process)/' },
      to: { path: '^src/(pipeline|stages|run|cli|workflow-commands|github-api)/|^src/(main|post|index)\\.ts$' }
    },
    {
      name: 'engine-knows-no-stage',
      severity: 'error',
      comment: 'The engine runs whatever stages it is given; the list of stages and the run around them live in src/run/.',
      from: { path: '^src/pipeline/' },
      to: { path: '^src/(stages|run)/' }
    },
    {
      name: 'core-at-the-bottom',
      severity: 'error',
      comment: 'src/core/ holds the values every folder shares; it imports nothing of the project but src/util/.',
      from: { path: '^src/core/' },
      to: { path: '^src/', pathNot: '^src/(core|util)/' }
    },
    {
      name: 'transport-and-git-below-the-inputs',
      severity: 'error',
      comment: 'The API clients, git and the HTTP transport take typed values (src/core/), never the input parsers.',
      from: { path: '^src/(cluster|git|http|data|dependencies|util)/' },
      to: { path: '^src/(inputs|selection|accounts|promotion|report)/' }
    },
    {
      name: 'stages-below-the-assembly',
      severity: 'error',
      comment: 'A stage does not know the list it is in, nor the front ends.',
      from: { path: '^src/stages/' },
      to: { path: '^src/(run|cli|workflow-commands|github-api)/|^src/(main|post|index)\\.ts$' }
    },
    {
      name: 'runner-only-in-the-action-front-end',
      severity: 'error',
      comment: "@actions/core speaks to the GitHub runner: only the action's front end (main, post, workflow-commands, github-api) may.",
      from: { path: '^src/', pathNot: '^src/(main|post|index)\\.ts$|^src/(workflow-commands|github-api)/' },
      to: { path: '@actions/core' }
    }
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] }
  }
}
