import type { TestDatabase } from './test-databases.js';
import { createTestToolbox, type TestToolbox, type TestToolboxOptions } from './test-toolbox.js';

export type TestSession = { cookie: string; csrf: string };

/**
 * A toolbox of its own for one test, on a fresh store of `database`, with the demo technician
 * signed in; closed and dropped afterwards, whatever the test did.
 */
export async function withTestToolbox(
  database: TestDatabase,
  options: Omit<TestToolboxOptions, 'store'>,
  run: (toolbox: TestToolbox, session: TestSession) => Promise<void>,
): Promise<void> {
  const store = await database.open();
  const toolbox = await createTestToolbox({ store, ...options });
  try {
    await run(toolbox, await toolbox.signIn());
  } finally {
    await toolbox.close();
    await store.drop();
  }
}
