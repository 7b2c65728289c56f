import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.join(__dirname, '..', '..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

/** Variables src/config.ts reads: every `str('X')`, `int('X', …)`, `bool`, `url`, `hops` call names one. */
function configVariables(): Set<string> {
  return new Set([...read('src/config.ts').matchAll(/\b(?:str|int|bool|url|hops)\('([A-Z][A-Z0-9_]*)'/g)].map((m) => m[1]));
}

/** Variables named in the first column of README's configuration table (`ABUSE_*` style entries as prefixes). */
function readmeVariables(): string[] {
  const readme = read('README.md');
  const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 5));
  return table
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => [...line.split('|')[1].matchAll(/`([A-Z][A-Z0-9_*]*)`/g)].map((m) => m[1]));
}

/** `ENV A=1 B=2` lines of the Dockerfile. */
function dockerfileVariables(): string[] {
  return read('Dockerfile')
    .split('\n')
    .filter((line) => line.startsWith('ENV '))
    .flatMap((line) => [...line.slice(4).matchAll(/([A-Z][A-Z0-9_]*)=/g)].map((m) => m[1]));
}

/** Keys of the `x-api-env` block: the environment every API replica of docker-compose.yml gets. */
function composeVariables(): string[] {
  const lines = read('docker-compose.yml').split('\n');
  const start = lines.findIndex((line) => line.startsWith('x-api-env:'));
  const names: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    const match = /^ {2}([A-Z][A-Z0-9_]*):/.exec(line);
    if (!match) break;
    names.push(match[1]);
  }
  return names;
}

/** `- key: X` entries of render.yaml's envVars. */
function renderVariables(): string[] {
  return [...read('render.yaml').matchAll(/^\s*- key: ([A-Z][A-Z0-9_]*)\s*$/gm)].map((m) => m[1]);
}

describe('deployment files', () => {
  it('set only variables that src/config.ts reads and README documents', () => {
    const known = configVariables();
    const documented = readmeVariables();
    const isDocumented = (name: string) => documented.some((d) => (d.endsWith('*') ? name.startsWith(d.slice(0, -1)) : d === name));
    const set = { Dockerfile: dockerfileVariables(), 'docker-compose.yml': composeVariables(), 'render.yaml': renderVariables() };
    for (const [file, names] of Object.entries(set)) {
      expect(names.length, file).toBeGreaterThan(0);
      expect(names.filter((n) => !known.has(n)), `${file}: not read by src/config.ts`).toEqual([]);
      expect(names.filter((n) => !isDocumented(n)), `${file}: not in README's configuration table`).toEqual([]);
    }
    // And the table documents nothing config.ts doesn't read.
    expect(documented.filter((d) => !d.endsWith('*') && !known.has(d))).toEqual([]);
  });

  it('runs the image as a non-root user with a health check, replicas behind a proxy that trusts one hop', () => {
    const dockerfile = read('Dockerfile');
    expect(dockerfile).toMatch(/^FROM .+ AS build$/m);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n.*\/healthz/m);
    const compose = read('docker-compose.yml');
    expect(compose).toMatch(/^ {2}api1: \*api$/m);
    expect(compose).toMatch(/^ {2}api2: \*api$/m);
    expect(compose).toMatch(/TRUST_PROXY: "1"/);
    expect(read('deploy/nginx.conf')).toMatch(/proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;/);
    expect(read('render.yaml')).toMatch(/healthCheckPath: \/healthz/);
  });
});
