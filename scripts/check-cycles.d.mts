/** The relative specifiers a module's source imports or re-exports (comments ignored). */
export function relativeSpecifiers(text: string): string[];
/** The import graph of `files`: each file and the files it imports, resolved. */
export function importGraph(files: readonly string[], read?: (file: string) => string): Map<string, string[]>;
/** One circle per strongly connected component of `graph`, as a path back to its start. */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][];
/** `packages/*\/src` and `examples/*\/src` under `root`. */
export function sourceRoots(root: string): string[];
/** Imports of a `_private` module from outside its folder, as `[importer, imported]` pairs. */
export function privateImports(graph: ReadonlyMap<string, readonly string[]>): [string, string][];
