import type { ApiOperation } from '../api-operation.js';
import { agentOperations } from './agent-operations.js';
import { auditOperations } from './audit-operations.js';
import { companyMappingOperations } from './company-mapping-operations.js';
import { directoryOperations } from './directory-operations.js';
import { executionOperations } from './execution-operations.js';
import { formOperations } from './form-operations.js';
import { generalOperations } from './general-operations.js';
import { microsoftAppOperations } from './microsoft-app-operations.js';
import { psaCheckOperations } from './psa-check-operations.js';
import { psaOperations } from './psa-operations.js';
import { screenpopOperations } from './screenpop-operations.js';
import { signInPolicyOperations } from './sign-in-policy-operations.js';
import { technicianOperations } from './technician-operations.js';
import { tokenOperations } from './token-operations.js';
import { userOperations } from './user-operations.js';

/**
 * Every JSON API operation, in the order the OpenAPI document lists them. Add an area: one file
 * here exporting its operations, and one line below.
 */
export const apiOperations: ApiOperation[] = [
  ...psaOperations,
  ...psaCheckOperations,
  ...technicianOperations,
  ...directoryOperations,
  ...microsoftAppOperations,
  ...agentOperations,
  ...companyMappingOperations,
  ...formOperations,
  ...screenpopOperations,
  ...executionOperations,
  ...auditOperations,
  ...userOperations,
  ...tokenOperations,
  ...generalOperations,
  ...signInPolicyOperations,
];
