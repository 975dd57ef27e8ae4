/**
 * How a connector's settings appear in the admin console: one entry per setting, in the order an
 * admin fills them in. The connector's zod schema still decides what is valid; this only says
 * how to ask for it. `secret` fields are write-only: the console never shows or returns them,
 * and an empty value on save keeps the stored one.
 */
export type ConnectionField = {
  /** The settings key, as in the configuration file. */
  name: string;
  label: string;
  /** One line under the field: where to find the value. */
  help?: string;
  secret?: boolean;
  /** Shown under "Advanced": has a sensible default. */
  advanced?: boolean;
  placeholder?: string;
  /** Numbers are sent as numbers in the API; `multiline` is a text area (PEM certificates and keys). */
  type?: 'text' | 'url' | 'number' | 'multiline';
  /**
   * Fields that are alternatives to each other (a client secret, or a certificate and its key)
   * share a group: saving a new secret of the group drops the stored secrets of the others, so an
   * admin can switch from one credential to the other without deleting the connection.
   */
  group?: string;
};
