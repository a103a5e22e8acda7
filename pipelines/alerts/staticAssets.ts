import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The dashboard's files (plain HTML/CSS/JS, no build step), read once at
 * start: a request can only ever name a file that was in the directory then,
 * so there is no path to traverse.
 */
export interface StaticAsset {
  body: Buffer;
  contentType: string;
  etag: string;
}

export const STATIC_DIR = fileURLToPath(new URL('./static/', import.meta.url));

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

export function loadStaticAssets(dir: string = STATIC_DIR): Map<string, StaticAsset> {
  const assets = new Map<string, StaticAsset>();
  for (const name of readdirSync(dir)) {
    const contentType = TYPES[path.extname(name)];
    if (!contentType || !/^[a-z0-9][a-z0-9.-]*$/.test(name)) continue;
    const body = readFileSync(path.join(dir, name));
    assets.set(name, { body, contentType, etag: `"${createHash('sha1').update(body).digest('base64url')}"` });
  }
  return assets;
}

/** Which asset a page path serves: `/` the board (the enterprise page is a `#/enterprise/…` view of it), `/login` the login form, `/assets/<file>` the rest. */
export function assetNameOf(pathname: string): string | null {
  if (pathname === '/' || pathname === '/index.html') return 'index.html';
  if (pathname === '/login') return 'login.html';
  const m = /^\/assets\/([a-z0-9][a-z0-9.-]*)$/.exec(pathname);
  return m ? m[1]! : null;
}
