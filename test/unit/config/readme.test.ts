import { readFileSync } from 'node:fs';
import { envName, fields } from '../../../src/config/index.js';

describe('README configuration table', () => {
  it('lists exactly the settings of the schema, each with its env var', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const section = readme.split('## Configuration')[1]?.split('\n## ')[0] ?? '';
    const rows = section.split('\n').filter((l) => /^\| (`--|—)/.test(l));
    const envVars = rows.map((r) => /`(BATON_[A-Z0-9_]+)`/.exec(r)?.[1]);
    expect(envVars.sort()).toEqual(fields.map((f) => envName(f.flag)).sort());
    for (const f of fields.filter((x) => !('envOnly' in x))) {
      expect(rows.some((r) => r.startsWith(`| \`--${f.flag}\``))).toBe(true);
    }
  });
});
