import { create, equals } from '@bufbuild/protobuf';
import { BadRequestError, ContentType, MessageContentSchema, type MessageContent } from '@parley/protocol';

/**
 * End-to-end content (content type ENCRYPTED, docs/security.md): the server checks the envelope
 * only, so it never holds a readable copy by accident: a non-empty `ciphertext` and no other
 * field (no text, preview, media, mentions) beside the content type.
 */
export function requireOpaqueContent(input: MessageContent): void {
  if (input.ciphertext.length === 0) throw new BadRequestError('encrypted content needs a ciphertext');
  const bare = create(MessageContentSchema, {
    contentType: ContentType.ENCRYPTED,
    ciphertext: input.ciphertext,
  });
  if (!equals(MessageContentSchema, bare, input) || (input.$unknown?.length ?? 0) > 0) {
    throw new BadRequestError('encrypted content carries its content type and ciphertext only');
  }
}
