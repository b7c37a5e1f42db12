// The API reference page (Scalar) as a developer's browser shows it: loads the page, waits until the operations of
// the OpenAPI document are rendered, and prints {"title": …, "operations": [...found...], "failedRequests": [...]} as
// one JSON line. Everything it loads must come from the app itself (no CDN): requests elsewhere are aborted and listed.
// Usage: node reference.mjs <referenceUrl> <operation summary>...
import { chromium } from 'playwright-core';

const [referenceUrl, ...summaries] = process.argv.slice(2);
if (!referenceUrl || summaries.length === 0) {
  console.error('usage: node reference.mjs <referenceUrl> <operation summary>...');
  process.exit(2);
}

const origin = new URL(referenceUrl).origin;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage();
  const elsewhere = [];
  const failed = [];
  await page.route('**/*', route => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith('data:') || url.startsWith('blob:')) {
      return route.continue();
    }
    elsewhere.push(url);
    return route.abort();
  });
  page.on('requestfailed', r => { if (r.url().startsWith(origin)) failed.push(r.url()); });
  const response = await page.goto(referenceUrl);
  const found = [];
  for (const summary of summaries) {
    await page.getByText(summary, { exact: true }).first().waitFor({ state: 'attached', timeout: 30000 });
    found.push(summary);
  }
  console.log(JSON.stringify({ status: response.status(), title: await page.title(), operations: found, elsewhere, failedRequests: failed }));
} finally {
  await browser.close();
}
