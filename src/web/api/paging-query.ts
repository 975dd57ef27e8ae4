import { z } from 'zod';

const ROWS = 'Enter a whole number of rows from 1 to 200.';
const FROM_ZERO = 'Enter a whole number from 0.';

/** `limit` and `offset` of every list operation, with messages that say what to enter. */
export const pagingQuery = {
  limit: z.coerce
    .number({ error: ROWS })
    .int(ROWS)
    .min(1, ROWS)
    .max(200, 'At most 200 rows per page; use offset for the next ones.')
    .default(50),
  offset: z.coerce.number({ error: FROM_ZERO }).int(FROM_ZERO).min(0, FROM_ZERO).default(0),
};
