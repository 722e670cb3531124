import { Flags } from "@oclif/core";
import { AvsyncCommand } from "../lib/cli/avsync-command.js";
import { pusherFlags } from "../lib/cli/shared-flags.js";
import { pusherConfigFromFlags } from "../lib/cli/pusher-config.js";
import { parseHostFlag } from "../lib/cli/parse-values.js";
import { isLoopbackHost } from "../lib/rtc/index.js";
import { parseOriginFlags } from "../lib/signaling/index.js";
import { startEmbeddedTargetThread } from "../lib/target/index.js";
import { maxTerminalLineChars, safeText } from "../lib/text/index.js";

export default class Serve extends AvsyncCommand {
  static summary = "Run the embedded digital-human target on its own, so browsers and other tools can connect.";
  static description =
    "Starts avsync's reference target on loopback (or the one address --host names): a WebRTC pusher that streams the lip-sync test pattern (a white flash and a beep once per marker period) to every client that sends an offer over WebSocket JSON signaling ({\"type\":\"offer\",\"sdp\"} → {\"type\":\"answer\",\"sdp\"}). It runs until Ctrl-C.\nA web page on another site cannot drive it through your browser: it answers only to Host 127.0.0.1 or localhost (or the --host address), and takes WebSocket connections from its own page (or --allow-origin) and from tools that send no Origin. A connection must send its request and its offer within 10 s, a signaling message may hold 256 KiB, and --max-sessions clients are served at once.";
  static examples = [
    "<%= config.bin %> <%= command.id %>",
    "<%= config.bin %> <%= command.id %> --port 8080 --pusher seed",
    "<%= config.bin %> <%= command.id %> --content-offset-ms 80",
    "<%= config.bin %> <%= command.id %> --allow-origin http://127.0.0.1:3000 --max-sessions 5",
    "<%= config.bin %> <%= command.id %> --host 10.213.0.2 --port 8080",
  ];
  static flags = {
    ...pusherFlags,
    host: Flags.string({
      default: "127.0.0.1",
      description:
        "The address to listen on and send media from: one IP address of this machine. Anything but loopback lets every host that reaches that address take a session (up to --max-sessions), so avsync says so when it starts.",
    }),
    port: Flags.integer({ default: 8080, min: 0, max: 65535, description: "TCP port to listen on; 0 picks a free one." }),
    "allow-origin": Flags.string({
      multiple: true,
      description: "Another web origin (e.g. http://127.0.0.1:3000) whose pages may open the signaling WebSocket; by default only the target's own page may. Repeatable.",
    }),
    "max-sessions": Flags.integer({ default: 20, min: 1, max: 200, description: "WebSocket clients served at once (waiting for their offer or streaming); more are refused with HTTP 503." }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Serve);
    let config;
    let allowedOrigins;
    let listen;
    try {
      config = pusherConfigFromFlags(flags);
      allowedOrigins = parseOriginFlags(flags["allow-origin"] ?? [], "allow-origin");
      listen = parseHostFlag(flags.host);
    } catch (error) {
      this.error((error as Error).message, { exit: 2 });
    }
    if (!isLoopbackHost(listen)) {
      this.logToStderr(`warning: ${listen} is not loopback: any host that reaches it can take a session (up to --max-sessions ${flags["max-sessions"]}) and is sent media from it.`);
    }
    const target = await startEmbeddedTargetThread({ host: listen, port: flags.port, ...config, allowedOrigins, maxSessions: flags["max-sessions"] }).catch((error: Error) =>
      this.error(error.message, { exit: 2 }),
    );
    target.on("session", (session) => this.logToStderr(`session ${session.id}: pushing (${config.mode})`));
    target.on("sessionError", (error) => this.logToStderr(`session failed: ${safeText(error.message, maxTerminalLineChars)}`));
    this.logToStderr(`avsync target listening: ${target.url}  (Ctrl-C to stop)`);
    this.logToStderr(`watch and hear it with the live offset: ${target.url.replace(/^ws/, "http").replace(/\/ws$/, "/")}`);
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    await target.close();
  }
}
