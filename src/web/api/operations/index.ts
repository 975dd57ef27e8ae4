import type { ApiOperation } from '../api-operation.js';
import { psaOperations } from './psa-operations.js';

/**
 * Every JSON API operation, in the order the OpenAPI document lists them. Add an area: one file
 * here exporting its operations, and one line below.
 */
export const apiOperations: ApiOperation[] = [...psaOperations];
