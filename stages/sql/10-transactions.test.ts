import { copyFileSync, existsSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { describeKillPoint, runAndKill, type KillPoint } from "../../challenges/sql/clients/sqlite-crash.ts";
import { shorten, SqlCase } from "../../challenges/sql/clients/sqlite.ts";
import { journalProblem, writeHotJournal } from "../../challenges/sql/clients/sqlite-journal.ts";
import { commitOrderProblem, playbackOrderProblem, runTraced } from "../../challenges/sql/clients/sqlite-syscalls.ts";
import { longText, sqlLiteral, tableScript, type TableSpec } from "../../challenges/sql/clients/sqlite-data.ts";
import type { Random } from "../../harness/random.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";

const TRANSACTION =
  "BEGIN starts a transaction; its statements' changes are seen by the statements after them, but reach the file only at COMMIT, all together. ROLLBACK forgets them, and so does an error (sqlite3 stops at the first failing statement of its argument) or the end of the input without COMMIT.";
const JOURNAL =
  "Commit through a rollback journal (fileformat2 §4, atomiccommit.html): write the original content of every page the transaction changes to <file>-journal (a 512-byte header: magic d9d505f920a163d7, page count, checksum nonce, the file's size in pages before the transaction, sector size 512, page size; then each page as its number, its original bytes and a checksum) and sync it; only then write the changed pages into the database file and sync it; deleting the journal is the commit. A crash at any moment then leaves either the old file with a hot journal (which undoes the partial write) or the new file.";
const RECOVERY =
  "When your program opens a database with a hot journal beside it (a journal left by a crash: fileformat2 §4.1, lockingv3), it must first play it back: write each page record whose checksum holds back into the file at its page number, cut the file to the size the header recorded, sync, and delete the journal — as sqlite3 does.";

/** A ledger of a few thousand rows on small pages, with an index: a transaction that changes every row touches every page. */
function ledgerScript(rand: Random): { script: string; rows: number } {
  const rows = rand.int(1500, 2500);
  const spec: TableSpec = {
    name: "ledger",
    idColumn: "id",
    columns: [
      { name: "id", type: "INTEGER", kind: "int", nulls: 0 },
      { name: "account", type: "TEXT", kind: "text", nulls: 0 },
      { name: "amount", type: "INTEGER", kind: "int", nulls: 0 },
      { name: "note", type: "TEXT", kind: "text", nulls: 0 },
    ],
    rows: Array.from({ length: rows }, (_, i) => [BigInt(i + 1), `${rand.word()}-${rand.int(1, 50)}`, BigInt(rand.int(-10000, 10000)), longText(rand, 20, 160)]),
  };
  return { script: [`PRAGMA page_size = ${rand.pick([1024, 4096])};`, tableScript(spec), "CREATE INDEX ledger_by_account ON ledger (account, amount);"].join("\n"), rows };
}

/** A transaction that changes every row, adds some and removes some. */
function bigTransaction(rand: Random, end: "COMMIT" | "ROLLBACK" | ""): string {
  const inserts = Array.from({ length: rand.int(20, 60) }, () => `(${sqlLiteral(`${rand.word()}-${rand.int(1, 50)}`)}, ${rand.int(-100, 100)}, ${sqlLiteral(longText(rand, 10, 80))})`);
  return [
    "BEGIN",
    // Every note grows by 40–60 characters, more than the deletions free: the file grows (so playing a journal back must cut it).
    `UPDATE ledger SET amount = amount + ${rand.int(1, 9)}, note = note || ${sqlLiteral(` ${longText(rand, 40, 60)}`)}`,
    `INSERT INTO ledger (account, amount, note) VALUES ${inserts.join(", ")}`,
    `DELETE FROM ledger WHERE id % ${rand.int(5, 9)} = 0`,
    ...(end ? [end] : []),
  ].join("; ");
}

const STATE = "SELECT count(*), total(amount), sum(length(note)), max(id) FROM ledger";

async function fileBytes(t: CaseContext, file: string): Promise<Uint8Array> {
  return readFileSync(join(t.dir, file));
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export default stage(import.meta, [
  {
    name: "COMMIT keeps every change, ROLLBACK none; reads inside the transaction see its changes",
    async run(t) {
      const sql = SqlCase.start(t);
      const { script } = ledgerScript(t.rand);
      await sql.build("ours.db", script);
      await sql.build("twin.db", script);
      const original = await fileBytes(t, "ours.db");
      // ROLLBACK: the file stays byte for byte as it was, and the reads inside saw the changes.
      const rolledBack = `${bigTransaction(t.rand, "")}; ${STATE}; ROLLBACK; ${STATE}`;
      await sql.expectSame("ours.db", rolledBack, { hint: TRANSACTION });
      await sql.expectSame("twin.db", rolledBack, { hint: TRANSACTION });
      if (!sameBytes(await fileBytes(t, "ours.db"), original)) t.fail({ message: "After BEGIN … ROLLBACK, ours.db is not byte for byte what it was before.", hint: TRANSACTION });
      // Without COMMIT at the end of the input, nothing is kept either.
      const unfinished = await sql.ours("ours.db", bigTransaction(t.rand, ""));
      if (unfinished.result.code !== 0) t.fail({ message: "Your program failed on a transaction left open at the end of its input.", hint: `${TRANSACTION} Exit 0: an open transaction at the end is rolled back silently.` });
      if (!sameBytes(await fileBytes(t, "ours.db"), original)) t.fail({ message: "A transaction never committed (BEGIN, statements, no COMMIT) changed ours.db.", hint: TRANSACTION });
      // An error inside the transaction: it stops, and nothing is kept.
      const failing = await sql.ours("ours.db", `BEGIN; INSERT INTO ledger (account, amount, note) VALUES ('x', 1, 'y'); INSERT INTO ledger (id, account) VALUES (1, 'again'); COMMIT`);
      if (failing.result.code === 0) t.fail({ message: "Your program exited 0 on a transaction whose INSERT repeats an existing id.", hint: "The INSERT fails (UNIQUE constraint failed: ledger.id); sqlite3 stops there with a non-zero exit status." });
      if (!sameBytes(await fileBytes(t, "ours.db"), original)) t.fail({ message: "A transaction that failed before COMMIT changed ours.db.", hint: TRANSACTION });
      // COMMIT: every change is there, and the journal is gone.
      const committed = bigTransaction(t.rand, "COMMIT");
      const header = sql.header("ours.db");
      await sql.write("ours.db", committed, `${TRANSACTION} ${JOURNAL}`);
      await sql.sqlite("twin.db", committed);
      if (existsSync(join(t.dir, "ours.db-journal"))) t.fail({ message: "After the COMMIT, ours.db-journal is still there.", hint: JOURNAL });
      await sql.expectIntegrity("ours.db", JOURNAL);
      sql.expectHeader("ours.db", header, false);
      // The other spellings of BEGIN and COMMIT, on every seed.
      for (const [begin, end] of [["BEGIN DEFERRED TRANSACTION", "END TRANSACTION"], ["BEGIN IMMEDIATE", "END"], ["BEGIN EXCLUSIVE", "COMMIT TRANSACTION"]] as const) {
        const st = `${begin}; INSERT INTO ledger (account, amount, note) VALUES (${sqlLiteral(t.rand.word())}, ${t.rand.int(1, 99)}, 'x'); DELETE FROM ledger WHERE id % ${t.rand.int(10, 20)} = 3; ${end}`;
        await sql.write("ours.db", st, `BEGIN [DEFERRED|IMMEDIATE|EXCLUSIVE] [TRANSACTION] starts a transaction; COMMIT [TRANSACTION] or END [TRANSACTION] commits it. ${TRANSACTION}`);
        await sql.sqlite("twin.db", st);
      }
      // Outside BEGIN … COMMIT each statement is its own transaction: the first INSERT stays though the second fails.
      const solo = `solo-${t.rand.int(100, 999)}`;
      const auto = await sql.ours("ours.db", `INSERT INTO ledger (account, amount, note) VALUES ('${solo}', 7, 'kept'); INSERT INTO ledger (id, account) VALUES (1, 'again')`);
      if (auto.result.code === 0) t.fail({ message: "Your program exited 0 on a statement whose INSERT repeats an existing id.", hint: "The INSERT fails (UNIQUE constraint failed: ledger.id); sqlite3 stops there with a non-zero exit status." });
      const kept = await sql.sqlite("ours.db", `SELECT count(*) FROM ledger WHERE account = '${solo}'`);
      if (kept !== "1\n") t.fail({ message: "Outside BEGIN … COMMIT, a failing statement undid the statement before it in the same argument.", expected: `1 row with account '${solo}'`, received: `${kept.trim()} rows`, hint: "Outside BEGIN … COMMIT each statement is its own transaction: the first INSERT was committed before the second failed, and stays." });
      await sql.ours("ours.db", `DELETE FROM ledger WHERE account = '${solo}'`);
      await sql.expectSameFiles("ours.db", "twin.db", STATE, TRANSACTION);
      await sql.expectSameFiles("ours.db", "twin.db", "SELECT account, amount, id FROM ledger INDEXED BY ledger_by_account WHERE account > 'm' ORDER BY account, amount, id LIMIT 30", TRANSACTION);
    },
  },
  {
    name: "COMMIT syncs the journal before writing the file, and the journal undoes the transaction",
    timeout: 30,
    async run(t) {
      const sql = SqlCase.start(t);
      const { script } = ledgerScript(t.rand);
      await sql.build("base.db", script);
      copyFileSync(join(t.dir, "base.db"), join(t.dir, "traced.db"));
      const before = await fileBytes(t, "base.db");
      const none = await sql.sqlite("base.db", STATE);
      const transaction = bigTransaction(t.rand, "COMMIT");
      // The program runs under strace, which records its writes and syncs of traced.db and traced.db-journal and keeps the journal from being deleted.
      const { result, calls } = await runTraced(t, "traced.db", transaction);
      if (result.code !== 0) t.fail({ message: `Your program exited with code ${result.code} on the transaction (run under strace).`, received: shorten(result.output), hint: TRANSACTION });
      const order = commitOrderProblem(calls, "traced.db");
      if (order) t.fail({ message: `The order of your program's system calls during COMMIT (strace) is unsafe: ${order}`, hint: `${JOURNAL} Without the sync, the kernel may write the database pages to the disk before the journal's: a power cut then leaves a half-written file and no journal to undo it.` });
      // The deletion was intercepted: what is left is a crash just before the commit point.
      if (!existsSync(join(t.dir, "traced.db-journal"))) {
        t.fail({
          message: "After the COMMIT, traced.db-journal is gone, though strace turned every unlink of it into a no-op: your program deleted, renamed or never wrote the journal by the name traced.db-journal (or its absolute path).",
          hint: `${JOURNAL} The test keeps the journal by intercepting unlink("traced.db-journal") and unlinkat: delete it with one of those, by the name the database was given plus -journal.`,
        });
      }
      const problem = journalProblem(await fileBytes(t, "traced.db-journal"), before, await fileBytes(t, "traced.db"));
      if (problem) t.fail({ message: `The rollback journal your program wrote for traced.db (kept by the test: its deletion was intercepted) cannot undo the transaction: ${problem}.`, hint: JOURNAL });
      // sqlite3 finds the journal hot and plays it back: none of the transaction.
      const said = "sqlite3 opened traced.db with the journal your program wrote beside it (a crash just before the journal's deletion)";
      const integrity = await sql.sqliteOnTheirs("traced.db", "PRAGMA integrity_check", `After ${said}, it cannot read it.`, JOURNAL);
      if (integrity !== "ok\n") t.fail({ message: `After ${said}, it finds the file damaged.`, expected: "ok", received: integrity, hint: JOURNAL });
      const state = await sql.sqliteOnTheirs("traced.db", STATE, `After ${said}, it cannot read it.`, JOURNAL);
      if (state !== none) t.fail({ message: `After ${said} and played it back, the file does not hold what it held before the transaction.`, expected: `${none.trim()}  (none of the transaction)`, received: state, hint: JOURNAL });
    },
  },
  {
    name: "kill -9 during COMMIT: sqlite3 and your program find all of the transaction or none of it",
    timeout: 30,
    async run(t) {
      const sql = SqlCase.start(t);
      const { script } = ledgerScript(t.rand);
      await sql.build("base.db", script);
      const transaction = bigTransaction(t.rand, "COMMIT");
      copyFileSync(join(t.dir, "base.db"), join(t.dir, "twin.db"));
      await sql.sqlite("twin.db", transaction);
      const none = await sql.sqlite("base.db", STATE);
      const all = await sql.sqlite("twin.db", STATE);
      const points: KillPoint[] = t.rand.shuffle<KillPoint>([{ when: "journal-appears" }, { when: "file-changes" }]);
      let lastChange: number | undefined;
      for (let trial = 0; trial < 3; trial++) {
        const point: KillPoint = trial < 2 ? points[trial]! : { when: "after", ms: Math.round((0.5 + 0.7 * t.rand.next()) * (lastChange ?? 300)) };
        const file = `crash${trial + 1}.db`;
        copyFileSync(join(t.dir, "base.db"), join(t.dir, file));
        const run = await runAndKill(t, file, transaction, point);
        if (run.changedAt !== undefined) lastChange = run.changedAt;
        if (!run.killed && run.code !== 0) t.fail({ message: `Your program exited with code ${run.code} on the transaction.`, hint: TRANSACTION });
        // A copy of what the crash left (the file and its journal) for your program to open.
        const mine = `recover${trial + 1}.db`;
        copyFileSync(join(t.dir, file), join(t.dir, mine));
        if (existsSync(join(t.dir, `${file}-journal`))) copyFileSync(join(t.dir, `${file}-journal`), join(t.dir, `${mine}-journal`));
        const noJournal = run.changedAt !== undefined && !run.journalBeforeChange ? " No journal file was seen before the database file changed." : "";
        const said = `killed ${describeKillPoint(point)}`;
        if (run.unjournaledWrite) {
          t.fail({
            message: `Your program wrote to ${file} while no rollback journal (${file}-journal) existed beside it (the order of file events inotify reported): a crash during that write leaves half a transaction that nothing can undo.`,
            hint: JOURNAL,
          });
        }
        const integrity = await sql.sqliteOnTheirs(file, "PRAGMA integrity_check", `After your program was ${said}, sqlite3 cannot read ${file} (with the journal, if any, beside it).${noJournal}`, JOURNAL);
        if (integrity !== "ok\n") t.fail({ message: `After your program was ${said}, sqlite3 finds ${file} damaged.${noJournal}`, expected: "ok", received: integrity, hint: JOURNAL });
        const state = await sql.sqliteOnTheirs(file, STATE, `After your program was ${said}, sqlite3 cannot read ${file} (with the journal, if any, beside it).${noJournal}`, JOURNAL);
        if (state !== none && state !== all) {
          t.fail({ message: `After your program was ${said}, ${file} holds part of the transaction (${STATE}).${noJournal}`, expected: `${none.trim()}  (none of it)\nor ${all.trim()}  (all of it)`, received: state, hint: JOURNAL });
        }
        // Your program must see the same, after playing back the hot journal itself.
        const { result } = await sql.ours(mine, STATE);
        if (result.code !== 0 || result.stdout !== state) {
          t.fail({ message: `After the crash, your program reads ${mine} (a copy of what the kill left: ${file} and its journal) differently from sqlite3.`, expected: state, received: result.output, hint: RECOVERY });
        }
        await sql.expectIntegrity(mine, RECOVERY);
        t.log.note(`${file}: ${state === all ? "all" : "none"} of the transaction after the kill`);
      }
      // The crash no kill above may have hit (the window is short): after the database file was written and synced, before the journal was deleted.
      // Built by the test, so the same on every run: sqlite3's twin (all of the transaction) with a journal of base.db's original pages beside it.
      copyFileSync(join(t.dir, "twin.db"), join(t.dir, "crash4.db"));
      const records = writeHotJournal(join(t.dir, "base.db"), join(t.dir, "crash4.db"), Math.floor(t.rand.next() * 0x100000000));
      t.log.note(`crash4.db: a copy of twin.db (the committed transaction) with crash4.db-journal built by the test: ${records} original pages of base.db, as a crash just before the journal's deletion leaves them`);
      copyFileSync(join(t.dir, "crash4.db"), join(t.dir, "recover4.db"));
      copyFileSync(join(t.dir, "crash4.db-journal"), join(t.dir, "recover4.db-journal"));
      const rolledBack = await sql.sqlite("crash4.db", STATE);
      if (rolledBack !== none) t.fail({ message: "sqlite3 did not play back the journal the test built for crash4.db (a problem in the test, not in your program).", expected: none, received: rolledBack });
      // The transaction grew the file, so playing the journal back must also cut the file to its old size.
      const [baseSize, twinSize] = [statSync(join(t.dir, "base.db")).size, statSync(join(t.dir, "twin.db")).size];
      if (twinSize <= baseSize) throw new Error(`the transaction did not grow the file (${baseSize} → ${twinSize} bytes): a problem in the test`);
      // Under strace, to see that the played-back file is synced before the journal is deleted (the deletion is intercepted, so the journal stays).
      const { result, calls } = await runTraced(t, "recover4.db", STATE);
      if (result.code !== 0 || result.stdout !== none) {
        t.fail({ message: "After a crash between writing the database file and deleting the journal, your program reads recover4.db (the new file with the hot journal of its original pages beside it) differently from sqlite3, which plays the journal back.", expected: none, received: result.output, hint: RECOVERY });
      }
      if (statSync(join(t.dir, "recover4.db")).size !== baseSize) {
        t.fail({ message: `After playing back recover4.db-journal, recover4.db is ${statSync(join(t.dir, "recover4.db")).size} bytes; before the transaction (the size the journal's header records) it was ${baseSize}.`, hint: RECOVERY });
      }
      const playback = playbackOrderProblem(calls, "recover4.db");
      if (playback) t.fail({ message: `The order of your program's system calls while playing back recover4.db-journal (strace) is unsafe: ${playback}`, hint: RECOVERY });
      rmSync(join(t.dir, "recover4.db-journal"), { force: true });
      await sql.expectIntegrity("recover4.db", RECOVERY);
      // A journal whose record in the middle does not check (a torn write): playback stops at it — the records after it are not played back.
      copyFileSync(join(t.dir, "twin.db"), join(t.dir, "crash5.db"));
      const count = writeHotJournal(join(t.dir, "base.db"), join(t.dir, "crash5.db"), Math.floor(t.rand.next() * 0x100000000), -1);
      const bad = Math.floor(count / 2);
      writeHotJournal(join(t.dir, "base.db"), join(t.dir, "crash5.db"), Math.floor(t.rand.next() * 0x100000000), bad);
      t.log.note(`crash5.db: twin.db with a journal of ${count} records whose record ${bad + 1} has a wrong checksum`);
      copyFileSync(join(t.dir, "crash5.db"), join(t.dir, "recover5.db"));
      copyFileSync(join(t.dir, "crash5.db-journal"), join(t.dir, "recover5.db-journal"));
      await sql.sqliteOnTheirs("crash5.db", "PRAGMA page_count", "sqlite3 cannot open crash5.db (a problem in the test, not in your program).", "");
      await sql.ours("recover5.db", "SELECT count(*) FROM sqlite_schema");
      const [theirs, mine5] = [await fileBytes(t, "crash5.db"), await fileBytes(t, "recover5.db")];
      if (existsSync(join(t.dir, "recover5.db-journal")) || !sameBytes(theirs, mine5)) {
        t.fail({
          message: `After playing back a hot journal whose record ${bad + 1} of ${count} has a wrong checksum, recover5.db is not byte for byte what sqlite3 made of the same file and journal (crash5.db)${existsSync(join(t.dir, "recover5.db-journal")) ? ", and the journal is still there" : ""}.`,
          hint: `${RECOVERY} Stop at the first record whose checksum does not hold: the records after it are not played back (a torn write may have left them), but the file is still cut to its old size and the journal deleted.`,
        });
      }
    },
  },
]);
