// Deterministic ProcessMaker 3 cases: APPLICATION, APP_DELEGATION, APP_CACHE_VIEW and APP_DOCUMENT
// rows, and the document files that belong on disk. Every case is planned from (seed, number) alone,
// so the SQL and the files can be produced by two separate passes that always agree, and both
// passes stream: memory holds one batch of plans (or one document), whatever the case count.
import { createHash } from "node:crypto";
import { phpMap, phpSerialize } from "../admin/php-serialize.js";
import { utcSqlDateTime } from "../db/datetime.js";
import { insertStatement, type SqlRow } from "../db/sql-text.js";
import { PROCESS_TITLE, PROCESS_UID, TASK_TITLES, TASK_UIDS, seedUserDisplayName } from "./seed.js";

export interface CaseGenOptions {
  count: number;
  seed?: number;
  now: Date;
  /** Cases per batch; each batch yields up to four INSERTs of at most 3 × batchSize rows. */
  batchSize?: number;
  processUid: string;
  taskUids: readonly string[];
  userUids: readonly string[];
  /** Exact size of every document file in bytes (default 4096). */
  docBytes?: number;
  /** APP_NUMBER of the first case (default 1), for adding cases to a workspace that has some. */
  firstNumber?: number;
}

export type CaseStatus = "DRAFT" | "TO_DO" | "COMPLETED" | "CANCELLED";

export interface DelegationPlan {
  index: number;
  taskUid: string;
  userUid: string;
  delegated: Date;
  initiated: Date | null;
  finished: Date | null;
  due: Date;
  risk: Date;
  open: boolean;
}

export interface DocumentPlan {
  appDocUid: string;
  version: number;
  docIndex: number;
  delIndex: number;
  userUid: string;
  created: Date;
  filename: string;
  ext: string;
  type: "INPUT" | "ATTACHED";
  relPath: string;
}

export interface CasePlan {
  number: number;
  appUid: string;
  status: CaseStatus;
  title: string;
  created: Date;
  updated: Date;
  finished: Date | null;
  data: string;
  pin: string;
  delegations: DelegationPlan[];
  documents: DocumentPlan[];
}

export interface CaseCounts {
  applications: number;
  delegations: number;
  cacheRows: number;
  documents: number;
  documentBytes: number;
}

export const DEFAULT_DOC_BYTES = 4096;
export const DEFAULT_BATCH_SIZE = 200;
/** DOC_UID of the "Invoice scan" input document that INPUT rows refer to. */
export const INPUT_DOCUMENT_UID = "9104421335f0c3c4e0b5d12071530864";

const STATUS_ID: Record<CaseStatus, number> = { DRAFT: 1, TO_DO: 2, COMPLETED: 3, CANCELLED: 4 };
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// Apostrophes and non-ASCII text exercise quoting and utf8 through dump and restore.
const VENDORS = [
  "Müller GmbH",
  "O'Brien & Sons",
  "Łódź Logistics",
  "Café Olé S.A.",
  "Acme Corp",
  "北京贸易有限公司",
  "Nordic Paper AB",
];
const DOC_NAMES = [
  "Invoice {n}.pdf",
  "Überweisung März {n}.pdf",
  "receipt_{n}.png",
  "contract {n}.docx",
  "notes-{n}.txt",
  "delivery note {n}.xlsx",
];

// --- deterministic randomness ------------------------------------------------------------------

/** murmur3's finaliser: a bijection on uint32, so distinct inputs give distinct outputs. */
function fmix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

interface Rng {
  u32(): number;
  float(): number;
  int(maxExclusive: number): number;
}

/** mulberry32: tiny, fast and good enough for fixture data (never Math.random). */
function rng(seed: number): Rng {
  let a = seed >>> 0;
  const u32 = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
  return {
    u32,
    float: () => u32() / 4294967296,
    int: (max) => Math.floor((u32() / 4294967296) * max),
  };
}

const hex8 = (n: number): string => n.toString(16).padStart(8, "0");

/**
 * A 32-hex UID whose first 8 digits are a bijection of `key`: unique per key whatever the seed,
 * and spread evenly over the files/<aaa>/<bbb>/<ccc> directories like real UIDs.
 */
function uid(key: number, r: Rng): string {
  return hex8(fmix32(key)) + hex8(r.u32()) + hex8(r.u32()) + hex8(r.u32());
}

// --- planning ----------------------------------------------------------------------------------

/** The ver2 document path (relative to sites/<ws>/), as G::getPathFromUIDPlain lays it out. */
export function documentRelPath(
  appUid: string,
  appDocUid: string,
  version: number,
  ext: string,
): string {
  const a = appUid;
  return `files/${a.slice(0, 3)}/${a.slice(3, 6)}/${a.slice(6, 9)}/${a.slice(9)}/${appDocUid}_${version}.${ext}`;
}

function validate(o: CaseGenOptions): void {
  if (!Number.isInteger(o.count) || o.count < 0)
    throw new RangeError(`count must be ≥ 0: ${o.count}`);
  if (o.taskUids.length === 0 || o.userUids.length === 0) {
    throw new RangeError("taskUids and userUids must not be empty");
  }
  const bs = o.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(bs) || bs < 1) throw new RangeError(`batchSize must be ≥ 1: ${bs}`);
  const db = o.docBytes ?? DEFAULT_DOC_BYTES;
  if (!Number.isInteger(db) || db < 0) throw new RangeError(`docBytes must be ≥ 0: ${db}`);
}

function pick<T>(items: readonly T[], r: Rng): T {
  const item = items[r.int(items.length)];
  if (item === undefined) throw new RangeError("pick from an empty list");
  return item;
}

const seconds = (ms: number): number => Math.floor(ms / 1000) * 1000;

function planDelegations(
  o: CaseGenOptions,
  r: Rng,
  status: CaseStatus,
  created: Date,
): DelegationPlan[] {
  const count = status === "DRAFT" ? 1 : 1 + r.int(3);
  const open = status === "DRAFT" || status === "TO_DO";
  const out: DelegationPlan[] = [];
  let at = created.getTime();
  for (let k = 1; k <= count; k++) {
    const isOpen = open && k === count;
    const delegated = at;
    // An open thread may not have been opened by its user yet.
    const initiated =
      isOpen && r.float() < 0.3 ? null : seconds(delegated + (1 + r.int(120)) * 60_000);
    const finished =
      isOpen || initiated === null ? null : seconds(initiated + HOUR + r.int(4 * DAY));
    out.push({
      index: k,
      // Threads walk the tasks in order, as the process map routes them.
      taskUid: o.taskUids[(k - 1) % o.taskUids.length] ?? "",
      userUid: pick(o.userUids, r),
      delegated: new Date(delegated),
      initiated: initiated === null ? null : new Date(initiated),
      finished: finished === null ? null : new Date(finished),
      due: new Date(delegated + 2 * DAY),
      risk: new Date(seconds(delegated + 1.6 * DAY)),
      open: isOpen,
    });
    at = finished ?? at;
  }
  return out;
}

function planDocuments(
  o: CaseGenOptions,
  r: Rng,
  n: number,
  appUid: string,
  dels: DelegationPlan[],
): DocumentPlan[] {
  const roll = r.float();
  const rows = roll < 0.35 ? 0 : roll < 0.8 ? 1 : 2;
  const versioned = rows === 2 && r.float() < 0.3;
  const out: DocumentPlan[] = [];
  let docUid = "";
  for (let d = 0; d < rows; d++) {
    const version = versioned ? d + 1 : 1;
    // Keys n*4+d stay unique for n < 2^30; a second version reuses the first row's UID.
    if (version === 1) docUid = uid((n * 4 + d) ^ 0x5bd1e995, r);
    const del = pick(dels, r);
    const filename = pick(DOC_NAMES, r).replace("{n}", String(n));
    const ext = filename.slice(filename.lastIndexOf(".") + 1);
    const base = (del.initiated ?? del.delegated).getTime();
    out.push({
      appDocUid: docUid,
      version,
      docIndex: versioned ? 1 : d + 1,
      delIndex: del.index,
      userUid: del.userUid,
      created: new Date(seconds(base + (1 + r.int(50)) * 60_000)),
      filename,
      ext,
      type: r.float() < 0.5 ? "INPUT" : "ATTACHED",
      relPath: documentRelPath(appUid, docUid, version, ext),
    });
  }
  return out;
}

/** The full plan of case number n (APP_NUMBER). Pure: same options and n, same plan. */
export function planCase(o: CaseGenOptions, n: number): CasePlan {
  const seed = o.seed ?? 1;
  const r = rng(fmix32(Math.imul(seed, 0x9e3779b1) ^ fmix32(n)));
  const appUid = uid(n ^ 0x27d4eb2f, r);
  const roll = r.float();
  const status: CaseStatus =
    roll < 0.1 ? "DRAFT" : roll < 0.7 ? "TO_DO" : roll < 0.95 ? "COMPLETED" : "CANCELLED";
  const created = new Date(seconds(o.now.getTime() - (30 + r.int(365)) * DAY - r.int(DAY)));
  const delegations = planDelegations(o, r, status, created);
  const documents = planDocuments(o, r, n, appUid, delegations);
  const last = delegations[delegations.length - 1];
  if (last === undefined) throw new Error("a case has at least one delegation");
  const vendor = pick(VENDORS, r);
  const amount = (50 + r.int(1_000_000) / 100).toFixed(2);
  const pinText = hex8(r.u32()).slice(0, 4).toUpperCase();
  const updated = last.finished ?? last.initiated ?? last.delegated;
  return {
    number: n,
    appUid,
    status,
    title: `Invoice #${n} – ${vendor}`,
    created,
    updated,
    finished: status === "COMPLETED" ? updated : null,
    data: phpSerialize(
      phpMap({
        SYS_LANG: "en",
        SYS_SKIN: "neoclassic",
        APPLICATION: appUid,
        PROCESS: o.processUid,
        TASK: last.taskUid,
        INDEX: String(last.index),
        USER_LOGGED: delegations[0]?.userUid ?? "",
        APP_NUMBER: String(n),
        PIN: pinText,
        vendor,
        amount,
      }),
    ),
    pin: createHash("md5").update(pinText).digest("hex"),
    delegations,
    documents,
  };
}

function* plans(o: CaseGenOptions): Generator<CasePlan> {
  validate(o);
  const first = o.firstNumber ?? 1;
  for (let i = 0; i < o.count; i++) yield planCase(o, first + i);
}

/** Expected row and file counts, for tests and progress bars (plans every case, writes nothing). */
export function caseCounts(o: CaseGenOptions): CaseCounts {
  const c: CaseCounts = {
    applications: 0,
    delegations: 0,
    cacheRows: 0,
    documents: 0,
    documentBytes: 0,
  };
  for (const p of plans(o)) {
    c.applications += 1;
    c.delegations += p.delegations.length;
    c.cacheRows += p.delegations.length;
    c.documents += p.documents.length;
  }
  c.documentBytes = c.documents * (o.docBytes ?? DEFAULT_DOC_BYTES);
  return c;
}

// --- SQL ----------------------------------------------------------------------------------------

function titleOf(o: CaseGenOptions, taskUid: string): { process: string; task: string } {
  const i = (TASK_UIDS as readonly string[]).indexOf(taskUid);
  return {
    process: o.processUid === PROCESS_UID ? PROCESS_TITLE : "",
    task: i >= 0 ? (TASK_TITLES[i] ?? "") : "",
  };
}

/** A DATETIME of a generated case: UTC, like the seed (utcSqlDateTime). */
const at = (d: Date | null): string | null => (d === null ? null : utcSqlDateTime(d));

interface CaseRows {
  application: SqlRow;
  delegations: SqlRow[];
  cache: SqlRow[];
  documents: SqlRow[];
}

function rowsOf(o: CaseGenOptions, p: CasePlan): CaseRows {
  const delegations: SqlRow[] = [];
  const cache: SqlRow[] = [];
  for (const d of p.delegations) {
    const rows = delegationRows(o, p, d);
    delegations.push(rows.delegation);
    cache.push(rows.cache);
  }
  return {
    application: applicationRow(o, p),
    delegations,
    cache,
    documents: p.documents.map((doc) => documentRow(p, doc)),
  };
}

function applicationRow(o: CaseGenOptions, p: CasePlan): SqlRow {
  const first = p.delegations[0];
  const last = p.delegations[p.delegations.length - 1];
  return {
    APP_UID: p.appUid,
    APP_TITLE: p.title,
    APP_DESCRIPTION: "",
    APP_NUMBER: p.number,
    APP_PARENT: "0",
    APP_STATUS: p.status,
    APP_STATUS_ID: STATUS_ID[p.status],
    PRO_UID: o.processUid,
    APP_PROC_STATUS: "",
    APP_PROC_CODE: "",
    APP_PARALLEL: "NO",
    APP_INIT_USER: first?.userUid ?? "",
    // The user of the last thread, as APP_DELEGATION_INSERT would leave it.
    APP_CUR_USER: last?.userUid ?? "",
    APP_CREATE_DATE: at(p.created),
    APP_INIT_DATE: at(p.created),
    APP_FINISH_DATE: at(p.finished),
    APP_UPDATE_DATE: at(p.updated),
    APP_DATA: p.data,
    APP_PIN: p.pin,
  };
}

/** A thread's APP_DELEGATION row and its APP_CACHE_VIEW row (the inbox's denormalised copy). */
function delegationRows(
  o: CaseGenOptions,
  p: CasePlan,
  d: DelegationPlan,
): { delegation: SqlRow; cache: SqlRow } {
  const isLast = d === p.delegations[p.delegations.length - 1] ? 1 : 0;
  const threadStatus = d.open ? "OPEN" : "CLOSED";
  const flags = {
    DEL_STARTED: d.initiated === null ? 0 : 1,
    DEL_FINISHED: d.finished === null ? 0 : 1,
    DEL_DELAYED: (d.finished ?? o.now).getTime() > d.due.getTime() ? 1 : 0,
  };
  const previous = p.delegations[d.index - 2];
  const dates = {
    DEL_DELEGATE_DATE: at(d.delegated),
    DEL_INIT_DATE: at(d.initiated),
    DEL_FINISH_DATE: at(d.finished),
    DEL_TASK_DUE_DATE: at(d.due),
    DEL_RISK_DATE: at(d.risk),
  };
  const delegation: SqlRow = {
    APP_UID: p.appUid,
    DEL_INDEX: d.index,
    APP_NUMBER: p.number,
    DEL_PREVIOUS: d.index - 1,
    DEL_LAST_INDEX: isLast,
    PRO_UID: o.processUid,
    TAS_UID: d.taskUid,
    USR_UID: d.userUid,
    DEL_TYPE: "NORMAL",
    DEL_THREAD: 1,
    DEL_THREAD_STATUS: threadStatus,
    DEL_PRIORITY: "3",
    ...dates,
    ...flags,
    DEL_DATA: "",
    APP_OVERDUE_PERCENTAGE: 0,
  };
  const titles = titleOf(o, d.taskUid);
  const cache: SqlRow = {
    APP_UID: p.appUid,
    DEL_INDEX: d.index,
    DEL_LAST_INDEX: isLast,
    APP_NUMBER: p.number,
    APP_STATUS: p.status,
    USR_UID: d.userUid,
    PREVIOUS_USR_UID: previous?.userUid ?? "",
    TAS_UID: d.taskUid,
    PRO_UID: o.processUid,
    ...dates,
    DEL_THREAD_STATUS: threadStatus,
    APP_THREAD_STATUS: p.status === "DRAFT" || p.status === "TO_DO" ? "OPEN" : "CLOSED",
    APP_TITLE: p.title,
    APP_PRO_TITLE: titles.process,
    APP_TAS_TITLE: titles.task,
    APP_CURRENT_USER: seedUserDisplayName(d.userUid),
    APP_DEL_PREVIOUS_USER: previous === undefined ? "" : seedUserDisplayName(previous.userUid),
    DEL_PRIORITY: "3",
    ...flags,
    APP_CREATE_DATE: at(p.created),
    APP_FINISH_DATE: at(p.finished),
    APP_UPDATE_DATE: at(p.updated),
    APP_OVERDUE_PERCENTAGE: 0,
  };
  return { delegation, cache };
}

function documentRow(p: CasePlan, doc: DocumentPlan): SqlRow {
  return {
    APP_DOC_UID: doc.appDocUid,
    APP_DOC_FILENAME: doc.filename,
    APP_DOC_TITLE: null,
    APP_DOC_COMMENT: "",
    DOC_VERSION: doc.version,
    APP_UID: p.appUid,
    DEL_INDEX: doc.delIndex,
    // Files attached through a form field have no input document: DOC_UID '-1'.
    DOC_UID: doc.type === "INPUT" ? INPUT_DOCUMENT_UID : "-1",
    USR_UID: doc.userUid,
    APP_DOC_TYPE: doc.type,
    APP_DOC_CREATE_DATE: at(doc.created),
    APP_DOC_INDEX: doc.docIndex,
    FOLDER_UID: "",
    APP_DOC_STATUS: "ACTIVE",
    APP_DOC_FIELDNAME: doc.type === "ATTACHED" ? "invoiceFile" : null,
  };
}

/**
 * Multi-row INSERTs for `count` cases, batch by batch: APPLICATION, then APP_DELEGATION (whose
 * insert trigger touches APPLICATION), APP_CACHE_VIEW and APP_DOCUMENT. Lazily evaluated.
 */
export function* caseBatches(o: CaseGenOptions): Generator<string> {
  const size = o.batchSize ?? DEFAULT_BATCH_SIZE;
  let batch: CasePlan[] = [];
  for (const plan of plans(o)) {
    batch.push(plan);
    if (batch.length === size) {
      yield* batchStatements(o, batch);
      batch = [];
    }
  }
  if (batch.length > 0) yield* batchStatements(o, batch);
}

function* batchStatements(o: CaseGenOptions, batch: readonly CasePlan[]): Generator<string> {
  const apps: SqlRow[] = [];
  const dels: SqlRow[] = [];
  const cache: SqlRow[] = [];
  const docs: SqlRow[] = [];
  for (const p of batch) {
    const rows = rowsOf(o, p);
    apps.push(rows.application);
    dels.push(...rows.delegations);
    cache.push(...rows.cache);
    docs.push(...rows.documents);
  }
  yield insertStatement("APPLICATION", apps);
  yield insertStatement("APP_DELEGATION", dels);
  yield insertStatement("APP_CACHE_VIEW", cache);
  if (docs.length > 0) yield insertStatement("APP_DOCUMENT", docs);
}

// --- files --------------------------------------------------------------------------------------

const MAGIC: Readonly<Record<string, Buffer>> = {
  pdf: Buffer.from("%PDF-1.4\n"),
  png: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  docx: Buffer.from([0x50, 0x4b, 0x03, 0x04]),
  xlsx: Buffer.from([0x50, 0x4b, 0x03, 0x04]),
};

/** docBytes of content: a type signature, an identifying line, then seeded filler. */
export function documentContent(appUid: string, doc: DocumentPlan, docBytes: number): Buffer {
  const head = Buffer.concat([
    MAGIC[doc.ext] ?? Buffer.alloc(0),
    Buffer.from(`pmadmin fixture ${appUid} ${doc.appDocUid}_${doc.version} ${doc.filename}\n`),
  ]);
  const out = Buffer.alloc(docBytes);
  head.copy(out, 0, 0, Math.min(head.length, docBytes));
  if (docBytes <= head.length) return out;
  // Incompressible filler, like real scans and PDFs, so archive sizes in benchmarks are honest.
  const words = new Uint32Array(Math.ceil((docBytes - head.length) / 4));
  const r = rng(fmix32(parseInt(doc.appDocUid.slice(8, 16), 16) ^ doc.version));
  for (let i = 0; i < words.length; i++) words[i] = r.u32();
  Buffer.from(words.buffer, 0, docBytes - head.length).copy(out, head.length);
  return out;
}

/** One file per APP_DOCUMENT row, at its ver2 path relative to sites/<ws>/. Lazily evaluated. */
export function* caseDocuments(
  o: CaseGenOptions,
): Generator<{ relPath: string; content: Buffer; mode: number }> {
  const docBytes = o.docBytes ?? DEFAULT_DOC_BYTES;
  for (const p of plans(o)) {
    for (const doc of p.documents) {
      yield {
        relPath: doc.relPath,
        content: documentContent(p.appUid, doc, docBytes),
        mode: 0o644,
      };
    }
  }
}
