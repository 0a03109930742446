import { resolve } from "node:path";
import { PLAYGROUND } from "../playground";
import { startDemoStack, type DemoStack } from "./demo-stack";
import { landingHtml, startLandingPage, type LandingPage } from "./landing-page";

/**
 * `npm run demo`: the bridge working end to end on this machine, without a Meta app, an Azure Bot or a
 * Teams tenant. Starts the demo stack (see demo-stack.ts), seeds two customers, and prints ONE address:
 * a page with the WhatsApp simulator and the Agents Playground side by side. Ctrl-C, or SIGINT, SIGTERM
 * or SIGHUP sent to this process alone (npm forwards the first two; `npm run demo` execs node, so no
 * shell stands between), stops everything.
 *
 * Option: `--port N` for the page (default 3900; any free port if 3900 is taken). Storage is in memory:
 * the Playground's view and the simulator start empty on every run, so the bridge's data does too, and
 * the files customers send are kept in a folder of this run under `.data/demo`, removed on exit.
 */

const DEFAULT_PORT = 3900;
/** A second stop request within this time is the same one arriving twice (see `stop`). */
const REPEAT_GRACE_MS = 1_000;
const DATA_DIR = resolve(".data/demo");

function parseArgs(argv: readonly string[]): { port: number } {
  const portAt = argv.indexOf("--port");
  const port = portAt >= 0 ? Number(argv[portAt + 1]) : DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error("demo: --port needs a number between 0 and 65535");
    process.exit(2);
  }
  return { port };
}

async function openLandingPage(stack: DemoStack, port: number): Promise<LandingPage> {
  const html = landingHtml({
    simulatorUrl: stack.simulator.url,
    playgroundUrl: stack.playground.url,
    businessNumber: stack.simulator.business.displayPhoneNumber,
    botName: PLAYGROUND.bot.name,
    channelName: PLAYGROUND.channel.name,
  });
  try {
    return await startLandingPage(html, port);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE" || port === 0) throw err;
    return startLandingPage(html, 0);
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const started = Date.now();
  console.log("Starting the demo: storage (Azurite), WhatsApp simulator, bridge, Agents Playground…");
  const stack = await startDemoStack({ dataDir: DATA_DIR });
  let landing: LandingPage | undefined;

  let stoppingSince: number | undefined;
  const stop = (signal: string) => {
    if (stoppingSince !== undefined) {
      // A Ctrl-C reaches this process twice at once: from the terminal (to the whole group) and
      // forwarded by npm. Only a later, second request forces the exit.
      if (Date.now() - stoppingSince < REPEAT_GRACE_MS) return;
      console.log("Forced exit.");
      process.exit(1);
    }
    stoppingSince = Date.now();
    console.log(`\n${signal}: stopping the demo…`);
    (async () => {
      await landing?.close();
      await stack.stop();
    })().then(
      () => {
        console.log("Stopped. Nothing is left running.");
        process.exit(0);
      },
      (err: unknown) => {
        console.error(`demo: stopping failed: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
      },
    );
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => stop(signal));

  stack.simulator.addCustomer({ name: "Maria Souza", phone: "+55 11 98765-4321" });
  stack.simulator.addCustomer({ name: "Leo", username: "leo.travels" });
  landing = await openLandingPage(stack, args.port);

  console.log(`
  Ready in ${((Date.now() - started) / 1000).toFixed(1)} s. Open this address in your browser:

      ${landing.url}

  (the bridge's log: ${stack.bridgeLog}; Ctrl-C stops everything)
`);
}

main().catch((err: unknown) => {
  console.error(`demo: could not start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
