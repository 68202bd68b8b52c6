// Drives the running Agents Playground in headless Chromium: asks one question, waits for the
// bot's card, saves a screenshot. Starts nothing itself (docs/playground.md).
// Usage: node scripts/screenshot_playground.mjs [--url URL] [--question TEXT] [--out FILE]
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const { values: options } = parseArgs({
  options: {
    url: { type: 'string', default: process.env.PLAYGROUND_URL ?? 'http://localhost:56150' },
    question: { type: 'string', default: 'which number do I call out as?' },
    out: { type: 'string', default: 'docs/screenshots/playground-callerid.png' },
    chromium: { type: 'string', default: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' },
    timeout: { type: 'string', default: '30000' },
    'hide-log': { type: 'boolean', default: false },
    height: { type: 'string', default: '900' },
  },
});
const timeout = Number(options.timeout);

// Offline-friendly flags: no GPU, no QUIC, no background fetches to Google services.
const browser = await chromium.launch({
  executablePath: options.chromium,
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: Number(options.height) } });
  await page.goto(options.url, { waitUntil: 'domcontentloaded', timeout });
  // The message box is a Lexical contenteditable editor, not a textarea: click, then type.
  const editor = page.locator('[data-lexical-editor="true"]').first();
  await editor.waitFor({ state: 'visible', timeout });
  // Installation may bring a welcome card: let it arrive so it is not taken for the answer.
  await page.waitForTimeout(2000);
  await editor.click();
  await page.keyboard.type(options.question);
  await page.keyboard.press('Enter');
  // The answer is the first card rendered after the bubble holding our question.
  await page.waitForFunction(
    (question) => {
      const bubbles = [...document.querySelectorAll('div, p, span')]
        .filter((node) => node.childElementCount === 0 && node.textContent.trim() === question);
      const cards = [...document.querySelectorAll('.ac-adaptiveCard')];
      // The log panel echoes the question too, but it comes after the chat: no card follows it.
      return bubbles.some((bubble) => cards.some(
        (card) => bubble.compareDocumentPosition(card) & Node.DOCUMENT_POSITION_FOLLOWING));
    },
    options.question,
    { timeout },
  );
  const cards = page.locator('.ac-adaptiveCard');
  if (options['hide-log']) {
    await page.getByRole('button', { name: /close/i }).first().click().catch(() => {});
  }
  // Let the card finish laying out (images, fonts falling back) before the picture.
  await page.waitForTimeout(1500);
  await cards.last().scrollIntoViewIfNeeded();
  await page.screenshot({ path: options.out });
  const answer = (await cards.last().innerText()).replace(/\s+\n/g, '\n').trim();
  console.log(`Saved ${options.out}\n--- the bot's card ---\n${answer}`);
} finally {
  await browser.close();
}
