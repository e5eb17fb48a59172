// Every command, in the order `pmadmin --help` lists them. Each file registers itself.
import type { Registrar } from "../cli/program.js";
import { registerInfo } from "./info.js";
import { registerCheckIntegrity } from "./check-integrity.js";
import { registerPlatform } from "./platform.js";
import { registerSandbox } from "./sandbox.js";

export const COMMANDS: readonly Registrar[] = [registerInfo, registerSandbox, registerCheckIntegrity, registerPlatform];
