// The playground's one script: on the page it starts the panels; loaded as
// a Web Worker (the page starts it from its own inline copy), it trains.

import { startPage } from "./page.ts";
import { startWorker } from "./worker.ts";

if (typeof document === "undefined") {
  startWorker(globalThis as unknown as Parameters<typeof startWorker>[0]);
} else {
  startPage();
}
