#!/usr/bin/env node
// Prints a month's SLA report for the sample incident log and writes it as HTML and JSON.
// Usage: npm start -w @kluis/example-sla-report -- [--month 2026-03] [--out DIR (default ./out)]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { monthReport } from './report.ts';
import { sampleLog } from './sample-log.ts';

const { values } = parseArgs({
  options: { month: { type: 'string', default: '2026-03' }, out: { type: 'string', default: 'out' } },
});
const month = values.month;
const out = resolve(values.out);
const { report, html, text } = monthReport(month, sampleLog);
mkdirSync(out, { recursive: true });
const htmlPath = join(out, `sla-report-${month}.html`);
writeFileSync(htmlPath, html);
writeFileSync(join(out, `sla-report-${month}.json`), `${JSON.stringify(report, null, 2)}\n`);
console.log(text);
console.log(`\nwrote ${htmlPath} and sla-report-${month}.json`);
