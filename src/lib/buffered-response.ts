import { type HeadersInit as UndiciHeadersInit, Response as UndiciResponse } from 'undici';

export type BufferedResponseInit = {
  status: number;
  statusText: string;
  headers: Headers;
  url: string;
};

const utf8 = new TextDecoder();

/**
 * A `Response` over a body that has already been read in full, as the GET fast path of
 * `createHttpFetch` has it. Building a real undici `Response` costs a web `ReadableStream` around
 * the bytes and reading it back costs the stream machinery again: about 40 µs per upstream call,
 * four calls per screen pop (docs/benchmarks.md). The connectors read bodies with `text()` /
 * `json()`, so those answer from the bytes directly; anything else (`body`, `blob()`,
 * `formData()`) turns it into the real `Response` first and hands over to it, so every member of
 * the interface still behaves as fetch's own.
 */
export class BufferedResponse implements Response {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  readonly url: string;
  readonly redirected = false;
  readonly type: Response['type'] = 'basic';
  readonly #bytes: Uint8Array | null;
  #used = false;
  #real: Response | undefined;

  constructor(bytes: Uint8Array | null, init: BufferedResponseInit) {
    this.#bytes = bytes;
    this.status = init.status;
    this.statusText = init.statusText;
    this.headers = init.headers;
    this.url = init.url;
  }

  get ok(): boolean {
    return this.status >= 200 && this.status <= 299;
  }

  get bodyUsed(): boolean {
    return this.#real ? this.#real.bodyUsed : this.#used;
  }

  get body(): ReadableStream<Uint8Array> | null {
    return this.#materialize().body as ReadableStream<Uint8Array> | null;
  }

  text(): Promise<string> {
    if (this.#real) return this.#real.text();
    return this.#take((bytes) => (bytes ? utf8.decode(bytes) : ''));
  }

  json(): Promise<unknown> {
    if (this.#real) return this.#real.json();
    // As fetch: the text of the body parsed as JSON, a SyntaxError when it is not.
    return this.#take((bytes) => JSON.parse(bytes ? utf8.decode(bytes) : ''));
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    if (this.#real) return this.#real.arrayBuffer();
    return this.#take((bytes) => copy(bytes).buffer as ArrayBuffer);
  }

  bytes(): Promise<Uint8Array<ArrayBuffer>> {
    if (this.#real) return this.#real.bytes() as Promise<Uint8Array<ArrayBuffer>>;
    return this.#take((bytes) => copy(bytes));
  }

  blob(): Promise<Blob> {
    return this.#materialize().blob();
  }

  formData(): Promise<FormData> {
    return this.#materialize().formData() as Promise<FormData>;
  }

  clone(): Response {
    if (this.#real) return this.#real.clone();
    if (this.#used) throw new TypeError('Response.clone: Body has already been consumed.');
    return new BufferedResponse(this.#bytes, this);
  }

  /** Reads the body once, as every body method of `Response` does: a second read is a TypeError. */
  #take<T>(read: (bytes: Uint8Array | null) => T): Promise<T> {
    if (this.#used) return Promise.reject(new TypeError('Body is unusable: Body has already been read'));
    // A null body (204, 304…) is never "used", as with fetch.
    if (this.#bytes !== null) this.#used = true;
    try {
      return Promise.resolve(read(this.#bytes));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #materialize(): Response {
    if (!this.#real) {
      const real = new UndiciResponse(this.#bytes, {
        status: this.status,
        statusText: this.statusText,
        headers: this.headers as unknown as UndiciHeadersInit,
      });
      Object.defineProperty(real, 'url', { value: this.url });
      // A body already read here stays read there.
      if (this.#used) real.arrayBuffer().catch(() => {});
      this.#real = real as unknown as Response;
    }
    return this.#real;
  }
}

function copy(bytes: Uint8Array | null): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(bytes?.byteLength ?? 0);
  if (bytes) out.set(bytes);
  return out;
}
