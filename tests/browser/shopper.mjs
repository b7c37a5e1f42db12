// A shopper in a real browser: opens the payment page, presses a button, and lets the pages do the rest
// (the sandbox's auto-submitting return form, our 303). Prints {"finalUrl": …} as one JSON line.
// Usage: node shopper.mjs <redirectUrl> <button label> <shop origin>
// The shop is a local test server, so nothing leaves this machine.
import { chromium } from 'playwright-core';

const [redirectUrl, label, shopOrigin] = process.argv.slice(2);
if (!redirectUrl || !label || !shopOrigin) {
  console.error('usage: node shopper.mjs <redirectUrl> <button label> <shop origin>');
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage();
  await page.goto(redirectUrl);
  await Promise.all([
    page.waitForURL(url => url.href.startsWith(shopOrigin), { timeout: 30000 }),
    page.getByRole('button', { name: label, exact: true }).click(),
  ]);
  console.log(JSON.stringify({ finalUrl: page.url() }));
} finally {
  await browser.close();
}
