import type { Pool } from 'undici';
import { DEMO_SIGN_IN } from '../src/demo/demo-sandbox.js';

/** A header's values as a list, whether undici gave one value or several. */
export function headerValues(value: string | string[] | undefined): string[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

/** The `name=value` pair of one cookie among the Set-Cookie headers. */
export function cookieFrom(setCookie: string | string[] | undefined, name: string): string | undefined {
  for (const line of headerValues(setCookie)) {
    const [pair] = line.split(';');
    if (pair?.startsWith(`${name}=`)) return pair;
  }
  return undefined;
}

/** Signs the demo technician in like a browser: GET /login for the double-submit token, then POST the form. */
export async function signInDemoTechnician(pool: Pool, origin: string): Promise<string> {
  const page = await pool.request({ method: 'GET', path: '/login?next=%2F' });
  const html = await page.body.text();
  const loginCookie = cookieFrom(page.headers['set-cookie'], 'tbx_login');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (page.statusCode !== 200 || !loginCookie || !csrf) throw new Error(`GET /login: status ${page.statusCode}, no login token`);
  const form = new URLSearchParams({ _csrf: csrf, email: DEMO_SIGN_IN.email, password: DEMO_SIGN_IN.password, next: '/' });
  const response = await pool.request({
    method: 'POST',
    path: '/login',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin, cookie: loginCookie },
    body: form.toString(),
  });
  await response.body.dump();
  const session = cookieFrom(response.headers['set-cookie'], 'tbx_session');
  if (response.statusCode !== 303 || !session) throw new Error(`POST /login: status ${response.statusCode}, no session cookie`);
  return session;
}
