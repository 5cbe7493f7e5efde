// The browser bundle of the smallest backup + restore program (bundle-app.ts): minified and gzip
// sizes, and what each package contributes. npm run bench -- bundle (see docs/benchmarks.md).
import { measureBundle } from './_bundle-size';

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
const { minified, gzip, bySource } = await measureBundle();
console.log(`minimal backup + restore for the browser: ${kib(minified)} minified, ${kib(gzip)} gzip\n`);
console.log('| source | minified |\n| --- | ---: |');
for (const [source, bytes] of Object.entries(bySource).sort((a, b) => b[1] - a[1]))
  if (bytes > 0) console.log(`| ${source} | ${kib(bytes)} |`);
