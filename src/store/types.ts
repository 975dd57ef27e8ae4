import type { PsaCompany, PsaContact, PsaTicket } from '../connectors/psa/types.js';

/**
 * The store port: everything the service keeps. The only implementation today is Kysely over
 * SQLite or PostgreSQL (`kysely/`); SQL lives there and nowhere else. Times are ISO-8601 UTC.
 */
export type Role = 'admin' | 'technician';

export type UserRecord = {
  id: string;
  email: string;
  name: string;
  role: Role;
  passwordHash: string;
  disabled: boolean;
  /** `config` for users from the configuration file, `cli` for users added by the command line. */
  source: string;
  createdAt: string;
};

export type SessionRecord = {
  id: string;
  userId: string;
  csrfToken: string;
  createdAt: string;
  expiresAt: string;
  lastSeenAt: string;
  /**
   * Set for a session opened by Microsoft or OIDC sign-in: it ends then however it is used, so the
   * next sign-in reads the user's roles again (the re-check interval). Null for a local sign-in.
   */
  reauthAt?: string | null;
};

export type ReadFailure = { code: string; message: string; upstreamStatus?: number; upstreamCode?: string };
export type ReadResult<T> = { ok: true; value: T; ms: number } | { ok: false; error: ReadFailure; ms: number };

/** What the PSA reads of a launch returned, kept so that any instance can render the form. */
export type LaunchContext = {
  ticket: ReadResult<PsaTicket> | null;
  company: ReadResult<PsaCompany>;
  contact: ReadResult<PsaContact>;
};

export type LaunchStatus = 'pending' | 'ready' | 'failed';

export type LaunchRecord = {
  id: string;
  /**
   * The PSA (connector kind) whose ticket, company and contact ids these are. Ids mean nothing in
   * another PSA: a launch is served only while its PSA is the one connected. Null only for a row
   * older than the toolbox's record of it that could not be attributed.
   */
  psaKind: string | null;
  formName: string;
  ticketId: string | null;
  companyId: string;
  contactId: string;
  /** Parameters 1Stream sent that we do not use; kept for the record. */
  extraParams: Record<string, string>;
  technicianUserId: string | null;
  status: LaunchStatus;
  context: LaunchContext | null;
  createdAt: string;
  expiresAt: string;
};

export type ExecutionStatus = 'queued' | 'running' | 'succeeded' | 'partial' | 'failed';
/** `unknown`: an unrepeatable step was interrupted and its outcome could not be read back (never re-sent). */
export type StepStatus = 'pending' | 'running' | 'ok' | 'warning' | 'failed' | 'skipped' | 'unknown';
export type NoteStatus = 'pending' | 'written' | 'skipped' | 'failed';

export type ExecutionRecord = {
  id: string;
  launchId: string | null;
  /** The PSA of its screen pop (see LaunchRecord.psaKind): its ticket note goes there or nowhere. */
  psaKind: string | null;
  formName: string;
  status: ExecutionStatus;
  technicianUserId: string;
  technicianEmail: string;
  ticketId: string | null;
  companyId: string;
  contactId: string;
  directoryId: string;
  targetUserId: string;
  targetDisplay: string;
  /** Form inputs with every secret removed. */
  inputs: Record<string, unknown>;
  hasSecret: boolean;
  secretRevealedAt: string | null;
  noteStatus: NoteStatus;
  noteText: string | null;
  noteError: string | null;
  errorMessage: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
};

export type StepRecord = {
  executionId: string;
  seq: number;
  key: string;
  label: string;
  status: StepStatus;
  message: string | null;
  upstreamCode: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  /** The values this step handed to later steps, restored when a run resumes after a crash. */
  facts: Record<string, unknown> | null;
};

export type NewExecution = Omit<
  ExecutionRecord,
  | 'status'
  | 'hasSecret'
  | 'secretRevealedAt'
  | 'noteStatus'
  | 'noteText'
  | 'noteError'
  | 'errorMessage'
  | 'createdAt'
  | 'startedAt'
  | 'finishedAt'
> & {
  secretSealed: string | null;
  secretExpiresAt: string | null;
  steps: Pick<StepRecord, 'key' | 'label'>[];
  /**
   * The job that will run it, written in the same transaction: no execution exists without the
   * work that finishes it (a crash between two writes left executions `queued` forever).
   */
  job?: NewJob;
};

/** A job as the store writes it (see JobRepo.enqueue). */
export type NewJob = { id: string; kind: string; payload: unknown; runAt: string; maxAttempts: number; uniqueKey?: string };

export type JobStatus = 'queued' | 'running' | 'done' | 'failed';

export type JobRecord = {
  id: string;
  kind: string;
  payload: unknown;
  status: JobStatus;
  attempts: number;
  maxAttempts: number;
  runAt: string;
  lockedUntil: string | null;
  lastError: string | null;
  uniqueKey: string | null;
};

/**
 * A job's current claim (`JobLease`): a write that carries it happens only while that claim still
 * holds the job, checked in the same statement; otherwise the write throws `LeaseLostError`.
 */
export type StoreFence =
  /** A claim on a row of the store's own `jobs` table (the store queue). */
  | { jobId: string; token: string }
  /**
   * A pg-boss job as one worker fetched it: pg-boss counts every fetch of a job in `retry_count`, so
   * the job is still this worker's while it is `active` with that count.
   */
  | { engine: 'pg-boss'; schema: string; queue: string; jobId: string; retryCount: number };

/** SQL run inside the store's transaction, for a job engine that writes its job there (pg-boss). */
export type TransactionSql = { executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> };

/**
 * Writes an execution's job inside the store's transaction. Without one, the store writes the job
 * into its own `jobs` table; a job engine with its own tables (pg-boss) passes its writer.
 */
export type TransactionalJobWriter = (job: NewJob, sql: TransactionSql) => Promise<void>;

/** The worker's claim on the job was taken over: it must stop without writing anything more. */
export class LeaseLostError extends Error {
  constructor(jobId: string) {
    super(`The claim on job ${jobId} was lost (another worker took it over); this worker stops here.`);
    this.name = 'LeaseLostError';
  }
}

export type UserRepo = {
  create(user: Omit<UserRecord, 'createdAt'>, now: string): Promise<UserRecord>;
  /**
   * Creates the user unless one with this e-mail exists (then nothing changes); true when it was
   * created. Safe when several instances start together and each creates the configured users.
   */
  createIfAbsent(user: Omit<UserRecord, 'createdAt'>, now: string): Promise<boolean>;
  findByEmail(email: string): Promise<UserRecord | undefined>;
  findById(id: string): Promise<UserRecord | undefined>;
  list(): Promise<UserRecord[]>;
  update(id: string, changes: Partial<Pick<UserRecord, 'name' | 'role' | 'passwordHash' | 'disabled'>>, now: string): Promise<void>;
  /** The user a provider's immutable key belongs to (`microsoft:{tid}` + oid, `oidc:{iss}` + sub). */
  findByExternalIdentity(provider: string, subject: string): Promise<UserRecord | undefined>;
  /** Records that this key belongs to the user (once), and when it last signed in. */
  linkExternalIdentity(identity: { provider: string; subject: string; userId: string }, now: string): Promise<void>;
  /** The provider keys (`microsoft:{tid}`, `oidc:{iss}`) a user is linked to. */
  externalProviders(userId: string): Promise<string[]>;
};

export type SessionRepo = {
  create(session: SessionRecord): Promise<void>;
  /** The session with this id, only if it has not expired at `now`. */
  findValid(id: string, now: string): Promise<SessionRecord | undefined>;
  /**
   * The session with this id, only if it has not expired at `now`, with its user, in one query:
   * every request asks, so a sign-out or a disabled user counts on every instance at once.
   */
  findValidWithUser(id: string, now: string): Promise<{ session: SessionRecord; user: UserRecord } | undefined>;
  touch(id: string, now: string, expiresAt: string): Promise<void>;
  /**
   * Ends one session; true when this call removed it. A one-time code (pod hand-off) is redeemed
   * only by the call that removed it, so two redeems at once cannot both win.
   */
  delete(id: string): Promise<boolean>;
  /** Ends every session of a user (disabled, or given a new password); returns how many. */
  deleteForUser(userId: string): Promise<number>;
  deleteExpired(now: string): Promise<number>;
};

export type LaunchRepo = {
  create(launch: LaunchRecord): Promise<void>;
  get(id: string): Promise<LaunchRecord | undefined>;
  saveContext(id: string, status: LaunchStatus, context: LaunchContext, now: string): Promise<void>;
  /** Gives an unowned launch to this technician; returns the owner after the call. */
  claim(id: string, userId: string, now: string): Promise<string | null>;
  /** This technician's launches still usable at `now` that no execution came from yet, newest first. */
  listOpen(options: { technicianUserId: string; now: string; limit: number }): Promise<LaunchRecord[]>;
  /**
   * The PSA company names these launches read, by company id (launches whose company read failed
   * are left out): lists show companies by name without asking the PSA for each row.
   */
  companyNames(launchIds: string[]): Promise<Map<string, string>>;
  /** When the newest screen pop arrived; null before the first. Proves 1Stream has the URLs. */
  latestCreatedAt(): Promise<string | null>;
};

export type ExecutionRepo = {
  /** Creates the execution and its pending steps; returns the existing one when the launch already has one. */
  createOnce(
    execution: NewExecution,
    now: string,
    writeJob?: TransactionalJobWriter,
  ): Promise<{ execution: ExecutionRecord; created: boolean }>;
  get(id: string): Promise<ExecutionRecord | undefined>;
  /** The execution a launch gave, if it was submitted: a launch runs at most once. */
  findByLaunch(launchId: string): Promise<ExecutionRecord | undefined>;
  steps(id: string): Promise<StepRecord[]>;
  setStatus(id: string, status: ExecutionStatus, now: string, errorMessage?: string | null): Promise<void>;
  /** With `fence`, only while that job claim holds (see StoreFence); throws LeaseLostError otherwise. */
  updateStep(
    executionId: string,
    seq: number,
    changes: Partial<Omit<StepRecord, 'executionId' | 'seq'>>,
    fence?: StoreFence,
  ): Promise<void>;
  appendStep(step: StepRecord): Promise<void>;
  setNote(id: string, note: { status: NoteStatus; text: string | null; error: string | null }): Promise<void>;
  /** Stores a sealed secret a step obtained, replacing any other, until `expiresAt`. */
  setSecret(id: string, sealed: string, expiresAt: string): Promise<void>;
  /** The sealed secret, for the worker; does not reveal or remove it. */
  readSecret(id: string, now: string): Promise<string | null>;
  /**
   * Hands the sealed secret out exactly once: marks it revealed and removes it in the same
   * statement, so two tabs or instances cannot both show it.
   */
  takeSecret(id: string, now: string): Promise<string | null>;
  /** Destroys the sealed secret without marking it revealed: it never took effect, nobody saw it. */
  discardSecret(id: string): Promise<void>;
  /** Removes secrets that were never shown before their expiry. */
  purgeExpiredSecrets(now: string): Promise<number>;
  listRecent(options: { technicianUserId?: string; limit: number }): Promise<ExecutionRecord[]>;
  /** Newest first, with the number of all matches for paging. */
  search(filter: ExecutionFilter, page: { limit: number; offset: number }): Promise<{ items: ExecutionRecord[]; total: number }>;
  /** Re-seals every stored one-time secret (secret key rotation); returns how many. */
  resealSecrets(reseal: (sealed: string, executionId: string) => string): Promise<number>;
};

export type JobRepo = {
  enqueue(job: NewJob, now: string): Promise<boolean>;
  /**
   * Atomically takes the next due job, or undefined. Safe with several workers and instances.
   * `token` names this claim (unique per claim): heartbeats, fenced writes and the outcome carry it.
   * A `running` job whose lease ran out (its worker stopped heartbeating) is taken over.
   */
  claimNext(token: string, now: string, leaseUntil: string): Promise<JobRecord | undefined>;
  /** Extends the lease while `token` still holds the job; false when it was taken over. */
  heartbeat(id: string, token: string, leaseUntil: string, now: string): Promise<boolean>;
  /** With `token`, only while that claim holds the job: a worker that lost it records nothing. */
  complete(id: string, now: string, token?: string): Promise<void>;
  fail(id: string, error: string, retryAt: string | null, now: string, token?: string): Promise<void>;
  get(id: string): Promise<JobRecord | undefined>;
  /** Queued and running jobs, oldest first: what a switch to another job engine must carry over. */
  listUnfinished(): Promise<JobRecord[]>;
  /**
   * Hands a running job back (graceful shutdown): queued again at `now`, unlocked, so another
   * worker or the next start takes it at once. Only while the claim `token` still holds it.
   */
  release(id: string, token: string, now: string): Promise<void>;
};

export type SettingsEntry = {
  key: string;
  value: unknown;
  /** Changes on every write of this document; pass it back to write only over what was read. */
  revision: string;
  updatedAt: string;
  updatedBy: string | null;
};

export type AuditEntry = {
  id: string;
  at: string;
  actorUserId: string | null;
  /** Who did it: a user's email, or `config` / `cli` for changes outside the console. */
  actorEmail: string;
  /** What was done, e.g. `psa.update`, `user.disable`. */
  action: string;
  /** What it was done to, e.g. `psa`, `directory:contoso`, `user:jane@msp.example`. */
  target: string;
  /** The value before and after, secrets replaced by a marker before they get here. */
  before: unknown;
  after: unknown;
  requestId: string | null;
};

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'at'>;

export type SettingsRepo = {
  list(): Promise<SettingsEntry[]>;
  get(key: string): Promise<SettingsEntry | undefined>;
  /** Changes whenever any settings document is written; cheap, so instances can poll it. */
  fingerprint(): Promise<string>;
  /**
   * Writes a document (`value`) or removes it (`null`) and appends its audit entry, in one
   * transaction. With `expectedRevision` the write only happens over that revision (`null`: only
   * when the document does not exist yet); otherwise it throws a conflict error, so two admins
   * editing at once do not silently overwrite each other.
   */
  write(
    key: string,
    value: unknown,
    options: { now: string; audit: NewAuditEntry; expectedRevision?: string | null; updatedBy?: string | null },
  ): Promise<{ revision: string }>;
  /** Several documents at once, each with its audit entry: all of them land, or none (a conflict on any refuses all). */
  writeMany(
    changes: { key: string; value: unknown; expectedRevision?: string | null | undefined; audit: NewAuditEntry }[],
    options: { now: string; updatedBy?: string | null },
  ): Promise<{ revision: string }[]>;
};

export type AuditFilter = { action?: string; actorEmail?: string; target?: string };

export type AuditRepo = {
  append(entry: NewAuditEntry, now: string): Promise<AuditEntry>;
  /** Newest first. */
  list(filter: AuditFilter, page: { limit: number; offset: number }): Promise<{ items: AuditEntry[]; total: number }>;
};

export type ApiTokenRecord = {
  id: string;
  userId: string;
  name: string;
  /** The last characters of the token, so an admin can tell tokens apart. */
  hint: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
};

export type ApiTokenRepo = {
  create(
    token: Omit<ApiTokenRecord, 'createdAt' | 'lastUsedAt' | 'revokedAt'> & { tokenHash: string },
    now: string,
  ): Promise<ApiTokenRecord>;
  /** The token with this hash when it is not revoked. */
  findActiveByHash(tokenHash: string): Promise<ApiTokenRecord | undefined>;
  get(id: string): Promise<ApiTokenRecord | undefined>;
  list(options: { userId?: string }): Promise<ApiTokenRecord[]>;
  revoke(id: string, now: string): Promise<boolean>;
  touch(id: string, now: string): Promise<void>;
};

/**
 * What counts failed sign-ins: `pair` (one account from one client address), `account` (one
 * account from anywhere), `address` (any account from one address), and `known`, an address the
 * account signed in from successfully (it keeps its way in when the account as a whole is locked).
 */
export type SignInThrottleScope = 'pair' | 'account' | 'address' | 'known';

export type SignInThrottleRecord = {
  key: string;
  scope: SignInThrottleScope;
  /** The e-mail as typed, lower-cased; null for `address`. */
  email: string | null;
  /** null for `account`. */
  address: string | null;
  /** Failures since `windowStartedAt`. */
  failures: number;
  windowStartedAt: string;
  /** Sign-in is refused until then; null when not locked. */
  lockedUntil: string | null;
  updatedAt: string;
};

export type SignInThrottleRepo = {
  get(keys: string[]): Promise<SignInThrottleRecord[]>;
  /**
   * Counts one failure against the key, atomically (several instances count into one row). A
   * window that started at or before `windowStart` has run out: the count starts again at 1 and
   * an old lock is cleared. Returns the failures in the window, this one included.
   */
  countFailure(entry: Pick<SignInThrottleRecord, 'key' | 'scope' | 'email' | 'address'>, now: string, windowStart: string): Promise<number>;
  lock(key: string, until: string, now: string): Promise<void>;
  /** Creates or refreshes a row without counting anything (`known` addresses). */
  touch(entry: Pick<SignInThrottleRecord, 'key' | 'scope' | 'email' | 'address'>, now: string): Promise<void>;
  delete(keys: string[]): Promise<void>;
  /** Locks in force at `now`, of one account (`email`) or of all. */
  listLocked(now: string, email?: string): Promise<SignInThrottleRecord[]>;
  /** Lifts an account's locks and forgets its failures (account-wide and per address); returns how many locks were lifted. */
  unlockAccount(email: string, now: string): Promise<number>;
  /**
   * Removes counters whose window ran out before `countersBefore` and that hold no lock, and known
   * addresses not used since `knownBefore`.
   */
  purge(options: { now: string; countersBefore: string; knownBefore: string }): Promise<number>;
};

/** An admin-consent link's `state` (its SHA-256, never the value), bound to the session that asked for it. */
/**
 * One admin-consent link's `state` (hashed): bound to the console session that made it, or, for a
 * link made through the API, to its `consentId` (and `sessionId` null).
 */
export type ConsentStateRecord = {
  stateHash: string;
  sessionId: string | null;
  consentId?: string | null;
  userId: string;
  createdAt: string;
  expiresAt: string;
};

/** What came of a consent link made through the API; `result` is null until its callback came. */
export type ConsentResultRecord = {
  consentId: string;
  userId: string;
  userEmail: string;
  createdAt: string;
  expiresAt: string;
  completedAt: string | null;
  result: unknown;
};

export type ConsentResultRepo = {
  create(record: Omit<ConsentResultRecord, 'completedAt' | 'result'>): Promise<void>;
  complete(consentId: string, result: unknown, completedAt: string): Promise<void>;
  get(consentId: string): Promise<ConsentResultRecord | undefined>;
  /** The newest links still kept (not past `expiresAt`), newest first: the console's "Links sent". */
  listRecent(now: string, limit: number): Promise<ConsentResultRecord[]>;
  purgeExpired(now: string): Promise<number>;
};

export type ConsentStateRepo = {
  create(record: ConsentStateRecord): Promise<void>;
  /** Removes and returns the state, expired or not (the caller checks): a state works once. */
  take(stateHash: string): Promise<ConsentStateRecord | undefined>;
  purgeExpired(now: string): Promise<number>;
};

export type ExecutionFilter = {
  formName?: string;
  status?: ExecutionStatus;
  companyId?: string;
  technicianUserId?: string;
  /** Created at or after (ISO time). */
  from?: string;
  /** Created before (ISO time). */
  to?: string;
};

/** Counts for the Prometheus metrics, read from the store so every instance reports the same. */
export type OperationalCounts = {
  executions: { formName: string; status: string; count: number }[];
  steps: { status: string; count: number }[];
  /** Unfinished jobs by kind and state: `due` (queued, may run now), `scheduled` (queued for later), `running`. */
  jobs: { kind: string; state: 'due' | 'scheduled' | 'running'; count: number; oldestRunAt: string | null }[];
};

/**
 * Retention and metrics: statements over several tables that belong to no single record type.
 * Every purge deletes in batches (short write locks) and is safe when several instances run it
 * at once: each deletes what is left.
 */
export type MaintenanceRepo = {
  /** Whether the database answers a trivial query (readiness). */
  ping(): Promise<void>;
  /** Deletes launches created before `before` (the contact data the PSA reads brought); returns how many. */
  purgeLaunches(before: string): Promise<number>;
  /** Deletes finished jobs (done or failed) last changed before `before`. */
  purgeFinishedJobs(before: string): Promise<number>;
  /** Deletes executions finished before `before`, with their steps. Unfinished ones are never touched. */
  purgeFinishedExecutions(before: string): Promise<number>;
  counts(now: string): Promise<OperationalCounts>;
};

/** A token an on-prem agent of one directory presents (only its hash is stored). */
export type DirectoryAgentTokenRecord = {
  id: string;
  directoryId: string;
  /** Its last four characters, to tell tokens apart. */
  hint: string;
  createdAt: string;
  createdBy: string | null;
  revokedAt: string | null;
};

/** What an on-prem agent last reported. */
export type DirectoryAgentRecord = {
  directoryId: string;
  agentName: string;
  version: string;
  /** Whether the agent reached its domain controller the last time it tried. */
  dcReachable: boolean;
  /** What it said about that, in a technician's words (never a secret). */
  dcMessage: string | null;
  firstSeenAt: string;
  lastSeenAt: string;
};

/** One directory operation for an agent: its arguments and answer are sealed (secret box). */
export type DirectoryAgentRequest = {
  id: string;
  directoryId: string;
  operation: string;
  status: 'pending' | 'claimed' | 'answered';
  argsSealed: string | null;
  answerSealed: string | null;
  claimedBy: string | null;
  createdAt: string;
  claimedAt: string | null;
  answeredAt: string | null;
  deadline: string;
};

export type DirectoryAgentRepo = {
  createToken(token: Omit<DirectoryAgentTokenRecord, 'revokedAt'> & { tokenHash: string }): Promise<DirectoryAgentTokenRecord>;
  /** The directory of a token that is not revoked. */
  findActiveToken(tokenHash: string): Promise<DirectoryAgentTokenRecord | undefined>;
  listTokens(directoryId: string): Promise<DirectoryAgentTokenRecord[]>;
  /** Revokes the directory's active tokens except `keepId`; returns how many. */
  revokeTokens(directoryId: string, now: string, keepId?: string): Promise<number>;
  /** Records that an agent was heard from (its poll), creating its row the first time. */
  recordSeen(agent: Omit<DirectoryAgentRecord, 'firstSeenAt'>): Promise<void>;
  listAgents(directoryId?: string): Promise<DirectoryAgentRecord[]>;
  /** The latest time any agent of the directory was heard from, or null. */
  lastSeen(directoryId: string): Promise<string | null>;
  enqueue(
    request: Pick<DirectoryAgentRequest, 'id' | 'directoryId' | 'operation' | 'argsSealed' | 'createdAt' | 'deadline'>,
  ): Promise<void>;
  /**
   * Claims up to `limit` pending requests of the directory whose deadline has not passed, oldest
   * first, for one agent; atomically (PostgreSQL: SKIP LOCKED), so each is taken by one agent only.
   */
  claim(directoryId: string, agent: string, now: string, limit: number): Promise<DirectoryAgentRequest[]>;
  /** Stores the answer of a request this agent claimed; false when it is not (any more) its own. Clears the arguments. */
  answer(id: string, agent: string, answerSealed: string, now: string): Promise<boolean>;
  get(id: string): Promise<DirectoryAgentRequest | undefined>;
  /** Deletes a request still pending (no agent took it); false when an agent already claimed it. */
  withdraw(id: string): Promise<boolean>;
  delete(id: string): Promise<void>;
  /** Deletes requests whose deadline passed before `before` (their callers have long given up). */
  purge(before: string): Promise<number>;
};

export type Store = {
  dialect: 'sqlite' | 'postgres';
  /**
   * PostgreSQL: where the store lives, for a job engine that keeps its own tables in the same
   * database (its schema beside the store's, so fenced writes can check its claims).
   */
  postgres?: { url: string; schema: string };
  users: UserRepo;
  sessions: SessionRepo;
  launches: LaunchRepo;
  executions: ExecutionRepo;
  jobs: JobRepo;
  settings: SettingsRepo;
  audit: AuditRepo;
  apiTokens: ApiTokenRepo;
  signInThrottle: SignInThrottleRepo;
  maintenance: MaintenanceRepo;
  /** The on-prem agents: tokens, last reports, the operations they carry. */
  directoryAgents: DirectoryAgentRepo;
  /** Admin-consent links' states (issue 13). */
  consentStates: ConsentStateRepo;
  consentResults: ConsentResultRepo;
  /** Runs pending migrations; safe when several instances start together. */
  migrate(): Promise<void>;
  /**
   * SQLite: an online backup of the whole database to a new file, consistent while the service
   * keeps writing. PostgreSQL: not offered (use pg_dump, docs/operations.md); throws.
   */
  backup(toPath: string): Promise<{ bytes: number }>;
  close(): Promise<void>;
};
