/** @module fault — a protocol failure with its MNS wire code and status, thrown inside an operation and rendered once. */
import { WireFault } from '@sluice/http';

/**
 * A failure answered with the MNS `<Error>` body. Thrown by parse/validate helpers (control flow inside one request);
 * the handler turns it into the response, so it never escapes the dialect.
 */
export class MnsFault extends WireFault {
  override name = 'MnsFault';
}

/** 400 InvalidArgument in the service's wording: "The value of X should between Low and High seconds." */
export function outOfRange(element: string, low: number, high: number, unit = ''): MnsFault {
  return new MnsFault(
    400,
    'InvalidArgument',
    `The value of ${element} should between ${low} and ${high}${unit === '' ? '' : ` ${unit}`}.`,
  );
}

/** 400 MalformedXML. */
export function malformedXml(detail?: string): MnsFault {
  return new MnsFault(
    400,
    'MalformedXML',
    detail === undefined
      ? 'The XML you provided was not well-formed.'
      : `The XML you provided was not well-formed: ${detail}`,
  );
}

/**
 * 400 InvalidArgument for a character XML 1.0 does not allow (`character` as `U+XXXX`): the service accepts only
 * #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF] in a message body (so binary bodies are
 * base64-encoded by the SDKs), and no XML answer could carry anything else back.
 */
export function illegalCharacter(character: string): MnsFault {
  return new MnsFault(
    400,
    'InvalidArgument',
    `The request holds ${character}, a character XML 1.0 does not allow: a message body may hold only ` +
      '#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF] (base64-encode binary data).',
  );
}
