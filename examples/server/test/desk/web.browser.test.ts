import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSTALL_TIMEOUT_MS, type LaunchedChromium, launchChromium } from '../../../../scripts/chromium.ts';
import { startServer, type TestServer } from '../_server.ts';

let s: TestServer;
let browser: LaunchedChromium;
let page: Page;
const violations: string[] = [];
/** The text a user sees (Playwright's innerText, not the DOM's). */
// biome-ignore lint/performance/useDomNodeTextContent: a Playwright locator, not a DOM node
const shown = (l: Locator) => l.innerText();
const at = (local: string) => Date.parse(local);

beforeAll(async () => {
  s = await startServer();
  await s.addAccount('alice', { password: 'alice password 1', quota: 2 ** 30 });
  await s.addAccount('ops', { password: 'ops password 12', role: 'none' });
  await s.app.grants.grant({ account: 'ops', role: 'admin', scope: '*', by: 'test' });
  await s.addAccount('audit', { password: 'audit password', role: 'none' });
  await s.app.grants.grant({ account: 'audit', role: 'auditor', scope: '*', by: 'test' });
  s.clock.now = at('2026-03-10T10:00:00+01:00');
  browser = await launchChromium('kluis-chromium-desk-');
  page = await browser.context.newPage();
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/.test(m.text())) violations.push(m.text());
  });
}, INSTALL_TIMEOUT_MS + 120_000);

afterAll(async () => {
  await browser?.close();
  await s?.close();
});

async function logIn(account: string, password: string): Promise<void> {
  await page.goto(new URL('/-/status', s.url).href);
  expect(new URL(page.url()).pathname).toBe('/-/desk/login');
  await page.fill('input[name=account]', account);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForURL(/\/-\/(status|desk\/)$/), page.click('form button')]);
}

async function logOut(): Promise<void> {
  await Promise.all([page.waitForURL(/\/-\/desk\/login$/), page.click('header form button')]);
}

const aliceAvailability = () => shown(page.locator('#customers tr[data-account=alice] .availability'));

describe('the desk pages in headless Chromium', () => {
  it('a customer logs in and files an incident on the status page', async () => {
    await logIn('alice', 'alice password 1');
    expect(new URL(page.url()).pathname).toBe('/-/status');
    expect(await shown(page.locator('#availability'))).toBe('100.000 %');
    await page.fill('#report-incident input[name=title]', 'restores stop at 40 %');
    await page.selectOption('#report-incident select[name=impact]', 'high');
    await page.selectOption('#report-incident select[name=urgency]', 'high');
    await Promise.all([page.waitForURL(/\/-\/status$/), page.click('#report-incident button')]);
    const row = page.locator('table.incidents tr[data-incident]');
    expect(await row.count()).toBe(1);
    expect(await shown(row.locator('td').nth(1))).toBe('restores stop at 40 %');
    expect(await shown(row.locator('.state'))).toBe('open');
    await logOut();
  });

  it('the provider sees it, records the restoration and the acceptance, and availability changes', async () => {
    await logIn('ops', 'ops password 12');
    expect(new URL(page.url()).pathname).toBe('/-/desk/');
    expect(await aliceAvailability()).toBe('100.000 %');
    const row = page.locator('table.incidents tr[data-incident]').last();
    expect(await shown(row)).toContain('alice\trestores stop at 40 %\tP1\topen');

    s.clock.now = at('2026-03-10T11:00:00+01:00');
    await row.locator('select[name=type]').selectOption('restored');
    await row.locator('input[name=note]').fill('cache node replaced');
    await Promise.all([page.waitForURL(/\/-\/desk\/$/), row.locator('button').click()]);
    expect(await shown(page.locator('table.incidents tr[data-incident] .state').last())).toBe('restored');

    s.clock.now = at('2026-03-10T11:30:00+01:00');
    const again = page.locator('table.incidents tr[data-incident]').last();
    await again.locator('select[name=type]').selectOption('accepted');
    await again.locator('input[name=note]').fill('coordinator confirmed by phone');
    await Promise.all([page.waitForURL(/\/-\/desk\/$/), again.locator('button').click()]);
    expect(await shown(page.locator('table.incidents tr[data-incident] .state').last())).toBe(
      'closed (accepted)',
    );
    // 90 minutes down of March's 42,660 committed minutes.
    expect(await aliceAvailability()).toBe('99.789 %');

    // The month's SLA report (the @kluis/sla HTML and SVG), under its own hash-pinned policy.
    await page.goto(new URL('/-/desk/report?account=alice&month=2026-03&format=html', s.url).href);
    expect(await page.locator('svg').count()).toBeGreaterThan(0);
    const swatch = await page
      .locator('.legend i')
      .first()
      .evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(swatch).toBe('rgb(220, 235, 251)'); // the style attribute was allowed by its hash
    await page.goto(new URL('/-/desk/', s.url).href);

    const dir = join(tmpdir(), 'kluis-desk-screenshots');
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: join(dir, 'provider-view.png'), fullPage: true });
    await logOut();

    await logIn('alice', 'alice password 1');
    expect(await shown(page.locator('#availability'))).toBe('99.789 %');
    await page.screenshot({ path: join(dir, 'status-page.png'), fullPage: true });
    await logOut();
  });

  it('lets an auditor read the provider view but not act, and refuses forms without the token', async () => {
    await logIn('audit', 'audit password');
    expect(new URL(page.url()).pathname).toBe('/-/desk/');
    expect(
      await page
        .locator('#customers tr[data-account]')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-account'))),
    ).toEqual(['alice']);
    expect(await page.locator('main form').count()).toBe(0);
    const forged = await page.request.post(new URL('/-/desk/', s.url).href, {
      form: {
        action: 'announce',
        start: '2026-03-20T09:00:00+01:00',
        end: '2026-03-20T10:00:00+01:00',
        reason: 'x',
      },
    });
    expect(forged.status()).toBe(403);
    const csrf = await page.locator('header input[name=csrf]').getAttribute('value');
    const denied = await page.request.post(new URL('/-/desk/', s.url).href, {
      form: {
        csrf: csrf!,
        action: 'announce',
        start: '2026-03-20T09:00:00+01:00',
        end: '2026-03-20T10:00:00+01:00',
        reason: 'x',
      },
    });
    expect(denied.status()).toBe(403);
    expect(await s.app.desk.desk.announcements()).toEqual([]);
    await logOut();
    expect(violations).toEqual([]);
  });

  it('says so on a wrong password, and keeps the form usable', async () => {
    await page.goto(new URL('/-/desk/login', s.url).href);
    await page.fill('input[name=account]', 'alice');
    await page.fill('input[name=password]', 'not the password');
    await Promise.all([page.waitForLoadState(), page.click('form button')]);
    expect(await shown(page.locator('.warn'))).toBe('Wrong account or password.');
    await page.fill('input[name=account]', 'alice');
    await page.fill('input[name=password]', 'alice password 1');
    await Promise.all([page.waitForURL(/\/-\/status$/), page.click('main form button')]);
    await logOut();
  });

  it('serves every page with a strict Content-Security-Policy and no script', async () => {
    const res = await fetch(new URL('/-/desk/login', s.url));
    expect(res.headers.get('content-security-policy')).toBe(
      "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    expect(await res.text()).not.toMatch(/<script|style=/);
  });
});
