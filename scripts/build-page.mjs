// Bundles the viewer page's TypeScript (src/lib/browser/page/viewer-app.ts, type-checked by tsc with
// the rest) into one browser script, dist/page/viewer-app.js, which renderViewerPage inlines.
// Part of `npm run build`.
import { build } from "esbuild";

await build({
  entryPoints: [new URL("../src/lib/browser/page/viewer-app.ts", import.meta.url).pathname],
  outfile: new URL("../dist/page/viewer-app.js", import.meta.url).pathname,
  bundle: true,
  format: "iife",
  target: "chrome110",
  charset: "utf8",
  legalComments: "none",
  logLevel: "warning",
});
