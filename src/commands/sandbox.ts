// `sandbox up|down|status DIR`: a throwaway installation on a private MariaDB server.
import type { Command } from "commander";
import type { Binder } from "../cli/program.js";
import type { Ctx } from "../cli/context.js";
import { usage } from "../errors.js";
import { assertWorkspaceName } from "../install/names.js";
import { selfCommand, shellWord } from "../ui/self-command.js";
import { sandboxDown, sandboxStatus, sandboxUp, type SandboxStatus } from "../sandbox/sandbox.js";

function positiveInt(value: string, what: string): number {
  if (!/^\d+$/.test(value))
    throw usage("USAGE.BAD_NUMBER", `${what} must be a whole number, not '${value}'.`);
  return Number(value);
}

function printStatus(ctx: Ctx, s: SandboxStatus): void {
  ctx.out.line(`Sandbox           ${s.dir}`);
  ctx.out.line(
    `MariaDB server    ${s.running ? `running on 127.0.0.1:${s.port ?? "?"} (pid ${s.pid ?? "?"})` : "stopped"}`,
  );
  ctx.out.line(`Shared directory  ${s.sharedDir}`);
  ctx.out.line(`Workspaces        ${s.workspaces.join(", ") || "(none)"}`);
}

export function registerSandbox(program: Command, bind: Binder): void {
  const sandbox = program
    .command("sandbox")
    .description(
      "a disposable ProcessMaker 3 installation on a private MariaDB server (for demos, CI and tests)",
    );
  sandbox
    .command("up")
    .description("start (or create) a sandbox in DIR with a realistic workspace")
    .argument("<dir>", "directory for the sandbox (created if missing)")
    .option("--workspace <name>", "workspace to create", "workflow")
    .option("--cases <n>", "number of generated cases", "50")
    .option("--doc-bytes <n>", "size of each generated case document in bytes")
    .action(
      bind(async (ctx, cmd) => {
        const o = cmd.opts<{ workspace: string; cases: string; docBytes?: string }>();
        assertWorkspaceName(o.workspace);
        const s = await sandboxUp({
          dir: cmd.args[0] ?? "",
          workspace: o.workspace,
          cases: positiveInt(o.cases, "--cases"),
          ...(o.docBytes === undefined ? {} : { docBytes: positiveInt(o.docBytes, "--doc-bytes") }),
          now: ctx.rt.now(),
          env: ctx.rt.env,
          onProgress: (m) => ctx.out.info(m),
        });
        ctx.out.document({ ok: true, ...s });
        printStatus(ctx, s);
        ctx.out.line();
        // A command that works as pasted, from any directory (no npx, no relative path).
        const self = selfCommand(ctx.rt.env);
        ctx.out.line(`Try: ${self} --install-dir ${shellWord(s.installDir)} info`);
        ctx.out.line(`Remove it with: ${self} sandbox down ${shellWord(s.dir)} --purge`);
      }),
    );
  sandbox
    .command("down")
    .description("stop the sandbox's server (and with --purge remove the whole directory)")
    .argument("<dir>", "sandbox directory")
    .option("--purge", "remove the sandbox directory after stopping")
    .action(
      bind(async (ctx, cmd) => {
        const purge = cmd.opts<{ purge?: boolean }>().purge === true;
        const r = await sandboxDown(cmd.args[0] ?? "", purge);
        ctx.out.document({ ok: true, ...r });
        ctx.out.line(r.stopped ? "MariaDB server stopped." : "MariaDB server was not running.");
        if (r.purged) ctx.out.line("Sandbox directory removed.");
      }),
    );
  sandbox
    .command("status")
    .description("show whether the sandbox's server runs and which workspaces it has")
    .argument("<dir>", "sandbox directory")
    .action(
      bind(async (ctx, cmd) => {
        const s = await sandboxStatus(cmd.args[0] ?? "");
        ctx.out.document({ ok: true, ...s });
        printStatus(ctx, s);
      }),
    );
}
