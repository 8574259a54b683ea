// The template code a new algorithm's repository starts with, as the real
// platform generates it for Python algorithms.

export function templateFiles(owner: string, name: string, language: string): Record<string, string> {
  const conf = { username: owner, algoname: name, language }
  return {
    'algorithmia.conf': JSON.stringify(conf, null, 2) + '\n',
    'requirements.txt': 'algorithmia>=1.0.0,<2.0\n',
    'src/__init__.py': '',
    [`src/${name}.py`]: [
      'import Algorithmia',
      '',
      "# API calls will begin at the apply() method, with the request body passed as 'input'",
      '# For more details, see algorithmia.com/developers/algorithm-development/languages',
      'def apply(input):',
      '    return "hello " + input',
      ''
    ].join('\n'),
    [`src/${name}_test.py`]: [
      `from . import ${name}`,
      '',
      `def test_${name}():`,
      `    assert ${name}.apply("Jane") == "hello Jane"`,
      ''
    ].join('\n')
  }
}

export const TEMPLATE_MESSAGE = 'Initial commit'
