// Package audit is fhirlake's tamper-evident audit log: an append-only,
// hash-chained record of every interaction with the server, durable
// before the interaction is answered.
//
// # What is recorded
//
// One record type, [Event], covers every kind of interaction ([Kind]):
// FHIR REST requests (who, when, from where, the interaction, the
// resource ids touched, the outcome), SQL statements over the Postgres
// wire protocol (who, the statement text, the tables read, the rows
// returned, the outcome), logins (success and failure), imports, exports,
// grants, token, user and key operations. An event names its actor
// ([Actor]: user, client, roles, authentication method), source address,
// protocol, data store and [Outcome]. There is one log for the whole
// server, in <data>/audit; events carry their data store.
//
// The log holds no PHI beyond resource ids and statement (or request)
// text: no resource content, no search results, no passwords or tokens.
// A statement's text can hold literal values a user typed (a name in a
// WHERE clause), so the log is as sensitive as the access it records and
// must be protected like the data (encrypted at rest, readable only by
// the auditor role). Statement text longer than [MaxQueryBytes] is cut.
//
// # Format
//
// Records are NDJSON lines in numbered segment files, 000001.ndjson,
// 000002.ndjson, …; the writer starts a new segment once the current one
// reaches [Options.SegmentSize] (16 MiB by default). Each line is the
// canonical JSON of a [Record]: the members seq, prev and alg, then the
// Event's members in struct order (zero values left out), then hash:
//
//	{"seq":2,"prev":"25d4…","alg":"sha256","kind":"fhir","time":"2026-11-28T23:40:02.123456789Z",
//	 "actor":{"user":"alice","roles":["reader"]},…,"outcome":{"result":"0","code":"200"},"hash":"59f5…"}
//
// # The chain
//
// seq counts records from 1 across all segments. prev is the hash of the
// record before; the first record's prev is [Genesis] (64 zeros). hash is
// the lowercase hex SHA-256 of the record's body: the exact bytes of the
// line up to (not including) the comma before "hash", followed by "}".
// So each hash covers the record's seq, its prev (and through it every
// earlier record) and all its fields.
//
// With [Options.Key] set, the chain is keyed: hash is HMAC-SHA-256 under
// the key instead (alg "hmac-sha256"), and [Verify] needs the key.
//
//   - A plain chain detects any edit, removal, insertion or reordering by
//     someone who does not then rewrite every later record. Whoever can
//     write the files can recompute a plain chain from the change onward,
//     and the result verifies.
//   - A keyed chain cannot be recomputed without the key: a rewritten
//     tail fails at its first record. The key must live away from the log
//     (a key file outside the data folder, a KMS); whoever holds it can
//     forge.
//   - Neither chain detects the removal of records at the very end of the
//     log, nor of the whole log (a missing log is reported by the CLI but
//     an empty one is intact). Keep the head (seq and hash, from
//     [Log.Head], [Receipt] or [Report].Head) outside the machine now and
//     then, or ship the log elsewhere, to bound what truncation can hide.
//   - The chain proves integrity, not truth: a compromised server can log
//     lies before they are chained. It does not hide the log's content
//     either; encryption at rest does (see below).
//
// # Encryption at rest
//
// With [Options.SealKey] (32 bytes: the data key's audit subkey,
// keyring.PurposeAudit) the log is sealed: each record is encrypted on
// its own line, so that appends stay one write of whole lines, group
// commit and fsync work as above, and a torn last line is cut off as in a
// plaintext log. A sealed line is
//
//	{"seq":12,"sealed":"<base64 of the sealed record line>"}
//
// where the sealed value is AES-256-GCM (internal/sealed, value format:
// version, random 12-byte nonce, ciphertext, tag) of the record line
// described above, without its newline, with the AAD
// "fhirlake audit v1" NUL || segment number (4 bytes) || seq (8 bytes),
// big endian. seq is in clear so that the line can be bound to it; the
// record inside must carry the same seq. The hash chain is computed over
// the plaintext record exactly as in a plaintext log, so [Verify] (given
// the key) still names the first changed, removed, inserted or reordered
// record; a line changed in any way, or moved to another seq or segment,
// fails to decrypt and is named too.
//
// The file SEALED in the log's folder marks a sealed log and holds a
// check value of its key (the first 16 bytes of HMAC-SHA-256(key,
// "fhirlake audit key check v1"), in hex), written before the first
// record. A log keeps the format it was created with: [Open] and every
// reader ([Reader], [Reader.Tail]) fail on a sealed log without the key
// ([ErrEncrypted], "the audit log is encrypted: pass the key") or with
// another key ([ErrWrongKey]), and on a plaintext log that holds records
// when given a key ([ErrNotSealed]; the caller decides whether to go on
// without it, see [IsSealed]). A plaintext log with no records yet
// becomes sealed when opened with a key. The functions [Verify], [Rows]
// and [Export] read plaintext logs; [Reader] carries the keys for both.
//
// Only the seq, the number of records, their sizes and the segment files'
// times are visible without the key. Nonces are random, so one key should
// seal fewer than 2^32 records.
//
// # Durability
//
// [Log.Append] returns only once the record is written and fsynced
// (fdatasync), so an interaction answered after Append returned survives
// a crash of the process, the kernel or the machine. Concurrent appends
// are batched by one writer goroutine (group commit): while one batch is
// being fsynced, the next collects, so N waiting callers share one write
// and one fsync. [Options.SyncInterval] trades some of the guarantee for
// throughput: Append returns once the record is written to the operating
// system (which survives kill -9 of the process) and the fsync follows
// within the interval (a power failure can lose that interval).
//
// A crash can leave a torn last line (a batch cut short, or NUL bytes
// from blocks allocated but not written). [Open] cuts it off: it was
// never acknowledged. Any other damage to the last segment makes Open
// fail with a *[Problem] rather than silently drop a complete record.
// After a failed write or fsync the log refuses every later Append (it
// fails closed), since the state of the file is then unknown; the caller
// must refuse the interaction it was auditing. One process at a time may
// append (an flock on <dir>/LOCK).
//
// # Reading
//
// [Verify] checks the whole chain and names the first bad record (file,
// line, seq and what is wrong). [Rows] streams records in order, and
// [Tail] streams those appended since its last call (for the audit_log
// SQL view). [Reader] does all of these for a sealed log too. [Export] and [AuditEvent] turn records into FHIR
// R4 AuditEvent resources following the IHE Basic Audit Log Patterns
// (https://profiles.ihe.net/ITI/BALP/): FHIR interactions as type rest
// with a http://hl7.org/fhir/restful-interaction subtype, the other kinds
// as DICOM event ids, action C/R/U/D/E, outcome 0/4/8/12, the user,
// client (with network address) and server as agents, fhirlake as
// source.observer, resources as entity.what and the query base64 in
// entity.query.
package audit
