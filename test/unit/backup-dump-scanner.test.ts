import { describe, expect, it } from "vitest";
import { DumpScanner, isSandboxLine } from "../../src/backup/dump-scanner.js";

const DUMP = [
  "-- MariaDB dump 10.19",
  "/*!40101 SET NAMES utf8mb4 */;",
  "CREATE TABLE `T1` (",
  "  `a` int(11) DEFAULT NULL",
  ") ENGINE=InnoDB;",
  "INSERT INTO `T1` VALUES",
  "(1,'x(,'),",
  "(2,'it\\'s \\\\ ok; (yes)'),",
  "(3,'multi\\nline');",
  "INSERT INTO `T1` VALUES (4,NULL),(5,'a''b');",
  "CREATE TABLE `E` (",
  "  `x` int",
  ");",
  "CREATE TABLE `V1` (",
  "  `x` int",
  ");",
  "/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER TR1 AFTER INSERT ON T1 FOR EACH ROW BEGIN INSERT INTO E VALUES (1); END */;;",
  "/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER `TR 2` AFTER INSERT ON T1 FOR EACH ROW BEGIN END */;;",
  "/*!50001 VIEW `V1` AS select 1 */;",
  "CREATE DEFINER=`root`@`localhost` PROCEDURE `P1`()",
  "-- Dump completed on 2026-11-25 20:29:01",
  "",
].join("\n");

function scan(chunkSize: number): ReturnType<DumpScanner["result"]> {
  const s = new DumpScanner();
  const buf = Buffer.from(DUMP, "utf8");
  for (let i = 0; i < buf.length; i += chunkSize) s.push(buf.subarray(i, i + chunkSize));
  return s.result();
}

describe("DumpScanner", () => {
  it.each([1, 3, 7, 64, 100000])("counts rows and objects with %i-byte chunks", (size) => {
    const r = scan(size);
    expect(Object.fromEntries(r.tables)).toEqual({ T1: 5, E: 0 });
    expect([...r.views]).toEqual(["V1"]);
    expect([...r.triggers].sort()).toEqual(["TR 2", "TR1"]);
    expect([...r.routines]).toEqual(["P1"]);
    expect(r.completed).toBe(true);
    expect(r.charset).toBe("utf8mb4");
  });

  it("notices a dump without its completion marker", () => {
    const s = new DumpScanner();
    s.push(Buffer.from("CREATE TABLE `A` (\n) ;\nINSERT INTO `A` VALUES (1),(2"));
    expect(s.result().completed).toBe(false);
    expect(s.result().tables.get("A")).toBe(2);
  });

  it("recognises the sandbox-mode line, with or without trailing space", () => {
    expect(isSandboxLine("/*M!999999\\- enable the sandbox mode */ ")).toBe(true);
    expect(isSandboxLine("/*M!999999\\- enable the sandbox mode */")).toBe(true);
    expect(isSandboxLine("-- MariaDB dump")).toBe(false);
  });
});
