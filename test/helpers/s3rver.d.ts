// s3rver ships no types: the little the test harness uses of it.
declare module "s3rver" {
  import type { Server } from "node:http";
  interface KoaContext {
    method: string;
    path: string;
    query: Record<string, string | undefined>;
    status: number;
    type: string;
    body: unknown;
  }
  type Middleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void> | void;
  // eslint-disable-next-line no-restricted-syntax -- describes s3rver's own CommonJS default export
  export default class S3rver {
    constructor(options: Record<string, unknown>);
    middleware: Middleware[];
    store: { getResourcePath(bucket: string, key: string | undefined, resource: string): string };
    httpServer: Server;
    run(): Promise<{ address: string; port: number }>;
    close(): Promise<void>;
  }
}
