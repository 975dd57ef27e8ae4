/**
 * What the console calls each field an API operation takes, so an error reads
 * "Screen-pop lifetime: at least 1 minute." and never shows a raw key such as `launchTtlMinutes`.
 * Keyed by the last segment of the field's path; a field missing here is spelled out in words
 * from its key ("memberId" → "Member id"), which is still better than the key itself.
 */
const LABELS: Record<string, string> = {
  launchTtlMinutes: 'Screen-pop lifetime',
  psaTimeoutMs: 'PSA wait',
  sessionTtlHours: 'Sign-in lifetime',
  revision: 'Revision',
  secret: 'Webhook secret',
  email: 'E-mail',
  name: 'Name',
  role: 'Role',
  password: 'Password',
  generatePassword: 'Generate a password',
  disabled: 'Disabled',
  memberId: 'PSA member',
  userId: 'User',
  companyId: 'PSA company',
  companyIds: 'PSA companies',
  directoryId: 'Directory',
  enabled: 'Enabled',
  form: 'Form',
  forms: 'Forms',
  id: 'Id',
  label: 'Label',
  status: 'Status',
  technician: 'Technician',
  from: 'From',
  to: 'To',
  page: 'Page',
};

/** Words for a field path such as `body.launchTtlMinutes` or `body.mappings.0.directoryId`. */
export function fieldLabel(path: string, labels: Record<string, string> = {}): string {
  const segments = path.split('.').filter((segment) => segment !== '' && !/^\d+$/.test(segment));
  const key = segments.at(-1) ?? path;
  const known = labels[key] ?? LABELS[key];
  if (known) return known;
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase()
    .trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : 'A value';
}

/**
 * "Screen-pop lifetime: at least 1 minute." from the field's path and its message. A message
 * written to follow the field's name ("must be …", "is already used …") follows the label.
 */
export function fieldProblemText(path: string, message: string, labels: Record<string, string> = {}): string {
  const label = fieldLabel(path, labels);
  const text = message.trim();
  const end = /[.!?]$/.test(text) ? '' : '.';
  if (text.startsWith(label)) return `${text}${end}`;
  if (/^[a-z]/.test(text)) return `${label} ${text}${end}`;
  // Lower-case the message's first word unless it is a name or an acronym ("PSA", "URL").
  const lowered = /^[A-Z][a-z]/.test(text) ? text[0]!.toLowerCase() + text.slice(1) : text;
  return `${label}: ${lowered}${end}`;
}
