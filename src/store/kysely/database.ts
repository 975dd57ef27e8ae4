/**
 * Kysely table types. Timestamps are ISO-8601 UTC text (`2026-01-02T03:04:05.678Z`) on both
 * databases: they sort as text, need no bigint handling in pg, and read well in a SQL console.
 * JSON is stored as text for the same one-code-path reason.
 */
export type UserTable = {
  id: string;
  email: string;
  name: string;
  role: string;
  password_hash: string;
  disabled: number;
  source: string;
  created_at: string;
  updated_at: string;
};

export type SessionTable = {
  id: string;
  user_id: string;
  csrf_token: string;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
  /** External sign-ins only: the session ends then, however it is used (0007). */
  reauth_at: string | null;
};

export type ExternalIdentityTable = {
  provider: string;
  subject: string;
  user_id: string;
  created_at: string;
  last_sign_in_at: string;
};

export type LaunchTable = {
  id: string;
  form_name: string;
  ticket_id: string | null;
  company_id: string;
  contact_id: string;
  extra_params: string;
  technician_user_id: string | null;
  status: string;
  context: string | null;
  created_at: string;
  expires_at: string;
  updated_at: string;
  /** The PSA whose ids these are (0005); null only if it could not be known. */
  psa_kind: string | null;
};

export type ExecutionTable = {
  id: string;
  launch_id: string | null;
  form_name: string;
  status: string;
  technician_user_id: string;
  technician_email: string;
  ticket_id: string | null;
  company_id: string;
  contact_id: string;
  directory_id: string;
  target_user_id: string;
  target_display: string;
  inputs: string;
  secret_sealed: string | null;
  secret_expires_at: string | null;
  secret_revealed_at: string | null;
  note_status: string;
  note_text: string | null;
  note_error: string | null;
  error_message: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** The PSA of the screen pop it came from (0005); null only if it could not be known. */
  psa_kind: string | null;
};

export type ExecutionStepTable = {
  execution_id: string;
  seq: number;
  step_key: string;
  label: string;
  status: string;
  message: string | null;
  upstream_code: string | null;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  /** JSON: the values this step handed to later steps (0003). */
  facts: string | null;
};

export type JobTable = {
  id: string;
  kind: string;
  payload: string;
  status: string;
  attempts: number;
  max_attempts: number;
  run_at: string;
  locked_until: string | null;
  locked_by: string | null;
  last_error: string | null;
  unique_key: string | null;
  created_at: string;
  updated_at: string;
};

export type SettingsTable = {
  key: string;
  value: string;
  revision: string;
  updated_at: string;
  updated_by: string | null;
};

export type AuditLogTable = {
  id: string;
  at: string;
  actor_user_id: string | null;
  actor_email: string;
  action: string;
  target: string;
  before_value: string | null;
  after_value: string | null;
  request_id: string | null;
};

export type ApiTokenTable = {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  hint: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
};

export type SignInThrottleTable = {
  key: string;
  scope: string;
  email: string | null;
  address: string | null;
  failures: number;
  window_started_at: string;
  locked_until: string | null;
  updated_at: string;
};

export type DirectoryAgentTokenTable = {
  id: string;
  directory_id: string;
  token_hash: string;
  hint: string;
  created_at: string;
  created_by: string | null;
  revoked_at: string | null;
};

export type DirectoryAgentTable = {
  directory_id: string;
  agent_name: string;
  version: string;
  dc_reachable: number;
  dc_message: string | null;
  first_seen_at: string;
  last_seen_at: string;
};

export type DirectoryAgentRequestTable = {
  id: string;
  directory_id: string;
  operation: string;
  status: string;
  args_sealed: string | null;
  answer_sealed: string | null;
  claimed_by: string | null;
  created_at: string;
  claimed_at: string | null;
  answered_at: string | null;
  deadline: string;
};

export type ConsentStateTable = {
  state_hash: string;
  /** '' for a link made through the API (consent_id set instead). */
  session_id: string;
  user_id: string;
  created_at: string;
  expires_at: string;
  consent_id: string | null;
};

export type ConsentResultTable = {
  consent_id: string;
  user_id: string;
  user_email: string;
  created_at: string;
  expires_at: string;
  completed_at: string | null;
  result: string | null;
};

export type Database = {
  users: UserTable;
  sessions: SessionTable;
  external_identities: ExternalIdentityTable;
  launches: LaunchTable;
  executions: ExecutionTable;
  execution_steps: ExecutionStepTable;
  jobs: JobTable;
  settings: SettingsTable;
  audit_log: AuditLogTable;
  api_tokens: ApiTokenTable;
  sign_in_throttle: SignInThrottleTable;
  directory_agent_tokens: DirectoryAgentTokenTable;
  directory_agents: DirectoryAgentTable;
  directory_agent_requests: DirectoryAgentRequestTable;
  consent_states: ConsentStateTable;
  consent_results: ConsentResultTable;
};
