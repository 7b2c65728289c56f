import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The checkout: found from here upwards, so this works from tests/ under vitest and from dist/ in the benches. */
export const ROOT = (function root(dir: string): string {
  return fs.existsSync(path.join(dir, 'package.json')) ? dir : root(path.dirname(dir));
})(__dirname);

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
}

let built = false;
/** Builds dist/ once per test file, so tests start the server exactly as `npm start` does. */
export function build(): void {
  if (built) return;
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });
  built = true;
}

/** Starts `node dist/src/main.js` with this environment and resolves once it serves. */
export async function launch(env: Record<string, string>, into: ServerProcess[], nodeArgs: string[] = []): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...nodeArgs, 'dist/src/main.js'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 60_000);
    const read = (chunk: Buffer) => {
      out += chunk.toString();
      const match = /GraphQL API on (http:\/\/localhost:\d+)\/graphql/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1].replace('localhost', '127.0.0.1'));
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${out}`)));
  });
  const server = { child, url, output: () => out };
  into.push(server);
  return server;
}
