/**
 * The dashboard's static files: the package's dashboard/ folder (index.html,
 * the app's modules and styles) and the UI library, Preact with htm, served
 * from node_modules as ES modules, so browsers load them as they are, with
 * no bundler at run time. Only files listed at startup are served (no path
 * ever reaches the file system), read once and kept in memory.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * From src/admin/ and from dist/admin/ alike: the package root's dashboard/. A path, not
 * `new URL('../../dashboard/', import.meta.url)`: bundlers (Next's webpack) take that form for an asset
 * to resolve at build time, and fail on a folder.
 */
const dashboardDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dashboard');
const require = createRequire(import.meta.url);

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

const securityHeaders = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
};

interface StaticFile {
  body: Buffer;
  type: string;
}

function packageFile(specifier: string, distFile: string): string {
  return join(dirname(require.resolve(specifier)), distFile);
}

/** Preact's hooks import "preact" by bare name; served beside it, they import it by path instead. */
function vendorFiles(): Map<string, string> {
  const preact = readFileSync(packageFile('preact', 'preact.module.js'), 'utf8');
  const hooks = readFileSync(packageFile('preact/hooks', 'hooks.module.js'), 'utf8').replace(/from\s*["']preact["']/g, 'from"./preact.mjs"');
  const htm = readFileSync(packageFile('htm', 'htm.module.js'), 'utf8');
  return new Map([
    ['/vendor/preact.mjs', preact],
    ['/vendor/hooks.mjs', hooks],
    ['/vendor/htm.mjs', htm],
  ]);
}

function typeOf(name: string): string {
  return contentTypes[name.slice(name.lastIndexOf('.'))] ?? 'application/octet-stream';
}

export class DashboardFiles {
  private files: Map<string, StaticFile> | undefined;

  private load(): Map<string, StaticFile> {
    if (this.files) return this.files;
    const files = new Map<string, StaticFile>();
    for (const name of readdirSync(dashboardDir)) {
      const body = readFileSync(join(dashboardDir, name));
      files.set(name === 'index.html' ? '/' : `/assets/${name}`, { body, type: typeOf(name) });
    }
    for (const [path, text] of vendorFiles()) files.set(path, { body: Buffer.from(text), type: typeOf(path) });
    this.files = files;
    return files;
  }

  serves(path: string): boolean {
    return path === '/' || path === '/index.html' || path.startsWith('/assets/') || path.startsWith('/vendor/');
  }

  async send(path: string, response: ServerResponse): Promise<void> {
    const file = this.load().get(path === '/index.html' ? '/' : path);
    if (!file) {
      response.writeHead(404, { 'Content-Type': 'application/json; charset=utf-8', ...securityHeaders });
      response.end(JSON.stringify({ error: `No dashboard file ${path}`, code: 'ADMIN_NOT_FOUND' }));
      return;
    }
    response.writeHead(200, {
      'Content-Type': file.type,
      'Content-Length': file.body.length,
      'Cache-Control': 'no-cache',
      ...securityHeaders,
    });
    response.end(file.body);
  }
}
