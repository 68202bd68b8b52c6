// Drives the admin set-up through the running Agents Playground (signed in as Megan) in headless
// Chromium and saves one screenshot of the card of each step. Starts nothing itself: run the bot
// and `bash scripts/playground.sh MeganB` first (docs/playground.md).
// Usage: node scripts/screenshot_setup.mjs [--url URL] [--out DIR] [--chromium PATH]
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const { values: options } = parseArgs({
  options: {
    url: { type: 'string', default: process.env.PLAYGROUND_URL ?? 'http://localhost:56150' },
    out: { type: 'string', default: 'docs/screenshots' },
    chromium: { type: 'string', default: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' },
    timeout: { type: 'string', default: '30000' },
  },
});
const timeout = Number(options.timeout);

const browser = await chromium.launch({
  executablePath: options.chromium,
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});

// The card the set-up answers with replaces the clicked one in place: the last card on the page.
const lastCard = (page) => page.locator('.ac-adaptiveCard').last();

async function waitForText(page, text) {
  await page.waitForFunction(
    (wanted) => {
      const cards = [...document.querySelectorAll('.ac-adaptiveCard')];
      return cards.length && cards[cards.length - 1].innerText.includes(wanted);
    },
    text,
    { timeout },
  );
  await page.waitForTimeout(800); // let the card finish laying out before the picture
}

async function shoot(page, name) {
  const card = lastCard(page);
  await card.scrollIntoViewIfNeeded();
  await card.screenshot({ path: `${options.out}/${name}.png` });
  console.log(`Saved ${options.out}/${name}.png`);
}

async function press(page, title) {
  await lastCard(page).getByRole('button', { name: title, exact: true }).last().click();
}

async function fill(page, label, text) {
  const field = lastCard(page).getByLabel(label, { exact: false }).first();
  await field.click();
  await field.fill(text);
}

try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 2400 } });
  await page.goto(options.url, { waitUntil: 'domcontentloaded', timeout });
  const editor = page.locator('[data-lexical-editor="true"]').first();
  await editor.waitFor({ state: 'visible', timeout });
  await page.waitForTimeout(2500); // the welcome card, on install
  await shoot(page, 'setup-0-welcome');
  await editor.click();
  await page.keyboard.type('set up shared calling');
  await page.keyboard.press('Enter');

  await waitForText(page, 'step 1 of 6');
  await shoot(page, 'setup-1-resource-account');
  await lastCard(page).getByRole('radio', { name: /Contoso Main Line/ }).check();
  await press(page, 'Next');

  await waitForText(page, 'step 2 of 6');
  await fill(page, 'New policy name', 'Redmond');
  await shoot(page, 'setup-2-policy');
  await press(page, 'Next');

  await waitForText(page, 'step 3 of 6');
  await lastCard(page).getByRole('checkbox', { name: /0193/ }).check();
  await lastCard(page).getByRole('checkbox', { name: /0194/ }).check();
  await press(page, 'Add');
  await waitForText(page, 'reused first');
  await shoot(page, 'setup-3-emergency-numbers');
  await press(page, 'Next');

  await waitForText(page, 'step 4 of 6');
  // The typeahead with its first suggestions. Teams asks the bot (`application/search`) as one
  // types; the Playground (0.2.28) only filters the suggestions in the card (docs/playground.md).
  await lastCard(page).getByRole('combobox').first().click();
  await page.keyboard.type('A', { delay: 150 });
  await page.waitForTimeout(1000);
  await shoot(page, 'setup-4a-people-search');
  await page.keyboard.press('Escape');
  await lastCard(page).getByRole('combobox').first().fill('');
  await fill(page, 'Paste UPNs', 'DiegoS@contoso.example\nPradeepG@contoso.example');
  await press(page, 'Add');
  await waitForText(page, 'Chosen: 2');
  await shoot(page, 'setup-4-people');
  await press(page, 'Next');

  await waitForText(page, 'step 5 of 6');
  await shoot(page, 'setup-5-assignment');
  await press(page, 'Next');

  await waitForText(page, 'step 6 of 6');
  for (const box of await lastCard(page).getByRole('checkbox').all()) await box.check();
  await fill(page, 'Why are these changes needed', 'Pilot of Shared Calling for two new hires');
  await shoot(page, 'setup-6-review');
  await press(page, 'Submit for approval');

  await waitForText(page, 'is waiting for approval');
  await shoot(page, 'setup-7-submitted');
  console.log((await lastCard(page).innerText()).replace(/\s+\n/g, '\n').trim());
} finally {
  await browser.close();
}
