// `--s3-endpoint URL` and `--s3-path-style` for every command that takes an s3:// location
// (cli-contract.md §Off-site storage). The store is opened only when a location is in S3.
import type { Command } from "commander";
import { openS3, s3Settings, type S3Store } from "../archive/s3/client.js";
import type { Ctx } from "./context.js";

export function withS3Options(cmd: Command): Command {
  return cmd
    .option(
      "--s3-endpoint <url>",
      "S3-compatible endpoint for s3:// locations (default: env AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL, else AWS)",
    )
    .option(
      "--s3-path-style",
      "address buckets as ENDPOINT/BUCKET (MinIO and most non-AWS stores; env PM_S3_PATH_STYLE=1)",
    );
}

/** The object store for this run, from the options and the environment. */
export function s3Store(ctx: Ctx, cmd: Command): S3Store {
  const o = cmd.opts<{ s3Endpoint?: string; s3PathStyle?: boolean }>();
  return openS3(s3Settings({ endpoint: o.s3Endpoint, pathStyle: o.s3PathStyle, env: ctx.rt.env }));
}
