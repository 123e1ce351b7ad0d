import { existsSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { NextFunction, Request, Response } from 'express';

/** Paths that are the API's (and the engine's), never the workbench's: they keep their own answers, 404s included. */
const NOT_OURS = /^\/(api|health|metrics|v2)(\/|$)/;

/** Vite names built assets by content hash: they never change under one name. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Serves the built workbench (`dir`, e.g. dist/web) at `/`: its files as they are, and index.html for any other GET
 * path that is not the API's (the front end routes itself: /tasks/123, /cases/…, /auth/callback). index.html is
 * revalidated on every load, the hashed assets cached for a year. When the bundle is not built every path falls
 * through to the API's 404 problem.
 */
export function serveWorkbench(dir: string) {
  const root = resolve(dir);
  const index = join(root, 'index.html');
  const send = (response: Response, file: string, cache: string, next: NextFunction) => {
    response.setHeader('Cache-Control', cache);
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Referrer-Policy', 'no-referrer');
    response.sendFile(file, { dotfiles: 'deny', lastModified: true, etag: true }, (error) => {
      if (error && !response.headersSent) next(error);
    });
  };
  return (request: Request, response: Response, next: NextFunction) => {
    if ((request.method !== 'GET' && request.method !== 'HEAD') || NOT_OURS.test(request.path)) return next();
    let path: string;
    try {
      path = decodeURIComponent(request.path);
    } catch {
      return next();
    }
    const file = resolve(root, `.${normalize(path)}`);
    if (file !== root && !file.startsWith(root + sep)) return next();
    if (file !== root && isFile(file)) return send(response, file, path.startsWith('/assets/') ? IMMUTABLE : 'no-cache', next);
    // A missing file (/favicon.ico, /assets/old-hash.js) is a 404, not the page; a route of the front end is the page.
    if (extname(path) !== '' || !existsSync(index)) return next();
    return send(response, index, 'no-cache', next);
  };
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
