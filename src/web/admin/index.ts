import type { Hono } from 'hono';
import type { AppEnv } from '../app-env.js';
import { auditPage } from './audit-page.js';
import { companiesPage } from './companies-page.js';
import { directoriesPage } from './directories-page.js';
import { directoryPage } from './directory-page.js';
import { executionsPage } from './executions-page.js';
import { formsPage } from './forms-page.js';
import { generalPage } from './general-page.js';
import { microsoftPage } from './microsoft-page.js';
import { overviewPage } from './overview-page.js';
import { psaCheckPage } from './psa-check-page.js';
import { psaPage } from './psa-page.js';
import { screenpopPage } from './screenpop-page.js';
import { techniciansPage } from './technicians-page.js';
import { usersPage } from './users-page.js';

/**
 * Every admin console page (each a small Hono app on its own paths under /admin). All of them sit
 * behind `requireAdmin`. Add a page: one file here and one line below, and its entry in
 * ADMIN_PAGES (admin-layout.tsx) for the navigation.
 */
export const adminPages: Hono<AppEnv>[] = [
  overviewPage,
  psaPage,
  psaCheckPage,
  techniciansPage,
  directoriesPage,
  directoryPage,
  microsoftPage,
  companiesPage,
  formsPage,
  screenpopPage,
  executionsPage,
  auditPage,
  usersPage,
  generalPage,
];
