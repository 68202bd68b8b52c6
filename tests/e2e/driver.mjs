// Drives the Microsoft 365 Agents Playground in headless Chromium as a person would: types
// messages, waits for the bot's cards, clicks card buttons, fills card inputs, takes
// screenshots. Steps come as a JSON file; the result (what each step saw) goes to stdout as JSON.
// Usage: node tests/e2e/driver.mjs --url URL --steps steps.json [--chromium /usr/bin/chromium]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const { values: options } = parseArgs({
  options: {
    url: { type: 'string' },
    steps: { type: 'string' },
    chromium: { type: 'string', default: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' },
    timeout: { type: 'string', default: '30000' },
    failshot: { type: 'string' },
  },
});
const timeout = Number(options.timeout);
const steps = JSON.parse(readFileSync(options.steps, 'utf8'));

// Offline-friendly flags: no GPU, no QUIC, no background fetches to Google services.
const browser = await chromium.launch({
  executablePath: options.chromium,
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});

const cards = (page) => page.locator('.ac-adaptiveCard');

async function cardCount(page) {
  return cards(page).count();
}

// The newest card whose text contains `text`, among those after the first `since` cards
// (0 for cards that update in place).
// `pattern`: `text` is a regular expression (e.g. progress past zero), not a plain substring.
async function waitForCardText(page, text, since, wait = timeout, pattern = false) {
  await page.waitForFunction(
    ({ text, since, pattern }) => [...document.querySelectorAll('.ac-adaptiveCard')]
      .slice(since).some((card) => (pattern
        ? new RegExp(text).test(card.innerText) : card.innerText.includes(text))),
    { text, since, pattern },
    { timeout: wait },
  );
  const matches = (found) => (pattern ? new RegExp(text).test(found) : found.includes(text));
  const all = cards(page);
  const n = await all.count();
  for (let i = n - 1; i >= 0; i -= 1) {
    const card = all.nth(i);
    if (matches(await card.innerText())) return card;
  }
  throw new Error(`no card contains ${text}`);
}

// The newest card on the page (a card that answers in place replaces the clicked one).
const lastCard = (page) => cards(page).last();

async function waitForLastCardText(page, text, wait = timeout) {
  await page.waitForFunction(
    (wanted) => {
      const all = [...document.querySelectorAll('.ac-adaptiveCard')];
      return all.length > 0 && all[all.length - 1].innerText.includes(wanted);
    },
    text,
    { timeout: wait },
  );
  return lastCard(page);
}

async function run(page, step, state) {
  if (step.waitLast !== undefined) {
    const card = await waitForLastCardText(page, step.waitLast, step.timeout ?? timeout);
    state.card = card;
    await page.waitForTimeout(step.settle ?? 500);
    return { card: (await card.innerText()).replace(/\s+\n/g, '\n').trim() };
  }
  if (step.radio !== undefined) {
    await (state.card ?? lastCard(page)).getByRole('radio', { name: new RegExp(step.radio) }).check();
    return { radio: step.radio };
  }
  if (step.checkbox !== undefined) {
    await (state.card ?? lastCard(page)).getByRole('checkbox', { name: new RegExp(step.checkbox) })
      .check();
    return { checkbox: step.checkbox };
  }
  if (step.checkAll !== undefined) {
    const boxes = await (state.card ?? lastCard(page)).getByRole('checkbox').all();
    for (const box of boxes) await box.check();
    return { checkedAll: boxes.length };
  }
  if (step.press !== undefined) {
    // A button of the newest card, by its exact title; the answer replaces that card.
    state.since = await cardCount(page);
    await lastCard(page).getByRole('button', { name: step.press, exact: true }).last().click();
    state.card = null;
    return { pressed: step.press };
  }
  if (step.shootCard !== undefined) {
    const card = state.card ?? lastCard(page);
    await card.scrollIntoViewIfNeeded();
    await page.waitForTimeout(step.settle ?? 800);
    await card.screenshot({ path: step.shootCard });
    return { screenshot: step.shootCard };
  }
  if (step.say !== undefined) {
    state.since = await cardCount(page);
    const editor = page.locator('[data-lexical-editor="true"]').first();
    await editor.click();
    await page.keyboard.type(step.say);
    await page.keyboard.press('Enter');
    return { said: step.say };
  }
  if (step.waitCard !== undefined) {
    const card = await waitForCardText(
      page, step.waitCard, step.anywhere ? 0 : state.since, step.timeout ?? timeout,
      step.pattern ?? false,
    );
    state.card = card;
    await page.waitForTimeout(step.settle ?? 500);
    return { card: (await card.innerText()).replace(/\s+\n/g, '\n').trim() };
  }
  if (step.click !== undefined) {
    const scope = state.card ?? page;
    state.since = await cardCount(page);
    await scope.getByRole('button', { name: step.click, exact: step.exact ?? false }).last().click();
    return { clicked: step.click };
  }
  if (step.fill !== undefined) {
    const scope = state.card ?? lastCard(page);
    const input = scope.getByLabel(step.fill.label, { exact: false }).last();
    await input.fill(step.fill.value);
    return { filled: step.fill.label };
  }
  if (step.check !== undefined) {
    const scope = state.card ?? page;
    await scope.getByLabel(step.check, { exact: false }).last().check();
    return { checked: step.check };
  }
  if (step.select !== undefined) {
    const scope = state.card ?? page;
    await scope.getByLabel(step.select.label, { exact: false }).last()
      .selectOption({ label: step.select.option });
    return { selected: step.select.option };
  }
  if (step.screenshot !== undefined) {
    if (state.card) await state.card.scrollIntoViewIfNeeded();
    await page.waitForTimeout(step.settle ?? 800);
    await page.screenshot({ path: step.screenshot });
    return { screenshot: step.screenshot };
  }
  if (step.wait !== undefined) {
    await page.waitForTimeout(step.wait);
    return { waited: step.wait };
  }
  throw new Error(`unknown step ${JSON.stringify(step)}`);
}

const results = [];
let failure = null;
let page = null;
try {
  // Tall, so that a whole card fits in one picture.
  page = await browser.newPage({ viewport: { width: 1400, height: 2400 } });
  await page.goto(options.url, { waitUntil: 'domcontentloaded', timeout });
  await page.locator('[data-lexical-editor="true"]').first().waitFor({ state: 'visible', timeout });
  // The install brings a welcome card: let it arrive so it is not taken for an answer.
  await page.waitForTimeout(2000);
  const state = { since: await cardCount(page), card: null };
  for (const step of steps) {
    results.push({ step, ...(await run(page, step, state)) });
  }
} catch (error) {
  const at = steps[results.length];
  failure = `step ${results.length + 1} ${JSON.stringify(at)}: ${error && error.stack ? error.stack : error}`;
  // What the page showed when the step failed: a picture and the newest card's text.
  if (page) {
    if (options.failshot) await page.screenshot({ path: options.failshot, fullPage: true }).catch(() => {});
    const text = await lastCard(page).innerText({ timeout: 2000 }).catch(() => '(no card)');
    failure += `\nnewest card:\n${text}`;
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify({ results, failure }) + '\n');
process.exit(failure ? 1 : 0);
