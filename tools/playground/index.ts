/** Microsoft 365 Agents Playground as the Teams client of the demo and the browser tests. Dev-only. */
export { startPlayground, type PlaygroundOptions, type RunningPlayground } from "./playground";
export { PLAYGROUND, playgroundConfigFile } from "./playground-config";
