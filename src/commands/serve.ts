import { Flags } from "@oclif/core";
import { AvsyncCommand } from "../lib/cli/avsync-command.js";
import { pusherFlags } from "../lib/cli/shared-flags.js";
import { pusherConfigFromFlags } from "../lib/cli/pusher-config.js";
import { startEmbeddedTargetThread } from "../lib/target/index.js";

export default class Serve extends AvsyncCommand {
  static summary = "Run the embedded digital-human target on its own, so browsers and other tools can connect.";
  static description =
    "Starts avsync's reference target on loopback: a WebRTC pusher that streams the lip-sync test pattern (a white flash and a beep once per marker period) to every client that sends an offer over WebSocket JSON signaling ({\"type\":\"offer\",\"sdp\"} → {\"type\":\"answer\",\"sdp\"}). It runs until Ctrl-C.";
  static examples = [
    "<%= config.bin %> <%= command.id %>",
    "<%= config.bin %> <%= command.id %> --port 8080 --pusher seed",
    "<%= config.bin %> <%= command.id %> --content-offset-ms 80",
  ];
  static flags = {
    ...pusherFlags,
    port: Flags.integer({ default: 8080, min: 0, max: 65535, description: "TCP port to listen on (127.0.0.1 only); 0 picks a free one." }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Serve);
    let config;
    try {
      config = pusherConfigFromFlags(flags);
    } catch (error) {
      this.error((error as Error).message, { exit: 2 });
    }
    const target = await startEmbeddedTargetThread({ port: flags.port, ...config }).catch((error: Error) =>
      this.error(error.message, { exit: 2 }),
    );
    target.on("session", (session) => this.logToStderr(`session ${session.id}: pushing (${config.mode})`));
    target.on("sessionError", (error) => this.logToStderr(`session failed: ${error.message}`));
    this.logToStderr(`avsync target listening: ${target.url}  (Ctrl-C to stop)`);
    this.logToStderr(`watch and hear it with the live offset: ${target.url.replace(/^ws/, "http").replace(/\/ws$/, "/")}`);
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    await target.close();
  }
}
