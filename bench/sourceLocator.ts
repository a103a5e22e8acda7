/**
 * Takes a position in a CPU profile of code run under tsx back to its line in the TypeScript source.
 *
 * tsx compiles each file with esbuild into a single line (minifyWhitespace), so a profile placed every
 * function of such a file at `file.ts:1`, and cpuProfileSummary merged all the anonymous closures of a file
 * into one row: session 21 found "(anonymous) tradeNetwork.ts:1, 42 %" to be three different closures.
 * Compiling the file again with tsx's options gives the same code, so the same positions, and esbuild's
 * source map of it takes a position back to the line it came from.
 */
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';
import { compiledPosition, shortUrl, type Locate } from './cpuProfileSummary.ts';

/** What tsx passes esbuild (tsx's dist, `minifyWhitespace:!0,keepNames:!0`), bar the inline source map it appends. */
function tsxCompile(source: string, file: string): { code: string; map: string } {
  return transformSync(source, {
    loader: 'ts',
    format: 'esm',
    target: `node${process.versions.node}`,
    sourcemap: 'external',
    sourcefile: file,
    minifyWhitespace: true,
    keepNames: true,
  });
}

/**
 * A Locate for profiles of code run under tsx: TypeScript files by their source line, anything else (plain
 * JavaScript, node internals, a file that no longer compiles) by the position V8 reported. The source must be
 * the one profiled: a file edited since compiles to other positions and maps to wrong lines.
 */
export function createTsxLocator(): Locate {
  const maps = new Map<string, SourceMap | null>();
  const mapOf = (url: string): SourceMap | null => {
    let map = maps.get(url);
    if (map === undefined) {
      try {
        const file = fileURLToPath(url);
        map = new SourceMap(JSON.parse(tsxCompile(readFileSync(file, 'utf8'), file).map));
      } catch {
        map = null;
      }
      maps.set(url, map);
    }
    return map;
  };
  return (url, line, column) => {
    if (!url.startsWith('file://') || !/\.[cm]?ts$/.test(url)) return compiledPosition(url, line, column);
    const entry = mapOf(url)?.findEntry(line, column);
    if (entry === undefined || !('originalLine' in entry)) return compiledPosition(url, line, column);
    return `${shortUrl(url)}:${entry.originalLine + 1}`;
  };
}
