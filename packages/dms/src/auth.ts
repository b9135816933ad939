/** @module auth — who may call: `X-Auth-Token` against static tokens, or an AK/SK `SDK-HMAC-SHA256` signature. */
import type { WireRequest, WireResponse } from '@sluice/http';
import { DmsCode, dmsError, renderError, renderSignatureError } from './errors.js';
import type { DmsCredential, ResolvedDmsOptions } from './options.js';
import { parseSdkAuthorization, verifySdkSignature } from './signature.js';

/**
 * Authenticates a request for `project`. Answers `undefined` when it may proceed, or the error response to send.
 * Synchronous unless a credential lookup function returns a promise (the hot path stays promise-free).
 */
export function authenticate(
  options: ResolvedDmsOptions,
  request: WireRequest,
  project: string,
): WireResponse | undefined | Promise<WireResponse | undefined> {
  const { credentials, tokens } = options;
  if (credentials === undefined && tokens === undefined) return undefined;
  const { authorization } = request.headers;
  if (authorization?.startsWith('SDK-HMAC-SHA256')) {
    const auth = parseSdkAuthorization(authorization);
    if (auth === undefined || credentials === undefined) return renderSignatureError();
    const found = credentials(auth.accessKeyId);
    const check = (entry: DmsCredential | string | undefined): WireResponse | undefined => {
      if (entry === undefined) return renderSignatureError();
      const secret = typeof entry === 'string' ? entry : entry.accessKeySecret;
      if (verifySdkSignature(request, auth, secret, options.now()) !== undefined)
        return renderSignatureError();
      const bound = typeof entry === 'string' ? undefined : entry.projectId;
      const claimed = request.headers['x-project-id'];
      if (
        (bound !== undefined && bound !== project) ||
        (claimed !== undefined && claimed.trim() !== project)
      ) {
        return renderError(dmsError(DmsCode.TokenProjectMismatch));
      }
      return undefined;
    };
    return found instanceof Promise ? found.then(check, () => renderSignatureError()) : check(found);
  }
  const tokenText = request.headers['x-auth-token'];
  if (tokenText === undefined || tokenText === '') return renderError(dmsError(DmsCode.TokenMissing));
  const token = tokens?.get(tokenText);
  if (token === undefined) return renderError(dmsError(DmsCode.TokenInvalid));
  if (token.expiresAt !== undefined && options.now() >= token.expiresAt)
    return renderError(dmsError(DmsCode.TokenExpired));
  if (token.projectId !== undefined && token.projectId !== project) {
    return renderError(dmsError(DmsCode.TokenProjectMismatch));
  }
  if (token.readOnly === true && request.method !== 'GET') return renderError(dmsError(DmsCode.AccessDenied));
  return undefined;
}
