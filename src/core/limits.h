/*
 * limits.h - every ceiling osafe enforces, in one place, each with its reason.
 *
 * Hostile or broken input must hit one of these before it can exhaust memory
 * or disk.  Change a value here, never a literal in the code.
 */
#ifndef OSAFE_CORE_LIMITS_H
#define OSAFE_CORE_LIMITS_H

/* The entry-bundle format stores each entry behind a 2-byte big-endian
 * length (c2sp.org/tlog-tiles), so no entry can be longer. */
#define OSAFE_LOG_ENTRY_MAX 65535

/* Entries of one `log append` call are one batch held in memory until it is
 * durable; 1 Mi entries of up to 64 KiB keeps a runaway pipe from taking the
 * machine (the bytes ceiling below bounds the product). */
#define OSAFE_LOG_BATCH_MAX_ENTRIES (1u << 20)
#define OSAFE_LOG_BATCH_MAX_BYTES (512u << 20)
/* Largest entry bundle served gzip-compressed: compression is done per
 * request in memory, so bigger bundles (up to 256 entries of
 * OSAFE_LOG_ENTRY_MAX) go out uncompressed rather than let a client make
 * the server hold and deflate 16 MiB at will. */
#define OSAFE_LOG_BUNDLE_GZIP_MAX (1u << 20)

/* A checkpoint is three short lines plus signatures; Go's note package
 * refuses more than 100 signatures, post-quantum ones are ~5 kB each. */
#define OSAFE_NOTE_MAX (1u << 20)
#define OSAFE_NOTE_MAX_SIGS 100

/* Key names: the spec requires non-empty; we cap them so that a key line
 * and a checkpoint origin stay readable. */
#define OSAFE_KEY_NAME_MAX 256

/* A file or directory path built by osafe (log, run, cache and key
 * paths): Linux's PATH_MAX, so that any path the system accepts fits.
 * Every path buffer uses this one size (it was PATH_MAX in some files and
 * a literal 4096 in others). */
#define OSAFE_PATH_MAX 4096

/* fsx_write_atomic_many keeps this many temporary files open between
 * writing them and fsyncing them (a log append writes ~10; a bulk import's
 * batch more): well under the usual 1024 descriptors, with room for the
 * server's sockets. */
#define OSAFE_FSX_MANY_OPEN_MAX 64

/* Key files and vkey files are one line. */
#define OSAFE_KEYFILE_MAX 4096

/* Tiles have height 8 (256 hashes) and the tree index is a uint64, so at
 * most 8 tile levels hold any tree (8 * 8 = 64 tree levels). */
#define OSAFE_TILE_HEIGHT 8
#define OSAFE_TILE_WIDTH 256
#define OSAFE_TILE_LEVELS_MAX 8

/* A proof JSON document carries at most 64 hashes of 44 base64 chars. */
#define OSAFE_PROOF_JSON_MAX (64u << 10)

/* Largest file read whole by a CLI command (an entry to check, a proof). */
#define OSAFE_FILE_READ_MAX (64u << 20)

/* Embedded HTTP server (server/http.c, http_resp.c).  Request bodies are JSON documents
 * (an incident report, a log entry batch); 1 MiB is far above any honest
 * one and small enough that max_conns of them cannot take the machine. */
#define OSAFE_HTTP_BODY_MAX (1u << 20)

/* Bytes of a chunked body past max_body that we read and throw away so the
 * client still gets its 413 (MHD cannot answer mid-upload); past this the
 * connection is closed without an answer. */
#define OSAFE_HTTP_DRAIN_MAX (1u << 20)

/* Worker threads: the default suits a small host; the ceiling stops a typo
 * ("400") from spawning hundreds of threads. */
#define OSAFE_HTTP_THREADS 4
#define OSAFE_HTTP_THREADS_MAX 64

/* Idle seconds before a connection is dropped while a request is under
 * way (body upload); MHD's default 0 means never, which lets slow or silent
 * clients pin connections forever. */
#define OSAFE_HTTP_CONN_TIMEOUT_S 30

/* Idle seconds allowed while no request is under way: a fresh connection
 * waiting for its first header byte, headers trickling in, or a keep-alive
 * connection between requests.  Honest clients send their headers in one
 * packet; short, so that idle sockets cannot pile up (issue 9 item 6). */
#define OSAFE_HTTP_HEADER_TIMEOUT_S 5

/* Concurrent connections in total and from one address.  The total is
 * generous because connections are cheap under epoll (a descriptor and a
 * lazily touched memory pool each): 1,000 idle sockets must not lock out a
 * new client.  The per-address cap (serve --max-conns-per-addr) stops one
 * address from taking every slot (32 addresses are needed to fill the
 * total); it is well above what one client holds because MHD still counts
 * a connection the client has closed until its thread cleans it up: at 64,
 * 48 clients reconnecting for every request saw 0.2-2.7% of connections
 * reset, at 96 and 128 none (issue 9 item 12).  Behind a reverse proxy
 * raise it, since every user then shares the proxy's address. */
#define OSAFE_HTTP_MAX_CONNS 4096
#define OSAFE_HTTP_PER_IP_CONNS 128

/* With a thread for each connection (http_opts.thread_per_conn), the most
 * connections and so threads: enough for hundreds of concurrent writers
 * to share group commits, while a flood of idle connections costs at most
 * this many stacks (they are dropped after OSAFE_HTTP_HEADER_TIMEOUT_S). */
#define OSAFE_HTTP_CONN_THREADS_MAX 1024

/* Descriptors kept back from the connection budget for the database, the
 * log, listening sockets and the evaluation client: serve lowers
 * --max-conns to the open-file limit minus this when it cannot raise that
 * limit. */
#define OSAFE_HTTP_FD_RESERVE 64

/* Seconds a stopping server (SIGTERM) waits for requests under way to
 * finish before closing every connection; the process must be gone within
 * 5 s of the signal (issue 9 item 8), so the grace leaves 3 s for the rest
 * of the stop on a loaded machine. */
#define OSAFE_HTTP_STOP_GRACE_S 2

/* Request target (path and query) and query arguments: MHD 0.9.75 parses
 * every argument into the connection's pool and, when the pool runs out,
 * holds the connection without answering.  Real URLs of this API are
 * under 1 KiB with a handful of arguments; past either ceiling the server
 * answers 414 before MHD parses the arguments. */
#define OSAFE_HTTP_URI_MAX 4096
#define OSAFE_HTTP_QUERY_ARGS_MAX 64

/* Proxies named by serve --trusted-proxy whose X-Forwarded-For is
 * believed, and the addresses read from that header (rightmost first). */
#define OSAFE_HTTP_TRUSTED_PROXIES_MAX 16
#define OSAFE_HTTP_XFF_HOPS_MAX 16

/* Per-connection memory pool; the request line and headers must fit in it
 * (MHD answers 431 otherwise), so this is also the header size ceiling. */
#define OSAFE_HTTP_CONN_MEMORY (64u << 10)

/* Kernel accept queue of the listening socket. */
#define OSAFE_HTTP_LISTEN_BACKLOG 128

/* Extra headers one handler may set: handlers set a few, a loop that sets
 * hundreds is a bug. */
#define OSAFE_HTTP_RESP_HEADERS_MAX 32

/* Message text of one JSON error answer, and one line of MHD's log: long
 * enough to name the problem, too short to echo a request body. */
#define OSAFE_HTTP_ERR_MSG_MAX 1024
#define OSAFE_HTTP_LOG_LINE_MAX 512

/* Largest JSON text canon_json/canon_parse read: the same 1 MiB as an HTTP
 * body, so every body the server accepts can be parsed and canonicalized. */
#define OSAFE_CANON_INPUT_MAX (1u << 20)

/* Records nest 4-5 levels; canonicalization recurses once per level, so 64
 * keeps hostile nesting far from the stack's end (jansson alone allows 2048). */
#define OSAFE_CANON_DEPTH_MAX 64


/* ---- registry store ---- */

/* Writers wait this long for SQLite's write lock before giving up: longer
 * than any single transaction of ours (a publish is one fsync'd append). */
#define OSAFE_DB_BUSY_TIMEOUT_MS 10000

/* PostgreSQL backend (store_pg.c): statements prepared per connection, more
 * than the backend has, so that none is prepared twice on one connection
 * (past it, statements still run, unprepared); and the most parameters one
 * statement binds (the filtered listing's 15, with room). */
#define OSAFE_PG_PREPARED_MAX 96
#define OSAFE_PG_PARAMS_MAX 20
/* Statements an import batch holds back (store.h defer) are sent once
 * they pass this size, so that a batch of large records does not build
 * one query of unbounded size: 1 MiB is hundreds of records' rows, and
 * the round trips saved are already nearly all. */
#define OSAFE_PG_HELD_BYTES_MAX (1u << 20)

/* Search words shorter than three characters (two-character Chinese words,
 * say) fall back to a LIKE scan each; a query may carry this many. */
#define OSAFE_SEARCH_MAX_SHORT 8
/* A word of a search of mirrored records (registry/mirrored_search.c), in
 * bytes: longer ones are matched by their first 128 bytes (no word of a
 * record's text is that long but a URL, found by its start as well). */
#define OSAFE_SEARCH_WORD_MAX 128
/* The shortest stem a plural search word also matches as a prefix
 * (store_sqlite_query.c): "cars" -> car*, while "bus" stays whole; shorter
 * prefixes would match too many unrelated words. */
#define OSAFE_SEARCH_STEM_MIN 3

/* Page sizes of list and search. */
#define OSAFE_PAGE_DEFAULT 50
#define OSAFE_PAGE_MAX 500
/* Highest page number a listing accepts (API and web): with the largest
 * page size, still far more rows than the int offset can overflow on. */
#define OSAFE_LIST_PAGE_MAX 100000

/* YAML documents loaded by core/yamlx (the ATLAS data file is ~0.5 MB):
 * input bytes, collection nesting and node count bound the tree built in
 * memory; aliases are refused, so no document can expand beyond its size. */
#define OSAFE_YAML_MAX_BYTES (16u << 20)
#define OSAFE_YAML_MAX_DEPTH 64
#define OSAFE_YAML_MAX_NODES 1000000u

/* CSV rows read by core/csv: a row with more fields or bytes than this is
 * not a spreadsheet export but a broken or hostile file. */
#define OSAFE_CSV_MAX_FIELDS 1024u
#define OSAFE_CSV_MAX_ROW (16u << 20)

/* Foreign files handed to exch_import (AVID JSONL is ~4 MB today) and the
 * records one file may hold. */
#define OSAFE_EXCH_MAX_BYTES (256u << 20)
#define OSAFE_EXCH_MAX_RECORDS 1000000u
/* An imported title kept whole up to this many code points: the registry
 * stores titles up to 500 (registry/validate.c); AVID's longest today is
 * 230, and cutting them at 120 made 88 distinct reports look identical. */
#define OSAFE_EXCH_TITLE_KEEP_MAX 500u

/* Records `osafe import` commits and logs together: one transaction and one
 * log append (fsync + signed checkpoint) per batch instead of per record
 * (397 entries/s appended one by one, 68,640/s in batches of 1,024); a
 * batch is held in memory until it is durable. */
#define OSAFE_IMPORT_BATCH_MAX 1024u

/* Group commit (registry/sequencer.c): concurrent writes (create, submit,
 * review, imports) wait in a queue and one sequencer runs them as one
 * batch: one SQLite commit, one log append, one signed checkpoint, each
 * fsync paid once for the batch.  A batch closes when it holds BATCH_MAX
 * requests, when the writers the previous batch answered are back, or
 * after BATCH_WAIT_MS and never later than half the previous batch's
 * write (sequencer.c wait_us); the sequencer waits at all only while the
 * previous batch held more than one request, so a lone client pays no
 * delay.  256: the log appends batches of 64 entries at ~16,000 entries/s
 * and of 1,024 at ~68,000/s (docs/PERFORMANCE.md), so 256 requests
 * already amortise the fsyncs while a batch's memory stays small; 50 ms:
 * a ceiling only, the half-batch bound decides (a batch of 64 on this
 * project's shared disk takes ~100 ms, where 2 ms split 64 clients into
 * two alternating halves; on a fast disk a batch takes ~1 ms and its
 * writers wait under 0.5 ms), so a wait never adds more than half a
 * write to a publication's latency.
 * `osafe serve --batch-max N --batch-wait-ms MS` set them, up to the
 * ceilings (a typo must not hold requests for minutes). */
#define OSAFE_BATCH_MAX 256u
#define OSAFE_BATCH_MAX_MAX 4096u
#define OSAFE_BATCH_WAIT_MS 50u
#define OSAFE_BATCH_WAIT_MS_MAX 1000u
/* A batch stops taking requests once its log entries reach either bound
 * (the others wait for the next batch): it is held in memory until it is
 * durable, and one import request alone brings up to
 * OSAFE_IMPORT_BATCH_MAX entries.  Both are far under the log's own
 * ceilings (OSAFE_LOG_BATCH_MAX_*); 16,384 entries append in ~0.25 s. */
#define OSAFE_BATCH_ENTRIES_MAX 16384u
#define OSAFE_BATCH_BYTES_MAX (64u << 20)


/* ---- evaluation runs ---- */

/* samples.jsonl is fdatasync'ed every this many lines (and at the end): a
 * power cut loses at most these; a killed process loses nothing. */
#define OSAFE_EVAL_SYNC_EVERY 64

/* A run's samples.jsonl is read whole by resume, report and compare. */
#define OSAFE_EVAL_SAMPLES_MAX (2048u << 20)

/* ---- published evaluations (registry/evaluations*.c, issue 9) ---- */

/* A hazard key: "spc_hlt"-style sub-hazards are a few letters; a longer
 * key is not one. */
#define OSAFE_HAZARD_KEY_MAX 32
/* A hazard as the HTML report shows it, "name (key)": the longest English
 * name is 31 bytes, the key at most OSAFE_HAZARD_KEY_MAX; a longer pair
 * shows the key alone. */
#define OSAFE_HAZARD_LABEL_MAX 96
/* A hazard as the report's sample browser shows it in one of the six
 * languages, "name (key)" with the web pages' name: the longest catalogue
 * name (an MIT subdomain in Russian) is 165 bytes, the key at most
 * OSAFE_HAZARD_KEY_MAX; a longer pair shows the key alone. */
#define OSAFE_HAZARD_LABEL_I18N_MAX 256
/* by_hazard groups of one published run: 12 hazards with their
 * sub-hazards plus the 24 MIT subdomains fit many times over; thousands of
 * keys are an attempt to flood the ranking, not a run. */
#define OSAFE_EVAL_PUB_HAZARDS_MAX 128
/* by_language groups of one run: a suite covers tens of locales. */
#define OSAFE_EVAL_PUB_LANGS_MAX 256
/* Any count in a published run (samples, errors, n, items): the largest
 * suite (OSAFE_SUITE_MAX_ITEMS) times 60 epochs stays below it, and it is
 * far from where a double loses integers or a sum overflows. */
#define OSAFE_EVAL_PUB_COUNT_MAX 1000000000LL
/* Epochs of one run: samples store the epoch in 16 bits. */
#define OSAFE_EVAL_PUB_EPOCHS_MAX 65535
/* The model name: the ranking keeps 127 bytes of it (risk.h). */
#define OSAFE_EVAL_PUB_MODEL_MAX 127
/* Why a run was withdrawn goes into a log entry: a paragraph, not a file. */
#define OSAFE_EVAL_WITHDRAW_REASON_MAX 2000

/* ---- evaluation client (eval/client.c) and response cache (eval/cache.c) */

/* One model answer, decoded: 100k tokens of text plus JSON framing and
 * logprobs fit with room; a server streaming garbage is cut off here (in the
 * write callback: CURLOPT_MAXFILESIZE misses chunked bodies before 8.4). */
#define OSAFE_EVAL_RESPONSE_MAX (8u << 20)

/* Requests in flight: far above what one inference server absorbs, low
 * enough that a typo cannot open tens of thousands of sockets. */
#define OSAFE_EVAL_CONCURRENCY_MAX 1024u

/* Extra attempts per request: with a 30 s backoff cap, 20 retries already
 * wait up to ten minutes on one item. */
#define OSAFE_EVAL_RETRIES_MAX 20u

/* Exponential backoff with full jitter: the first retry waits up to the
 * base, each later one up to twice as long, never more than the cap. */
#define OSAFE_EVAL_BACKOFF_BASE_MS 500u
#define OSAFE_EVAL_BACKOFF_CAP_MS 30000u

/* Longest Retry-After we obey; a server asking for more (an hour-long quota
 * reset) gets the item recorded as an error instead of a silent stall. */
#define OSAFE_EVAL_RETRY_AFTER_MAX_MS 120000u

/* Per-attempt timeout when none is given: long generations on a CPU take
 * minutes; without any, libcurl would wait forever on a stuck server.  In
 * seconds too, for the help text (whole seconds, no suffix). */
#define OSAFE_EVAL_TIMEOUT_DEFAULT_S 300
#define OSAFE_EVAL_TIMEOUT_DEFAULT_MS (OSAFE_EVAL_TIMEOUT_DEFAULT_S * 1000u)

/* Requests in flight when none is asked for: keeps one local inference
 * server's batch busy without queueing far behind it.  Extra attempts per
 * request by default: rides out a restart or a short 429 burst (with the
 * backoff above, about 7.5 s of waiting at most) without hiding a dead
 * server for long.  No suffix: the help text prints them. */
#define OSAFE_EVAL_CONCURRENCY_DEFAULT 4
#define OSAFE_EVAL_RETRIES_DEFAULT 4

/* TCP + TLS handshake: a server that has not accepted within this time is
 * down or overloaded; the attempt fails (and is retried) early. */
#define OSAFE_EVAL_CONNECT_TIMEOUT_MS 10000u

/* Bytes of a server's error message quoted in an item's error: enough for
 * "model 'x' not found", too short to echo a prompt back into results. */
#define OSAFE_EVAL_ERR_BODY_MAX 300u

/* Base endpoint URL, and the request body sent (prompt plus framing). */
#define OSAFE_EVAL_URL_MAX 2048u
#define OSAFE_EVAL_REQUEST_MAX (16u << 20)

/* One cache file: an answer plus the key and framing around it. */
#define OSAFE_EVAL_CACHE_ENTRY_MAX (OSAFE_EVAL_RESPONSE_MAX + (64u << 10))

/* ---- evaluation suites (eval/suite.c) ---- */

/* suite.yaml is a dozen lines of metadata; 1 MiB is far past any honest one. */
#define OSAFE_SUITE_YAML_MAX (1u << 20)
/* One items.jsonl line is parsed by canon_parse, so its input ceiling. */
#define OSAFE_SUITE_LINE_MAX OSAFE_CANON_INPUT_MAX
/* Items of one suite: 16x the 1M-item benchmark suite; stops runaway files. */
#define OSAFE_SUITE_MAX_ITEMS (1u << 24)
/* Item ids go into run records, cache keys and messages: keep them short. */
#define OSAFE_SUITE_ID_MAX 256
/* Chat turns in one item's input: multi-turn probes use tens, not more. */
#define OSAFE_SUITE_MAX_MESSAGES 1024u
/* Multiple-choice answers are letters, so A..Z. */
#define OSAFE_SUITE_MAX_CHOICES 26u
/* BCP 47 tags: RFC 5646 asks for 35 characters of room; extensions more. */
#define OSAFE_SUITE_LANG_MAX 64
/* A benchmark file read whole by an importer (largest today ~0.4 MB; the
 * AILuminate practice set is ~4 MB a locale). */
#define OSAFE_SUITE_IMPORT_MAX (256u << 20)

/* ---- evaluation scorers (eval/score.c, eval/refusal.c) ---- */

/* The refusal detector reads the first 64 KiB of a normalised response:
 * refusals open an answer, and the length past that point only confirms
 * that content was given (it counts as content, unread). */
#define OSAFE_REFUSAL_SCAN_MAX (64u << 10)

/* PCRE2 limits for suite-supplied `regex` references: match() calls
 * (backtracking steps), nesting depth and heap bytes of one match; a
 * catastrophic pattern fails the one item with an error instead of
 * hanging the run. */
#define OSAFE_REGEX_MATCH_LIMIT 1000000u
#define OSAFE_REGEX_DEPTH_LIMIT 10000u
#define OSAFE_REGEX_HEAP_LIMIT_KIB (16u << 10)

/* A regex reference longer than this is not a pattern but a mistake. */
#define OSAFE_REGEX_PATTERN_MAX 4096u

/* One line of `osafe classify refusal` input (a prompt and a response in
 * JSON): 16 MiB, like a CSV row. */
#define OSAFE_CLASSIFY_LINE_MAX (16u << 20)

/* Judge requests quote the item and the answer; each is cut to this many
 * bytes (on a UTF-8 boundary) so that one huge answer cannot make a
 * request the judge endpoint refuses. */
#define OSAFE_JUDGE_QUOTE_MAX (32u << 10)

/* ---- web interface (server/web*.c) ---- */

/* Live login sessions of one account (kept in the database): a person
 * uses a few browsers; past this the account's oldest session ends, so a
 * flood of logins with one token cannot evict anybody else's. */
#define OSAFE_WEB_SESSIONS_PER_ACCOUNT 16
/* A session lives 8 hours from login: a working day, after which a
 * borrowed or forgotten browser no longer acts for its user. */
#define OSAFE_WEB_SESSION_TTL_S (8 * 3600)
/* A token typed at the login form, once trimmed: ours are 70 characters
 * (reg_token_create); anything longer is refused without a lookup. */
#define OSAFE_WEB_TOKEN_MAX 256
/* Fields of one submitted form: the incident form has about 30, and
 * checkbox groups repeat names. */
#define OSAFE_WEB_FORM_FIELDS_MAX 256
/* One HTML page under construction: the longest list page (a full page of
 * records) is far below; a larger one is a bug, not a bigger page. */
#define OSAFE_WEB_PAGE_MAX (8u << 20)
/* Records one list page shows (the API's default page). */
#define OSAFE_WEB_LIST_LIMIT 50
/* A compared run's model in the comparison chart's legend ("model \u00b7
 * run id", web_evals.c): the legend starts 160 px into a 680 px chart, so
 * 60 bytes of model plus the id still fit at the chart's font size. */
#define OSAFE_WEB_SERIES_MODEL_MAX 60
/* Accept-Language entries considered (a real browser sends under ten). */
#define OSAFE_WEB_ACCEPT_LANG_MAX 32

/* Anonymous visitors share one risk ranking (web_risk.c) until the log
 * grows or this many seconds pass: unlogged changes (merges, the date that
 * ages incidents) show within five minutes, and a burst of page loads costs
 * one computation. */
#define OSAFE_WEB_RISK_TTL_S 300
/* Rankings kept (web_risk.c), keyed by the caller's view, the seed and the
 * log size: the default and a few chosen seeds for anonymous visitors plus
 * the signed-in users of the moment; each holds at most
 * OSAFE_RISK_ITEMS_MAX risks (about 1 MiB), so memory stays bounded. */
#define OSAFE_WEB_RISK_CACHE_MAX 8

/* ---- abuse limits (server/ratelimit.c, issue 9 item 3) ---- */

/* Writes (API POST/PATCH/DELETE, web form posts) per account and minute,
 * as a burst of one minute's worth then a steady rate: far above a person
 * or `osafe eval publish`, far below the 200 a second one token managed;
 * `osafe serve --write-rate N` (0: off). */
#define OSAFE_RATE_WRITES_PER_MIN 300
/* Ranking computations (a /risks page not in the cache) per address and
 * minute: each costs about a quarter of a second of CPU at 2,000 records
 * (more when several run at once), so 12 keep one address under a few
 * seconds of CPU a minute, while a person trying seeds never meets it;
 * `osafe serve --read-rate N` (0: off). */
#define OSAFE_RATE_READS_PER_MIN 12
/* Accounts or addresses tracked at once per limit (72 bytes each). */
#define OSAFE_RATE_KEYS_MAX 4096
/* Largest rate the options accept: a typo cannot mean "unlimited". */
#define OSAFE_RATE_OPTION_MAX 1000000

/* ---- risk prioritization (risk/) ---- */

/* A policy file is a page of settings; anything larger is not one. */
#define OSAFE_RISK_POLICY_MAX (64u << 10)
/* Joint posterior draws: 4000 give a Monte Carlo s.d. of any P under
 * 0.008; a hundred thousand is already 25 times finer than any tier edge
 * needs, and memory grows with items x draws. */
#define OSAFE_RISK_DRAWS_MAX 100000u
/* Risks (hazard x model) ranked at once: ranks keep items x draws floats
 * (2048 x 4000 x 4 bytes = 32 MiB at the default); a registry with more
 * model/hazard pairs than this must be ranked per model. */
#define OSAFE_RISK_ITEMS_MAX 2048u
/* Evaluation runs read per ranking (pages of the public list). */
#define OSAFE_RISK_EVALS_MAX 100000u

/* ---- HTML evaluation report (eval/report_html.c) ---- */

/* The worst samples a report shows: enough to see a pattern, few enough
 * that a reader opens each. */
#define OSAFE_REPORT_WORST 20u
/* Failed samples listed by item id under their reasons (the counts cover
 * all of them). */
#define OSAFE_REPORT_ERRORS_LISTED 20u
/* A prompt or response quoted in a report is cut to this many bytes (on a
 * UTF-8 boundary): harmful text is shown only as much as a reviewer needs
 * to judge the score. */
#define OSAFE_REPORT_QUOTE_MAX 1200u
/* The sample browser shows this many samples a page: the DOM holds one
 * page, whatever the run's size. */
#define OSAFE_REPORT_SAMPLES_PAGE 50u
/* The browser carries every sample, with each prompt and answer cut to
 * BUDGET / (2 x samples) bytes, at least TEXT_MIN and at most
 * OSAFE_REPORT_QUOTE_MAX: up to 56 000 samples keep 1200 bytes, 10^6
 * keep 67; samples.jsonl has them whole.  This keeps a report of 10^6
 * samples near 200 MiB, a file a browser still opens. */
#define OSAFE_REPORT_SAMPLES_TEXT_BUDGET (128u << 20)
#define OSAFE_REPORT_SAMPLES_TEXT_MIN 64u
/* The whole report: the charts are bounded by SVG_ITEMS_MAX rows, the
 * texts by the budget above; the rest is about 120 bytes a sample, so
 * 10^6 samples fit and a bigger file means a runaway loop. */
#define OSAFE_REPORT_HTML_MAX (512u << 20)

/* ---- learned refusal classifier (eval/refusal_model.c) ---- */

/* A model file is a few dozen short lines; 64 KiB means it is not one. */
#define OSAFE_REFUSAL_MODEL_MAX (64u << 10)
/* Labelled answers `osafe classify train` reads: a million is ten times
 * any human-labelled set we know of, and keeps the feature matrix in RAM
 * under 250 MB. */
#define OSAFE_REFUSAL_TRAIN_MAX 1000000u
/* Gradient-descent steps of training: the development set's loss stops
 * moving (relative change below 1e-9) long before this. */
#define OSAFE_REFUSAL_TRAIN_ITERS 20000u
/* Samples whose classifier confidence (the model's probability of its
 * label) is below this are marked needs_review by `osafe eval run`:
 * on the development set's leave-one-model-out reliability table, answers
 * below 0.8 agree with people markedly less often than the rest
 * (docs/EVALUATION.md).  `--review-below` overrides it. */
#define OSAFE_REFUSAL_REVIEW_BELOW 0.8

/* ---- the filing form (registry/validate.c rec_validate_all, issue 16) ---- */

/* Complaints listed at once about one record: one per field.  A record has
 * 48 client fields, so only input with many unknown members reaches it;
 * the first 64 say enough and the rest are not listed. */
#define OSAFE_REC_ERRORS_MAX 64

/* ---- samples of published evaluations (registry, issue 16 item 10) ---- */

/* One upload request of `osafe eval publish` (NDJSON, whole lines): under
 * OSAFE_HTTP_BODY_MAX with room to spare, so a 2 GiB run is ~2,700
 * requests, each one short SQLite transaction. */
#define OSAFE_SAMPLES_CHUNK_MAX (768u << 10)
/* Samples a page of the sample browser or GET .../samples shows: 200 rows
 * of prompt and answer is already more than a reader scrolls; the default
 * fits one screen of the HTML table. */
#define OSAFE_SAMPLES_PER_PAGE_MAX 200
#define OSAFE_SAMPLES_PER_PAGE_DEFAULT 25
/* A filter value (hazard, language, label): the longest hazard code is
 * under 40 bytes, a BCP 47 tag 35; more is a mistake, refused with 400. */
#define OSAFE_SAMPLE_FILTER_MAX 64
/* What a sample row keeps of hazard, language and label (bytes): longer
 * values are kept whole in the sample's line but cut in the indexed
 * columns, which only filters read. */
#define OSAFE_SAMPLE_FIELD_MAX 64
/* A scored sample passes at this score or above: scores are 0..1 with 1
 * the behaviour the item expects (eval/score.h), and every built-in scorer
 * but the judge gives 0 or 1 only. */
#define OSAFE_SAMPLE_PASS_MIN 0.5
/* Match counts of filtered sample pages kept in memory (store, by
 * database, upload and filter; counts of complete uploads never change):
 * a count walks every matching index entry (~0.5 s for 650,000 of 10^6,
 * bench_samples), and paging through one filter needs it on every page;
 * 256 filters of a few dozen bytes each. */
#define OSAFE_SAMPLE_COUNT_CACHE 256
/* Retries of one upload request answered 429 or a network error before
 * `osafe eval publish` gives up (the upload resumes where it stopped). */
#define OSAFE_SAMPLES_UPLOAD_RETRIES 8
/* The longest a 429's Retry-After is honoured, seconds. */
#define OSAFE_SAMPLES_RETRY_WAIT_MAX 120
/* ---- federation (src/federation/, issue 12) ---- */

/* A peer's base URL: room for a host name (253) and a path; the store
 * keeps 512 bytes for it. */
#define OSAFE_PEER_URL_MAX 480u
/* One HTTP request to a peer (a checkpoint, a tile, a bundle of up to
 * 16 MiB): a peer that has not answered in 60 s is reported as down
 * rather than holding the sync forever. */
#define OSAFE_PEER_HTTP_TIMEOUT_MS 60000L
#define OSAFE_PEER_CONNECT_TIMEOUT_MS 10000L
/* Verified entries of a peer stored per transaction: each commit is an
 * fsync (synchronous=FULL), and one per 256-entry bundle made a 100,000-
 * entry sync wait on the disk four times longer than it computed; a crash
 * refetches at most this many. */
#define OSAFE_PEER_COMMIT_ENTRIES 4096u
/* Refused GREEN/AMBER records of one peer fetched again at the start of
 * each sync (federation/retry.c): two requests each, so a peer that keeps
 * serving bad bytes for many records delays its sync by a bounded amount;
 * the rest wait for the following syncs, oldest first. */
#define OSAFE_PEER_REFUSED_RETRY_MAX 64u
/* `osafe serve --sync-interval S`: at most a day between pulls (a longer
 * pause is no mirroring at all). */
#define OSAFE_PEER_SYNC_INTERVAL_MAX 86400u
/* The token a peer issued to this node (read from the variable named at
 * `osafe peer add --token-env`): ours are 70 bytes ("osafe_" and 64 hex);
 * room for another implementation's longer ones, refused beyond. */
#define OSAFE_PEER_TOKEN_MAX 512u
/* Requests per second one sync makes to one peer (`--sync-rate`, `peer
 * sync --rate`): a 100,000-record catch-up needs about 800 requests, so
 * 200/s costs it 4 s at most while a node syncing many peers cannot
 * flood any of them; settable up to OSAFE_PEER_RATE_MAX. */
#define OSAFE_PEER_RATE_DEFAULT 200u
#define OSAFE_PEER_RATE_MAX 100000u
/* Retries of one request that failed transiently (network error, 429,
 * 5xx), waiting a random time up to BASE * 2^attempt (full jitter),
 * capped at MAX: 4 retries ride out a restart of a few seconds; a peer
 * down longer is reported and tried again at the next sync. */
#define OSAFE_PEER_RETRIES 4u
/* `--retries`: 16 doublings are far past the cap; more only hides a peer
 * that is down. */
#define OSAFE_PEER_RETRIES_MAX 16u
/* `serve --sync-interval`: a peer that failed several syncs in a row is
 * tried less often, the wait doubling up to an hour (it is still listed
 * with its error; one success resets it). */
#define OSAFE_PEER_DOWN_BACKOFF_MAX_S 3600u
/* Hash tiles a sync keeps per tile level (16 KiB each with the levels
 * computed inside): the proofs of one sync touch the full tiles left of
 * the path and the partial one at the edge, a handful per level. */
#define OSAFE_PEER_TILE_CACHE 8
/* Entry bundles a sync requests ahead while it verifies and stores one
 * (each on its own connection): enough to keep the serving node busy
 * while this one computes; memory is at most this many bundles more. */
#define OSAFE_PEER_PREFETCH 4
#define OSAFE_PEER_BACKOFF_BASE_MS 250u
#define OSAFE_PEER_BACKOFF_MAX_MS 8000u
/* The gossip route (GET /federation/checkpoints): the latest checkpoint
 * accepted from each peer; a node reads at most this many bytes of one
 * peer's list, and checks at most OSAFE_GOSSIP_CHECKPOINTS_MAX notes. */
#define OSAFE_GOSSIP_BYTES_MAX (4u << 20)
#define OSAFE_GOSSIP_CHECKPOINTS_MAX 1024u
/* ---- GGUF model files (infer/gguf.c, issue 14) ---- */

/* Tensor names: ggml keeps them in a 64-byte field with its NUL, so a
 * longer name is not a file llama.cpp would load either. */
#define OSAFE_GGUF_NAME_MAX 63
/* Metadata keys: the GGUF spec caps them at 65535 bytes. */
#define OSAFE_GGUF_KEY_MAX 65535u
/* One metadata string: chat templates, the longest honest ones, are tens
 * of KiB; 16 MiB is far above and keeps a lying length from mattering. */
#define OSAFE_GGUF_STRING_MAX (16u << 20)
/* Metadata entries and tensors: real files have a few dozen keys and at
 * most a few thousand tensors (large MoE models); 65536 of each bounds
 * the index we allocate before reading them. */
#define OSAFE_GGUF_KV_MAX 65536u
#define OSAFE_GGUF_TENSORS_MAX 65536u
/* Elements of one metadata array: vocabularies and merge lists reach
 * ~260k entries; 16 Mi bounds the string index (16 bytes an element). */
#define OSAFE_GGUF_ARRAY_MAX (16u << 20)
/* general.alignment: a power of two, 32 by default; more than 64 KiB
 * (a huge page's worth of padding per tensor) is not a real file. */
#define OSAFE_GGUF_ALIGN_MAX (64u << 10)
/* ggml tensors have at most 4 dimensions. */
#define OSAFE_GGUF_DIMS_MAX 4u

/* ---- in-process inference (infer/, issue 14) ---- */

/* Worker threads of one model: far above any CPU we run on, low enough
 * that a typo cannot start a million threads. */
#define OSAFE_INFER_THREADS_MAX 256u
/* Context (tokens in the KV cache): 128 Ki is the longest context of the
 * model families we read; the cache is allocated up front from it. */
#define OSAFE_INFER_CTX_MAX 131072u
/* Model shapes read from metadata, checked before anything is sized by
 * them (the tensors' shapes must then agree): the largest open models have
 * n_embd 16384, 126 layers, 128 heads, n_ff 53248 and vocabularies of 256k. */
#define OSAFE_INFER_EMBD_MAX 65536u
#define OSAFE_INFER_LAYERS_MAX 1024u
#define OSAFE_INFER_HEADS_MAX 1024u
#define OSAFE_INFER_FF_MAX (1u << 20)
#define OSAFE_INFER_VOCAB_MAX (1u << 21)
/* Head dimension: 256 is the largest in use (Gemma); 1024 leaves room. */
#define OSAFE_INFER_HEAD_DIM_MAX 1024u
/* New tokens of one answer when the request names no max_tokens: enough
 * for a full refusal or compliance, bounded so that a model that never
 * emits an end token cannot run on for the whole context. */
#define OSAFE_INFER_MAX_NEW_DEFAULT 256u
/* Context of an in-process run when --ctx is not given: safety prompts
 * are short, and the f32 KV cache of a 0.5B model at 4096 tokens is
 * about 100 MiB; larger contexts are asked for with --ctx. */
#define OSAFE_INFER_CTX_DEFAULT 4096
/* ---- osafe migrate (store/store_copy.c, issue 13) ---- */

/* Rows copied per PostgreSQL transaction: an interrupted copy loses at
 * most this many rows' work, and a transaction this size commits in
 * milliseconds without holding the write lock long against a server. */
#define OSAFE_MIGRATE_BATCH_ROWS 500u

/* Batches whose entries reached the log but whose commit failed (the
 * database went away in between), remembered until the next batch
 * records them as abandoned.  Each outage costs one at most (the next
 * begin fails while the database is away); past 8 the sequencer refuses
 * every batch until a restart reconciles the log's tail. */
#define OSAFE_BATCH_LOST_MAX 8u

/* ---- witnessing our own log (federation/witness_collect.c, issue 12) ---- */

/* Witness keys in one policy (--witness, repeated) and witnesses one node
 * asks to cosign: a quorum of a few independent parties is the point; 16
 * bounds the cosignature lines a served checkpoint carries (each ~110
 * bytes) far below OSAFE_NOTE_MAX_SIGS. */
#define OSAFE_WITNESS_MAX 16u
/* A cosignature stamped this far ahead of our clock is refused by a
 * policy check: witnesses' clocks drift, but a time much in the future is
 * no statement about the present. */
#define OSAFE_COSIG_FUTURE_SKEW_S 300u
/* How often the collector looks for a new checkpoint (a read of one small
 * file): cosignatures follow a batch within about this delay. */
#define OSAFE_COSIGN_POLL_MS 250u
/* Backoff after a witness fails (down, 4xx, 5xx): doubling from the first
 * to the last value, with up to 25% jitter, so that an unreachable witness
 * is not hammered and does not delay the others. */
#define OSAFE_COSIGN_BACKOFF_MIN_MS 500u
#define OSAFE_COSIGN_BACKOFF_MAX_MS 300000u
/* One add-checkpoint request: a witness that has not answered in 20 s is
 * treated as down and retried later (publication never waits for it). */
#define OSAFE_COSIGN_HTTP_TIMEOUT_MS 20000L
/* A witness's answer: one or a few cosignature lines, or a size. */
#define OSAFE_COSIGN_RESPONSE_MAX 4096u

#endif
