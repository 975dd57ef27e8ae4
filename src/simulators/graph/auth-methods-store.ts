import { createHash, randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { DemoAuthMethod, DemoUser } from '../../demo/demo-data.js';
import { constantTimeEquals } from '../../lib/constant-time-equals.js';

/**
 * The Graph simulator's registered sign-in methods: one user's methods and default second factor,
 * their Graph v1.0 JSON shape, and the rules Graph applies when a method is deleted or a Temporary
 * Access Pass is created (reference microsoft-graph.md §6). Routing, tokens and permissions stay
 * in graph-simulator.ts; this module only knows methods. Error texts marked *unverified* are the
 * simulator's own words: Microsoft does not document them.
 */

/** Graph's well-known id of the password method, the same for every user. */
export const PASSWORD_METHOD_ID = '28c10230-6103-485e-b985-444c60001490';

export type PreferredSecondFactor = NonNullable<DemoUser['preferredSecondFactor']>;

export type SimTemporaryAccessPass = {
  type: 'temporaryAccessPass';
  id: string;
  createdDateTime: string;
  startDateTime: string;
  lifetimeInMinutes: number;
  isUsableOnce: boolean;
  /** Only a salted hash of the pass is kept: Graph never shows it again either. */
  salt: string;
  hash: string;
};

export type SimAuthMethod = DemoAuthMethod | { type: 'password'; id: string; createdDateTime?: string } | SimTemporaryAccessPass;
export type SimAuthMethodType = SimAuthMethod['type'];

export type UserAuth = { methods: SimAuthMethod[]; preferred: PreferredSecondFactor | null };

export type GraphRefusal = { status: number; code: string; message: string };

/** v1.0 `authentication` navigation properties that accept DELETE, and the method type each holds. */
export const DELETE_SEGMENTS: Record<string, SimAuthMethodType> = {
  phoneMethods: 'phone',
  emailMethods: 'email',
  fido2Methods: 'fido2',
  microsoftAuthenticatorMethods: 'microsoftAuthenticator',
  softwareOathMethods: 'softwareOath',
  temporaryAccessPassMethods: 'temporaryAccessPass',
  windowsHelloForBusinessMethods: 'windowsHelloForBusiness',
  platformCredentialMethods: 'platformCredential',
  externalAuthenticationMethods: 'externalAuthentication',
  // Exists in v1.0, but the password method cannot be deleted (checked below).
  passwordMethods: 'password',
};

const ODATA_TYPES: Record<SimAuthMethodType, string> = {
  password: '#microsoft.graph.passwordAuthenticationMethod',
  phone: '#microsoft.graph.phoneAuthenticationMethod',
  email: '#microsoft.graph.emailAuthenticationMethod',
  fido2: '#microsoft.graph.fido2AuthenticationMethod',
  microsoftAuthenticator: '#microsoft.graph.microsoftAuthenticatorAuthenticationMethod',
  softwareOath: '#microsoft.graph.softwareOathAuthenticationMethod',
  temporaryAccessPass: '#microsoft.graph.temporaryAccessPassAuthenticationMethod',
  windowsHelloForBusiness: '#microsoft.graph.windowsHelloForBusinessAuthenticationMethod',
  platformCredential: '#microsoft.graph.platformCredentialAuthenticationMethod',
  // Not "externalAuthenticationAuthenticationMethod": Graph's type name is shorter here.
  externalAuthentication: '#microsoft.graph.externalAuthenticationMethod',
  // Beta only; whether the v1.0 list returns it is *unverified*. Listed so clients see an unremovable kind.
  hardwareOath: '#microsoft.graph.hardwareOathAuthenticationMethod',
};

/** Which phone type the default second factor points at, per signInPreferences. */
const DEFAULT_PHONE_TYPE: Partial<Record<PreferredSecondFactor, string>> = {
  voiceMobile: 'mobile',
  sms: 'mobile',
  voiceAlternateMobile: 'alternateMobile',
  voiceOffice: 'office',
};

export const TAP_MIN_MINUTES = 10;
export const TAP_MAX_MINUTES = 43_200;
const TAP_PROPERTIES = new Set(['lifetimeInMinutes', 'isUsableOnce', 'startDateTime']);
/** Entra's default TAP lifetime when the request gives none (the tenant policy's default). */
const TAP_DEFAULT_MINUTES = 60;
/** No look-alike characters, as a technician reads the pass out over the phone. */
const TAP_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789!#%+?@';
const TAP_LENGTH = 12;
const SEEDED_PASSWORD_CREATED = '2024-01-08T09:00:00Z';

/** Every user gets the password method (a synced user's hash-synced password is listed too). */
export function seedUserAuth(user: DemoUser): UserAuth {
  return {
    methods: [
      { type: 'password', id: PASSWORD_METHOD_ID, createdDateTime: SEEDED_PASSWORD_CREATED },
      ...structuredClone(user.authMethods ?? []),
    ],
    preferred: user.preferredSecondFactor ?? null,
  };
}

/** The method as Graph v1.0 lists it: `@odata.type`, id and the type's own properties. */
export function toGraphMethod(method: SimAuthMethod, now: number): Record<string, unknown> {
  const base = { '@odata.type': ODATA_TYPES[method.type], id: method.id };
  switch (method.type) {
    case 'password':
      // Graph always answers null for the password itself.
      return { ...base, password: null, createdDateTime: method.createdDateTime ?? null };
    case 'phone':
      return { ...base, phoneNumber: method.phoneNumber, phoneType: method.phoneType, smsSignInState: 'notAllowedByPolicy' };
    case 'email':
      return { ...base, emailAddress: method.emailAddress };
    case 'microsoftAuthenticator':
      return {
        ...base,
        displayName: method.displayName,
        deviceTag: method.deviceTag ?? null,
        phoneAppVersion: method.phoneAppVersion ?? null,
        createdDateTime: method.createdDateTime ?? null,
      };
    case 'fido2':
      return {
        ...base,
        displayName: method.displayName,
        createdDateTime: method.createdDateTime ?? null,
        aaGuid: method.aaGuid ?? null,
        model: method.model,
        attestationCertificates: [],
        attestationLevel: 'attested',
      };
    case 'softwareOath':
      return { ...base, secretKey: null };
    case 'windowsHelloForBusiness':
      return {
        ...base,
        displayName: method.displayName,
        createdDateTime: method.createdDateTime ?? null,
        keyStrength: method.keyStrength ?? 'normal',
      };
    case 'platformCredential':
      return {
        ...base,
        displayName: method.displayName,
        createdDateTime: method.createdDateTime ?? null,
        keyStrength: 'normal',
        platform: method.platform ?? 'macOS',
      };
    case 'externalAuthentication':
      return {
        ...base,
        displayName: method.displayName,
        configurationId: method.configurationId ?? null,
        createdDateTime: method.createdDateTime ?? null,
      };
    case 'hardwareOath':
      return { ...base, displayName: method.displayName ?? null, serialNumber: method.serialNumber ?? null };
    case 'temporaryAccessPass':
      return { ...base, ...tapProperties(method, now), temporaryAccessPass: null };
  }
}

function tapProperties(method: SimTemporaryAccessPass, now: number) {
  const start = Date.parse(method.startDateTime);
  const end = start + method.lifetimeInMinutes * 60_000;
  const reason = now < start ? 'NotYetValid' : now >= end ? 'Expired' : 'EnabledByPolicy';
  return {
    createdDateTime: method.createdDateTime,
    startDateTime: method.startDateTime,
    lifetimeInMinutes: method.lifetimeInMinutes,
    isUsableOnce: method.isUsableOnce,
    isUsable: reason === 'EnabledByPolicy',
    methodUsabilityReason: reason,
  };
}

/** The phone type the user's default second factor points at, if it is a phone. */
export function defaultPhoneType(auth: UserAuth): string | undefined {
  return auth.preferred ? DEFAULT_PHONE_TYPE[auth.preferred] : undefined;
}

/**
 * Checks a `DELETE …/authentication/{segment}/{methodId}` against Graph's rules and returns the
 * method to remove, or Graph's refusal. Removal is separate so the legacy-tenant mode can answer
 * 204 without removing.
 */
export function checkDelete(auth: UserAuth, segment: string, methodId: string): { method: SimAuthMethod } | GraphRefusal {
  const type = DELETE_SEGMENTS[segment];
  if (!type) return { status: 400, code: 'BadRequest', message: `Resource not found for the segment '${segment}'.` };
  const method = auth.methods.find((m) => m.id === methodId.toLowerCase());
  if (!method) {
    return { status: 404, code: 'itemNotFound', message: `The requested resource '${methodId}' does not exist.` };
  }
  if (method.type !== type) {
    // *unverified*: Graph's answer to a method id addressed through another type's segment.
    return { status: 400, code: 'badRequest', message: `The authentication method '${methodId}' is not of the type '${segment}'.` };
  }
  if (method.type === 'password') {
    // *unverified* text; the password method has no DELETE (reference §6 step 2).
    return { status: 400, code: 'badRequest', message: 'The password authentication method cannot be deleted.' };
  }
  if (method.type === 'phone') {
    const others = auth.methods.filter((m) => m.type !== 'password' && m !== method);
    if (method.phoneType === defaultPhoneType(auth) && others.length > 0) {
      // The rule is documented (phoneauthenticationmethod-delete); the text is *unverified*.
      return {
        status: 400,
        code: 'badRequest',
        message:
          'The default phone authentication method cannot be deleted while other authentication methods are registered. ' +
          'Delete the other methods or change the default sign-in method first.',
      };
    }
    if (method.phoneType === 'mobile' && auth.methods.some((m) => m.type === 'phone' && m.phoneType === 'alternateMobile')) {
      // Documented rule, *unverified* text.
      return {
        status: 400,
        code: 'badRequest',
        message: 'The mobile phone authentication method cannot be deleted while an alternate mobile phone is registered.',
      };
    }
  }
  return { method };
}

/** Removes the method; when it was the default second factor, the user is left with none. */
export function removeMethod(auth: UserAuth, method: SimAuthMethod): void {
  auth.methods = auth.methods.filter((m) => m !== method);
  if (!auth.preferred) return;
  const stillThere = (type: SimAuthMethodType) => auth.methods.some((m) => m.type === type);
  const phoneType = defaultPhoneType(auth);
  const lost =
    (phoneType !== undefined && method.type === 'phone' && method.phoneType === phoneType) ||
    (auth.preferred === 'push' && method.type === 'microsoftAuthenticator' && !stillThere('microsoftAuthenticator')) ||
    (auth.preferred === 'oath' && method.type === 'softwareOath' && !stillThere('softwareOath'));
  if (lost) auth.preferred = null;
}

/**
 * Validates a `POST …/temporaryAccessPassMethods` body and, when Graph would accept it, stores a
 * new pass (hashed) and returns the pass in clear with the Graph answer.
 */
export function createTemporaryAccessPass(
  auth: UserAuth,
  body: unknown,
  now: number,
): { pass: string; graph: Record<string, unknown> } | GraphRefusal {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { status: 400, code: 'BadRequest', message: 'Unable to read JSON request payload.' };
  }
  const record = body as Record<string, unknown>;
  const unknown = Object.keys(record).find((k) => !TAP_PROPERTIES.has(k));
  if (unknown) {
    return {
      status: 400,
      code: 'BadRequest',
      message: `Property '${unknown}' does not exist as a declared property or extension property.`,
    };
  }
  const { lifetimeInMinutes = TAP_DEFAULT_MINUTES, isUsableOnce = false, startDateTime } = record;
  if (typeof lifetimeInMinutes !== 'number' || !Number.isInteger(lifetimeInMinutes)) {
    return { status: 400, code: 'BadRequest', message: "Invalid value specified for property 'lifetimeInMinutes'." };
  }
  if (lifetimeInMinutes < TAP_MIN_MINUTES || lifetimeInMinutes > TAP_MAX_MINUTES) {
    // *unverified* text; the range is Entra's (the tenant policy may narrow it).
    return {
      status: 400,
      code: 'badRequest',
      message: `The lifetime of the Temporary Access Pass must be between ${TAP_MIN_MINUTES} and ${TAP_MAX_MINUTES} minutes.`,
    };
  }
  if (typeof isUsableOnce !== 'boolean') {
    return { status: 400, code: 'BadRequest', message: "Invalid value specified for property 'isUsableOnce'." };
  }
  let start = new Date(now).toISOString();
  if (startDateTime !== undefined) {
    if (typeof startDateTime !== 'string' || Number.isNaN(Date.parse(startDateTime))) {
      return { status: 400, code: 'BadRequest', message: "Invalid value specified for property 'startDateTime'." };
    }
    start = new Date(Date.parse(startDateTime)).toISOString();
  }
  if (auth.methods.some((m) => m.type === 'temporaryAccessPass')) {
    // Graph allows one pass per user; the text is *unverified*. An expired pass still counts
    // until it is deleted (also *unverified*; the simulator errs on the strict side).
    return {
      status: 400,
      code: 'badRequest',
      message: 'The user already has a Temporary Access Pass. Delete the existing one before creating a new one.',
    };
  }
  const pass = Array.from({ length: TAP_LENGTH }, () => TAP_ALPHABET[randomInt(TAP_ALPHABET.length)]).join('');
  const salt = randomBytes(16).toString('base64url');
  const method: SimTemporaryAccessPass = {
    type: 'temporaryAccessPass',
    id: randomUUID(),
    createdDateTime: new Date(now).toISOString(),
    startDateTime: start,
    lifetimeInMinutes,
    isUsableOnce,
    salt,
    hash: hashPass(salt, pass),
  };
  auth.methods.push(method);
  return {
    pass,
    graph: { '@odata.type': ODATA_TYPES.temporaryAccessPass, id: method.id, temporaryAccessPass: pass, ...tapProperties(method, now) },
  };
}

/** Whether `candidate` is the user's current pass (and it has not expired). */
export function checkTemporaryAccessPass(auth: UserAuth, candidate: string, now: number): boolean {
  const tap = auth.methods.find((m): m is SimTemporaryAccessPass => m.type === 'temporaryAccessPass');
  if (!tap || !tapProperties(tap, now).isUsable) return false;
  return constantTimeEquals(hashPass(tap.salt, candidate), tap.hash);
}

function hashPass(salt: string, pass: string): string {
  return createHash('sha256').update(`${salt}:${pass}`).digest('base64url');
}
