#!/usr/bin/env node
// Checks that a release tag (v<semver>) names the version in package.json, the chart's version and its
// appVersion (the chart's default image tag), so a release publishes the image its chart runs.
// Usage: node scripts/release-versions.mjs v1.2.3
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tag = process.argv[2] ?? '';
const match = /^v(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$/.exec(tag);
if (!match) {
  console.error(`release-versions: "${tag}" is not a v<semver> tag`);
  process.exit(1);
}
const version = match[1];
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const chart = yaml.load(readFileSync(join(root, 'helm/baton-fivetran/Chart.yaml'), 'utf8'));
const found = {
  'package.json version': pkg.version,
  'Chart.yaml version': chart.version,
  'Chart.yaml appVersion': String(chart.appVersion),
};
const wrong = Object.entries(found).filter(([, v]) => v !== version);
if (wrong.length > 0) {
  console.error(
    `release-versions: tag ${tag} wants ${version}, but ${wrong.map(([k, v]) => `${k} is ${v}`).join(', ')}`,
  );
  process.exit(1);
}
console.log(`release-versions: ${tag} matches package.json and the chart`);
