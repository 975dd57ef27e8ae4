import type { Hono } from 'hono';
import type { AppEnv } from '../app-env.js';
import { overviewPage } from './overview-page.js';
import { psaPage } from './psa-page.js';

/**
 * Every admin console page (each a small Hono app on its own paths under /admin). All of them sit
 * behind `requireAdmin`. Add a page: one file here and one line below, and its entry in
 * ADMIN_PAGES (admin-layout.tsx) for the navigation.
 */
export const adminPages: Hono<AppEnv>[] = [overviewPage, psaPage];
