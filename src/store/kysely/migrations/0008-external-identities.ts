import type { Kysely, Migration } from 'kysely';

/**
 * Technician sign-in with Microsoft or another OpenID provider (docs/microsoft-365.md,
 * "Technician sign-in"). A user is known to a provider by an immutable key, not by e-mail (which
 * changes): Microsoft's `tid` + `oid`, any other provider's `iss` + `sub`. One user may have
 * several (a local account also signing in with Microsoft). Sessions opened that way carry
 * `reauth_at`: they end then, however much they are used, so the next sign-in reads the roles again.
 */
export const externalIdentitiesMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('external_identities')
      // `microsoft:{tid}` or `oidc:{issuer}`.
      .addColumn('provider', 'text', (c) => c.notNull())
      // Microsoft's `oid`, another provider's `sub`.
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('last_sign_in_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('external_identities_pk', ['provider', 'subject'])
      .execute();
    await db.schema.createIndex('external_identities_user').on('external_identities').columns(['user_id']).execute();
    await db.schema.alterTable('sessions').addColumn('reauth_at', 'text').execute();
  },

  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('sessions').dropColumn('reauth_at').execute();
    await db.schema.dropTable('external_identities').ifExists().execute();
  },
};
