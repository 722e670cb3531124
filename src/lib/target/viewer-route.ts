import type { IncomingMessage, ServerResponse } from "node:http";
import { renderViewerPage, type ViewerPageOptions } from "../browser/index.js";

/**
 * The target's plain-HTTP side: `/` is the viewer page (watch, hear and measure the stream in any
 * browser); every other path says where signaling is.
 */
export function serveViewerPage(options: ViewerPageOptions): (req: IncomingMessage, res: ServerResponse) => void {
  let page: string | undefined;
  return (req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if ((req.method === "GET" || req.method === "HEAD") && (path === "/" || path === "/index.html")) {
      page ??= renderViewerPage(options);
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
      res.end(req.method === "HEAD" ? undefined : page);
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" });
    res.end(`avsync embedded target: open / in a browser to watch the stream; signaling is a WebSocket at ${options.wsPath}\n`);
  };
}
