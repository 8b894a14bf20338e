// Writes playground/screenshot.png, the README's picture of the page:
//   deno run -A playground/_screenshot.ts
// (builds the page, trains moons for 3 s, steps backward three times).

import { deno, launchChromium, OUT_DIR } from "./_browser.ts";

const dist = `${OUT_DIR}dist`;
await deno(["task", "playground:build", "--out", dist]);
const browser = await launchChromium();
try {
  const page = await browser.newPage({
    viewport: { width: 1240, height: 1200 },
  });
  await page.goto(`file://${dist}/index.html`);
  await page.click("#play");
  await page.waitForTimeout(3000);
  await page.click("#play");
  for (let i = 0; i < 3; i++) await page.click("#graph-step");
  const path = new URL("screenshot.png", import.meta.url).pathname;
  await page.screenshot({
    path,
    clip: { x: 0, y: 0, width: 1240, height: 1215 },
  });
  console.log(`wrote ${path}`);
} finally {
  await browser.close();
}
