/** `name=value` of a cookie a response sets (what a browser would send back), or undefined. */
export function cookieOf(response: Response, name: string): string | undefined {
  for (const value of response.headers.getSetCookie()) if (value.startsWith(`${name}=`)) return value.split(';')[0] as string;
  return undefined;
}

/** The CSRF token of the first form on a page. */
export function csrfIn(html: string): string | undefined {
  return /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
}
