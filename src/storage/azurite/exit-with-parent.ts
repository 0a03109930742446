/*
 * Preloaded (`node --require`) into the embedded Azurite child. The parent spawns the child with an IPC
 * channel; the operating system closes that channel however the parent ends (exit, crash, SIGKILL), and
 * the child then shuts down too, so no Azurite outlives the bridge or a test run. Shutting down goes
 * through Azurite's own SIGTERM handler (servers close, data on disk is flushed), with a hard exit as
 * the fallback. The channel is unref'd so that it alone never keeps the child alive. The child runs in
 * its own process group (so a terminal's Ctrl-C reaches only the parent, which stops it last): this
 * channel, not the group, is what ties its life to the parent's.
 */
const GRACE_MS = 5_000;

process.on("disconnect", () => {
  setTimeout(() => process.exit(0), GRACE_MS).unref();
  process.kill(process.pid, "SIGTERM");
});
process.channel?.unref();

export {};
